"""Running the proposers over what is new: by the jobs after each new annotation, candidate and decision,
and by `manage.py propose` (and its periodic job) for whatever the jobs missed.

"New" is per proposer and subject (proposer_runs): a candidate never looked at for duplicates, a thread or
candidate with annotations newer than its last summary, an accepted candidate without a draft, a decision
never looked at for policy and implementation hints.
"""

from collections.abc import Callable

from django.db import connection

from assist.models import ProposalType
from assist.proposers import duplicates, hints, summaries
from feedback.models import AnnotationThread, RequirementCandidate
from governance.models import DecisionRecord

# proposal type -> (subject kind, SQL selecting the new subjects' ids, optionally in one hub (%(hub)s))
NEW: dict[str, tuple[str, str]] = {
    ProposalType.DUPLICATE_FLAG: (
        "candidate",
        "SELECT c.id FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id "
        "WHERE c.status <> 'duplicate' AND (%(hub)s::uuid IS NULL OR w.hub_id = %(hub)s) AND NOT EXISTS "
        "(SELECT 1 FROM proposer_runs r WHERE r.proposal_type = 'duplicate_flag' AND r.subject_id = c.id)",
    ),
    ProposalType.SUMMARY: (
        "thread",
        "SELECT t.id FROM annotation_threads t JOIN widgets w ON w.id = t.widget_id "
        "WHERE (%(hub)s::uuid IS NULL OR w.hub_id = %(hub)s) AND EXISTS (SELECT 1 FROM annotations a "
        "  WHERE a.thread_id = t.id AND a.created_at > coalesce((SELECT r.ran_at FROM proposer_runs r "
        "  WHERE r.proposal_type = 'summary' AND r.subject_id = t.id), '-infinity'))",
    ),
    ProposalType.REQUIREMENT_DRAFT: (
        "candidate",
        "SELECT c.id FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id "
        "WHERE c.status = 'accepted' AND c.requirement_id IS NULL "
        "AND (%(hub)s::uuid IS NULL OR w.hub_id = %(hub)s) "
        "AND NOT EXISTS (SELECT 1 FROM proposer_runs r WHERE r.proposal_type = 'requirement_draft' "
        "AND r.subject_id = c.id)",
    ),
    ProposalType.POLICY_FLAG: (
        "decision",
        "SELECT d.id FROM decision_records d "
        "WHERE (%(hub)s::uuid IS NULL OR d.hub_id = %(hub)s) AND NOT EXISTS "
        "(SELECT 1 FROM proposer_runs r WHERE r.proposal_type = 'policy_flag' AND r.subject_id = d.id)",
    ),
    ProposalType.IMPL_PROPOSAL: (
        "decision",
        "SELECT d.id FROM decision_records d WHERE d.outcome = 'approved' "
        "AND (%(hub)s::uuid IS NULL OR d.hub_id = %(hub)s) AND NOT EXISTS "
        "(SELECT 1 FROM proposer_runs r WHERE r.proposal_type = 'impl_proposal' AND r.subject_id = d.id)",
    ),
}


def ran(proposal_type: str, subject_id) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO proposer_runs (proposal_type, subject_id) VALUES (%s, %s) "
            "ON CONFLICT (proposal_type, subject_id) DO UPDATE SET ran_at = now()",
            [proposal_type, subject_id],
        )


def run_one(proposal_type: str, subject_id) -> int:
    """Run one proposer on one subject; how many proposals it wrote."""
    made: list = []
    if proposal_type == ProposalType.DUPLICATE_FLAG:
        candidate = RequirementCandidate.objects.select_related("source_widget").filter(pk=subject_id).first()
        made = duplicates.propose(candidate) if candidate else []
    elif proposal_type == ProposalType.SUMMARY:
        thread = AnnotationThread.objects.select_related("widget").filter(pk=subject_id).first()
        made = [summaries.propose_summary(thread=thread)] if thread else []
    elif proposal_type == ProposalType.REQUIREMENT_DRAFT:
        candidate = RequirementCandidate.objects.select_related("source_widget").filter(pk=subject_id).first()
        made = [summaries.propose_draft(candidate)] if candidate else []
        if candidate:
            made.append(summaries.propose_summary(candidate=candidate))
    elif proposal_type == ProposalType.POLICY_FLAG:
        decision = DecisionRecord.objects.filter(pk=subject_id).first()
        candidate = RequirementCandidate.objects.select_related("source_widget").filter(pk=subject_id).first()
        subject = decision or candidate
        made = [hints.propose_policy(subject)] if subject else []
    elif proposal_type == ProposalType.IMPL_PROPOSAL:
        decision = DecisionRecord.objects.filter(pk=subject_id).first()
        made = [hints.propose_impl(decision)] if decision else []
    ran(proposal_type, subject_id)
    return sum(1 for p in made if p is not None)


def new_subjects(proposal_type: str, hub_id=None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(NEW[proposal_type][1], {"hub": hub_id})
        return [row[0] for row in cursor.fetchall()]


def run(*, hub_id=None, types: list[str] | None = None, log: Callable[[str], None] = lambda m: None) -> int:
    total = 0
    for proposal_type in types or list(NEW):
        subjects = new_subjects(proposal_type, hub_id)
        log(f"{proposal_type}: {len(subjects)} {NEW[proposal_type][0]}s to look at")
        made = 0
        for done, subject_id in enumerate(subjects, 1):
            made += run_one(proposal_type, subject_id)
            if done % 25 == 0 or done == len(subjects):
                log(f"  {done} of {len(subjects)} looked at, {made} proposals")
        total += made
    return total
