"""Reads of the heatmap, health and review board: pre-computed scores and snapshots, a few queries each."""

from django.db.models import Count, OuterRef, Q, Subquery

from hubs.models import Widget
from observability.models import (
    BottleneckRecord,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
    Stage,
    friction_band,
)


def heatmap(hub) -> list[dict]:
    """The hub's widgets grouped by type, each with its friction score and colour band (one query)."""
    widgets = (
        Widget.objects.filter(hub=hub)
        .annotate(score=Subquery(FrictionScore.objects.filter(widget=OuterRef("pk")).values("score")[:1]))
        .order_by("widget_type", "-score", "name")
        .values("pk", "name", "widget_type", "score", "status")
    )
    groups: dict[str, list] = {}
    for widget in widgets:
        widget["band"] = friction_band(widget["score"]) if widget["score"] is not None else "none"
        groups.setdefault(widget["widget_type"], []).append(widget)
    return [{"widget_type": t, "widgets": ws} for t, ws in groups.items()]


def latest_health(hubs):
    """Each hub with its latest snapshot's score and the one before it (two subqueries, one query)."""
    snapshots = HubHealthSnapshot.objects.filter(hub=OuterRef("pk")).order_by("-computed_at")
    return hubs.annotate(
        health=Subquery(snapshots.values("health_score")[:1]),
        previous_health=Subquery(snapshots.values("health_score")[1:2]),
        health_at=Subquery(snapshots.values("computed_at")[:1]),
    )


def top_friction(hubs, limit=10):
    return list(
        FrictionScore.objects.filter(widget__hub__in=hubs)
        .select_related("widget__hub")
        .order_by("-score", "widget__name")[:limit]
    )


def bottlenecks_by_stage(hubs) -> list[dict]:
    counts = dict(
        BottleneckRecord.objects.filter(hub__in=hubs, resolved_at__isnull=True)
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    return [{"stage": s, "label": label, "count": counts.get(s, 0)} for s, label in Stage.choices]


def propagations_for(hubs, statuses=("open", "acknowledged")):
    hub_ids = [str(pk) for pk in hubs.values_list("pk", flat=True)]
    if not hub_ids:
        return CrossHubPropagation.objects.none()
    # `?|` on a JSON array matches its string elements: any of the user's hubs among the affected ones.
    involving = Q(source_hub_id__in=hub_ids) | Q(affected_hub_ids__has_any_keys=hub_ids)
    return CrossHubPropagation.objects.filter(involving, status__in=statuses).select_related("source_hub")
