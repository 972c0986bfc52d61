"""Seed 003's KPIs for a set of hubs (docs/metrics.md, "KPIs"): each computed in PostgreSQL (sql/kpis.sql or
one set-based statement here), with its weekly trend. A KPI without data says so (None), never 0."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

STAGES = [
    ("annotation_to_candidate", "Annotation → candidate"),
    ("candidate_to_decision", "Candidate → decision"),
    ("decision_to_deployment", "Decision → deployment"),
    ("deployment_to_first_signal", "Deployment → first signal"),
    ("first_signal_to_evaluation", "First signal → evaluation"),
    ("end_to_end", "End to end (annotation → evaluation)"),
]
TRENDS = [
    ("end_to_end_median_hours", "End-to-end cycle time, median hours"),
    ("outcome_coverage_14d", "Deployments with a signal within 14 days"),
    ("notifications_acted_share", "Notifications acted on"),
    ("categorisation_fallback_rate", "Auto-categorisation fallback rate"),
    ("ai_acceptance_rate", "AI proposals accepted"),
]
WEEKS = 12


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def compute(hub_ids: list, *, days: int) -> dict:
    hubs = [str(h) for h in hub_ids]
    until = timezone.now()
    since = until - timedelta(days=days)
    cycle = {
        row[0]: row[1:]
        for row in _rows("SELECT * FROM ihf_kpi_cycle_times(%s::uuid[], %s, %s)", [hubs, since, until])
    }
    deployments, with_signal, with_evaluation = _rows(
        "SELECT * FROM ihf_kpi_outcome_coverage(%s::uuid[], %s, %s)", [hubs, since, until]
    )[0]
    notifications = _rows(
        "SELECT notification_type, count(*), count(user_action), "
        "round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM user_action_at - sent_at)) "
        "       FILTER (WHERE user_action_at IS NOT NULL) / 60)::numeric, 1) "
        "FROM notification_outcomes WHERE hub_id = ANY(%s::uuid[]) AND sent_at >= %s AND sent_at < %s "
        "GROUP BY notification_type ORDER BY notification_type",
        [hubs, since, until],
    )
    categorised, fallbacks = _rows(
        "SELECT count(*), count(*) FILTER (WHERE c.fallback) FROM annotation_categorisations c "
        "JOIN annotations a ON a.id = c.annotation_id JOIN widgets w ON w.id = a.widget_id "
        "WHERE w.hub_id = ANY(%s::uuid[]) AND c.created_at >= %s AND c.created_at < %s",
        [hubs, since, until],
    )[0]
    proposals = _rows(
        "SELECT p.proposal_type, count(*), count(*) FILTER (WHERE v.decision <> 'rejected') "
        "FROM agent_review_records v JOIN agent_proposals p ON p.id = v.proposal_id "
        "WHERE p.hub_id = ANY(%s::uuid[]) AND v.reviewed_at >= %s AND v.reviewed_at < %s "
        "GROUP BY p.proposal_type ORDER BY p.proposal_type",
        [hubs, since, until],
    )
    weekly: dict[str, list] = {kpi: [] for kpi, _ in TRENDS}
    for week, kpi, value, items in _rows("SELECT * FROM ihf_kpi_weekly(%s::uuid[], %s)", [hubs, WEEKS]):
        weekly[kpi].append({"week": week.isoformat(), "value": float(value), "items": items})
    return {
        "computed_at": until,
        "since": since,
        "days": days,
        "cycle": [
            {
                "stage": stage,
                "label": label,
                "items": cycle[stage][0],
                "median": cycle[stage][1],
                "p90": cycle[stage][2],
            }
            if stage in cycle
            else {"stage": stage, "label": label, "items": 0, "median": None, "p90": None}
            for stage, label in STAGES
        ],
        "coverage": {
            "deployments": deployments,
            "signal_14d": share(with_signal, deployments),
            "evaluation": share(with_evaluation, deployments),
        },
        "notifications": [
            {"type": t, "sent": sent, "acted": share(acted, sent), "median_minutes": minutes}
            for t, sent, acted, minutes in notifications
        ],
        "fallback": {"categorised": categorised, "rate": share(fallbacks, categorised)},
        "proposals": [{"type": t, "reviewed": n, "acceptance": share(ok, n)} for t, n, ok in proposals],
        "surveys": surveys(hubs, since, until),
        "weekly": [{"kpi": kpi, "label": label, "points": weekly[kpi]} for kpi, label in TRENDS],
    }


def surveys(hubs: list[str], since: datetime, until: datetime) -> dict | None:
    """Survey response rate and NPS; None while IHF has no post-change surveys table (`user_feedback`)."""
    if _rows("SELECT to_regclass('user_feedback') IS NULL", [])[0][0]:
        return None
    raise NotImplementedError("wire the survey KPIs to user_feedback")
