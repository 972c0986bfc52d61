from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ihf.views import LoginView
from wiring.api import api

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("hubs.urls")),
    path("", include("feedback.urls")),
    path("", include("governance.urls")),
    path("", include("outcomes.urls")),
    path("", include("observability.urls")),
    path("", include("assist.urls")),
    path("", include("surveys.urls")),
    path("", include("learning.urls")),
    path("", include("reporting.urls")),
]
