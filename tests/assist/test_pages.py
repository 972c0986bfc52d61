"""The proposals inbox, a review from the browser (with and without htmx), the draft promote form and
similar-feedback-as-you-type: responses and what the database holds afterwards."""

import pytest
from django.urls import reverse

from assist.models import AgentProposal, AgentReviewRecord
from assist.proposers import duplicates
from assist.proposers.common import create
from feedback.models import RequirementCandidate
from governance.models import Requirement
from tests.assist.conftest import candidate
from tests.chain import accepted_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(people, save_widget, clusters):
    original = candidate(save_widget, clusters["save-button-ignores-enter"][0])
    copy = candidate(save_widget, clusters["save-button-ignores-enter"][3])
    [flag] = duplicates.propose(copy)
    return original, copy, flag


def summary(people, thread=None, confidence=0.9):
    return create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="Enter does nothing.",
        model_ref="test",
        confidence=confidence,
        notes={"accuracy": (1.0, "quoted")},
        source_thread=thread,
    )


def test_the_inbox_lists_pending_first_with_why_and_the_panel(
    client, people, flagged, django_assert_max_num_queries
):
    _, _, flag = flagged
    done = summary(people)
    AgentReviewRecord.objects.create(proposal=done, reviewer=people.steward, decision="rejected")
    AgentProposal.objects.filter(pk=done.pk).update(status="rejected")
    client.force_login(people.viewer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assist:inbox", args=["alpha"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(str(flag.pk)) < page.index(str(done.pk))  # pending first
    assert "Cosine similarity" in page and "Accept: mark duplicate" not in page  # viewers see, cannot review
    panel = response.context["panel"]
    row = {r["type"]: r for r in panel["types"]}
    assert row["summary"]["rejected"] == 1 and row["summary"]["acceptance"] == 0.0
    assert row["summary"]["calibration"] == 0.0 and row["duplicate_flag"]["pending"] == 1
    assert panel["calls"] >= 1 and panel["p95"] is not None and panel["computed_at"]


def test_the_inbox_query_count_does_not_grow_with_proposals(client, people, django_assert_max_num_queries):
    for _ in range(30):
        summary(people)
    client.force_login(people.steward)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assist:inbox", args=["alpha"]))
    assert response.status_code == 200 and len(response.context["page"]) == 25


def test_a_bad_filter_is_named(client, people):
    client.force_login(people.steward)
    response = client.get(reverse("assist:inbox", args=["alpha"]), {"min_confidence": "2", "type": "nope"})
    assert response.status_code == 422
    assert (
        "id_min_confidence_error" in response.content.decode()
        and "id_type_error" in response.content.decode()
    )


def test_accepting_a_duplicate_flag_without_javascript(client, people, flagged):
    original, copy, flag = flagged
    client.force_login(people.reviewer)
    url = reverse("assist:review", args=["alpha", flag.pk])
    response = client.post(
        url, {"decision": "accepted", "notes": "same bug", "next": "/hubs/alpha/proposals/"}
    )
    assert response.status_code == 302 and response.url == "/hubs/alpha/proposals/"
    copy.refresh_from_db()
    assert (copy.status, copy.duplicate_of_id) == ("duplicate", original.pk)
    review = AgentReviewRecord.objects.get(proposal=flag)
    assert (review.decision, review.reviewer, review.notes) == ("accepted", people.reviewer, "same bug")


def test_rejecting_with_htmx_returns_the_card(client, people, flagged):
    _, copy, flag = flagged
    client.force_login(people.steward)
    response = client.post(
        reverse("assist:review", args=["alpha", flag.pk]), {"decision": "rejected"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert (
        f'id="proposal-{flag.pk}"' in response.content.decode() and "Rejected by" in response.content.decode()
    )
    assert RequirementCandidate.objects.get(pk=copy.pk).status == "open"
    assert AgentProposal.objects.get(pk=flag.pk).status == "rejected"


def test_a_review_without_a_decision_is_refused_and_writes_nothing(client, people, flagged):
    _, _, flag = flagged
    client.force_login(people.steward)
    response = client.post(reverse("assist:review", args=["alpha", flag.pk]), {"decision": "maybe"})
    assert response.status_code == 422 and "id_decision_error" in response.content.decode()
    assert (
        not AgentReviewRecord.objects.exists() and AgentProposal.objects.get(pk=flag.pk).status == "pending"
    )


def test_a_second_review_is_a_conflict(client, people, flagged):
    _, _, flag = flagged
    client.force_login(people.steward)
    url = reverse("assist:review", args=["alpha", flag.pk])
    client.post(url, {"decision": "rejected"})
    response = client.post(url, {"decision": "accepted"})
    assert response.status_code == 409 and "already rejected" in response.content.decode()
    assert AgentReviewRecord.objects.get(proposal=flag).decision == "rejected"


def test_modifying_a_summary_keeps_the_persons_text(client, people):
    proposal = summary(people)
    client.force_login(people.reviewer)
    url = reverse("assist:review", args=["alpha", proposal.pk])
    empty = client.post(url, {"decision": "modified", "content": "  "})
    assert empty.status_code == 409 and not AgentReviewRecord.objects.exists()
    response = client.post(url, {"decision": "modified", "content": "Enter key ignored on Save."})
    assert response.status_code == 302
    review = AgentReviewRecord.objects.get(proposal=proposal)
    assert review.decision == "modified" and review.modified_content == {
        "content": "Enter key ignored on Save."
    }
    assert AgentProposal.objects.get(pk=proposal.pk).content == "Enter does nothing."  # never edited


def test_promoting_from_a_changed_draft_records_the_changes(client, people):
    accepted = accepted_candidate(people.hub)
    draft = create(
        proposal_type="requirement_draft",
        hub_id=people.hub.pk,
        content="x",
        model_ref="test",
        confidence=0.6,
        notes={},
        details={"title": "Enter submits the profile form", "description": "D", "criteria": ["C1"]},
        source_candidate=accepted,
    )
    client.force_login(people.steward)
    url = reverse("assist:promote", args=["alpha", draft.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Enter submits the profile form" in form.content.decode()
    assert client.post(url, {"title": "", "description": "D"}).status_code == 422
    assert not Requirement.objects.exists()
    response = client.post(
        url, {"title": "Enter saves the profile", "description": "D\n\nAcceptance criteria:\n- C1"}
    )
    requirement = Requirement.objects.get()
    assert response.status_code == 302 and requirement.title == "Enter saves the profile"
    review = AgentReviewRecord.objects.get(proposal=draft)
    assert review.decision == "modified" and review.modified_content == {"title": "Enter saves the profile"}
    assert AgentProposal.objects.get(pk=draft.pk).status == "accepted"


def test_similar_feedback_as_you_type(client, people, flagged):
    client.force_login(people.reviewer)
    response = client.get(
        reverse("assist:similar", args=["alpha"]), {"body": "pressing enter in the profile does not save it"}
    )
    assert response.status_code == 200
    assert "Save button ignores Enter key" in response.content.decode()
    short = client.get(reverse("assist:similar", args=["alpha"]), {"body": "enter"})
    assert short.status_code == 200 and "Similar feedback" not in short.content.decode()


def test_the_candidate_page_shows_the_flag_in_place(client, people, flagged):
    _, copy, flag = flagged
    client.force_login(people.steward)
    response = client.get(reverse("feedback:candidate", args=["alpha", copy.pk]))
    assert response.status_code == 200 and f'id="proposal-{flag.pk}"' in response.content.decode()


def test_the_cross_hub_page_hints_at_the_same_problem_in_two_hubs(client, people, save_widget, clusters):
    from assist import embeddings
    from hubs.models import HubMembership
    from tests.factories import WidgetFactory

    HubMembership.objects.create(hub=people.other_hub, user=people.steward, role="steward")
    mine = candidate(save_widget, clusters["save-button-ignores-enter"][0])
    theirs = candidate(WidgetFactory(hub=people.other_hub), clusters["save-button-ignores-enter"][3])
    unrelated = candidate(WidgetFactory(hub=people.other_hub), clusters["save-button-too-small-mobile"][2])
    embeddings.ensure("candidate", [mine.pk, theirs.pk, unrelated.pk])
    client.force_login(people.steward)
    page = client.get(reverse("observability:propagations")).content.decode()
    assert "The same problem in two hubs" in page
    assert str(mine.pk) in page and str(theirs.pk) in page and str(unrelated.pk) not in page
    client.force_login(people.outsider)  # a steward of beta only: one hub, no pair to show
    assert (
        "The same problem in two hubs"
        not in client.get(reverse("observability:propagations")).content.decode()
    )


def test_the_promote_form_offers_the_draft(client, people):
    accepted = accepted_candidate(people.hub)
    draft = create(
        proposal_type="requirement_draft",
        hub_id=people.hub.pk,
        content="x",
        model_ref="test",
        confidence=0.6,
        notes={},
        details={"title": "T", "description": "D", "criteria": ["C1"]},
        source_candidate=accepted,
    )
    client.force_login(people.reviewer)
    page = client.get(reverse("governance:promote", args=["alpha", accepted.pk])).content.decode()
    assert reverse("assist:promote", args=["alpha", draft.pk]) in page


def test_a_board_card_shows_its_duplicate_flag(client, people, flagged, django_assert_max_num_queries):
    _, copy, flag = flagged
    client.force_login(people.steward)
    # The board's 13 (tests/feedback/test_board.py), the flags among them.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("feedback:board", args=["alpha"]))
    page = response.content.decode()
    card = page[page.index(f'id="candidate-{copy.pk}"') :]
    card = card[: card.index("</article>")]
    assert "possible duplicate of" in card and reverse("assist:proposal", args=["alpha", flag.pk]) in card


def test_a_card_keeps_its_duplicate_flag_in_the_columns_a_move_redraws(client, people, flagged):
    _, copy, flag = flagged
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:transition", args=["alpha", copy.pk]),
        {"target": "under_review", "expected_status": "open", "board_query": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="column-open"' in page and 'id="column-under_review"' in page
    card = page[page.index(f'id="candidate-{copy.pk}"') :]
    card = card[: card.index("</article>")]
    assert "possible duplicate of" in card and reverse("assist:proposal", args=["alpha", flag.pk]) in card
    assert RequirementCandidate.objects.get(pk=copy.pk).status == "under_review"
