"""A person's decision about a proposal: the only way a proposal changes anything.

Each review is one transaction: the proposal row is locked, the review written, the proposal's status set
(the database refuses accepted/rejected without the review: sql/assist.sql), and an accepted proposal applied:
a duplicate_flag marks its candidate duplicate through the triage workflow (a triage_states row by the
reviewer, naming the proposal) and then re-checks the surviving candidate for further duplicates. A
requirement draft is accepted or modified where the requirement is created (promote_from_draft).
"""

import uuid
from typing import Any

from django.db import transaction

from assist.models import AgentProposal, AgentReviewRecord, ProposalStatus, ProposalType, ReviewDecision
from assist.proposers import duplicates
from feedback import services as feedback_services
from feedback.models import CandidateStatus, RequirementCandidate
from governance import services as governance_services
from governance.models import Requirement
from hubs.models import Hub
from ihf.models import User

ALREADY_REVIEWED = "This proposal is already {status}: nothing was changed."
ONLY_TEXT_MODIFIED = "Only a summary's text can be modified here; a draft is modified on the promote form."
MODIFIED_EMPTY = "Write the summary as you want it kept."
DRAFT_ON_PROMOTE = "A requirement draft is accepted by promoting the candidate with it."


class ReviewError(Exception):
    """A refused review; the message is for the person who tried it."""


def _locked(hub: Hub, proposal_id: uuid.UUID | str) -> AgentProposal:
    proposal: AgentProposal = AgentProposal.objects.select_for_update().get(pk=proposal_id, hub=hub)
    if proposal.status != ProposalStatus.PENDING:
        raise ReviewError(ALREADY_REVIEWED.format(status=proposal.get_status_display().lower()))
    return proposal


def review(
    *, hub: Hub, proposal_id: uuid.UUID | str, actor: User, decision: str, notes: str = "", content: str = ""
) -> AgentProposal:
    with transaction.atomic():
        proposal = _locked(hub, proposal_id)
        modified = None
        if decision == ReviewDecision.MODIFIED:
            if proposal.proposal_type != ProposalType.SUMMARY:
                raise ReviewError(ONLY_TEXT_MODIFIED)
            if not content.strip():
                raise ReviewError(MODIFIED_EMPTY)
            modified = {"content": content.strip()}
        if decision == ReviewDecision.ACCEPTED and proposal.proposal_type == ProposalType.REQUIREMENT_DRAFT:
            raise ReviewError(DRAFT_ON_PROMOTE)
        AgentReviewRecord.objects.create(
            proposal=proposal,
            reviewer=actor,
            decision=decision,
            notes=notes or None,
            modified_content=modified,
        )
        proposal.status = (
            ProposalStatus.REJECTED if decision == ReviewDecision.REJECTED else ProposalStatus.ACCEPTED
        )
        proposal.save(update_fields=["status"])
        if (
            proposal.status == ProposalStatus.ACCEPTED
            and proposal.proposal_type == ProposalType.DUPLICATE_FLAG
        ):
            _merge(hub, proposal, actor)
    return proposal


def _merge(hub: Hub, proposal: AgentProposal, actor: User) -> None:
    # The database's CHECK makes a duplicate_flag name both candidates.
    assert proposal.source_candidate_id and proposal.duplicate_of_candidate_id
    duplicate = RequirementCandidate.objects.get(pk=proposal.source_candidate_id)
    original = RequirementCandidate.objects.select_related("source_widget").get(
        pk=proposal.duplicate_of_candidate_id
    )
    if original.status == CandidateStatus.DUPLICATE:
        raise ReviewError(f"“{original.title}” was itself marked duplicate meanwhile: nothing was changed.")
    try:
        feedback_services.candidate_transition(
            hub=hub,
            candidate_id=duplicate.pk,
            actor=actor,
            target=CandidateStatus.DUPLICATE,
            duplicate_of=original,
            notes=f"Duplicate of “{original.title}”, accepting AI proposal {proposal.pk} "
            f"(similarity {proposal.details.get('similarity', '?')}).",
        )
    except feedback_services.TriageError as exc:
        raise ReviewError(str(exc)) from exc
    # The merged candidate's other flags are moot; the survivor may have more duplicates now.
    AgentProposal.objects.filter(
        proposal_type=ProposalType.DUPLICATE_FLAG, status=ProposalStatus.PENDING, source_candidate=duplicate
    ).update(status=ProposalStatus.SUPERSEDED)
    duplicates.propose(original)


def promote_from_draft(
    *, hub: Hub, proposal_id: uuid.UUID | str, actor: User, title: str, description: str
) -> Requirement:
    """Create the requirement from a draft as the person left it: accepted if unchanged, else modified (with
    what they changed)."""
    with transaction.atomic():
        proposal = _locked(hub, proposal_id)
        if proposal.proposal_type != ProposalType.REQUIREMENT_DRAFT or not proposal.source_candidate_id:
            raise ReviewError("This proposal is not a requirement draft.")
        draft = proposal.details
        drafted_description = draft_description(draft)
        changes = {}
        if title.strip() != draft.get("title", "").strip():
            changes["title"] = title
        if description.strip() != drafted_description.strip():
            changes["description"] = description
        try:
            requirement = governance_services.requirement_promote(
                hub=hub,
                candidate_id=proposal.source_candidate_id,
                actor=actor,
                title=title,
                description=description,
            )
        except governance_services.GovernanceError as exc:
            raise ReviewError(str(exc)) from exc
        AgentReviewRecord.objects.create(
            proposal=proposal,
            reviewer=actor,
            decision=ReviewDecision.MODIFIED if changes else ReviewDecision.ACCEPTED,
            modified_content=changes or None,
            notes=f"Promoted to requirement {requirement.pk}.",
        )
        proposal.status = ProposalStatus.ACCEPTED
        proposal.save(update_fields=["status"])
    return requirement


def draft_description(draft: dict[str, Any]) -> str:
    criteria = "\n".join(f"- {c}" for c in draft.get("criteria", []))
    return f"{draft.get('description', '')}\n\nAcceptance criteria:\n{criteria}".strip()
