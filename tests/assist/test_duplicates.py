"""duplicate_flag on real embeddings (the local model runs; nothing is mocked)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from assist.models import AgentProposal, AgentReviewRecord, ConfidenceAnnotation, ProposalStatus
from assist.proposers import duplicates
from assist.review import ReviewError, review
from feedback.models import RequirementCandidate, TriageState
from tests.assist.conftest import candidate

pytestmark = pytest.mark.django_db


def test_a_paraphrase_is_flagged_and_a_different_problem_of_the_same_widget_is_not(
    people, save_widget, clusters
):
    first = candidate(save_widget, clusters["save-button-ignores-enter"][0])
    other = candidate(save_widget, clusters["save-button-too-small-mobile"][0])
    again = candidate(save_widget, clusters["save-button-ignores-enter"][3])

    made = duplicates.propose(again)

    assert [(str(p.source_candidate_id), str(p.duplicate_of_candidate_id)) for p in made] == [
        (str(again.pk), str(first.pk))
    ]
    flag = AgentProposal.objects.get()
    assert (
        flag.status == "pending" and flag.hub_id == people.hub.pk and flag.source_widget_id == save_widget.pk
    )
    assert flag.details["similarity"] >= 0.55 and flag.details["same_widget"] is True
    notes = {n.dimension: n for n in ConfidenceAnnotation.objects.filter(proposal=flag)}
    assert set(notes) == {"accuracy", "relevance", "completeness"}
    assert "Cosine similarity" in notes["accuracy"].explanation
    assert other.pk not in {flag.source_candidate_id, flag.duplicate_of_candidate_id}
    # Proposing again proposes nothing new: a pair is proposed once.
    assert duplicates.propose(again) == [] and AgentProposal.objects.count() == 1


def test_another_hubs_candidate_is_never_a_duplicate(people, save_widget, clusters):
    from tests.factories import WidgetFactory

    elsewhere = WidgetFactory(hub=people.other_hub, name="Save button")
    candidate(elsewhere, clusters["save-button-ignores-enter"][0])
    mine = candidate(save_widget, clusters["save-button-ignores-enter"][1])
    assert duplicates.propose(mine) == []


def test_accepting_marks_the_duplicate_through_triage_and_rechecks_the_survivor(
    people, save_widget, clusters
):
    texts = clusters["save-button-ignores-enter"]
    original = candidate(save_widget, texts[0])
    copy = candidate(save_widget, texts[3])
    [flag] = duplicates.propose(copy)
    third = candidate(save_widget, texts[1])  # arrives after the flag: the re-check after the merge finds it
    RequirementCandidate.objects.filter(pk=third.pk).update(created_at=timezone.now() + timedelta(minutes=1))

    review(hub=people.hub, proposal_id=flag.pk, actor=people.steward, decision="accepted")

    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.pk)
    step = TriageState.objects.get(candidate=copy)
    assert step.changed_by == people.steward and str(flag.pk) in step.notes
    flag.refresh_from_db()
    assert flag.status == ProposalStatus.ACCEPTED
    assert AgentReviewRecord.objects.get(proposal=flag).decision == "accepted"
    rechecked = AgentProposal.objects.exclude(pk=flag.pk).get()
    assert (str(rechecked.source_candidate_id), str(rechecked.duplicate_of_candidate_id)) == (
        str(third.pk),
        str(original.pk),
    )


def test_a_second_review_changes_nothing(people, save_widget, clusters):
    candidate(save_widget, clusters["save-button-ignores-enter"][0])
    copy = candidate(save_widget, clusters["save-button-ignores-enter"][1])
    [flag] = duplicates.propose(copy)
    review(
        hub=people.hub, proposal_id=flag.pk, actor=people.reviewer, decision="rejected", notes="Not the same"
    )
    with pytest.raises(ReviewError, match="already rejected"):
        review(hub=people.hub, proposal_id=flag.pk, actor=people.steward, decision="accepted")
    assert RequirementCandidate.objects.get(pk=copy.pk).status == "open"
    assert AgentReviewRecord.objects.get(proposal=flag).notes == "Not the same"


def test_a_refused_merge_leaves_no_review(people, save_widget, clusters):
    candidate(save_widget, clusters["save-button-ignores-enter"][0])
    copy = candidate(save_widget, clusters["save-button-ignores-enter"][1])
    [flag] = duplicates.propose(copy)
    RequirementCandidate.objects.filter(pk=copy.pk).update(
        status="accepted"
    )  # final: cannot become duplicate
    with pytest.raises(ReviewError, match="cannot become duplicate"):
        review(hub=people.hub, proposal_id=flag.pk, actor=people.steward, decision="accepted")
    assert not AgentReviewRecord.objects.exists()
    assert AgentProposal.objects.get().status == "pending"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE agent_proposals SET content = 'changed'",
        "UPDATE agent_proposals SET confidence = 0.1",
        "UPDATE agent_proposals SET status = 'accepted'",
        "DELETE FROM agent_proposals",
        "UPDATE confidence_annotations SET score = 0.5",
        "DELETE FROM confidence_annotations",
    ],
)
def test_the_database_refuses_editing_a_proposal(people, save_widget, clusters, statement):
    candidate(save_widget, clusters["save-button-ignores-enter"][0])
    copy = candidate(save_widget, clusters["save-button-ignores-enter"][1])
    [flag] = duplicates.propose(copy)
    from django.db import connection

    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert refused.value.__cause__.sqlstate == "P0001"
    flag.refresh_from_db()
    assert flag.status == "pending" and ConfidenceAnnotation.objects.filter(proposal=flag).count() == 3


def test_a_closed_candidate_is_never_the_one_marked_duplicate(people, save_widget, clusters):
    older = candidate(save_widget, clusters["save-button-ignores-enter"][0])
    newer = candidate(save_widget, clusters["save-button-ignores-enter"][3], status="accepted")
    RequirementCandidate.objects.filter(pk=newer.pk).update(created_at=timezone.now() + timedelta(minutes=1))
    newer.refresh_from_db()
    [flag] = duplicates.propose(newer)
    assert (str(flag.source_candidate_id), str(flag.duplicate_of_candidate_id)) == (
        str(older.pk),
        str(newer.pk),
    )
    RequirementCandidate.objects.filter(pk=older.pk).update(status="rejected")
    AgentProposal.objects.filter(pk=flag.pk).update(status="superseded")
    third = candidate(save_widget, clusters["save-button-ignores-enter"][1], status="rejected")
    assert duplicates.propose(third) == []  # every one of them is closed: nothing can be marked
