from django.urls import path

from surveys import views

app_name = "surveys"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path(f"{hub}surveys/settings/", views.survey_settings, name="settings"),
    path(f"{hub}deployments/<uuid:deployment_id>/survey/", views.survey_toggle, name="toggle"),
    path(
        f"{hub}deployments/<uuid:deployment_id>/suggestions/<uuid:suggestion_id>/",
        views.suggestion_decide,
        name="suggestion-decide",
    ),
    path(f"{hub}my-reports/", views.my_reports, name="my-reports"),
    path(f"{hub}my-reports/opt-out/", views.my_reports_opt_out, name="my-reports-opt-out"),
]
