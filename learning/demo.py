"""The learning loop's part of the demo data (manage.py seed_demo): each hub gets a past of decisions with
patterns, deployed and observed over the last 16 weeks, so that every panel of the learning dashboard has
something true to show. Deterministic (ids from uuid5, a seeded generator): a second run adds nothing.

The weekly pattern snapshots before today are computed from the same rows as pattern_analytics would have
computed them at the end of each week (deployments and signals up to then); today's come from the view."""

import random
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction

from feedback.models import Annotation, RequirementCandidate
from governance.models import DecisionRecord
from hubs.models import Hub, Widget
from learning import compute, services
from outcomes import regressions
from outcomes.models import ChangeEvaluation, DeploymentRecord, OutcomeSignal, RemediationEvent

NAMESPACE = uuid.UUID("0d7f3c52-6a8e-4f1b-9c2d-5e4a3b2c1d0f")
# pattern: (feedback category, chance a deployment improved, chance it regressed)
PATTERNS = {
    "inline-validation": ("friction", 0.85, 0.05),
    "aria-labels": ("accessibility", 0.55, 0.35),
    "simplify-form": ("confusion", 0.7, 0.1),
    "retry-on-error": ("bug", 0.3, 0.55),
}
PER_HUB = 16
WEEKS = 16
SNAPSHOT_WEEKS = """
WITH weeks AS (
    SELECT generate_series(date_trunc('week', %(now)s::timestamptz) - interval '15 weeks',
                           date_trunc('week', %(now)s::timestamptz) - interval '1 week', interval '1 week')
           + interval '6 days 23 hours' AS at
), per_deployment AS (
    SELECT w.at, d.hub_id, d.pattern, dep.id, dep.deployed_at,
           count(s.id) AS signals,
           count(s.id) FILTER (WHERE s.signal_type = 'improved') AS improved,
           count(s.id) FILTER (WHERE s.signal_type = 'regressed') > 0 AS regressed,
           min(s.observed_at) AS first_signal_at,
           (SELECT e.score FROM change_evaluations e
            WHERE e.deployment_id = dep.id AND e.evaluated_at <= w.at) AS score
    FROM weeks w
    JOIN decision_records d ON d.pattern IS NOT NULL AND d.hub_id = ANY(%(hubs)s)
    JOIN deployment_records dep ON dep.decision_id = d.id AND dep.deployed_at <= w.at
    LEFT JOIN outcome_signals s ON s.deployment_id = dep.id AND s.observed_at <= w.at
    GROUP BY w.at, d.hub_id, d.pattern, dep.id, dep.deployed_at
)
INSERT INTO pattern_performance_records (id, hub_id, pattern, deployments, observed_deployments, successes,
    regressions, success_rate, mean_evaluation_score, mean_hours_to_first_signal, deployments_last_7_days,
    deployments_last_30_days, snapshot_at)
SELECT gen_random_uuid(), hub_id, pattern, count(*), count(*) FILTER (WHERE signals > 0),
       count(*) FILTER (WHERE signals > 0 AND improved > 0 AND NOT regressed),
       count(*) FILTER (WHERE regressed),
       round(count(*) FILTER (WHERE signals > 0 AND improved > 0 AND NOT regressed)::numeric
             / nullif(count(*) FILTER (WHERE signals > 0), 0), 4),
       round(avg(score), 2),
       round((avg(extract(epoch FROM first_signal_at - deployed_at)) / 3600)::numeric, 1),
       count(*) FILTER (WHERE deployed_at >= at - interval '7 days'),
       count(*) FILTER (WHERE deployed_at >= at - interval '30 days'), at
FROM per_deployment GROUP BY at, hub_id, pattern
"""


