"""Reads of the survey answers: a deployment's results (docs/metrics.md, "Post-change surveys"), the surveys
open to a hub's reporter, and the evidence that suggests outcome signals. Set-based SQL, a few statements."""

import math
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hubs.models import Hub
from surveys.models import SurveySettings

# Student's t, two-sided 95 %, by degrees of freedom; past 30 the normal 1.96 (within 4 % of t).
T_975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
    11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
    20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
    29: 2.045, 30: 2.042,
}  # fmt: skip


def t_975(df: int) -> float:
    return T_975.get(df, 1.96)


def mean_interval(n: int, mean: float | None, sd: float | None) -> dict[str, Any]:
    """Mean with its 95 % confidence interval (t for n − 1 degrees of freedom); no interval below 2."""
    if not n or mean is None:
        return {"n": n or 0, "mean": None, "sd": None, "low": None, "high": None}
    if n < 2 or sd is None:
        return {"n": n, "mean": float(mean), "sd": None, "low": None, "high": None}
    half = t_975(n - 1) * float(sd) / math.sqrt(n)
    return {
        "n": n,
        "mean": float(mean),
        "sd": float(sd),
        "low": float(mean) - half,
        "high": float(mean) + half,
    }


def settings_for(hub: Hub | uuid.UUID) -> SurveySettings:
    """The hub's survey settings (the defaults, unsaved, until a steward saves some)."""
    hub_id = hub.pk if isinstance(hub, Hub) else hub
    found = SurveySettings.objects.filter(hub_id=hub_id).first()
    return found or SurveySettings(hub_id=hub_id)


# A deployment's widget: its decision's candidate's source widget (the candidate directly, or through the
# requirement), as outcomes.selectors.decision_widget_ids.
WIDGET_OF_DEPLOYMENT = """
    SELECT c.source_widget_id
    FROM decision_records d
    LEFT JOIN requirements r ON r.id = d.requirement_id
    JOIN requirement_candidates c ON c.id = COALESCE(d.candidate_id, r.source_candidate_id)
    WHERE d.id = dep.decision_id
"""

LIVE_SQL = f"""
SELECT dep.id, dep.version_ref, w.id, w.name
FROM deployment_records dep
JOIN deployment_surveys s ON s.deployment_id = dep.id AND s.enabled
JOIN decision_records d ON d.id = dep.decision_id AND d.hub_id = %(hub)s
JOIN LATERAL ({WIDGET_OF_DEPLOYMENT}) sw ON true
JOIN widgets w ON w.id = sw.source_widget_id
WHERE (SELECT e.status FROM remediation_events e WHERE e.deployment_id = dep.id
       ORDER BY e.event_id DESC LIMIT 1) = 'success'
  AND dep.deployed_at >= now() - make_interval(days => %(days)s)
ORDER BY dep.deployed_at DESC
LIMIT 200
"""


def live_surveys(hub_id: uuid.UUID) -> list[dict[str, Any]]:
    """The deployments of the hub whose widget's users may be asked now: surveys on, current status
    succeeded, deployed within IHF_SURVEY_OPEN_DAYS."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_SQL, {"hub": hub_id, "days": settings.IHF_SURVEY_OPEN_DAYS})
        rows = cursor.fetchall()
    return [
        {"deployment_id": str(dep), "version_ref": version, "widget_id": str(widget), "widget_name": name}
        for dep, version, widget, name in rows
    ]


RESULTS_SQL = """
SELECT count(*), avg(overall_satisfaction), stddev_samp(overall_satisfaction),
       count(likelihood_to_reuse),
       count(*) FILTER (WHERE likelihood_to_reuse >= 9),
       count(*) FILTER (WHERE likelihood_to_reuse <= 6),
       count(would_recommend), count(*) FILTER (WHERE would_recommend),
       max(submitted_at),
       (SELECT count(*) FROM survey_prompts WHERE deployment_id = %(deployment)s),
       (SELECT count(dismissed_at) FROM survey_prompts WHERE deployment_id = %(deployment)s)
