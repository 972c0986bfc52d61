"""Search across candidates, annotations, decisions and widgets, within the hubs a person belongs to
(issue 19)."""

import pytest
from django.urls import reverse

from governance.models import DecisionRecord
from governance.search import QUERY_TOO_SHORT
from tests.factories import AnnotationFactory, CandidateFactory, WidgetFactory


def _things(hub, word):
    widget = WidgetFactory(hub=hub, name=f"{word} button")
    candidate = CandidateFactory(source_widget=widget, title=f"{word} is slow")
    annotation = AnnotationFactory(widget=widget, body=f"The {word} spins forever")
    decision = DecisionRecord.objects.create(
        hub=hub, title=f"Ship the faster {word}", rationale="Because", outcome="approved", candidate=candidate
    )
    return widget, candidate, annotation, decision


@pytest.mark.django_db
def test_search_finds_every_kind_in_the_readers_hubs_only(client, people, django_assert_max_num_queries):
    widget, candidate, annotation, _decision = _things(people.hub, "Checkout")
    other = _things(people.other_hub, "Checkout")
    retracted = AnnotationFactory(widget=widget, body="Checkout retracted remark")
    retracted.retract(by=people.steward, reason="wrong")
    client.force_login(people.viewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("governance:search"), {"q": "checkout"})
    results = response.context["results"]
    assert response.status_code == 200
    assert results["widgets"] == [widget] and results["candidates"] == [candidate]
    assert results["annotations"] == [annotation]
    assert [d.candidate_id for d in results["decisions"]] == [candidate.pk]
    body = response.content.decode()
    assert reverse("feedback:candidate", args=[people.hub.slug, candidate.pk]) in body
    assert reverse("feedback:widget", args=[people.other_hub.slug, other[0].pk]) not in body
    client.force_login(people.outsider)
    assert client.get(reverse("governance:search"), {"q": "checkout"}).context["results"]["widgets"] == [
        other[0]
    ]
    client.force_login(people.admin)
    assert len(client.get(reverse("governance:search"), {"q": "checkout"}).context["results"]["widgets"]) == 2


@pytest.mark.django_db
def test_a_too_short_search_is_refused_naming_the_field(client, people):
    client.force_login(people.viewer)
    response = client.get(reverse("governance:search"), {"q": "x"})
    assert response.status_code == 400 and f"q: {QUERY_TOO_SHORT}" in response.content.decode()
    assert response.context["results"] is None
