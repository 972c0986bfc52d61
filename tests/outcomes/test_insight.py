"""Regressions, recurrence, pre/post numbers, traceability and the dashboard on constructed timelines."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import notifications
from feedback.models import NotificationOutcome, ReviewerAssignment
from outcomes import regressions, selectors, trace
from outcomes.models import Regression
from tests.chain import (
    accepted_candidate,
    decision_for,
    deployment_for,
    full_chain,
    requirement_for,
    signal_for,
)
from tests.factories import AnnotationFactory, EventFactory


def _improved_at(people, moment):
    candidate = accepted_candidate(people.hub)
    decision = decision_for(people.hub, candidate=candidate, user=people.steward)
    deployment = deployment_for(decision, deployed_at=moment - timedelta(days=1))
    signal = signal_for(deployment, candidate.source_widget, "improved", observed_at=moment)
    return candidate, signal


def _annotate(widget, moment, severity="high", **kwargs):
    return AnnotationFactory(widget=widget, severity=severity, created_at=moment, **kwargs)


@pytest.mark.django_db
def test_a_high_annotation_after_an_improvement_within_the_window_is_a_regression(people, settings):
    settings.IHF_REGRESSION_WINDOW_DAYS = 14
    t0 = timezone.now() - timedelta(days=30)
    candidate, signal = _improved_at(people, t0)
    widget = candidate.source_widget
    hit = AnnotationFactory(widget=widget, severity="critical")
    found = regressions.detect()
    # The annotation above was created now, 30 days after the improvement: outside the window.
    assert found == []
    signal_late = signal_for(
        signal.deployment, widget, "improved", observed_at=timezone.now() - timedelta(days=2)
    )
    found = regressions.detect()
    assert [(r.signal_id, r.annotation_id, r.widget_id, r.hub_id) for r in found] == [
        (signal_late.pk, hit.pk, widget.pk, people.hub.pk)
    ]
    assert regressions.detect() == []  # idempotent
    assert Regression.objects.count() == 1


@pytest.mark.django_db
def test_what_is_not_a_regression(people):
    candidate, signal = _improved_at(people, timezone.now() - timedelta(days=2))
    widget = candidate.source_widget
    AnnotationFactory(widget=widget, severity="medium")
    AnnotationFactory(widget=widget, severity="high", retracted_at=timezone.now(), retraction_reason="dup")
    other_candidate, _other = _improved_at(people, timezone.now() - timedelta(days=2))
    neutral_deployment = signal.deployment
    signal_for(neutral_deployment, other_candidate.source_widget, "neutral")
    assert regressions.detect() == []
    # An annotation of another widget does not count either.
    AnnotationFactory(severity="critical")
    assert regressions.detect() == []


@pytest.mark.django_db
def test_a_regression_notifies_the_assigned_reviewer_or_else_the_decider(people):
    candidate, _signal = _improved_at(people, timezone.now() - timedelta(days=1))
    AnnotationFactory(widget=candidate.source_widget, severity="high")
    regressions.detect()
    outcome = NotificationOutcome.objects.get()
    assert (outcome.user_id, outcome.notification_type) == (people.steward.pk, "regression")

    candidate2, _signal2 = _improved_at(people, timezone.now() - timedelta(days=1))
    ReviewerAssignment.objects.create(candidate=candidate2, user=people.reviewer)
    AnnotationFactory(widget=candidate2.source_widget, severity="critical")
    regressions.detect()
    latest = NotificationOutcome.objects.order_by("-outcome_id").first()
    assert latest.user_id == people.reviewer.pk
    notifications.deliver(latest.pk)
    assert mail.outbox[-1].subject.startswith(f"[IHF · {people.hub.name}] Regression after a deployment")


@pytest.mark.django_db
def test_regressions_are_listed_and_resolved(client, people):
    candidate, _signal = _improved_at(people, timezone.now() - timedelta(days=1))
    AnnotationFactory(widget=candidate.source_widget, severity="high", body="Broke again")
    regression = regressions.detect()[0]
    client.force_login(people.viewer)
    page = client.get(reverse("outcomes:regressions", args=[people.hub.slug]))
    assert "Broke again" in page.content.decode()
    url = reverse("outcomes:regression-resolve", args=[people.hub.slug, regression.pk])
    assert client.post(url, {"note": "fixed"}).status_code == 403
    client.force_login(people.reviewer)
    response = client.post(url, {"note": ""})
    assert response.status_code == 422 and "Say how it was resolved." in response.content.decode()
    assert client.post(url, {"note": "Hotfix v2 shipped"}).status_code == 302
    regression.refresh_from_db()
    assert (regression.resolution_note, regression.resolved_by_id) == (
        "Hotfix v2 shipped",
        people.reviewer.pk,
    )
    assert selectors.open_regressions(people.hub) == []


@pytest.mark.django_db
def test_recurrence_counts_completed_cycles_per_widget(people):
    first, *_ = full_chain(people.hub)
    widget = first.source_widget
    again = accepted_candidate(people.hub, widget=widget)
    signal_for(
        deployment_for(decision_for(people.hub, requirement=requirement_for(again))), widget, "regressed"
    )
    unobserved = accepted_candidate(people.hub, widget=widget)
    deployment_for(
        decision_for(people.hub, candidate=unobserved)
    )  # deployed, no signal: not a completed cycle
    other, *_ = full_chain(people.hub)
    board = selectors.recurrence_leaderboard(people.hub)
    assert [(row["id"], row["cycles"]) for row in board] == [(widget.pk, 2), (other.source_widget_id, 1)]
    assert selectors.recurrence_leaderboard(people.other_hub) == []


@pytest.mark.django_db
def test_the_daily_chart_splits_the_deployment_day_at_the_deployment(people):
    """Events earlier on the day of a deployment are before it, in the chart as in the table (issue 19:
    the chart showed them after the deployment while the table said 0)."""
    candidate = accepted_candidate(people.hub)
    moment = timezone.now().replace(hour=18, minute=0) - timedelta(days=1)
    deployment = deployment_for(decision_for(people.hub, candidate=candidate), deployed_at=moment)
    for hours in (-5, -1):
        EventFactory(
            widget=candidate.source_widget, event_type="clicked", occurred_at=moment + timedelta(hours=hours)
        )
    numbers = selectors.pre_post(deployment, [candidate.source_widget_id], days=7)
    assert numbers["events"]["events_after"] == 0
    day = numbers["chart"]["days"].index(str(moment.date()))
    assert (numbers["chart"]["before"][day], numbers["chart"]["after"][day]) == (2, 0)
    assert sum(numbers["chart"]["after"]) == 0


@pytest.mark.django_db
def test_pre_post_numbers_on_constructed_data(people):
    candidate = accepted_candidate(people.hub)
    widget = candidate.source_widget
    moment = timezone.now() - timedelta(days=10)
    deployment = deployment_for(decision_for(people.hub, candidate=candidate), deployed_at=moment)
    for days, event_type in [
        (-8, "clicked"),
        (-3, "error"),
        (-1, "clicked"),
        (-20, "clicked"),
        (1, "clicked"),
        (2, "error"),
        (5, "retracted"),
        (9, "clicked"),
    ]:
        EventFactory(widget=widget, event_type=event_type, occurred_at=moment + timedelta(days=days))
    EventFactory(event_type="clicked", occurred_at=moment)  # another widget
    for days, severity in [(-2, "high"), (-4, "high"), (-6, "critical"), (3, "low"), (40, "high")]:
        _annotate(widget, moment + timedelta(days=days), severity)
    numbers = selectors.pre_post(deployment, [widget.pk], days=7)
    assert numbers["events"] == {"events_before": 2, "events_after": 2, "errors_before": 1, "errors_after": 1}
    by_severity = {row["severity"]: (row["before"], row["after"]) for row in numbers["severities"]}
    assert by_severity == {"low": (0, 1), "medium": (0, 0), "high": (2, 0), "critical": (1, 0)}
    # The chart counts what the table counts (retracted not counted), split at the same moment.
    assert (sum(numbers["chart"]["before"]), sum(numbers["chart"]["after"])) == (2, 2)
    assert len(numbers["chart"]["days"]) == 15
    wider = selectors.pre_post(deployment, [widget.pk], days=30)
    assert wider["events"]["events_before"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize("chains", [1, 6])
def test_the_widget_trace_has_a_bounded_query_count(client, people, django_assert_max_num_queries, chains):
    widget = None
    for n in range(chains):
        candidate = accepted_candidate(people.hub, widget=widget)
        widget = candidate.source_widget
        decision = decision_for(people.hub, requirement=requirement_for(candidate))
        for v in range(2):
            signal_for(deployment_for(decision, version=f"v{n}.{v}"), widget)
    client.force_login(people.viewer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("outcomes:widget-trace", args=[people.hub.slug, widget.pk]))
    chain = response.context["chains"]
    assert len(chain) == chains
    assert [len(c["decisions"][0]["deployments"]) for c in chain] == [2] * chains
    assert all(len(d["signals"]) == 1 for c in chain for d in c["decisions"][0]["deployments"])


@pytest.mark.django_db
@pytest.mark.parametrize("annotations", [1, 12])
def test_the_deployment_trace_reaches_the_annotations_in_bounded_queries(
    client, people, django_assert_max_num_queries, annotations
):
    from tests.factories import ThreadFactory

    candidate = accepted_candidate(people.hub)
    thread = ThreadFactory(widget=candidate.source_widget)
    source = AnnotationFactory(widget=candidate.source_widget, body="the cause")
    for _ in range(annotations):
        AnnotationFactory(widget=candidate.source_widget, thread=thread)
    candidate.source_annotation, candidate.source_thread = source, thread
    candidate.save(update_fields=["source_annotation", "source_thread"])
    deployment = deployment_for(decision_for(people.hub, requirement=requirement_for(candidate)))
    client.force_login(people.viewer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("outcomes:deployment-trace", args=[people.hub.slug, deployment.pk]))
    assert len(response.context["annotations"]) == annotations + 1
    assert "the cause" in response.content.decode()
    assert trace.deployment_trace(deployment)["candidate"].pk == candidate.pk


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_the_dashboard_shows_every_panel_in_bounded_queries(
    client, people, django_assert_max_num_queries, size
):
    from outcomes.models import ChangeEvaluation

    for n in range(size):
        candidate, _r, decision, deployment, _s = full_chain(people.hub, user=people.steward, days_ago=5)
        ChangeEvaluation.objects.create(
            deployment=deployment, decision=decision, score=(n % 5) + 1, rationale="r"
        )
        AnnotationFactory(widget=candidate.source_widget, severity="high")
    full_chain(people.hub)[1]  # a deployment without evaluation
    regressions.detect()
    accepted_candidate(people.hub)  # waiting to be promoted
    client.force_login(people.viewer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("outcomes:dashboard", args=[people.hub.slug]))
    panels = {p["key"]: p for p in response.context["panels"]}
    assert set(panels) == {"deployments", "regressions", "recurrence", "scores", "waiting"}
    assert len(panels["deployments"]["deployments"]) == min(size + 1, 10)
    assert len(panels["regressions"]["regressions"]) == min(size, 10)
    assert sum(row["count"] for row in panels["scores"]["scores"]) == size
    stages = {s["key"]: s["count"] for s in panels["waiting"]["stages"]}
    assert stages["accepted_not_promoted"] == 1 and stages["deployed_without_evaluation"] == 1
    body = response.content.decode()
    assert body.count('hx-trigger="every 30s"') == 5
    panel = client.get(reverse("outcomes:dashboard-panel", args=[people.hub.slug, "waiting"]))
    assert panel.content.decode().lstrip().startswith('<section class="card panel" id="panel-waiting"')


@pytest.mark.django_db
def test_pre_post_leaves_out_events_that_a_retraction_takes_back(people):
    candidate = accepted_candidate(people.hub)
    widget = candidate.source_widget
    moment = timezone.now() - timedelta(days=10)
    deployment = deployment_for(decision_for(people.hub, candidate=candidate), deployed_at=moment)
    EventFactory(widget=widget, event_type="error", occurred_at=moment - timedelta(days=2))
    taken_back = EventFactory(widget=widget, event_type="error", occurred_at=moment - timedelta(days=1))
    clicked = EventFactory(widget=widget, event_type="clicked", occurred_at=moment + timedelta(days=1))
    EventFactory(widget=widget, event_type="clicked", occurred_at=moment + timedelta(days=2))
    for original in (taken_back, clicked):
        EventFactory(
            widget=widget,
            event_type="retracted",
            occurred_at=moment + timedelta(days=3),
            metadata={"retracted_event_id": str(original.pk)},
        )
    numbers = selectors.pre_post(deployment, [widget.pk], days=7)
    assert numbers["events"] == {"events_before": 1, "events_after": 1, "errors_before": 1, "errors_after": 0}
