"""What the database keeps on each candidate for a busy hub's board (issue 21): its hub, the hub of its widget
(sql/candidate_hub.sql), and the worst open severity behind it (sql/candidate_worst_severity.sql), whatever
inserts or updates the candidate and its annotations."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from feedback.models import Annotation, RequirementCandidate
from hubs.models import Widget
from tests.factories import (
    AnnotationFactory,
    CandidateFactory,
    HubFactory,
    ThreadFactory,
    UserFactory,
    WidgetFactory,
)


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


def _worst(candidate_id):
    return RequirementCandidate.objects.values_list("worst_severity_rank", flat=True).get(pk=candidate_id)


@pytest.mark.django_db
def test_the_stored_worst_severity_follows_the_annotations_behind_the_candidate():
    widget = WidgetFactory()
    thread = ThreadFactory(widget=widget)
    source = AnnotationFactory(widget=widget, severity="low", thread=thread)
    candidate = CandidateFactory(source_widget=widget, source_annotation=source, source_thread=thread)
    assert _worst(candidate.pk) == 1
    critical = AnnotationFactory(widget=widget, severity="critical", thread=thread)
    assert _worst(candidate.pk) == 4, "a new annotation in the thread"
    critical.retract(by=UserFactory(), reason="duplicate report")
    assert _worst(candidate.pk) == 1, "a retraction"
    high = AnnotationFactory(widget=widget, severity="high")
    Annotation.objects.filter(pk=high.pk).update(thread=thread)
    assert _worst(candidate.pk) == 3, "an annotation moved into the thread"
    other_thread = ThreadFactory(widget=widget)
    Annotation.objects.filter(pk=high.pk).update(thread=other_thread)
    assert _worst(candidate.pk) == 1, "and out of it again"
    # The ORM saves every column, the stored value included: it is computed again, not taken from the model.
    candidate.worst_severity_rank = 4
    candidate.save()
    assert _worst(candidate.pk) == 1
    lone = CandidateFactory(source_widget=widget)
    assert _worst(lone.pk) == 0, "no annotation behind it"


@pytest.mark.django_db
def test_the_board_sorts_and_filters_by_the_stored_worst_severity(client, people):
    widget = WidgetFactory(hub=people.hub)
    for title, severity in [("Low one", "low"), ("Critical one", "critical"), ("High one", "high")]:
        CandidateFactory(
            source_widget=widget,
            title=title,
            source_annotation=AnnotationFactory(widget=widget, severity=severity),
        )
    client.force_login(people.viewer)
    board = reverse("feedback:board", args=[people.hub.slug])
    page = client.get(board, {"sort": "severity", "view": "list"}).context["page"]
    assert [c.title for c in page.object_list] == ["Critical one", "High one", "Low one"]
    assert [c.worst_rank for c in page.object_list] == [4, 3, 1]
    columns = client.get(board, {"severity": "high"}).context["columns"]
    assert {c.title for column in columns for c in column["cards"]} == {"Critical one", "High one"}
