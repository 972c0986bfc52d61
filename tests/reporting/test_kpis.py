"""Each KPI against a constructed history (docs/metrics.md, "KPIs"), the page per role, and "no data yet"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assist.models import AgentReviewRecord, AnnotationCategorisation
from assist.proposers.common import create
from feedback.models import NotificationOutcome
from reporting import kpis
from tests.factories import AnnotationFactory, WidgetFactory
from tests.reporting.history import loop, recent

pytestmark = pytest.mark.django_db


def test_cycle_times_per_stage_and_end_to_end(people):
    loop(people.hub, start=recent(40), hours=(2, 24, 48, 24, 6))
    loop(people.hub, start=recent(35), hours=(4, 48, 24, 24, 10))
    loop(people.hub, start=recent(30), hours=(6, 72, 24, 48, 2))
    loop(people.other_hub, start=recent(30), hours=(100, 100, 100, 100, 100))  # another hub: not counted
    result = kpis.compute([people.hub.pk], days=90)
    cycle = {row["stage"]: row for row in result["cycle"]}
    assert cycle["annotation_to_candidate"]["items"] == 3
    assert (cycle["annotation_to_candidate"]["median"], cycle["candidate_to_decision"]["median"]) == (4, 48)
    assert (
        cycle["decision_to_deployment"]["median"] == 24
        and cycle["deployment_to_first_signal"]["median"] == 24
    )
    assert cycle["first_signal_to_evaluation"]["median"] == 6
    assert cycle["end_to_end"]["median"] == 110  # 104, 110 and 152 hours
    assert float(cycle["end_to_end"]["p90"]) == pytest.approx(143.6)  # percentile_cont between 110 and 152


def test_outcome_coverage_counts_live_deployments_at_least_14_days_old(people):
    loop(people.hub, start=recent(60))  # a signal a day after deployment, evaluated
    loop(people.hub, start=recent(50), signal=False, evaluated=False)
    loop(people.hub, start=recent(3))  # deployed days ago: its 14 days are not over
    coverage = kpis.compute([people.hub.pk], days=90)["coverage"]
    assert coverage == {"deployments": 2, "signal_14d": 0.5, "evaluation": 0.5}


def test_notifications_fallback_and_ai_acceptance(people):
    now = timezone.now()
    for action, minutes in [("opened", 30), ("opened", 90), (None, None)]:
        NotificationOutcome.objects.create(
            channel="email",
            notification_type="assigned",
            recipient="r@x",
            delivery_status="delivered",
            hub=people.hub,
            user_action=action,
            user_action_at=now + timedelta(minutes=minutes) if minutes else None,
            sent_at=now,
        )
    widget = WidgetFactory(hub=people.hub)
    for fallback in (True, False, False, False):
        annotation = AnnotationFactory(widget=widget, category="general" if fallback else "bug")
        AnnotationCategorisation.objects.create(
            annotation=annotation,
            category=annotation.category,
            confidence=0.5,
            fallback=fallback,
            model_ref="m",
        )
    for decision in ("accepted", "modified", "rejected"):
        proposal = create(
            proposal_type="summary",
            hub_id=people.hub.pk,
            content="s",
            model_ref="m",
            confidence=0.5,
            notes={},
        )
        AgentReviewRecord.objects.create(
            proposal=proposal,
            decision=decision,
            reviewer=people.steward,
            modified_content={"content": "x"} if decision == "modified" else None,
        )
    result = kpis.compute([people.hub.pk], days=30)
    assert result["notifications"] == [
        {"type": "assigned", "sent": 3, "acted": pytest.approx(2 / 3), "median_minutes": 60}
    ]
    assert result["fallback"] == {"categorised": 4, "rate": 0.25}
    assert result["proposals"] == [{"type": "summary", "reviewed": 3, "acceptance": pytest.approx(2 / 3)}]
    weekly = {trend["kpi"]: trend["points"] for trend in result["weekly"]}
    assert weekly["categorisation_fallback_rate"][-1]["value"] == 0.25
    assert weekly["ai_acceptance_rate"][-1]["items"] == 3


def test_an_empty_hub_says_no_data_rather_than_zero(client, people):
    client.force_login(people.viewer)
    response = client.get(reverse("reporting:hub-kpis", args=["alpha"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("no data yet") + page.count("No data yet") >= 6 and "Not measured" in page
    assert all(row["median"] is None for row in response.context["kpis"]["cycle"])


def test_the_page_shows_the_numbers_and_a_bad_period_is_named(client, people, django_assert_max_num_queries):
    loop(people.hub, start=recent(40))
    client.force_login(people.steward)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reporting:kpis"), {"days": "365"})
    assert response.status_code == 200 and "98.0 h" not in response.content.decode()
    assert "104.0 h" in response.content.decode()  # 2 + 24 + 48 + 24 + 6 hours end to end
    bad = client.get(reverse("reporting:kpis"), {"days": "7"})
    assert bad.status_code == 422 and "id_days_error" in bad.content.decode()


def test_across_hubs_counts_only_the_readers_hubs(client, people):
    loop(people.other_hub, start=recent(40))
    client.force_login(people.steward)  # a member of alpha only
    response = client.get(reverse("reporting:kpis"))
    assert response.context["hub_count"] == 1 and response.context["kpis"]["cycle"][-1]["items"] == 0
