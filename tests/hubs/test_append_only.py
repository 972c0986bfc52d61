"""PostgreSQL itself refuses to change or remove an interaction event (SQLSTATE P0001)."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from hubs.models import InteractionEvent, WidgetDailyEventCount
from hubs.services import compact_daily_event_counts
from tests.factories import EventFactory, WidgetFactory

APPEND_ONLY = "interaction_events is append-only"


def _assert_refused(excinfo):
    assert excinfo.value.__cause__.sqlstate == "P0001"
    assert APPEND_ONLY in str(excinfo.value)


@pytest.mark.django_db
def test_it_refuses_update_through_raw_sql():
    event = EventFactory(event_type="clicked")
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE interaction_events SET event_type = 'viewed' WHERE id = %s", [event.pk])
    _assert_refused(excinfo)
    assert InteractionEvent.objects.get(pk=event.pk).event_type == "clicked"


@pytest.mark.django_db
def test_it_refuses_delete_through_raw_sql():
    event = EventFactory()
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM interaction_events WHERE id = %s", [event.pk])
    _assert_refused(excinfo)
    assert InteractionEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_it_refuses_update_and_save_through_the_orm():
    event = EventFactory(event_type="clicked")
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        InteractionEvent.objects.filter(pk=event.pk).update(event_type="viewed")
    _assert_refused(excinfo)
    event.event_type = "viewed"
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        event.save()
    _assert_refused(excinfo)
    assert InteractionEvent.objects.get(pk=event.pk).event_type == "clicked"


@pytest.mark.django_db
def test_it_refuses_delete_through_the_orm():
    event = EventFactory()
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        event.delete()
    _assert_refused(excinfo)
    with pytest.raises(DatabaseError), transaction.atomic():
        InteractionEvent.objects.all().delete()
    assert InteractionEvent.objects.count() == 1


@pytest.mark.django_db
def test_it_keeps_the_daily_rollup_current_for_a_batch():
    widget, other = WidgetFactory(), WidgetFactory()
    day = "2026-03-01T10:00:00Z"
    next_day = "2026-03-02T23:59:00Z"
    InteractionEvent.objects.bulk_create(
        [InteractionEvent(widget=widget, event_type="clicked", occurred_at=day) for _ in range(3)]
        + [InteractionEvent(widget=widget, event_type="viewed", occurred_at=next_day)]
        + [InteractionEvent(widget=other, event_type="viewed", occurred_at=day)]
        + [InteractionEvent(widget=widget, event_type="retracted", occurred_at=day)]
    )
    EventFactory(widget=widget, occurred_at=day)
    expected = {
        (widget.pk, date(2026, 3, 1)): 4,
        (widget.pk, date(2026, 3, 2)): 1,
        (other.pk, date(2026, 3, 1)): 1,
    }
    assert WidgetDailyEventCount.objects.totals() == expected
    # Two inserting statements, so (widget, 2026-03-01) has two partial rows until they are folded.
    assert WidgetDailyEventCount.objects.filter(partial=True).count() == 4
    assert compact_daily_event_counts() == 4
    assert WidgetDailyEventCount.objects.totals() == expected
    rows = WidgetDailyEventCount.objects.values_list("widget_id", "day", "event_count", "partial")
    assert sorted(rows) == sorted((w, d, n, False) for (w, d), n in expected.items())
    assert compact_daily_event_counts() == 0
