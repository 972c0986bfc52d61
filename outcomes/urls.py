from django.urls import path

from outcomes import views

app_name = "outcomes"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path(f"{hub}decisions/<uuid:decision_id>/deploy/", views.deploy, name="deploy"),
    path(f"{hub}deployments/<uuid:deployment_id>/", views.deployment_detail, name="deployment"),
    path(f"{hub}deployments/<uuid:deployment_id>/status/", views.status_add, name="status-add"),
    path(f"{hub}deployments/<uuid:deployment_id>/signals/", views.signal_add, name="signal-add"),
    path(f"{hub}deployments/<uuid:deployment_id>/evaluation/", views.evaluation_submit, name="evaluate"),
    path(f"{hub}deployments/<uuid:deployment_id>/trace/", views.deployment_trace, name="deployment-trace"),
    path(f"{hub}widgets/<uuid:widget_id>/trace/", views.widget_trace, name="widget-trace"),
    path(f"{hub}regressions/", views.regression_list, name="regressions"),
    path(
        f"{hub}regressions/<uuid:regression_id>/resolve/", views.regression_resolve, name="regression-resolve"
    ),
    path(f"{hub}dashboard/", views.dashboard, name="dashboard"),
    path(f"{hub}dashboard/<str:panel>/", views.dashboard_panel, name="dashboard-panel"),
]
