"""Where the learning loop meets phase 5: proposals weighed by their track record, and knowledge search
re-ranked by the meaning of the query (the real model: nothing is mocked)."""

import pytest

from assist import embeddings
from assist.models import AgentReviewRecord, ProposalStatus
from assist.proposers.common import create
from learning.selectors import KnowledgeFilters, knowledge_search, rerank
from learning.services import knowledge_distil
from tests.chain import accepted_candidate, decision_for

pytestmark = pytest.mark.django_db


def _summary(people, confidence=0.8):
    return create(
        proposal_type="summary",
        hub_id=people.hub.pk,
        content="s",
        model_ref="m",
        confidence=confidence,
        notes={},
    )


def test_a_kind_people_keep_rejecting_is_weighed_down_and_says_so(people):
    assert float(_summary(people).confidence) == pytest.approx(0.8)  # no track record: unchanged
    for _ in range(3):
        proposal = _summary(people)
        AgentReviewRecord.objects.create(proposal=proposal, reviewer=people.steward, decision="rejected")
        proposal.status = ProposalStatus.REJECTED
        proposal.save(update_fields=["status"])
    weighed = _summary(people)
    # 0.5 + (0 accepted + 1) / (3 reviewed + 2) = 0.7
    assert float(weighed.confidence) == pytest.approx(0.56)
    assert weighed.details == {"confidence_unweighed": 0.8, "weight": 0.7}
    other_hub = create(
        proposal_type="summary",
        hub_id=people.other_hub.pk,
        content="s",
        model_ref="m",
        confidence=0.8,
        notes={},
    )
    assert float(other_hub.confidence) == pytest.approx(0.8)  # another hub's record counts nowhere else


def test_knowledge_search_reranks_a_page_by_meaning(people):
    hub = people.hub
    shortcuts = decision_for(
        hub,
        candidate=accepted_candidate(hub),
        user=people.steward,
        title="Keyboard shortcut list",
        rationale="Add a printable list of keyboard shortcuts to the help page.",
    )
    enter = decision_for(
        hub,
        candidate=accepted_candidate(hub),
        user=people.steward,
        title="Enter submits the profile form",
        rationale="Keyboard users pressing Enter could not save.",
    )
    for decision in (shortcuts, enter):
        knowledge_distil(decision=decision, actor=people.steward)
    text_order = [
        {"decision_id": shortcuts.pk, "rank": 0.6, "title": "shortcuts"},
        {"decision_id": enter.pk, "rank": 0.5, "title": "enter"},
    ]
    query = "pressing the Enter key does not save my profile"
    assert [row["title"] for row in rerank([dict(r) for r in text_order], query)] == ["shortcuts", "enter"]
    embeddings.ensure("decision", [shortcuts.pk, enter.pk])  # now phase 5 has their meaning
    reranked = rerank([dict(r) for r in text_order], query)
    assert [row["title"] for row in reranked] == ["enter", "shortcuts"]
    assert reranked[0]["similarity"] > reranked[1]["similarity"]
    total, rows = knowledge_search(hub.pk, KnowledgeFilters(q="keyboard"), offset=0, limit=10)
    assert total == 2 and all(row["similarity"] is not None for row in rows)
    _, by_date = knowledge_search(
        hub.pk, KnowledgeFilters(q="keyboard", sort="-created_at"), offset=0, limit=10
    )
    assert all("score" not in row for row in by_date)  # only the relevance order is re-ranked
