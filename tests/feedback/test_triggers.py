"""The database guards annotations (retract once, move between threads, nothing else) and keeps the
triage history append-only (SQLSTATE P0001)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from feedback.models import Annotation, TriageState
from tests.factories import AnnotationFactory, CandidateFactory, ThreadFactory


def _refused(sql, params, message):
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    assert excinfo.value.__cause__.sqlstate == "P0001"
    assert message in str(excinfo.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [("body", "edited"), ("severity", "low"), ("category", "bug"), ("actor_type", "agent")],
)
def test_annotations_cannot_be_edited(column, value):
    annotation = AnnotationFactory(body="original", severity="high", category="friction")
    _refused(f"UPDATE annotations SET {column} = %s WHERE id = %s", [value, annotation.pk], "never edited")
    stored = Annotation.objects.get(pk=annotation.pk)
    assert (stored.body, stored.severity, stored.category) == ("original", "high", "friction")


@pytest.mark.django_db
def test_annotations_cannot_be_deleted_even_through_the_orm():
    annotation = AnnotationFactory()
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        annotation.delete()
    assert excinfo.value.__cause__.sqlstate == "P0001"
    assert Annotation.objects.filter(pk=annotation.pk).exists()


@pytest.mark.django_db
def test_an_annotation_is_retracted_once_with_a_reason(people):
    annotation = AnnotationFactory()
    annotation.retract(by=people.steward, reason="posted twice")
    stored = Annotation.objects.get(pk=annotation.pk)
    assert stored.retracted_at is not None and stored.retraction_reason == "posted twice"
    assert stored.retracted_by == people.steward.pk
    _refused(
        "UPDATE annotations SET retracted_at = now() WHERE id = %s", [annotation.pk], "already retracted"
    )
    _refused(
        "UPDATE annotations SET retraction_reason = 'x' WHERE id = %s", [annotation.pk], "already retracted"
    )
    _refused("UPDATE annotations SET retracted_at = NULL WHERE id = %s", [annotation.pk], "already retracted")


@pytest.mark.django_db
def test_a_retraction_needs_a_reason():
    annotation = AnnotationFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(retracted_at=timezone.now())
    assert Annotation.objects.get(pk=annotation.pk).retracted_at is None


@pytest.mark.django_db
def test_annotations_move_between_threads():
    annotation = AnnotationFactory()
    thread = ThreadFactory(widget=annotation.widget)
    Annotation.objects.filter(pk=annotation.pk).update(thread=thread)
    assert Annotation.objects.get(pk=annotation.pk).thread_id == thread.pk


@pytest.mark.django_db
def test_triage_states_are_append_only(people):
    state = TriageState.objects.create(candidate=CandidateFactory(), status="open", changed_by=people.steward)
    _refused("UPDATE triage_states SET status = 'accepted' WHERE id = %s", [state.pk], "append-only")
    _refused("DELETE FROM triage_states WHERE id = %s", [state.pk], "append-only")
    with pytest.raises(DatabaseError), transaction.atomic():
        state.delete()
    assert TriageState.objects.get(pk=state.pk).status == "open"
