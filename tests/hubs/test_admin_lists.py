"""History tables in the admin and the widget page never count, sort or DISTINCT a whole table (issue 21)."""

import pytest
from django.urls import reverse

from feedback.views import widgets as widget_views
from hubs.models import InteractionEvent
from ihf.paginators import EstimatedCountPaginator
from tests.factories import AnnotationFactory, EventFactory, UserFactory, WidgetFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_the_event_changelist_filters_by_the_contracts_types_without_asking_the_log(
    admin_client, django_assert_max_num_queries
):
    EventFactory(event_type="clicked")
    EventFactory(event_type="error")
    url = reverse("admin:hubs_interactionevent_changelist")
    with django_assert_max_num_queries(8) as captured:
        page = admin_client.get(url)
    assert page.status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "DISTINCT" not in sql and "date_trunc" not in sql.lower()
    event_filter = page.context["cl"].filter_specs[0]
    assert {value for value, _label in event_filter.lookup_choices} >= {"clicked", "error", "retracted"}
    filtered = admin_client.get(url, {"event_type": "error"})
    assert [e.event_type for e in filtered.context["cl"].result_list] == ["error"]


@pytest.mark.django_db
def test_the_event_search_finds_ids_widget_ids_and_widget_names_by_index(admin_client):
    pay, other = WidgetFactory(name="Pay button"), WidgetFactory(name="Search box")
    paid, searched = EventFactory(widget=pay), EventFactory(widget=other)
    url = reverse("admin:hubs_interactionevent_changelist")

    def found(term):
        return {e.pk for e in admin_client.get(url, {"q": term}).context["cl"].result_list}

    assert found(str(paid.pk)) == {paid.pk}
    assert found(str(other.pk)) == {searched.pk}
    assert found("pay BUTTON") == {paid.pk}
    assert found("nothing like it") == set()
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_history_changelists_count_exactly_up_to_a_limit_then_estimate(admin_client, monkeypatch):
    for _ in range(5):
        AnnotationFactory()
    url = reverse("admin:feedback_annotation_changelist")
    exact = admin_client.get(url).context["cl"]
    assert (exact.result_count, exact.paginator.estimated) == (5, False)
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_LIMIT", 3)
    estimated = admin_client.get(url).context["cl"]
    assert estimated.paginator.estimated and estimated.result_count >= 4
    assert f"about {estimated.result_count} annotations" in admin_client.get(url).content.decode()
    assert len(estimated.result_list) == 5


@pytest.mark.django_db
def test_the_widget_page_pages_through_the_newest_events_without_counting_them_all(
    client, people, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(widget_views, "EVENTS_SHOWN", 25)
    widget = WidgetFactory(hub=people.hub)
    InteractionEvent.objects.bulk_create(
        [InteractionEvent(widget=widget, event_type="clicked") for _ in range(30)]
    )
    client.force_login(people.viewer)
    url = reverse("feedback:widget", args=[people.hub.slug, widget.pk])
    with django_assert_max_num_queries(10) as captured:
        page = client.get(url)
    events = page.context["event_page"]
    assert events.paginator.capped and events.paginator.num_pages == 2
    assert "Page 1 of 2 · the newest 25; older ones are not paged here" in page.content.decode()
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"] and "interaction_events" in q["sql"]
    ]
    assert counts and all("LIMIT 26" in sql for sql in counts)
    last = client.get(url, {"events_page": 2}, headers={"HX-Request": "true"})
    assert len(last.context["event_page"].object_list) == 5
