from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("hubs/<slug:slug>/", views.hub_detail, name="hub"),
    path("hubs/<slug:slug>/widgets/<uuid:widget_id>/", views.widget_detail, name="widget"),
    path("hubs/<slug:slug>/widgets/<uuid:widget_id>/annotations/", views.annotation_create, name="annotate"),
]
