"""The small history of docs/metrics.md's worked example ("Learning"), built exactly as written there.

Hub alpha: widgets table (a "table") and chart (a "chart").
  D1 on C1 (accessibility, from a high annotation on table), pattern aria-labels, decided T−12 d,
     deployed T−10 d (P1); signals on table: regressed T−9 d, regressed T−8 d, improved T−7 d; evaluated 2/5.
  D2 on C2 (accessibility, low annotation on table), pattern aria-labels, decided T−6 d, deployed T−5 d
     (P2); signal on table: improved T−4.5 d; evaluated 5/5.
  D3 on C3 (friction, medium annotation on chart), pattern simplify, decided T−43 d, deployed T−40 d (P3);
     signals on chart: improved T−39 d, neutral T−38 d.
Hub beta: D4 on C4 (friction, on a chart), no pattern, deployed T−3 d (P4); signal improved T−2 d.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from governance.models import DecisionRecord
from outcomes.models import ChangeEvaluation, DeploymentRecord
from tests.chain import signal_for
from tests.factories import AnnotationFactory, CandidateFactory, WidgetFactory


@dataclass
class History:
    now: object
    decisions: dict
    deployments: dict
    widgets: dict


def _decision(hub, widget, *, category, severity, pattern, decided, deployed, signals, now, score=None):
    annotation = AnnotationFactory(widget=widget, category=category, severity=severity)
    candidate = CandidateFactory(
        source_widget=widget,
        source_annotation=annotation,
        category=category,
        status="accepted",
        title=f"{category} trouble on the {widget.widget_type}",
        description="Screen readers cannot name the sort buttons; keyboard users get lost.",
    )
    decision = DecisionRecord.objects.create(
        hub=hub,
        title=f"Fix {category} on the {widget.widget_type}",
        rationale="Users cannot finish their task.",
        outcome="approved",
        candidate=candidate,
        pattern=pattern,
        decided_at=now - timedelta(days=decided),
    )
    deployment = DeploymentRecord.objects.create(
        decision=decision, version_ref="v1", deployed_at=now - timedelta(days=deployed)
    )
    for signal_type, days in signals:
        signal_for(deployment, widget, signal_type, observed_at=now - timedelta(days=days))
    if score is not None:
        ChangeEvaluation.objects.create(deployment=deployment, decision=decision, score=score, rationale="r")
    return decision, deployment


def build(people) -> History:
    now = timezone.now()
    table = WidgetFactory(hub=people.hub, widget_type="table", name="table")
    chart = WidgetFactory(hub=people.hub, widget_type="chart", name="chart")
    beta_chart = WidgetFactory(hub=people.other_hub, widget_type="chart", name="beta chart")
    d1, p1 = _decision(
        people.hub,
        table,
        category="accessibility",
        severity="high",
        pattern="aria-labels",
        decided=12,
        deployed=10,
        signals=[("regressed", 9), ("regressed", 8), ("improved", 7)],
        now=now,
        score=2,
    )
    d2, p2 = _decision(
        people.hub,
        table,
        category="accessibility",
        severity="low",
        pattern="aria-labels",
        decided=6,
        deployed=5,
        signals=[("improved", 4.5)],
        now=now,
        score=5,
    )
    d3, p3 = _decision(
        people.hub,
        chart,
        category="friction",
        severity="medium",
        pattern="simplify",
        decided=43,
        deployed=40,
        signals=[("improved", 39), ("neutral", 38)],
        now=now,
    )
    d4, p4 = _decision(
        people.other_hub,
        beta_chart,
        category="friction",
        severity="medium",
        pattern=None,
        decided=4,
        deployed=3,
        signals=[("improved", 2)],
        now=now,
    )
    return History(
        now=now,
        decisions={"D1": d1, "D2": d2, "D3": d3, "D4": d4},
        deployments={"P1": p1, "P2": p2, "P3": p3, "P4": p4},
        widgets={"table": table, "chart": chart},
    )


def learning_rows(hub) -> None:
    """One row in each of the learning loop's history tables (the database contract's fixture)."""
    from learning.compute import compute_correlations
    from learning.models import AdaptiveThresholdConfig, LearningInsight, PatternPerformanceRecord

    compute_correlations()
    PatternPerformanceRecord.objects.create(
        hub=hub,
        pattern="p",
        deployments=1,
        observed_deployments=1,
        successes=1,
        regressions=0,
        deployments_last_7_days=0,
        deployments_last_30_days=1,
    )
    AdaptiveThresholdConfig.objects.create(
        hub=hub,
        config_type="bottleneck_threshold",
        stage="candidate_untriaged",
        old_values={"threshold_days": 30},
        new_values={"threshold_days": 10},
        evidence={},
    )
    LearningInsight.objects.create(
        hub=hub, insight_type="correlation", statement="s", evidence={}, fingerprint="f"
    )
