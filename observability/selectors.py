"""Reads of the heatmap, health and review board: pre-computed scores and snapshots, a few queries each."""

import uuid
from collections.abc import Iterable
from typing import Any, TypedDict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from hubs.models import Hub, Widget
from observability.models import (
    BottleneckRecord,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
    Stage,
    friction_band,
)


class HeatmapWidget(TypedDict):
    pk: uuid.UUID
    name: str
    widget_type: str
    score: int | None
    status: str
    band: str  # friction_band() of the score, or "none" before the first computation


class HeatmapGroup(TypedDict):
    widget_type: str
    widgets: list[HeatmapWidget]


def heatmap(hub: Hub) -> list[HeatmapGroup]:
    """The hub's widgets grouped by type, each with its friction score and colour band (one query)."""
    widgets = (
        Widget.objects.filter(hub=hub)
        .annotate(score=Subquery(FrictionScore.objects.filter(widget=OuterRef("pk")).values("score")[:1]))
        .order_by("widget_type", "-score", "name")
        .values("pk", "name", "widget_type", "score", "status")
    )
    groups: dict[str, list[HeatmapWidget]] = {}
    for widget in widgets:
        band = friction_band(widget["score"]) if widget["score"] is not None else "none"
        groups.setdefault(widget["widget_type"], []).append({**widget, "band": band})
    return [{"widget_type": t, "widgets": ws} for t, ws in groups.items()]


def latest_health(hubs: QuerySet[Hub]) -> QuerySet[Hub]:
    """Each hub with its latest snapshot's score and the one before it (two subqueries, one query)."""
    snapshots = HubHealthSnapshot.objects.filter(hub=OuterRef("pk")).order_by("-computed_at")
    return hubs.annotate(
        health=Subquery(snapshots.values("health_score")[:1]),
        previous_health=Subquery(snapshots.values("health_score")[1:2]),
        health_at=Subquery(snapshots.values("computed_at")[:1]),
    )


def top_friction(hubs: QuerySet[Hub], limit: int = 10) -> list[FrictionScore]:
    return list(
        FrictionScore.objects.filter(widget__hub__in=hubs)
        .select_related("widget__hub")
        .order_by("-score", "widget__name")[:limit]
    )


def bottlenecks_by_stage(hubs: QuerySet[Hub]) -> list[dict[str, Any]]:
    counts = dict(
        BottleneckRecord.objects.filter(hub__in=hubs, resolved_at__isnull=True)
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    return [{"stage": s, "label": label, "count": counts.get(s, 0)} for s, label in Stage.choices]


def propagations_for(
    hubs: QuerySet[Hub], statuses: Iterable[str] = ("open", "acknowledged")
) -> QuerySet[CrossHubPropagation]:
    hub_ids = [str(pk) for pk in hubs.values_list("pk", flat=True)]
    if not hub_ids:
        return CrossHubPropagation.objects.none()
    # `?|` on a JSON array matches its string elements: any of the user's hubs among the affected ones.
    involving = Q(source_hub_id__in=hub_ids) | Q(affected_hub_ids__has_any_keys=hub_ids)
    return CrossHubPropagation.objects.filter(involving, status__in=statuses).select_related("source_hub")
