"""Reads that pages share. Counts come from the per-day rollup, never from the raw event log."""

import uuid
from datetime import date, timedelta
from typing import Any

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


def hubs_with_counts(queryset: QuerySet[Hub]) -> QuerySet[Hub]:
    widgets = (
        Widget.objects.filter(hub=OuterRef("pk")).order_by().values("hub").annotate(n=Count("*")).values("n")
    )
    # The folded days from the hub totals, plus the widget rows not folded yet
    # (sql/hub_daily_event_counts.sql).
    folded = (
        HubDailyEventCount.objects.filter(hub=OuterRef("pk"), day__gte=recent_since())
        .order_by()
        .values("hub")
        .annotate(n=Sum("event_count"))
        .values("n")
    )
    partial = (
        WidgetDailyEventCount.objects.filter(
            partial=True, widget__hub=OuterRef("pk"), day__gte=recent_since()
        )
        .order_by()
        .values("widget__hub")
        .annotate(n=Sum("event_count"))
        .values("n")
    )
    return queryset.annotate(widget_count=_scalar(widgets), events_30d=_scalar(folded) + _scalar(partial))


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
