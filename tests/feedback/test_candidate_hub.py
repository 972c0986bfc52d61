"""requirement_candidates.hub_id (sql/candidate_hub.sql, issue 21): the database keeps each candidate's hub,
the hub of its widget, whatever inserts or updates it; the board reads a hub's candidates by it."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from feedback.models import RequirementCandidate
from hubs.models import Widget
from tests.factories import CandidateFactory, HubFactory, WidgetFactory


def _hub_of(candidate_id):
    return RequirementCandidate.objects.values_list("hub_id", flat=True).get(pk=candidate_id)


@pytest.mark.django_db
def test_a_candidate_made_by_the_orm_or_by_sql_gets_its_widgets_hub():
    widget = WidgetFactory()
    assert _hub_of(CandidateFactory(source_widget=widget).pk) == widget.hub_id
    raw = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO requirement_candidates "
            "(id, title, description, source_widget_id, status, created_at) "
            "VALUES (%s, 'Raw', '', %s, 'open', now())",
            [raw, widget.pk],
        )
    assert _hub_of(raw) == widget.hub_id


@pytest.mark.django_db
def test_the_hub_cannot_be_set_apart_from_the_widgets():
    candidate = CandidateFactory()
    elsewhere = HubFactory()
    RequirementCandidate.objects.filter(pk=candidate.pk).update(hub_id=elsewhere.pk)
    assert _hub_of(candidate.pk) == candidate.source_widget.hub_id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_nullable FROM information_schema.columns "
            "WHERE table_name = 'requirement_candidates' AND column_name = 'hub_id'"
        )
        assert cursor.fetchone() == ("NO",)


@pytest.mark.django_db
def test_a_widget_moved_to_another_hub_takes_its_candidates_along(client, people):
    widget = WidgetFactory(hub=people.other_hub)
    candidate = CandidateFactory(source_widget=widget, title="Moved with its widget")
    Widget.objects.filter(pk=widget.pk).update(hub=people.hub)
    assert _hub_of(candidate.pk) == people.hub.pk
    client.force_login(people.viewer)
    board = client.get(reverse("feedback:board", args=[people.hub.slug]))
    assert "Moved with its widget" in {
        c.title for column in board.context["columns"] for c in column["cards"]
    }
    client.force_login(people.outsider)
    other = client.get(reverse("feedback:board", args=[people.other_hub.slug]))
    assert "Moved with its widget" not in other.content.decode()