FROM user_feedback WHERE deployment_id = %(deployment)s
"""

ASPECTS_SQL = """
SELECT 'positive', tag, count(*) FROM user_feedback, unnest(positive_aspects) tag
WHERE deployment_id = %(deployment)s GROUP BY tag
UNION ALL
SELECT 'negative', tag, count(*) FROM user_feedback, unnest(negative_aspects) tag
WHERE deployment_id = %(deployment)s GROUP BY tag
ORDER BY 3 DESC, 2
"""

# Per widget behind the deployment: this deployment's answers (after) and the same widget's answers from the
# surveys of earlier deployments, in the IHF_SURVEY_BEFORE_DAYS before this one (before).
BEFORE_AFTER_SQL = """
SELECT dep.id, w.id, w.name,
       count(f.id) FILTER (WHERE f.deployment_id = dep.id),
       avg(f.overall_satisfaction) FILTER (WHERE f.deployment_id = dep.id),
       stddev_samp(f.overall_satisfaction) FILTER (WHERE f.deployment_id = dep.id),
       count(f.id) FILTER (WHERE f.deployment_id <> dep.id),
       avg(f.overall_satisfaction) FILTER (WHERE f.deployment_id <> dep.id),
       stddev_samp(f.overall_satisfaction) FILTER (WHERE f.deployment_id <> dep.id)
FROM deployment_records dep
JOIN user_feedback f ON f.widget_id IN (SELECT DISTINCT widget_id FROM user_feedback
                                         WHERE deployment_id = dep.id)
 AND (f.deployment_id = dep.id
      OR (f.submitted_at < dep.deployed_at
          AND f.submitted_at >= dep.deployed_at - make_interval(days => %(days)s)))
JOIN widgets w ON w.id = f.widget_id
WHERE dep.id = ANY(%(deployments)s)
GROUP BY dep.id, w.id, w.name
ORDER BY w.name
"""


def before_after(deployment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """{deployment id: per widget, the before and after mean satisfaction with their intervals}."""
    with connection.cursor() as cursor:
        cursor.execute(
            BEFORE_AFTER_SQL,
            {"deployments": list(deployment_ids), "days": settings.IHF_SURVEY_BEFORE_DAYS},
        )
        rows = cursor.fetchall()
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for dep, widget, name, n_after, m_after, sd_after, n_before, m_before, sd_before in rows:
        found.setdefault(dep, []).append(
            {
                "widget_id": widget,
                "widget_name": name,
                "after": mean_interval(n_after, m_after, sd_after),
                "before": mean_interval(n_before, m_before, sd_before),
            }
        )
    return found


def results(deployment_id: uuid.UUID) -> dict[str, Any]:
    """A deployment's survey results, as its page shows them, and when they were computed."""
    params = {"deployment": deployment_id}
    with connection.cursor() as cursor:
        cursor.execute(RESULTS_SQL, params)
        n, mean, sd, rated, promoters, detractors, answered, recommend, last, shown, dismissed = (
            cursor.fetchone()
        )
        cursor.execute(ASPECTS_SQL, params)
        aspects = cursor.fetchall()
    return {
        "responses": n,
        "satisfaction": mean_interval(n, mean, sd),
        "nps": round(100 * (promoters - detractors) / rated) if rated else None,
        "nps_n": rated,
        "promoters": promoters,
        "detractors": detractors,
        "recommend_share": round(100 * recommend / answered) if answered else None,
        "recommend_n": answered,
        "positive": [(tag, count) for side, tag, count in aspects if side == "positive"],
        "negative": [(tag, count) for side, tag, count in aspects if side == "negative"],
        "shown": shown,
        "dismissed": dismissed,
        "response_rate": round(100 * n / shown) if shown else None,
        "last_answer_at": last,
        "before_after": before_after([deployment_id]).get(deployment_id, []),
        "computed_at": timezone.now(),
    }


def deployments_with_answers(since_days: int) -> list[uuid.UUID]:
    cutoff = timezone.now() - timedelta(days=since_days)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT f.deployment_id FROM user_feedback f JOIN deployment_records d "
            "ON d.id = f.deployment_id WHERE d.deployed_at >= %s",
            [cutoff],
        )
        return [row[0] for row in cursor.fetchall()]
