from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("kpis/", views.kpis_all, name="kpis"),
    path("hubs/<slug:slug>/kpis/", views.kpis_hub, name="hub-kpis"),
]
