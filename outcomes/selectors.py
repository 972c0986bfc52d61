"""Reads of the outcome pages and the antifragility dashboard: a fixed number of queries each."""

import uuid
from datetime import UTC, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate

from feedback.models import Annotation, CandidateStatus, RequirementCandidate, Severity
from governance.models import DecisionOutcome, DecisionRecord, Requirement
from hubs.models import Hub, InteractionEvent
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal, Regression, RemediationEvent

WINDOWS = (7, 14, 30, 60, 90)


def with_current_status(deployments: QuerySet[DeploymentRecord]) -> QuerySet[DeploymentRecord]:
    """The latest status event of each deployment is its current status."""
    latest = (
        RemediationEvent.objects.filter(deployment=OuterRef("pk")).order_by("-event_id").values("status")[:1]
    )
    return deployments.annotate(current_status=Subquery(latest))


def with_signal_counts(deployments: QuerySet[DeploymentRecord]) -> QuerySet[DeploymentRecord]:
    return deployments.annotate(
        signals_total=Count("signals", distinct=True),
        signals_improved=Count("signals", filter=Q(signals__signal_type="improved"), distinct=True),
        signals_regressed=Count("signals", filter=Q(signals__signal_type="regressed"), distinct=True),
    )


def decision_candidate_id(decision: DecisionRecord) -> uuid.UUID | None:
    if decision.candidate_id:
        return decision.candidate_id
    requirement = decision.requirement if decision.requirement_id else None
    return requirement.source_candidate_id if requirement is not None else None


def decision_widget_ids(decision: DecisionRecord) -> list[uuid.UUID]:
    """The widget(s) behind a decision: the source widget of its candidate (or its requirement's)."""
    candidate_id = decision_candidate_id(decision)
    if candidate_id is None:  # never for a saved decision (decision_records_has_subject): no widget
        return []
    return list(
        RequirementCandidate.objects.filter(pk=candidate_id).values_list("source_widget_id", flat=True)
    )


def pre_post(deployment: DeploymentRecord, widget_ids: list[uuid.UUID], days: int) -> dict[str, Any]:
    """Events, errors and open annotations by severity on `widget_ids`, `days` before and after deploying.

    A drill-down into a few widgets: it reads interaction_events through the (widget_id, occurred_at) index.
    """
    moment, window = deployment.deployed_at, timedelta(days=days)
    # An event a later `retracted` event takes back counts nowhere (docs/metrics.md).
    retraction = (
        InteractionEvent.objects.filter(
            event_type=InteractionEvent.RETRACTED, widget_id=OuterRef("widget_id")
        )
        .annotate(target=KeyTextTransform("retracted_event_id", "metadata"))
        .filter(target=Cast(OuterRef("pk"), TextField()))
    )
    before = Q(occurred_at__gte=moment - window, occurred_at__lt=moment)
    after = Q(occurred_at__gte=moment, occurred_at__lt=moment + window)
    window_events = (
        InteractionEvent.objects.filter(
            widget_id__in=widget_ids, occurred_at__gte=moment - window, occurred_at__lt=moment + window
        )
        .exclude(event_type=InteractionEvent.RETRACTED)
        .exclude(Exists(retraction))
    )
    events = window_events.aggregate(
        events_before=Count("pk", filter=before),
        events_after=Count("pk", filter=after),
        errors_before=Count("pk", filter=before & Q(event_type="error")),
        errors_after=Count("pk", filter=after & Q(event_type="error")),
    )
    # The daily chart counts the same events as the table, split at the deployment's moment (the day of the
    # deployment has a bar on each side); the daily rollup would put that whole day after it.
    per_day = {
        row["day"]: row
        for row in window_events.annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("day")
        .annotate(before=Count("pk", filter=before), after=Count("pk", filter=after))
    }
    first_day, last_day = (moment - window).date(), (moment + window).date()
    chart_days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    sides = {
        "before": Q(created_at__gte=moment - window, created_at__lt=moment),
        "after": Q(created_at__gte=moment, created_at__lt=moment + window),
    }
    annotations = (
        Annotation.objects.open()  # type: ignore[no-untyped-call]  # open() is not annotated (feedback/models)
        .filter(widget_id__in=widget_ids)
        .aggregate(
            **{
                f"{severity}_{side}": Count("pk", filter=Q(severity=severity) & condition)
                for severity in Severity.values
                for side, condition in sides.items()
            }
        )
    )
    return {
        "days": window.days,
        "events": events,
        "severities": [
            {
                "severity": s,
                "label": label,
                "before": annotations[f"{s}_before"],
                "after": annotations[f"{s}_after"],
            }
            for s, label in Severity.choices
        ],
        "chart": {
            "days": [str(day) for day in chart_days],
            "before": [per_day[day]["before"] if day in per_day else 0 for day in chart_days],
            "after": [per_day[day]["after"] if day in per_day else 0 for day in chart_days],
            "severity_labels": [label for _s, label in Severity.choices],
            "severity_before": [annotations[f"{s}_before"] for s in Severity.values],
            "severity_after": [annotations[f"{s}_after"] for s in Severity.values],
        },
    }


