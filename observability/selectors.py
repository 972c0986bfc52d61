"""Reads of the heatmap, health and review board: pre-computed scores and snapshots, a few queries each."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from django.conf import settings
from django.db.models import BooleanField, Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.urls import reverse

from feedback.models import Annotation, RequirementCandidate
from governance.models import DecisionRecord, Requirement
from hubs.models import Hub, Widget
from observability.models import (
    BottleneckRecord,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
    Stage,
    friction_band,
)
from outcomes.models import DeploymentRecord


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
    total: int  # the type's widgets in the hub; `widgets` holds the worst HEATMAP_PER_GROUP of them


# Cells per type on the heatmap: a hub of 1,000 widgets took 230 ms to render them all (issue 21); each
# type's own page (?type=) lists all of its widgets, HEATMAP_PAGE at a time.
HEATMAP_PER_GROUP = 40
HEATMAP_PAGE = 200


def _score() -> Subquery:
    return Subquery(FrictionScore.objects.filter(widget=OuterRef("pk")).values("score")[:1])


def _cell(widget: Mapping[str, Any]) -> HeatmapWidget:
    band = friction_band(widget["score"]) if widget["score"] is not None else "none"
    return {
        "pk": widget["pk"],
        "name": widget["name"],
        "widget_type": widget["widget_type"],
        "score": widget["score"],
        "status": widget["status"],
        "band": band,
    }


WORST_FIRST = [F("score").desc(nulls_last=True), F("name").asc()]


def heatmap(hub: Hub) -> list[HeatmapGroup]:
    """The hub's widgets grouped by type, the worst HEATMAP_PER_GROUP of each type with their friction
    score and colour band, and each type's count (one query)."""
    widgets = (
        Widget.objects.filter(hub=hub)
        .annotate(
            score=_score(),
            position=Window(RowNumber(), partition_by=[F("widget_type")], order_by=WORST_FIRST),
            type_total=Window(Count("pk"), partition_by=[F("widget_type")]),
        )
        .filter(position__lte=HEATMAP_PER_GROUP)
        .order_by("widget_type", "position")
        .values("pk", "name", "widget_type", "score", "status", "type_total")
    )
    groups: dict[str, HeatmapGroup] = {}
    for widget in widgets:
        group = groups.setdefault(
            widget["widget_type"],
            {"widget_type": widget["widget_type"], "widgets": [], "total": widget["type_total"]},
        )
        group["widgets"].append(_cell(widget))
    return list(groups.values())


def heatmap_of_type(hub: Hub, widget_type: str) -> QuerySet[Any, Any]:
    """All the hub's widgets of one type, worst first, for a paginator (see heatmap_cells)."""
    return (
        Widget.objects.filter(hub=hub, widget_type=widget_type)
        .annotate(score=_score())
        .order_by(*WORST_FIRST)
        .values("pk", "name", "widget_type", "score", "status")
    )


def heatmap_cells(widgets: Iterable[dict[str, Any]]) -> list[HeatmapWidget]:
    return [_cell(widget) for widget in widgets]


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


CLUSTER_MATCH = "to_tsvector('english', annotations.body) @@ plainto_tsquery('simple', %s)"


def propagation_evidence(
    propagation: CrossHubPropagation, hubs: QuerySet[Hub], limit: int = 50
) -> dict[str, Any]:
    """What a pattern is made of, in `hubs` (the reader's): the annotations that share the cluster's words,
    or the widgets of the type whose friction is red. Read from the fingerprint the detector wrote."""
    kind, _, key = propagation.fingerprint.partition(":")
    if kind == "annotation_cluster":
        # The fingerprint holds the stemmed words every annotation of the cluster shares; 'simple' leaves
        # them as they are, and plainto_tsquery joins them with & without parsing any operator.
        annotations = (
            Annotation.objects.filter(widget__hub__in=hubs, retracted_at__isnull=True)
            .alias(shares_the_words=RawSQL(CLUSTER_MATCH, [key], output_field=BooleanField()))
            .filter(shares_the_words=True)
            .select_related("widget__hub")
            .order_by("-created_at")[:limit]
        )
        return {"kind": kind, "annotations": list(annotations), "widgets": []}
    red = settings.IHF_FRICTION_BANDS["red"]
    widgets = (
        Widget.objects.filter(hub__in=hubs, widget_type=key, friction__score__gte=red)
        .select_related("hub", "friction")
        .order_by("-friction__score", "name")[:limit]
    )
    return {"kind": kind, "annotations": [], "widgets": list(widgets), "widget_type": key}


SUBJECTS = {
    # subject_type: (model, the field that names it, the page that shows it)
    "requirement_candidate": (RequirementCandidate, "title", "feedback:candidate"),
    "requirement": (Requirement, "title", "governance:requirement"),
    "decision_record": (DecisionRecord, "title", "governance:decision"),
    "deployment_record": (DeploymentRecord, "version_ref", "outcomes:deployment"),
}


def label_subjects(records: Iterable[BottleneckRecord], hub: Hub) -> None:
    """Give each bottleneck record its subject's title and page (`subject_title`, `subject_url`): one query
    per kind of subject on the page."""
    records = list(records)
    for subject_type, (model, field, url_name) in SUBJECTS.items():
        ids = [r.subject_id for r in records if r.subject_type == subject_type]
        titles = dict(model._default_manager.filter(pk__in=ids).values_list("pk", field)) if ids else {}
        for record in records:
            if record.subject_type == subject_type and record.subject_id in titles:
                title = titles[record.subject_id]
                # Attributes for the page only, like the annotations views add.
                record.subject_title = (  # type: ignore[attr-defined]
                    f"Deployment {title}" if subject_type == "deployment_record" else title
                )
                record.subject_url = reverse(url_name, args=[hub.slug, record.subject_id])  # type: ignore[attr-defined]
