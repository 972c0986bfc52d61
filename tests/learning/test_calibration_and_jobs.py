"""Friction-weight calibration against a hand-worked example (docs/metrics.md, "Learning"), the management
command's progress and refusals, and the periodic jobs."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from learning import tasks
from learning.models import AdaptiveThresholdConfig, OutcomeCorrelation, PatternPerformanceRecord
from observability.models import FrictionScore
from outcomes.models import Regression
from tests.chain import full_chain
from tests.factories import AnnotationFactory, WidgetFactory
from tests.learning import history


def _scored(hub, annotations, errors, stale, regressed):
    widget = WidgetFactory(hub=hub)
    FrictionScore.objects.create(
        widget=widget, annotation_count=annotations, error_event_count=errors, stale_candidate_count=stale
    )
    if regressed:
        *_chain, deployment, signal = full_chain(hub, days_ago=5)
        Regression.objects.create(
            hub=hub,
            widget=widget,
            signal=signal,
            deployment=deployment,
            annotation=AnnotationFactory(widget=widget, severity="high"),
        )
    return widget


@pytest.mark.django_db
def test_friction_weights_follow_what_came_before_regressions(people, settings):
    """Regressed widgets: annotations 4 and 2 (mean 3), errors 1 and 1, stale 0 and 0; the others: 0 and 1
    (mean 0.5), 1 and 1, 1 and 1. Lifts: (3+1)/(0.5+1) = 2.67 → held at 2; (1+1)/(1+1) = 1;
    (0+1)/(1+1) = 0.5. So severities double, the error-log weight stays, the stale weight halves."""
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    _scored(people.hub, 4, 1, 0, regressed=True)
    _scored(people.hub, 2, 1, 0, regressed=True)
    _scored(people.hub, 0, 1, 1, regressed=False)
    _scored(people.hub, 1, 1, 1, regressed=False)
    # full_chain's own widgets have no friction score: only the four above are compared.
    call_command("learn", "calibrations", stdout=None)
    proposal = AdaptiveThresholdConfig.objects.get(hub=people.hub, config_type="friction_weights")
    assert proposal.new_values == {
        **settings.IHF_FRICTION_WEIGHTS,
        "severity": {"low": 2, "medium": 6, "high": 12, "critical": 20},
        "error_log": 5,
        "stale_candidate": 2.5,
    }
    assert proposal.old_values == settings.IHF_FRICTION_WEIGHTS
    assert proposal.evidence == {
        "regressed_widgets": 2,
        "other_widgets": 2,
        "annotation_lift": 2,
        "error_lift": 1,
        "stale_lift": 0.5,
        "window_days": 180,
    }


@pytest.mark.django_db
def test_the_learn_command_reports_each_step(people, settings, capsys):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    history.build(people)
    call_command("learn", "--lineage")
    output = capsys.readouterr().out
    for line in [
        "[1/5] compute correlations",
        "[2/5] refresh patterns",
        "[5/5] enrich lineage",
        "outcome correlations: 14 in",
        "pattern snapshots: 2 in",
        "lineage summaries: 0 in",
    ]:
        assert line in output
    call_command("learn", "patterns")
    assert "[1/1] refresh patterns" in capsys.readouterr().out
    assert PatternPerformanceRecord.objects.count() == 4
    with pytest.raises(CommandError, match="No step colours"):
        call_command("learn", "colours")


@pytest.mark.django_db
def test_the_periodic_jobs_run_the_recomputes(people, settings):
    settings.IHF_LEARNING = {"window_days": 180, "min_samples": 2, "min_deployments": 2, "insight_days": 14}
    history.build(people)
    tasks.refresh_learning(timestamp=int(timezone.now().timestamp()))
    assert OutcomeCorrelation.objects.count() == 14 and PatternPerformanceRecord.objects.count() == 2
    tasks.enrich_lineage(timestamp=int((timezone.now() - timedelta(hours=1)).timestamp()))
    periodic = {task.task.name for task in tasks.app.periodic_registry.periodic_tasks.values()}
    assert {"learning.tasks.refresh_learning", "learning.tasks.enrich_lineage"} <= periodic
