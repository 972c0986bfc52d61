"""Every page for every role: members see their hub, anyone else gets 404, anonymous users sign in first."""

import pytest
from django.urls import reverse

from feedback.models import Annotation
from tests.factories import AnnotationFactory, EventFactory, WidgetFactory

MEMBERS = ["steward", "reviewer", "viewer", "admin"]


def _pages(people):
    widget = WidgetFactory(hub=people.hub, name="Pay button")
    return {
        "hub": reverse("feedback:hub", args=[people.hub.slug]),
        "widget": reverse("feedback:widget", args=[people.hub.slug, widget.pk]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", MEMBERS)
@pytest.mark.parametrize("page", ["hub", "widget"])
def test_members_and_admins_see_hub_pages(client, people, role, page):
    url = _pages(people)[page]
    client.force_login(getattr(people, role))
    response = client.get(url)
    assert response.status_code == 200
    assert people.hub.name in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["hub", "widget"])
def test_a_member_of_another_hub_gets_404(client, people, page):
    url = _pages(people)[page]
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["hub", "widget"])
def test_anonymous_users_are_sent_to_sign_in(client, people, page):
    url = _pages(people)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_widget_is_not_reachable_through_another_hubs_url(client, people):
    foreign = WidgetFactory(hub=people.other_hub)
    client.force_login(people.steward)
    assert client.get(reverse("feedback:widget", args=[people.hub.slug, foreign.pk])).status_code == 404
    client.force_login(people.outsider)
    assert client.get(reverse("feedback:widget", args=[people.hub.slug, foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_an_unknown_hub_is_404(client, people):
    client.force_login(people.admin)
    assert client.get(reverse("feedback:hub", args=["no-such-hub"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer"])
def test_the_hub_list_shows_only_the_users_hubs(client, people, role):
    client.force_login(getattr(people, role))
    response = client.get(reverse("hubs:list"))
    assert response.status_code == 200
    assert [hub.slug for hub in response.context["hubs"]] == [people.hub.slug]


@pytest.mark.django_db
def test_the_hub_list_shows_the_outsider_only_their_hub_and_the_admin_all(client, people):
    client.force_login(people.outsider)
    assert [h.slug for h in client.get(reverse("hubs:list")).context["hubs"]] == [people.other_hub.slug]
    client.force_login(people.admin)
    assert [h.slug for h in client.get(reverse("hubs:list")).context["hubs"]] == ["alpha", "beta"]


@pytest.mark.django_db
def test_the_hub_list_counts_widgets_and_recent_events(client, people):
    widget = WidgetFactory(hub=people.hub)
    WidgetFactory(hub=people.hub)
    for _ in range(3):
        EventFactory(widget=widget)
    EventFactory(widget=widget, occurred_at="2020-01-01T00:00:00Z")  # outside the 30-day window
    client.force_login(people.steward)
    response = client.get(reverse("hubs:list"))
    hub = response.context["hubs"][0]
    assert (hub.widget_count, hub.events_30d) == (2, 3)


@pytest.mark.django_db
def test_the_hub_list_has_an_empty_state(client, people):
    client.force_login(people.admin)
    people.hub.memberships.all().delete()
    client.force_login(people.steward)
    response = client.get(reverse("hubs:list"))
    assert "not a member of any hub" in response.content.decode()


@pytest.mark.django_db
def test_the_hub_page_lists_widgets_with_their_counts(client, people):
    pay = WidgetFactory(hub=people.hub, name="Pay", widget_type="button")
    WidgetFactory(hub=people.hub, name="Search", widget_type="search-box", status="retired")
    EventFactory(widget=pay)
    AnnotationFactory(widget=pay)
    AnnotationFactory(widget=pay, retracted_at="2026-01-01T00:00:00Z", retraction_reason="Wrong widget")
    client.force_login(people.viewer)
    response = client.get(reverse("feedback:hub", args=[people.hub.slug]))
    rows = {
        w.name: (w.widget_type, w.status, w.version, w.events_30d, w.open_annotations)
        for w in response.context["page"].object_list
    }
    assert rows == {"Pay": ("button", "active", 1, 1, 1), "Search": ("search-box", "retired", 1, 0, 0)}


@pytest.mark.django_db
def test_the_hub_page_filters_by_type_and_status(client, people):
    WidgetFactory(hub=people.hub, name="Pay", widget_type="button")
    WidgetFactory(hub=people.hub, name="Old pay", widget_type="button", status="retired")
    WidgetFactory(hub=people.hub, name="Search", widget_type="search-box")
    client.force_login(people.steward)
    url = reverse("feedback:hub", args=[people.hub.slug])
    names = lambda response: [w.name for w in response.context["page"].object_list]  # noqa: E731
    assert names(client.get(url, {"type": "button"})) == ["Old pay", "Pay"]
    assert names(client.get(url, {"type": "button", "status": "active"})) == ["Pay"]
    response = client.get(url, {"type": "chart"})
    assert names(response) == []
    assert "No widgets match these filters" in response.content.decode()


@pytest.mark.django_db
def test_the_hub_page_paginates_and_keeps_filters(client, people):
    for n in range(30):
        WidgetFactory(hub=people.hub, name=f"W{n:02}")
    client.force_login(people.steward)
    url = reverse("feedback:hub", args=[people.hub.slug])
    first = client.get(url, {"type": "button"})
    second = client.get(url, {"type": "button", "page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "?type=button&amp;page=2" in first.content.decode()
    assert client.get(url, {"page": "999"}).context["page"].number == 2


@pytest.mark.django_db
def test_the_hub_page_returns_only_the_table_to_htmx(client, people):
    WidgetFactory(hub=people.hub, name="Pay")
    client.force_login(people.steward)
    response = client.get(reverse("feedback:hub", args=[people.hub.slug]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="widget-table">')
    assert "<html" not in body and "Pay" in body


@pytest.mark.django_db
def test_the_widget_page_shows_details_versions_with_diff_events_and_annotations(client, people):
    widget = WidgetFactory(hub=people.hub, name="Pay", view_context="/checkout")
    widget.name = "Pay now"
    widget.save()
    EventFactory(widget=widget, event_type="submitted")
    AnnotationFactory(widget=widget, body="Button hides under the cookie banner")
    client.force_login(people.viewer)
    response = client.get(reverse("feedback:widget", args=[people.hub.slug, widget.pk]))
    body = response.content.decode()
    versions = response.context["versions"]
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].changes == [("name", "Pay", "Pay now")]
    assert "submitted" in body
    assert "Button hides under the cookie banner" in body
    assert response.context["form"] is None  # viewers read only
    assert "Add annotation" not in body


@pytest.mark.django_db
def test_the_widget_page_pages_through_events(client, people):
    widget = WidgetFactory(hub=people.hub)
    for _ in range(25):
        EventFactory(widget=widget)
    client.force_login(people.steward)
    url = reverse("feedback:widget", args=[people.hub.slug, widget.pk])
    assert len(client.get(url).context["event_page"].object_list) == 20
    response = client.get(url, {"events_page": 2}, headers={"HX-Request": "true"})
    assert len(response.context["event_page"].object_list) == 5
    assert response.content.decode().lstrip().startswith('<div id="events">')


@pytest.mark.django_db
def test_the_widget_page_has_empty_states(client, people):
    widget = WidgetFactory(hub=people.hub)
    client.force_login(people.steward)
    body = client.get(reverse("feedback:widget", args=[people.hub.slug, widget.pk])).content.decode()
    assert "No interactions recorded for this widget yet" in body
    assert "No annotations yet" in body
    assert Annotation.objects.count() == 0
