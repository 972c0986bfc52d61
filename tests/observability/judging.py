"""Judging a scenario (tests/observability/scenario.py): the detectors' output against the planted truth."""

from django.conf import settings

from feedback.models import RequirementCandidate
from governance.models import DecisionRecord
from observability.models import (
    BottleneckRecord,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
    Stage,
)


# Judging -------------------------------------------------------------------------------------------
def expected_health(scenario) -> dict:
    rules = settings.IHF_HEALTH_RULES
    red = rules["high_friction_score"]
    health = {}
    for hub in scenario.hubs:
        stalled = [key for key, hub_id in scenario.truth.stalled_hub.items() if hub_id == hub.pk]
        counts = {
            "open_candidate": scenario.truth.open_candidates[hub.pk],
            "regressed_widget": len(scenario.truth.regressed[hub.pk]),
            "stale_decision": sum(1 for stage, _ in stalled if stage == Stage.DECISION_UNDEPLOYED),
            "active_bottleneck": len(stalled),
            "high_friction_widget": sum(
                1 for w in scenario.widgets if w.hub_id == hub.pk and scenario.truth.friction[w.pk] >= red
            ),
        }
        health[hub.pk] = max(0, 100 - sum(min(rules[k][1], rules[k][0] * n) for k, n in counts.items()))
    return health


def score(scenario) -> dict:
    """Precision and recall of each detector (and bottleneck stage) against the planted truth."""
    hubs = [h.pk for h in scenario.hubs]
    report = {}
    found = set(
        BottleneckRecord.objects.filter(hub__in=hubs, resolved_at__isnull=True).values_list(
            "stage", "subject_id"
        )
    )
    for stage in Stage.values:
        report[f"bottleneck {stage}"] = _pr(
            {f for f in found if f[0] == stage}, {t for t in scenario.truth.stalled if t[0] == stage}
        )
    scores = dict(FrictionScore.objects.filter(widget__hub__in=hubs).values_list("widget_id", "score"))
    red = settings.IHF_FRICTION_BANDS["red"]
    report["friction exact score"] = _pr(set(scores.items()), set(scenario.truth.friction.items()))
    report["friction red widgets"] = _pr(
        {w for w, s in scores.items() if s >= red},
        {w for w, s in scenario.truth.friction.items() if s >= red},
    )
    patterns = CrossHubPropagation.objects.exclude(status="resolved")
    clusters = {
        (frozenset(p.affected_hub_ids), tuple(p.fingerprint.split(":", 1)[1].split()))
        for p in patterns.filter(pattern_type="annotation_cluster")
    }
    report["propagation annotation_cluster"] = _pr(clusters, scenario.truth.clusters)
    types = {
        (p.fingerprint.split(":", 1)[1], frozenset(p.affected_hub_ids))
        for p in patterns.filter(pattern_type="widget_type_friction")
    }
    report["propagation widget_type_friction"] = _pr(types, scenario.truth.widget_types)
    latest = {}
    for snapshot in HubHealthSnapshot.objects.filter(hub__in=hubs).order_by("computed_at"):
        latest[snapshot.hub_id] = snapshot.health_score
    report["health exact score"] = _pr(set(latest.items()), set(expected_health(scenario).items()))
    return report


def _pr(found: set, truth: set) -> dict:
    hits = len(found & truth)
    return {
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        "found": len(found),
        "planted": len(truth),
        "wrong": sorted(map(str, found - truth))[:5],
        "missed": sorted(map(str, truth - found))[:5],
    }


def unchanged_on_rerun() -> dict:
    """The detectors' state, to compare before and after a second run (health adds snapshots by design)."""
    return {
        "bottlenecks": sorted(
            BottleneckRecord.objects.values_list(
                "stage", "subject_id", "severity", "resolved_at", "stalled_since"
            )
        ),
        "friction": sorted(FrictionScore.objects.values_list("widget_id", "score")),
        "propagations": sorted(
            CrossHubPropagation.objects.values_list("fingerprint", "status", "affected_hub_ids", "summary")
        ),
        "decisions": DecisionRecord.objects.count(),
        "candidates": RequirementCandidate.objects.count(),
    }
