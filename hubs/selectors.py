"""Reads that pages share. Counts come from the per-day rollup, never from the raw event log."""

import uuid
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hubs.access import HubAccess
from hubs.models import Hub, HubDailyEventCount, Widget, WidgetDailyEventCount

RECENT_DAYS = 30


def recent_since() -> date:
    """First UTC day of the recent window: the last 30 calendar days, today included."""
    return timezone.now().date() - timedelta(days=RECENT_DAYS - 1)


def _scalar(queryset: QuerySet[Any, Any]) -> Coalesce:
    return Coalesce(Subquery(queryset, output_field=IntegerField()), 0)


# The unfolded widget rows of the recent window summed per widget first, then per hub: the widget join runs
# once per widget (≤ 10k), not once per row, whatever the planner believes about the number of unfolded rows
# (its statistics lag behind a table that fills and empties every minute).
UNFOLDED_SQL = """
SELECT w.hub_id, sum(p.n)
FROM (
    SELECT widget_id, sum(event_count) AS n FROM widget_daily_event_counts
    WHERE partial AND day >= %(since)s
    GROUP BY widget_id
) AS p
JOIN widgets w ON w.id = p.widget_id
WHERE w.hub_id = ANY(%(hubs)s::uuid[])
GROUP BY w.hub_id
"""


def hubs_with_counts(queryset: QuerySet[Hub]) -> list[Any]:
    """The hubs with `widget_count` and `events_30d`: the folded days from the hub totals, plus the widget
    rows not folded yet (sql/hub_daily_event_counts.sql), summed for all the hubs in one pass. Two queries.

    Not a subquery per hub for the unfolded rows: ingestion leaves one row per inserting statement until
    the minute's fold (tens of thousands at a thousand single events a second), and a subquery would read
    all of them once for every hub."""
    widgets = (
        Widget.objects.filter(hub=OuterRef("pk")).order_by().values("hub").annotate(n=Count("*")).values("n")
    )
    folded = (
        HubDailyEventCount.objects.filter(hub=OuterRef("pk"), day__gte=recent_since())
        .order_by()
        .values("hub")
        .annotate(n=Sum("event_count"))
        .values("n")
    )
    hubs = list(queryset.annotate(widget_count=_scalar(widgets), events_30d=_scalar(folded)))
    with connection.cursor() as cursor:
        cursor.execute(UNFOLDED_SQL, {"since": recent_since(), "hubs": [hub.pk for hub in hubs]})
        unfolded = dict(cursor.fetchall())
    for hub in hubs:
        hub.events_30d += unfolded.get(hub.pk, 0)
    return hubs


def widgets_with_event_counts(queryset: QuerySet[Widget]) -> QuerySet[Widget]:
    events = (
        WidgetDailyEventCount.objects.filter(widget=OuterRef("pk"), day__gte=recent_since())
        .order_by()
        .values("widget")
        .annotate(n=Sum("event_count"))
        .values("n")
    )
    return queryset.annotate(events_30d=_scalar(events))


def get_widget(access: HubAccess, widget_id: uuid.UUID) -> Widget:
    """The hub's widget with its event counts; 404 when it is not a widget of the hub the access is for."""
    return get_object_or_404(widgets_with_event_counts(Widget.objects.filter(hub=access.hub)), pk=widget_id)
