"""The cross-hub pages for every member (issue 19, items 4 and 5): the review board shows reviewers and
viewers their hubs, the patterns page is paginated, links each pattern to what it is made of, and offers
Acknowledge and Resolve only to those who may use them."""

import pytest
from django.urls import reverse

from observability import compute
from observability.cross_hub_views import PATTERNS_PER_PAGE
from observability.models import CrossHubPropagation, FrictionScore
from tests.factories import AnnotationFactory, HubFactory, MembershipFactory, WidgetFactory


def _pattern(hubs, n=0, **kwargs):
    fields = {
        "pattern_type": "widget_type_friction",
        "source_hub": hubs[0],
        "affected_hub_ids": sorted(str(h.pk) for h in hubs),
        "summary": f"Pattern {n:02d}",
        "fingerprint": f"widget_type_friction:type{n}",
    }
    return CrossHubPropagation.objects.create(**(fields | kwargs))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_the_review_board_shows_reviewers_and_viewers_their_hubs_and_patterns(client, people, role):
    WidgetFactory(hub=people.hub)
    compute.snapshot_health()
    _pattern([people.hub, people.other_hub], summary="Checkout forms hurt everywhere")
    client.force_login(getattr(people, role))
    page = client.get(reverse("observability:review")).content.decode()
    assert "No hubs." not in page and "No open cross-hub pattern" not in page
    assert people.hub.name in page and "Checkout forms hurt everywhere" in page
    assert people.other_hub.name not in page


@pytest.mark.django_db
def test_the_patterns_page_is_paginated_and_offers_actions_only_to_stewards(client, people):
    for n in range(PATTERNS_PER_PAGE + 5):
        _pattern([people.hub, people.other_hub], n)
    url = reverse("observability:propagations")
    client.force_login(people.viewer)
    first = client.get(url)
    assert first.status_code == 200 and len(first.context["items"]) == PATTERNS_PER_PAGE
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["items"]) == 5
    body = first.content.decode()
    assert "Acknowledge" not in body and "Resolve" not in body
    assert reverse("feedback:hub", args=[people.hub.slug]) in body
    assert reverse("feedback:hub", args=[people.other_hub.slug]) not in body  # not the viewer's hub
    client.force_login(people.reviewer)
    assert "Acknowledge" not in client.get(url).content.decode()
    client.force_login(people.steward)
    assert client.get(url).content.decode().count('value="acknowledge"') == PATTERNS_PER_PAGE


@pytest.mark.django_db
def test_a_clusters_page_links_its_annotations_in_the_readers_hubs_only(client, people):
    mine = WidgetFactory(hub=people.hub, name="Card form")
    theirs = WidgetFactory(hub=people.other_hub, name="Their form")
    shown = AnnotationFactory(widget=mine, body="The postcode field rejects valid postcodes silently")
    AnnotationFactory(widget=theirs, body="Postcode field rejects valid postcodes, silently")
    AnnotationFactory(widget=mine, body="Unrelated remark about colours")
    pattern = _pattern(
        [people.hub, people.other_hub],
        pattern_type="annotation_cluster",
        fingerprint="annotation_cluster:field postcod reject silent valid",
    )
    client.force_login(people.viewer)
    response = client.get(reverse("observability:propagation", args=[pattern.pk]))
    assert response.status_code == 200
    assert response.context["evidence"]["annotations"] == [shown]
    body = response.content.decode()
    assert reverse("feedback:widget", args=[people.hub.slug, mine.pk]) in body
    assert "Their form" not in body and "1 hub you do not belong to" in body
    assert "Acknowledge" not in body


@pytest.mark.django_db
def test_a_friction_patterns_page_lists_the_red_widgets_of_its_type(client, people):
    red = WidgetFactory(hub=people.hub, widget_type="datepicker", name="Red picker")
    calm = WidgetFactory(hub=people.hub, widget_type="datepicker", name="Calm picker")
    FrictionScore.objects.create(widget=red, score=90)
    FrictionScore.objects.create(widget=calm, score=5)
    pattern = _pattern([people.hub, HubFactory()], fingerprint="widget_type_friction:datepicker")
    MembershipFactory(hub=people.other_hub, user=people.steward, role="steward")
    client.force_login(people.steward)
    response = client.get(reverse("observability:propagation", args=[pattern.pk]))
    assert response.context["evidence"]["widgets"] == [red]
    assert response.context["may_act"] is True
    assert f"{reverse('feedback:hub', args=[people.hub.slug])}?type=datepicker" in response.content.decode()
