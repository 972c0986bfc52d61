"""Each recompute against docs/metrics.md's worked example (tests/learning/history.py), whose right
answers are worked out by hand there."""

import pytest
from django.db import DatabaseError, connection, transaction

from learning import compute
from learning.models import (
    AdaptiveThresholdConfig,
    LearningInsight,
    OutcomeCorrelation,
    PatternPerformanceRecord,
)
from learning.selectors import pattern_figures, pattern_trend
from tests.learning import history


@pytest.fixture
def small(people, settings):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    return history.build(people)


def _row(hub, correlation_type, value):
    return OutcomeCorrelation.objects.get(hub=hub, correlation_type=correlation_type, factor_value=value)


@pytest.mark.django_db
def test_correlations_match_the_worked_example(people, small):
    run = compute.compute_correlations()
    alpha = people.hub
    access = _row(alpha, "annotation_category", "accessibility")
    assert (access.signals, access.improved, access.regressed, access.neutral) == (4, 2, 2, 0)
    assert (access.baseline_signals, access.baseline_regressed) == (2, 0)
    assert (access.regression_rate, access.baseline_rate, access.effect_size) == (0.5, 0.0, 0.5)
    assert (access.ci_low, access.ci_high) == (0.01, 0.99)
    friction = _row(alpha, "annotation_category", "friction")
    assert (friction.effect_size, friction.ci_low, friction.ci_high) == (-0.5, -0.99, -0.01)
    high = _row(alpha, "annotation_severity", "high")
    assert (high.regression_rate, high.effect_size, high.ci_low, high.ci_high) == (
        0.6667,
        0.6667,
        0.1332,
        1.2001,
    )
    table = _row(alpha, "widget_type", "table")
    assert (table.signals, table.regressed, table.effect_size) == (4, 2, 0.5)
    approved = _row(alpha, "decision_outcome", "approved")
    assert (approved.signals, approved.baseline_signals, approved.effect_size) == (6, 0, None)
    hub = _row(alpha, "hub", "alpha")
    assert (hub.signals, hub.regression_rate, hub.baseline_signals, hub.baseline_rate) == (6, 0.3333, 1, 0.0)
    assert (hub.ci_low, hub.ci_high) == (-0.0439, 0.7105)
    assert _row(people.other_hub, "hub", "beta").signals == 1
    # alpha: 2 categories, 3 severities, 2 widget types, 1 outcome, 1 hub; beta: 1 + 1 + 1 + 1 + 1.
    assert run.rows == OutcomeCorrelation.objects.count() == 14
    compute.compute_correlations()
    assert OutcomeCorrelation.objects.count() == 28  # a recompute adds a run
    assert OutcomeCorrelation.objects.values("run_id").distinct().count() == 2


@pytest.mark.django_db
def test_pattern_figures_and_snapshots_match_the_worked_example(people, small):
    run = compute.refresh_patterns()
    assert run.rows == PatternPerformanceRecord.objects.count() == 2  # beta's decision has no pattern
    aria, simplify = pattern_figures(people.hub.pk)
    assert aria["pattern_id"] == "aria-labels"
    assert (aria["deployments"], aria["observed_deployments"], aria["successes"], aria["regressions"]) == (
        2,
        2,
        1,
        1,
    )
    assert (float(aria["success_rate"]), float(aria["mean_evaluation_score"])) == (0.5, 3.5)
    assert float(aria["mean_hours_to_first_signal"]) == 18.0
    assert (aria["deployments_last_7_days"], aria["deployments_last_30_days"]) == (1, 2)
    assert (float(simplify["success_rate"]), simplify["mean_evaluation_score"]) == (1.0, None)
    assert (simplify["deployments_last_30_days"], float(simplify["mean_hours_to_first_signal"])) == (0, 24.0)
    snapshot = PatternPerformanceRecord.objects.get(pattern="aria-labels")
    assert (snapshot.successes, snapshot.success_rate, snapshot.hub_id) == (1, 0.5, people.hub.pk)
    compute.refresh_patterns()
    trend = pattern_trend(people.hub.pk, "success_rate", "day")
    assert [(s["pattern"], [p["value"] for p in s["points"]]) for s in trend] == [
        ("aria-labels", [0.5]),
        ("simplify", [1.0]),
    ]  # two snapshots today: the day's last one


