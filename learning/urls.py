from django.urls import path

from learning import views

app_name = "learning"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path("learning/", views.index, name="index"),
    path(f"{hub}learning/", views.dashboard, name="dashboard"),
    path(f"{hub}learning/panels/<str:panel>/", views.panel, name="panel"),
    path(f"{hub}learning/calibrations/<uuid:calibration_id>/", views.calibration_decide, name="calibration"),
    path(f"{hub}learning/insights/<uuid:insight_id>/", views.insight_act, name="insight"),
    path(f"{hub}knowledge/", views.knowledge, name="knowledge"),
    path(f"{hub}knowledge/<uuid:entry_id>/", views.knowledge_entry, name="entry"),
    path(f"{hub}decisions/<uuid:decision_id>/distil/", views.distil, name="distil"),
]
