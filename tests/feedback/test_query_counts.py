"""A page's query count does not grow with the rows it shows."""

import pytest
from django.urls import reverse

from tests.factories import AnnotationFactory, EventFactory, HubFactory, MembershipFactory, WidgetFactory


def _fill_hub(hub, widgets):
    for n in range(widgets):
        widget = WidgetFactory(hub=hub, widget_type=["button", "form", "chart"][n % 3])
        EventFactory(widget=widget)
        AnnotationFactory(widget=widget)


# Every signed-in page counts the user's unread notifications once, for the nav's Inbox badge.
def _count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 25])
def test_the_hub_page_query_count_is_flat(client, people, django_assert_max_num_queries, size):
    _fill_hub(people.hub, size)
    client.force_login(people.steward)
    # +1 since the nav counts unread notifications (issue 19).
    _count_queries(client, reverse("feedback:hub", args=[people.hub.slug]), django_assert_max_num_queries, 8)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_hub_list_query_count_is_flat(client, people, django_assert_max_num_queries, size):
    for _ in range(size):
        hub = HubFactory()
        MembershipFactory(hub=hub, user=people.steward)
        _fill_hub(hub, 2)
    client.force_login(people.steward)
    # Session, user, the nav's unread count, the hubs, and the rollup read once for all of them.
    _count_queries(client, reverse("hubs:list"), django_assert_max_num_queries, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_the_widget_page_query_count_is_flat(client, people, django_assert_max_num_queries, size):
    widget = WidgetFactory(hub=people.hub)
    for n in range(size):
        EventFactory(widget=widget)
        AnnotationFactory(widget=widget)
        widget.name = f"Renamed {n}"
        widget.save()
    client.force_login(people.reviewer)
    url = reverse("feedback:widget", args=[people.hub.slug, widget.pk])
    _count_queries(client, url, django_assert_max_num_queries, 11)