@pytest.mark.django_db
def test_calibrations_follow_the_observed_stays(people, small):
    run = compute.calibrate()
    proposals = {c.stage: c for c in AdaptiveThresholdConfig.objects.filter(hub=people.hub)}
    assert set(proposals) == {"deployment_unobserved", "decision_undeployed"}
    unobserved = proposals["deployment_unobserved"]
    assert (unobserved.old_values, unobserved.new_values) == ({"threshold_days": 14}, {"threshold_days": 1})
    assert unobserved.evidence == {"samples": 3, "p50_days": 1.0, "p90_days": 1.0, "window_days": 180}
    undeployed = proposals["decision_undeployed"]
    assert (undeployed.new_values, undeployed.evidence["p90_days"]) == ({"threshold_days": 3}, 2.8)
    assert run.rows == AdaptiveThresholdConfig.objects.count() == 2  # beta: one stay per stage, below 2
    assert compute.calibrate().rows == 0  # one pending proposal per hub and stage


@pytest.mark.django_db
def test_insights_match_the_worked_example(people, small):
    compute.compute_correlations()
    compute.refresh_patterns()
    run = compute.generate_insights()
    statements = set(LearningInsight.objects.filter(hub=people.hub).values_list("statement", flat=True))
    assert statements == {
        "1 of 2 changes to table widgets for accessibility feedback regressed within 14 days",
        "Changes of the pattern “aria-labels” regressed in 1 of 2 observed deployments",
        "Signals after changes with annotation category = accessibility regressed 50% of the time, "
        "against 0% for the rest",
        "Signals after changes with annotation severity = high regressed 67% of the time, "
        "against 0% for the rest",
        "Signals after changes with widget type = table regressed 50% of the time, against 0% for the rest",
    }
    change = LearningInsight.objects.get(insight_type="change_regressions")
    assert {e["deployment"] for e in change.evidence["deployments"]} == {
        str(small.deployments["P1"].pk),
        str(small.deployments["P2"].pk),
    }
    assert run.rows == 5 and not LearningInsight.objects.filter(hub=people.other_hub).exists()
    assert compute.generate_insights().rows == 0  # the same evidence gives no second insight


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE outcome_correlations SET signals = 0",
        "DELETE FROM outcome_correlations",
        "UPDATE pattern_performance_records SET successes = 0",
        "DELETE FROM pattern_performance_records",
    ],
)
def test_correlations_and_snapshots_are_append_only(people, small, statement):
    compute.compute_correlations()
    compute.refresh_patterns()
    before = OutcomeCorrelation.objects.count(), PatternPerformanceRecord.objects.count()
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert excinfo.value.__cause__.sqlstate == "P0001"
    assert (OutcomeCorrelation.objects.count(), PatternPerformanceRecord.objects.count()) == before


@pytest.mark.django_db
def test_the_confidence_weight_for_proposals_follows_the_pattern_record(people, small):
    """docs/metrics.md: 0.5 + (worked + 1) / (observed + 2); no pattern or no evidence weighs 1."""
    from learning.selectors import confidence_weight

    compute.refresh_patterns()
    hub = people.hub.pk
    assert confidence_weight(hub, "aria-labels") == 1.0  # 0.5 + 2/4
    assert confidence_weight(hub, "simplify") == 1.1667  # 0.5 + 2/3
    assert confidence_weight(hub, "never-used", proposal_type="copy_change") == 1.0
    assert confidence_weight(hub, None) == 1.0
    assert confidence_weight(people.other_hub.pk, "simplify") == 1.0  # another hub's record does not count
