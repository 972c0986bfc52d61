"""Reads of the outcome pages and the antifragility dashboard: a fixed number of queries each."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from feedback.models import Annotation, CandidateStatus, RequirementCandidate, Severity
from governance.models import DecisionOutcome, DecisionRecord, Requirement
from hubs.models import Hub, WidgetDailyEventCount
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


# The events of the window's edge days (see pre_post). An event a later `retracted` event takes back counts
# nowhere (docs/metrics.md); the rollup already leaves them out. The literals stay literals: psycopg
# prepares a statement a connection repeats, PostgreSQL then plans it once for any parameters, and a
# parameter in place of 'retracted' hides the partial index of retractions (a generic plan read all 300k
# events of the busy widget to find its hundred retractions, 0.4 s).
EDGE_EVENTS_SQL = """
SELECT count(*) FILTER (WHERE e.occurred_at >= %(start)s AND e.occurred_at < %(moment)s),
       count(*) FILTER (WHERE e.occurred_at >= %(moment)s AND e.occurred_at < %(end)s),
       count(*) FILTER (WHERE e.event_type = 'error' AND e.occurred_at >= %(start)s
                        AND e.occurred_at < %(moment)s),
       count(*) FILTER (WHERE e.event_type = 'error' AND e.occurred_at >= %(moment)s
                        AND e.occurred_at < %(end)s),
       count(*) FILTER (WHERE e.occurred_at >= %(low0)s AND e.occurred_at < %(high0)s),
       count(*) FILTER (WHERE e.occurred_at >= %(low1)s AND e.occurred_at < %(moment)s),
       count(*) FILTER (WHERE e.occurred_at >= %(moment)s AND e.occurred_at < %(high1)s),
       count(*) FILTER (WHERE e.occurred_at >= %(low2)s AND e.occurred_at < %(high2)s)
FROM interaction_events e
WHERE e.widget_id = ANY(%(widgets)s::uuid[])
  AND ((e.occurred_at >= %(low0)s AND e.occurred_at < %(high0)s)
       OR (e.occurred_at >= %(low1)s AND e.occurred_at < %(high1)s)
       OR (e.occurred_at >= %(low2)s AND e.occurred_at < %(high2)s))
  AND e.event_type <> 'retracted'
  AND NOT EXISTS (
      SELECT 1 FROM interaction_events r
      WHERE r.event_type = 'retracted' AND r.widget_id = e.widget_id
        AND r.metadata ->> 'retracted_event_id' = e.id::text
  )
"""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def pre_post(deployment: DeploymentRecord, widget_ids: list[uuid.UUID], days: int) -> dict[str, Any]:
    """Events, errors and open annotations by severity on `widget_ids`, `days` before and after deploying.

    The events of whole UTC days come from the daily rollup (DESIGN.md, invariant 7): a busy widget has
    hundreds of thousands of events in the window (issue 21). Only the three days the window's edges and the
    deployment cut read interaction_events, through the (widget_id, occurred_at) index, so the comparison
    stays exact to the moment of deploying.
    """
    moment, window = deployment.deployed_at.astimezone(UTC), timedelta(days=days)
    start, end = moment - window, moment + window
    one_day = timedelta(days=1)
    edges = [
        (start, _day_start(start.date() + one_day)),
        (_day_start(moment.date()), _day_start(moment.date() + one_day)),
        (_day_start(end.date()), end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            EDGE_EVENTS_SQL,
            {
                "widgets": list(widget_ids),
                "start": start,
                "moment": moment,
                "end": end,
                **{f"low{n}": low for n, (low, _high) in enumerate(edges)},
                **{f"high{n}": high for n, (_low, high) in enumerate(edges)},
            },
        )
        counts = cursor.fetchone()
    names = ("events_before", "events_after", "errors_before", "errors_after")
    events = dict(zip(names, counts[:4], strict=True))
    edge_days = counts[4:]  # first day, deployment day before and after the moment, last day
    daily = list(
        WidgetDailyEventCount.objects.filter(
            widget_id__in=widget_ids, day__gte=start.date(), day__lte=end.date()
        )
        .order_by("day")
        .values("day")
        .annotate(total=Sum("event_count"), errors=Sum("error_count"))
    )
    chart_before: dict[date, int] = {}
    chart_after: dict[date, int] = {}
    for row in daily:
        side = (
            "before"
            if start.date() < row["day"] < moment.date()
            else "after"
            if moment.date() < row["day"] < end.date()
            else None
        )
        if side:
            events[f"events_{side}"] += row["total"]
            events[f"errors_{side}"] += row["errors"]
            (chart_before if side == "before" else chart_after)[row["day"]] = row["total"]
    # The daily chart counts the same events as the table, split at the deployment's moment: the day of the
    # deployment has a bar on each side, and the window's first and last days count only their part.
    chart_before[start.date()] = edge_days[0]
    chart_before[moment.date()] = edge_days[1]
    chart_after[moment.date()] = edge_days[2]
    chart_after[end.date()] = edge_days[3]
    chart_days = [start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)]
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
            "before": [chart_before.get(day, 0) for day in chart_days],
            "after": [chart_after.get(day, 0) for day in chart_days],
            "severity_labels": [label for _s, label in Severity.choices],
            "severity_before": [annotations[f"{s}_before"] for s in Severity.values],
            "severity_after": [annotations[f"{s}_after"] for s in Severity.values],
        },
    }


# A candidate's outcome_summary (sql/lineage_enrichment.sql) is NULL until a signal of one of its
# decisions' deployments arrives, and then carries the latest signal's time: the leaderboard reads the hub's
# candidates alone. Joining their decisions, deployments and signals here took ~40 ms of the dashboard's
# ~100 at 20k candidates (issue 21).
RECURRENCE_SQL = """
SELECT w.id, w.name, w.widget_type, count(*) AS cycles,
       max((c.outcome_summary ->> 'last_signal_at')::timestamptz) AS last_signal_at
FROM widgets w
JOIN requirement_candidates c ON c.source_widget_id = w.id
WHERE w.hub_id = %(hub)s AND c.outcome_summary IS NOT NULL
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
