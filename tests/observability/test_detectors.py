"""Each detector on constructed timelines: it fires on what it should, stays quiet otherwise, and a second run
changes nothing. The documented examples of docs/metrics.md hold."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from feedback.models import RequirementCandidate, TriageState
from observability import compute
from observability.models import (
    BottleneckRecord,
    BottleneckThreshold,
    CrossHubPropagation,
    FrictionScore,
    HubHealthSnapshot,
)
from outcomes.models import Regression
from tests.chain import accepted_candidate, decision_for, deployment_for, requirement_for, signal_for
from tests.factories import AnnotationFactory, CandidateFactory, EventFactory, HubFactory, WidgetFactory

DAY = timedelta(days=1)


def _ago(days):
    return timezone.now() - days * DAY


@pytest.mark.django_db
def test_the_documented_friction_example(people):
    widget = WidgetFactory(hub=people.hub)
    for severity in ["high", "high", "medium"]:
        AnnotationFactory(widget=widget, severity=severity)
    AnnotationFactory(widget=widget, severity="critical", created_at=_ago(40))  # outside the window
    AnnotationFactory(
        widget=widget, severity="critical", retracted_at=timezone.now(), retraction_reason="dup"
    )
    for _ in range(20):
        EventFactory(widget=widget, event_type="error")
    EventFactory(widget=widget, event_type="error", occurred_at=_ago(31))
    CandidateFactory(source_widget=widget, created_at=_ago(45))  # stale
    CandidateFactory(source_widget=widget, created_at=_ago(45), status="accepted")  # not waiting
    quiet = WidgetFactory(hub=people.hub)
    run = compute.recompute_friction()
    assert run.rows == 2
    score = FrictionScore.objects.get(widget=widget)
    assert (
        score.score,
        score.annotation_count,
        score.error_event_count,
        score.stale_candidate_count,
        score.regression_flag,
    ) == (35, 3, 20, 1, False)
    assert score.band == "yellow"
    assert FrictionScore.objects.get(widget=quiet).score == 0

    candidate = accepted_candidate(people.hub, widget=widget)
    signal = signal_for(deployment_for(decision_for(people.hub, candidate=candidate)), widget)
    Regression.objects.create(
        hub=people.hub,
        widget=widget,
        signal=signal,
        deployment=signal.deployment,
        annotation=AnnotationFactory(widget=widget, severity="low", created_at=_ago(40)),
    )
    compute.recompute_friction()
    score.refresh_from_db()
    assert (score.score, score.regression_flag, score.band) == (55, True, "amber")
    assert FrictionScore.objects.count() == 2  # upserted, not doubled


@pytest.mark.django_db
def test_friction_is_capped_and_can_be_recomputed_for_one_hub(people):
    hot = WidgetFactory(hub=people.hub)
    for _ in range(15):
        AnnotationFactory(widget=hot, severity="critical")
    other = WidgetFactory(hub=people.other_hub)
    assert compute.recompute_friction(people.hub).rows == 1
    assert FrictionScore.objects.get(widget=hot).score == 100
    assert not FrictionScore.objects.filter(widget=other).exists()


@pytest.mark.django_db
def test_bottlenecks_fire_per_stage_with_severity_from_age(people):
    widget = WidgetFactory(hub=people.hub)
    untriaged = CandidateFactory(source_widget=widget, created_at=_ago(46))  # 1.53 × 30: medium
    CandidateFactory(source_widget=widget, created_at=_ago(10))  # too young
    moved = CandidateFactory(source_widget=widget, created_at=_ago(100))
    TriageState.objects.create(candidate=moved, status="open", changed_at=_ago(5))  # reopened lately
    requirement = requirement_for(accepted_candidate(people.hub, widget=widget))
    type(requirement).objects.filter(pk=requirement.pk).update(created_at=_ago(200))  # > 3 × 60: critical
    decision = decision_for(
        people.hub, candidate=accepted_candidate(people.hub, widget=widget), decided_at=_ago(40)
    )  # 1.33 × 30: low
    deployment = deployment_for(
        decision_for(people.hub, candidate=accepted_candidate(people.hub)), deployed_at=_ago(30)
    )  # 2.1 × 14: high
    run = compute.detect_bottlenecks()
    records = {
        (r.stage, r.subject_id): r.severity for r in BottleneckRecord.objects.filter(resolved_at__isnull=True)
    }
    assert records == {
        ("candidate_untriaged", untriaged.pk): "medium",
        ("requirement_undecided", requirement.pk): "critical",
        ("decision_undeployed", decision.pk): "low",
        ("deployment_unobserved", deployment.pk): "high",
    }
    assert run.rows == 4
    assert compute.detect_bottlenecks().detail == "0 opened, 0 re-rated, 0 resolved"
    assert BottleneckRecord.objects.count() == 4


@pytest.mark.django_db
def test_a_bottleneck_resolves_itself_when_its_subject_moves_on(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), created_at=_ago(40))
    compute.detect_bottlenecks()
    RequirementCandidate.objects.filter(pk=candidate.pk).update(status="under_review")
    assert compute.detect_bottlenecks().detail == "0 opened, 0 re-rated, 1 resolved"
    record = BottleneckRecord.objects.get()
    assert record.resolved_at is not None and "Resolved automatically" in record.notes


@pytest.mark.django_db
def test_thresholds_are_per_hub_and_a_manual_resolution_sticks(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), created_at=_ago(22))
    assert compute.detect_bottlenecks().rows == 0
    BottleneckThreshold.objects.create(hub=people.hub, stage="candidate_untriaged", threshold_days=7)
    CandidateFactory(source_widget=WidgetFactory(hub=people.other_hub), created_at=_ago(20))
    assert compute.detect_bottlenecks().rows == 1
    record = BottleneckRecord.objects.get()
    assert (record.subject_id, record.severity) == (candidate.pk, "critical")  # 22 / 7 ≥ 3
    BottleneckRecord.objects.filter(pk=record.pk).update(
        resolved_at=timezone.now(), resolved_by=people.steward, notes="Parked on purpose"
    )
    assert compute.detect_bottlenecks().rows == 0
    assert BottleneckRecord.objects.count() == 1


@pytest.mark.django_db
def test_the_documented_health_example_in_one_pass_for_every_hub(people):
    widget = WidgetFactory(hub=people.hub)
    for _ in range(6):
        CandidateFactory(source_widget=widget)
    candidate = accepted_candidate(people.hub, widget=widget)
    signal = signal_for(deployment_for(decision_for(people.hub, candidate=candidate)), widget)
    Regression.objects.create(
        hub=people.hub,
        widget=widget,
        signal=signal,
        deployment=signal.deployment,
        annotation=AnnotationFactory(widget=widget),
    )
    for _ in range(4):
        BottleneckRecord.objects.create(
            hub=people.hub,
            stage="candidate_untriaged",
            subject_type="x",
            subject_id=CandidateFactory(source_widget=WidgetFactory(hub=people.other_hub)).pk,
            stalled_since=_ago(40),
        )
    for _ in range(2):
        FrictionScore.objects.create(widget=WidgetFactory(hub=people.hub), score=80)
    empty = HubFactory()
    assert compute.snapshot_health().rows == 3
    ours = HubHealthSnapshot.objects.get(hub=people.hub)
    assert (
        ours.health_score,
        ours.open_candidates,
        ours.regressed_widgets,
        ours.stale_decisions,
        ours.active_bottlenecks,
        ours.high_friction_widgets,
    ) == (64, 6, 1, 0, 4, 2)
    assert HubHealthSnapshot.objects.get(hub=empty).health_score == 100
    compute.snapshot_health()
    assert HubHealthSnapshot.objects.filter(hub=people.hub).count() == 2  # history grows, never rewritten


@pytest.mark.django_db
def test_health_snapshots_are_append_only(people):
    compute.snapshot_health()
    snapshot = HubHealthSnapshot.objects.get(hub=people.hub)
    for sql in [
        "UPDATE hub_health_snapshots SET health_score = 1 WHERE id = %s",
        "DELETE FROM hub_health_snapshots WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [snapshot.pk])
        assert excinfo.value.__cause__.sqlstate == "P0001"
    assert HubHealthSnapshot.objects.get(pk=snapshot.pk).health_score == 100


@pytest.mark.django_db
def test_similar_annotations_in_two_hubs_make_one_cluster(people):
    text = "The coupon field rejects lowercase discount codes at checkout"
    AnnotationFactory(widget=WidgetFactory(hub=people.hub), body=text, created_at=_ago(3))
    AnnotationFactory(
        widget=WidgetFactory(hub=people.other_hub),
        body="Lowercase coupon codes get rejected by the discount field",
        created_at=_ago(1),
    )
    AnnotationFactory(
        widget=WidgetFactory(hub=people.other_hub), body="Completely unrelated praise for the chart"
    )
    AnnotationFactory(
        widget=WidgetFactory(hub=people.hub), body=text, created_at=_ago(30)
    )  # outside the window
    assert compute.detect_propagations().rows == 1
    pattern = CrossHubPropagation.objects.get()
    assert pattern.pattern_type == "annotation_cluster"
    assert set(pattern.affected_hub_ids) == {str(people.hub.pk), str(people.other_hub.pk)}
    assert pattern.source_hub_id == people.hub.pk  # the earliest annotation's hub
    assert "coupon" in pattern.summary and "lowercas" in pattern.summary
    assert compute.detect_propagations().rows == 0
    assert CrossHubPropagation.objects.count() == 1


@pytest.mark.django_db
def test_similar_annotations_in_one_hub_are_not_a_propagation(people):
    for _ in range(2):
        AnnotationFactory(
            widget=WidgetFactory(hub=people.hub), body="The coupon field rejects lowercase codes"
        )
    assert compute.detect_propagations().rows == 0


@pytest.mark.django_db
def test_high_friction_of_one_widget_type_in_two_hubs(people):
    for hub, score in [(people.hub, 90), (people.other_hub, 75)]:
        FrictionScore.objects.create(widget=WidgetFactory(hub=hub, widget_type="date-picker"), score=score)
    FrictionScore.objects.create(widget=WidgetFactory(hub=people.hub, widget_type="chart"), score=95)
    FrictionScore.objects.create(widget=WidgetFactory(hub=people.other_hub, widget_type="chart"), score=30)
    assert compute.detect_propagations().rows == 1
    pattern = CrossHubPropagation.objects.get()
    assert (pattern.pattern_type, pattern.source_hub_id) == ("widget_type_friction", people.hub.pk)
    assert pattern.summary == "date-picker widgets have high friction in 2 hubs"
    third = HubFactory()
    FrictionScore.objects.create(widget=WidgetFactory(hub=third, widget_type="date-picker"), score=99)
    assert compute.detect_propagations().rows == 0  # the same pattern, now with a third hub
    assert len(CrossHubPropagation.objects.get().affected_hub_ids) == 3


@pytest.mark.django_db
def test_only_a_live_deployment_counts_as_deployed_and_waits_for_a_signal(people):
    """docs/metrics.md: a deployment counts once its current status is `success`; a rolled-back one is no
    longer live, and its decision waits again from the rollback."""
    from outcomes.models import RemediationEvent

    def decided(days):
        return decision_for(people.hub, candidate=accepted_candidate(people.hub), decided_at=_ago(days))

    failed, dry_run = decided(40), decided(40)
    failed_deployment = deployment_for(failed, deployed_at=_ago(35), status="failed")
    deployment_for(dry_run, deployed_at=_ago(35), status="dry_run_ok")
    recently_rolled, long_rolled = decided(100), decided(100)
    for decision, rolled_back_days in [(recently_rolled, 10), (long_rolled, 35)]:
        deployment = deployment_for(decision, deployed_at=_ago(90))
        RemediationEvent.objects.create(
            deployment=deployment, status="rolled_back", created_at=_ago(rolled_back_days)
        )
    live = deployment_for(decided(40), deployed_at=_ago(20))
    compute.detect_bottlenecks()
    open_records = set(
        BottleneckRecord.objects.filter(resolved_at__isnull=True).values_list("stage", "subject_id")
    )
    assert open_records == {
        ("decision_undeployed", failed.pk),
        ("decision_undeployed", dry_run.pk),
        ("decision_undeployed", long_rolled.pk),
        ("deployment_unobserved", live.pk),
    }
    assert not BottleneckRecord.objects.filter(subject_id=failed_deployment.pk).exists()
    stalled_since = BottleneckRecord.objects.get(subject_id=long_rolled.pk).stalled_since
    assert abs(stalled_since - _ago(35)) < timedelta(minutes=1)  # from the rollback, not the decision

    # Redeployed: pending, then success. The decision is deployed again; the deployment waits from then.
    deployment = long_rolled.deployments.get()
    RemediationEvent.objects.create(deployment=deployment, status="pending", created_at=_ago(3))
    RemediationEvent.objects.create(deployment=deployment, status="success", created_at=_ago(2))
    assert compute.detect_bottlenecks().detail == "0 opened, 0 re-rated, 1 resolved"
    assert not BottleneckRecord.objects.filter(subject_id=deployment.pk, resolved_at__isnull=True).exists()
