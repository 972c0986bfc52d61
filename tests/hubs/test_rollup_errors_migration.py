"""Migration hubs 0014 writes the error counts of the events already stored into the rollup, leaving no
more unfolded rows than it found; 0015 computes the hub totals from them."""

import pytest
from django.core.management import call_command
from django.db import connection

from hubs.models import InteractionEvent
from hubs.services import compact_daily_event_counts
from tests.factories import WidgetFactory

DAY, OTHER_DAY = "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"


def _rows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day, event_count, error_count, partial FROM widget_daily_event_counts"
            " ORDER BY day, partial, event_count DESC"
        )
        return [(str(day), events, errors, partial) for day, events, errors, partial in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_stored_errors_into_the_folded_rows():
    widget = WidgetFactory()
    try:
        call_command("migrate", "hubs", "0013", verbosity=0)
        errors = InteractionEvent.objects.bulk_create(
            [InteractionEvent(widget=widget, event_type="error", occurred_at=DAY) for _ in range(3)]
        )
        InteractionEvent.objects.bulk_create(
            [InteractionEvent(widget=widget, event_type="clicked", occurred_at=DAY)]
        )
        InteractionEvent.objects.create(
            widget=widget, event_type="retracted", metadata={"retracted_event_id": str(errors[0].pk)}
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT compact_widget_daily_event_counts()")  # DAY folded, OTHER_DAY not
        InteractionEvent.objects.bulk_create(
            [InteractionEvent(widget=widget, event_type="error", occurred_at=OTHER_DAY)]
        )
    finally:
        # Every app forward, not only hubs: going back to hubs 0013 also unapplies what depends on later
        # hubs migrations, and the tests after this one need the whole schema.
        call_command("migrate", verbosity=0)
    assert _rows() == [("2026-03-01", 3, 2, False), ("2026-03-02", 1, 0, True), ("2026-03-02", 0, 1, True)]
    compact_daily_event_counts()
    assert _rows() == [("2026-03-01", 3, 2, False), ("2026-03-02", 1, 1, False)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT day, event_count FROM hub_daily_event_counts ORDER BY day")
        assert [(str(day), n) for day, n in cursor.fetchall()] == [("2026-03-01", 3), ("2026-03-02", 1)]
