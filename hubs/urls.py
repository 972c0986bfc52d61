from django.urls import path

from hubs import views

app_name = "hubs"

urlpatterns = [
    path("", views.hub_list, name="list"),
    path("hubs/<slug:slug>/settings/", views.hub_settings, name="settings"),
    path("hubs/<slug:slug>/settings/keys/", views.api_key_create, name="key-create"),
    path("hubs/<slug:slug>/settings/keys/<uuid:key_id>/revoke/", views.api_key_revoke, name="key-revoke"),
]
