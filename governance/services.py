"""Governance writes: promotion, decisions and their references. Decisions are never edited."""

import uuid

from django.db import IntegrityError, transaction

from feedback.models import CandidateStatus, RequirementCandidate
from governance.models import DecisionRecord, ImplementationChangeReference, PolicyReference, Requirement
from hubs.models import Hub
from ihf.models import User

NOT_ACCEPTED = "Only an accepted candidate can be promoted; this one is {status}."
ALREADY_PROMOTED = "This candidate was already promoted to a requirement."
ALREADY_SUPERSEDED = "That decision has already been superseded by a later one."
SUPERSEDE_OTHER_SUBJECT = "A decision can only supersede a decision on the same requirement or candidate."


class GovernanceError(Exception):
    pass


def requirement_promote(
    *, hub: Hub, candidate_id: uuid.UUID, actor: User, title: str, description: str
) -> Requirement:
    with transaction.atomic():
        # Locked so that two people promoting at once cannot create two requirements.
        candidate: RequirementCandidate = (
            RequirementCandidate.objects.select_for_update(of=("self",))
            .for_hub(hub)  # type: ignore[no-untyped-call]  # for_hub() is not annotated (feedback/models)
            .get(pk=candidate_id)
        )
        if candidate.status != CandidateStatus.ACCEPTED:
            raise GovernanceError(NOT_ACCEPTED.format(status=candidate.get_status_display().lower()))
        if candidate.requirement_id:
            raise GovernanceError(ALREADY_PROMOTED)
        requirement = Requirement.objects.create(
            title=title, description=description, source_candidate=candidate, created_by=actor
        )
        candidate.requirement_id = requirement.pk
        candidate.save(update_fields=["requirement_id"])
    return requirement


def decision_record(
    *,
    hub: Hub,
    actor: User,
    title: str,
    rationale: str,
    outcome: str,
    notes: str = "",
    requirement: Requirement | None = None,
    candidate: RequirementCandidate | None = None,
    supersedes: DecisionRecord | None = None,
    policy_scope: str = "",
    constraint_note: str = "",
    pattern: str | None = None,
) -> DecisionRecord:
    if supersedes is not None and (supersedes.requirement_id, supersedes.candidate_id) != (
        requirement.pk if requirement else None,
        candidate.pk if candidate else None,
    ):
        raise GovernanceError(SUPERSEDE_OTHER_SUBJECT)
    try:
        with transaction.atomic():
            decision = DecisionRecord.objects.create(
                hub=hub,
                title=title,
                rationale=rationale,
                outcome=outcome,
                notes=notes or None,
                requirement=requirement,
                candidate=candidate,
                supersedes=supersedes,
                decided_by=actor,
                pattern=pattern,
            )
            if policy_scope:
                PolicyReference.objects.create(
                    decision=decision,
                    policy_scope=policy_scope,
                    constraint_note=constraint_note or None,
                    created_by=actor,
                )
    except IntegrityError as error:
        if "supersedes" in str(error):
            raise GovernanceError(ALREADY_SUPERSEDED) from None
        raise
    return decision


def policy_reference_add(
    *, decision: DecisionRecord, actor: User, policy_scope: str, constraint_note: str = ""
) -> PolicyReference:
    return PolicyReference.objects.create(
        decision=decision,
        policy_scope=policy_scope,
        constraint_note=constraint_note or None,
        created_by=actor,
    )


def change_reference_add(
    *, decision: DecisionRecord, actor: User, system: str, work_item_ref: str
) -> ImplementationChangeReference:
    reference = ImplementationChangeReference(
        decision=decision, system=system, work_item_ref=work_item_ref, linked_by=actor
    )
    reference.full_clean(exclude=["decision", "linked_by"])
    reference.save()
    return reference
