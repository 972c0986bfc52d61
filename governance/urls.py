from django.urls import path

from governance import search, views

app_name = "governance"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path("search/", search.search, name="search"),
    path(f"{hub}candidates/<uuid:candidate_id>/promote/", views.promote, name="promote"),
    path(f"{hub}requirements/<uuid:requirement_id>/", views.requirement_detail, name="requirement"),
    path(f"{hub}decisions/new/", views.decision_new, name="decision-new"),
    path(f"{hub}decisions/<uuid:decision_id>/", views.decision_detail, name="decision"),
    path(f"{hub}decisions/<uuid:decision_id>/policies/", views.policy_reference_add, name="policy-add"),
    path(f"{hub}decisions/<uuid:decision_id>/changes/", views.change_reference_add, name="change-add"),
]
