"""Per-hub daily totals (sql/hub_daily_event_counts.sql): the fold keeps them, the hub list adds the widget
rows not folded yet, and the two together always equal the widget rollup."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from hubs.models import HubDailyEventCount, InteractionEvent, Widget, WidgetDailyEventCount
from hubs.services import compact_daily_event_counts
from tests.factories import MembershipFactory, WidgetFactory


def _events(widget, count, days_ago=0, event_type="clicked"):
    moment = timezone.now() - timedelta(days=days_ago)
    return InteractionEvent.objects.bulk_create(
        [InteractionEvent(widget=widget, event_type=event_type, occurred_at=moment) for _ in range(count)]
    )


def _listed(client):
    return {hub.slug: hub.events_30d for hub in client.get(reverse("hubs:list")).context["hubs"]}


def _hub_totals_match_the_widget_rows():
    folded = (
        WidgetDailyEventCount.objects.filter(partial=False)
        .values_list("widget__hub_id", "day")
        .annotate(n=Sum("event_count"))
        .order_by()
    )
    hub_rows = HubDailyEventCount.objects.values_list("hub_id", "day", "event_count")
    assert {(h, d, n) for h, d, n in folded} == set(hub_rows)


@pytest.mark.django_db
def test_the_hub_list_counts_folded_and_partial_rows_once(client, people):
    MembershipFactory(hub=people.other_hub, user=people.steward)
    alpha, beta = WidgetFactory(hub=people.hub), WidgetFactory(hub=people.other_hub)
    _events(alpha, 3)
    _events(alpha, 2, days_ago=3)
    _events(beta, 4, days_ago=1)
    _events(beta, 5, days_ago=45)  # outside the 30 days
    client.force_login(people.steward)
    assert _listed(client) == {"alpha": 5, "beta": 4}
    assert not HubDailyEventCount.objects.exists()  # nothing folded yet: all from the partial rows

    compact_daily_event_counts()
    _hub_totals_match_the_widget_rows()
    assert not WidgetDailyEventCount.objects.filter(partial=True).exists()
    assert _listed(client) == {"alpha": 5, "beta": 4}

    clicked = _events(alpha, 2)  # partial again, on a folded day
    InteractionEvent.objects.create(
        widget=alpha, event_type="retracted", metadata={"retracted_event_id": str(clicked[0].pk)}
    )
    assert _listed(client) == {"alpha": 6, "beta": 4}
    compact_daily_event_counts()
    _hub_totals_match_the_widget_rows()
    assert _listed(client) == {"alpha": 6, "beta": 4}


@pytest.mark.django_db
def test_a_widget_moved_to_another_hub_takes_its_history_along(client, people):
    MembershipFactory(hub=people.other_hub, user=people.steward)
    widget = WidgetFactory(hub=people.hub)
    _events(widget, 3, days_ago=2)
    compact_daily_event_counts()
    client.force_login(people.steward)
    assert _listed(client) == {"alpha": 3, "beta": 0}
    Widget.objects.filter(pk=widget.pk).update(hub=people.other_hub)
    _hub_totals_match_the_widget_rows()
    assert _listed(client) == {"alpha": 0, "beta": 3}
