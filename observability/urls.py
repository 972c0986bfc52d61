from django.urls import path

from observability import cross_hub_views, views

app_name = "observability"

hub = "hubs/<slug:slug>/"

urlpatterns = [
    path(f"{hub}friction/", views.heatmap, name="heatmap"),
    path(f"{hub}friction/recompute/", views.recompute, name="recompute"),
    path(f"{hub}bottlenecks/", views.bottlenecks, name="bottlenecks"),
    path(f"{hub}bottlenecks/<uuid:record_id>/resolve/", views.bottleneck_resolve, name="bottleneck-resolve"),
    path(f"{hub}health/", views.health, name="health"),
    path("propagations/", cross_hub_views.propagations, name="propagations"),
    path("propagations/<uuid:propagation_id>/", cross_hub_views.propagation_act, name="propagation-act"),
    path(
        "propagations/<uuid:propagation_id>/evidence/", cross_hub_views.propagation_detail, name="propagation"
    ),
    path("review/", cross_hub_views.review_board, name="review"),
    path("review/<str:panel>/", cross_hub_views.review_panel, name="review-panel"),
]
