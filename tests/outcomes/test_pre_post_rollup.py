"""The deployment page's before/after counts read whole days from the daily rollup and only the edge days from
the log (issue 21): they must equal a count of the log itself, to the moment of deploying."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from hubs.models import InteractionEvent
from hubs.services import compact_daily_event_counts
from outcomes import selectors
from tests.chain import accepted_candidate, decision_for, deployment_for

DEPLOYED = datetime(2026, 6, 15, 13, 30, tzinfo=UTC)


def _events(widget):
    """Events on every day of the ±30-day window, on both sides of each edge's moment, errors among them."""
    rows = []
    for day in range(-31, 32):
        for hour, minute in ((0, 5), (13, 29), (13, 30), (13, 31), (23, 55)):
            moment = DEPLOYED + timedelta(days=day) - timedelta(hours=13, minutes=30)
            moment += timedelta(hours=hour, minutes=minute)
            kind = "error" if (day + hour) % 3 == 0 else "clicked"
            rows.append(InteractionEvent(widget=widget, event_type=kind, occurred_at=moment))
    InteractionEvent.objects.bulk_create(rows)
    return rows


def _from_the_log(widget, days):
    start, end = DEPLOYED - timedelta(days=days), DEPLOYED + timedelta(days=days)
    live = InteractionEvent.objects.filter(widget=widget).exclude(event_type="retracted")
    retracted = InteractionEvent.objects.filter(event_type="retracted").values_list(
        "metadata__retracted_event_id", flat=True
    )
    live = live.exclude(id__in=[uuid.UUID(value) for value in retracted])
    before = live.filter(occurred_at__gte=start, occurred_at__lt=DEPLOYED)
    after = live.filter(occurred_at__gte=DEPLOYED, occurred_at__lt=end)
    return {
        "events_before": before.count(),
        "events_after": after.count(),
        "errors_before": before.filter(event_type="error").count(),
        "errors_after": after.filter(event_type="error").count(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fold", [False, True])
@pytest.mark.parametrize("days", [7, 30])
def test_the_comparison_from_the_rollup_equals_the_log(people, fold, days):
    candidate = accepted_candidate(people.hub)
    widget = candidate.source_widget
    deployment = deployment_for(decision_for(people.hub, candidate=candidate), deployed_at=DEPLOYED)
    rows = _events(widget)
    # Corrections: an error of a whole day before, an event of the deployment's own day, one far outside.
    retracted = [
        next(r for r in rows if r.event_type == "error" and r.occurred_at < DEPLOYED - timedelta(days=3)),
        next(r for r in rows if r.occurred_at.date() == DEPLOYED.date()),
        rows[0],
    ]
    InteractionEvent.objects.bulk_create(
        [
            InteractionEvent(
                widget=widget,
                event_type="retracted",
                metadata={"retracted_event_id": str(row.pk)},
                occurred_at=row.occurred_at,
            )
            for row in retracted
        ]
    )
    if fold:
        compact_daily_event_counts()
    expected = _from_the_log(widget, days)
    assert min(expected.values()) > 0
    assert selectors.pre_post(deployment, [widget.pk], days)["events"] == expected


@pytest.mark.django_db
def test_the_deployment_page_reads_the_log_only_on_the_edge_days(
    client, people, django_assert_max_num_queries
):
    candidate = accepted_candidate(people.hub)
    deployment = deployment_for(decision_for(people.hub, candidate=candidate), deployed_at=DEPLOYED)
    _events(candidate.source_widget)
    client.force_login(people.viewer)
    url = reverse("outcomes:deployment", args=[people.hub.slug, deployment.pk])
    # The page's own 11, the nav's unread count, and the survey panel's 5 (surveys/templatetags).
    with django_assert_max_num_queries(17) as captured:
        assert client.get(url, {"window": 30}).status_code == 200
    log_reads = [q["sql"] for q in captured.captured_queries if "interaction_events" in q["sql"]]
    assert len(log_reads) == 1
    # Three ranges of a day each (the edges and the deployment's day), not the 60 days between them.
    where = log_reads[0].split("FROM interaction_events e", 1)[1]
    assert where.count("e.occurred_at >=") == 3


@pytest.mark.django_db
def test_the_rollup_counts_errors_and_a_retraction_takes_its_error_back(people):
    widget = accepted_candidate(people.hub).source_widget
    error, _ = InteractionEvent.objects.bulk_create(
        [
            InteractionEvent(widget=widget, event_type="error", occurred_at=DEPLOYED),
            InteractionEvent(widget=widget, event_type="clicked", occurred_at=DEPLOYED),
        ]
    )

    def totals():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sum(event_count), sum(error_count) FROM widget_daily_event_counts"
                " WHERE widget_id = %s",
                [widget.pk],
            )
            return cursor.fetchone()

    assert totals() == (2, 1)
    InteractionEvent.objects.create(
        widget=widget, event_type="retracted", metadata={"retracted_event_id": str(error.pk)}
    )
    assert totals() == (1, 0)
    compact_daily_event_counts()
    assert totals() == (1, 0)