RECURRENCE_SQL = """
SELECT w.id, w.name, w.widget_type, count(DISTINCT c.id) AS cycles, max(s.observed_at) AS last_signal_at
FROM widgets w
JOIN requirement_candidates c ON c.source_widget_id = w.id
LEFT JOIN requirements r ON r.source_candidate_id = c.id
JOIN decision_records d ON d.candidate_id = c.id OR (d.candidate_id IS NULL AND d.requirement_id = r.id)
JOIN deployment_records dep ON dep.decision_id = d.id
JOIN outcome_signals s ON s.deployment_id = dep.id
WHERE w.hub_id = %(hub)s
GROUP BY w.id, w.name, w.widget_type
ORDER BY cycles DESC, last_signal_at DESC
LIMIT %(limit)s
"""


def recurrence_leaderboard(hub: Hub, limit: int = 10) -> list[dict[str, Any]]:
    """Widgets by completed cycles: candidates of the widget whose decisions reached a deployment with at
    least one outcome signal. The ones at the top keep coming back."""
    with connection.cursor() as cursor:
        cursor.execute(RECURRENCE_SQL, {"hub": hub.pk, "limit": limit})
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def recent_deployments(hub: Hub, limit: int = 10) -> list[DeploymentRecord]:
    return list(
        with_signal_counts(
            with_current_status(
                DeploymentRecord.objects.filter(decision__hub=hub).select_related("decision", "evaluation")
            )
        ).order_by("-deployed_at")[:limit]
    )


def open_regressions(hub: Hub, limit: int | None = None) -> list[Regression]:
    queryset = (
        Regression.objects.filter(hub=hub, resolved_at__isnull=True)
        .select_related("widget", "annotation", "deployment", "signal")
        .order_by("-detected_at")
    )
    return list(queryset[:limit] if limit else queryset)


def score_distribution(hub: Hub) -> list[dict[str, int]]:
    counts = dict(
        ChangeEvaluation.objects.filter(deployment__decision__hub=hub)
        .values_list("score")
        .annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    return [
        {"score": s, "count": counts.get(s, 0), "share": (100 * counts.get(s, 0) // total) if total else 0}
        for s in range(1, 6)
    ]


def waiting_by_stage(hub: Hub) -> list[dict[str, Any]]:
    """How many items wait at each link of the chain (a handful of counts, each one statement)."""
    # for_hub() is not annotated (feedback/models/candidates.py).
    candidates: QuerySet[RequirementCandidate] = RequirementCandidate.objects.for_hub(hub)  # type: ignore[no-untyped-call]
    live_decisions = DecisionRecord.objects.filter(hub=hub, superseded_by__isnull=True)
    deployments = DeploymentRecord.objects.filter(decision__hub=hub)
    stages = candidates.aggregate(
        untriaged=Count("pk", filter=Q(status=CandidateStatus.OPEN)),
        in_review=Count("pk", filter=Q(status=CandidateStatus.UNDER_REVIEW)),
        accepted_not_promoted=Count(
            "pk", filter=Q(status=CandidateStatus.ACCEPTED, requirement_id__isnull=True)
        ),
    )
    stages["requirements_without_decision"] = (
        Requirement.objects.filter(source_candidate__source_widget__hub=hub)
        .exclude(Exists(DecisionRecord.objects.filter(requirement=OuterRef("pk"))))
        .count()
    )
    stages["approved_not_deployed"] = (
        live_decisions.filter(outcome=DecisionOutcome.APPROVED)
        .exclude(Exists(DeploymentRecord.objects.filter(decision=OuterRef("pk"))))
        .count()
    )
    stages.update(
        deployments.aggregate(
            deployed_without_signal=Count(
                "pk", filter=~Exists(OutcomeSignal.objects.filter(deployment=OuterRef("pk")))
            ),
            deployed_without_evaluation=Count("pk", filter=Q(evaluation__isnull=True)),
        )
    )
    labels = {
        "untriaged": "Candidates waiting for triage",
        "in_review": "Candidates under review",
        "accepted_not_promoted": "Accepted, not yet a requirement",
        "requirements_without_decision": "Requirements without a decision",
        "approved_not_deployed": "Approved decisions not deployed",
        "deployed_without_signal": "Deployments without an outcome signal",
        "deployed_without_evaluation": "Deployments not evaluated",
    }
    return [{"key": key, "label": label, "count": stages[key]} for key, label in labels.items()]
