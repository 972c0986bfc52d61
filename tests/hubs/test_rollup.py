"""The daily rollup takes partial rows from concurrent inserts and folds them without losing one."""

import threading

import pytest
from django.db import connection, transaction

from hubs import tasks
from hubs.models import InteractionEvent, WidgetDailyEventCount
from hubs.services import compact_daily_event_counts
from tests.factories import WidgetFactory

DAY = "2026-03-01T10:00:00Z"


def _in_other_connection(work, started: threading.Event, finish: threading.Event):
    """Run `work` in a transaction of another connection, holding it open until `finish` is set."""

    def run():
        try:
            with transaction.atomic():
                work()
                started.set()
                finish.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(10)
    return thread


@pytest.mark.django_db(transaction=True)
def test_events_inserted_while_a_fold_runs_are_counted_once():
    widget = WidgetFactory()
    InteractionEvent.objects.bulk_create(
        [InteractionEvent(widget=widget, event_type="clicked", occurred_at=DAY)]
    )
    InteractionEvent.objects.bulk_create(
        [InteractionEvent(widget=widget, event_type="viewed", occurred_at=DAY)]
    )
    started, finish = threading.Event(), threading.Event()
    late = [InteractionEvent(widget=widget, event_type="clicked", occurred_at=DAY) for _ in range(3)]
    thread = _in_other_connection(lambda: InteractionEvent.objects.bulk_create(late), started, finish)
    try:
        assert compact_daily_event_counts() == 2  # the uncommitted insert's part is not visible yet
    finally:
        finish.set()
        thread.join(10)
    day = WidgetDailyEventCount.objects.get(partial=False).day
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, day): 5}
    assert sorted(WidgetDailyEventCount.objects.values_list("event_count", "partial")) == [
        (2, False),
        (3, True),
    ]
    assert compact_daily_event_counts() == 2
    assert list(WidgetDailyEventCount.objects.values_list("event_count", "partial")) == [(5, False)]


@pytest.mark.django_db(transaction=True)
def test_one_fold_at_a_time():
    widget = WidgetFactory()
    for _ in range(2):
        InteractionEvent.objects.bulk_create(
            [InteractionEvent(widget=widget, event_type="clicked", occurred_at=DAY)]
        )
    started, finish = threading.Event(), threading.Event()

    def hold_the_fold_lock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('compact_widget_daily_event_counts'))")

    thread = _in_other_connection(hold_the_fold_lock, started, finish)
    try:
        assert compact_daily_event_counts() == 0
        assert WidgetDailyEventCount.objects.filter(partial=True).count() == 2
    finally:
        finish.set()
        thread.join(10)
    tasks.compact_daily_event_counts(timestamp=0)
    assert list(WidgetDailyEventCount.objects.values_list("event_count", "partial")) == [(2, False)]