def _id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _hub_history(hub: Hub, now: datetime, rng: random.Random, reviewer_id) -> dict[str, list]:
    rows: dict[str, list] = {k: [] for k in ("candidates", "decisions", "deployments", "events", "signals")}
    rows["evaluations"] = []
    widgets = list(Widget.objects.filter(hub=hub).order_by("name").values("id", "widget_type", "name"))
    annotations = {
        a["widget_id"]: a["id"]
        for a in Annotation.objects.filter(widget__hub=hub).order_by("created_at").values("id", "widget_id")
    }
    for number in range(PER_HUB):
        pattern = list(PATTERNS)[number % len(PATTERNS)]
        category, improves, regresses = PATTERNS[pattern]
        widget = widgets[(number * 7) % len(widgets)]
        candidate_id, decision_id, deployment_id = (_id(kind, hub.pk, number) for kind in ("c", "d", "p"))
        decided_at = now - timedelta(days=rng.randrange(8, WEEKS * 7))
        deployed_at = decided_at + timedelta(days=rng.randrange(1, 8), hours=rng.randrange(24))
        rows["candidates"].append(
            RequirementCandidate(
                id=candidate_id,
                title=f"{category.capitalize()} on {widget['name']} ({pattern.replace('-', ' ')})",
                description=f"People report {category} on the {widget['widget_type']} {widget['name']}.",
                source_widget_id=widget["id"],
                source_annotation_id=annotations.get(widget["id"]),
                category=category,
                status="accepted",
            )
        )
        rows["decisions"].append(
            DecisionRecord(
                id=decision_id,
                hub=hub,
                title=f"Fix {category} on {widget['name']} with {pattern.replace('-', ' ')}",
                rationale=f"The {widget['widget_type']} keeps drawing {category} reports.",
                outcome="approved",
                candidate_id=candidate_id,
                pattern=pattern,
                decided_at=decided_at,
                decided_by_id=reviewer_id,
            )
        )
        rows["deployments"].append(
            DeploymentRecord(
                id=deployment_id, decision_id=decision_id, version_ref=f"v{number}", deployed_at=deployed_at
            )
        )
        rows["events"].append(
            RemediationEvent(deployment_id=deployment_id, status="success", created_at=deployed_at)
        )
        roll = rng.random()
        outcome = "improved" if roll < improves else "regressed" if roll < improves + regresses else "neutral"
        for step in range(rng.randrange(1, 4)):
            observed = deployed_at + timedelta(days=1 + step * 2, hours=rng.randrange(24))
            if observed >= now:
                break
            rows["signals"].append(
                OutcomeSignal(
                    id=_id("s", hub.pk, number, step),
                    deployment_id=deployment_id,
                    widget_id=widget["id"],
                    signal_type=outcome if step == 0 or rng.random() < 0.7 else "neutral",
                    observed_at=observed,
                )
            )
        if number % 2 == 0 and deployed_at + timedelta(days=7) < now:
            score = {"improved": 4, "neutral": 3, "regressed": 2}[outcome]
            rows["evaluations"].append(
                ChangeEvaluation(
                    id=_id("e", hub.pk, number),
                    deployment_id=deployment_id,
                    decision_id=decision_id,
                    score=score,
                    rationale=f"Judged {outcome} a week after it shipped.",
                    evaluated_at=deployed_at + timedelta(days=7),
                )
            )
    return rows


def seed(hubs: list[Hub], now: datetime, reviewer, steward) -> list[compute.Run]:
    """Add each hub's past (unless it has one already), distil some decisions, and compute what the
    periodic job would; returns the recomputes' runs. A second run adds nothing (recomputes add history)."""
    fresh = [
        hub for hub in hubs if not DecisionRecord.objects.filter(hub=hub, pattern__isnull=False).exists()
    ]
    if not fresh:
        return []
    rng = random.Random(12)
    with transaction.atomic():
        for hub in fresh:
            rows = _hub_history(hub, now, rng, reviewer.pk)
            for model, key in [
                (RequirementCandidate, "candidates"),
                (DecisionRecord, "decisions"),
                (DeploymentRecord, "deployments"),
                (RemediationEvent, "events"),
                (OutcomeSignal, "signals"),
                (ChangeEvaluation, "evaluations"),
            ]:
                model.objects.bulk_create(rows[key])
            for decision in rows["decisions"][:6]:
                services.knowledge_distil(decision=decision, actor=steward)
        with connection.cursor() as cursor:
            cursor.execute(SNAPSHOT_WEEKS, {"now": now, "hubs": [h.pk for h in fresh]})
    # The improved signals of this past followed by high annotations are regressions, found now rather than
    # by the next run's detection (which would make a second seed_demo change something).
    regressions.detect()
    return compute.refresh_all()
