from django.urls import path

from assist import views

app_name = "assist"
hub = "hubs/<slug:slug>/"

urlpatterns = [
    path(f"{hub}proposals/", views.inbox, name="inbox"),
    path(f"{hub}proposals/<uuid:proposal_id>/", views.proposal_detail, name="proposal"),
    path(f"{hub}proposals/<uuid:proposal_id>/review/", views.proposal_review, name="review"),
    path(f"{hub}proposals/<uuid:proposal_id>/promote/", views.promote_from_draft, name="promote"),
    path(f"{hub}similar/", views.similar, name="similar"),
]
