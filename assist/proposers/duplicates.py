"""duplicate_flag: candidates that say what an earlier one says.

For a candidate, its nearest candidates of the same hub (open, under review, deferred, or closed in the last
CLOSED_DAYS days; never one already marked duplicate) by cosine similarity of title and description. Each at
or above the threshold (settings.IHF_DUPLICATE_THRESHOLD, chosen by `bin/ihf bench ai`) becomes one proposal:
the newer candidate duplicates the older one, which survives a merge. A pair is proposed once, whatever its
earlier proposal's fate.
"""

import time

from django.conf import settings
from django.db import connection
from django.db.models import Q

from assist import calls, embeddings, model, neighbours
from assist.models import AgentProposal, Dimension, ProposalType, SubjectType
from assist.proposers.common import create, shared_words
from feedback.models import CandidateStatus, RequirementCandidate

CLOSED_DAYS = 90
NEIGHBOURS = 8
# At most this many flags per candidate: the best matches; a merge re-checks the survivor for the rest.
MAX_FLAGS = 3
# The statuses from which the triage workflow lets a candidate become a duplicate.
MARKABLE = {CandidateStatus.OPEN, CandidateStatus.UNDER_REVIEW}


def _comparable(hub_id, ids: list[str]) -> dict[str, tuple]:
    """Of these candidates, those a duplicate may point at: (title, description, created_at, widget name)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.title, c.description, c.created_at, w.name, c.source_widget_id, c.status "
            "FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id "
            "WHERE c.id = ANY(%s::uuid[]) AND w.hub_id = %s AND c.status <> 'duplicate' "
            "AND (c.status IN ('open', 'under_review', 'deferred') "
            "     OR c.created_at > now() - make_interval(days => %s) "
            "     OR EXISTS (SELECT 1 FROM triage_states t WHERE t.candidate_id = c.id "
            "                AND t.changed_at > now() - make_interval(days => %s)))",
            [ids, hub_id, CLOSED_DAYS, CLOSED_DAYS],
        )
        return {str(r[0]): r[1:] for r in cursor.fetchall()}


def _proposed_partners(candidate_id, others: list[str]) -> set[str]:
    """Of `others`, those already proposed as a pair with the candidate, either way round (one query)."""
    pairs = AgentProposal.objects.filter(proposal_type=ProposalType.DUPLICATE_FLAG).filter(
        Q(source_candidate_id=candidate_id, duplicate_of_candidate_id__in=others)
        | Q(duplicate_of_candidate_id=candidate_id, source_candidate_id__in=others)
    )
    return {
        str(partner)
        for pair in pairs.values_list("source_candidate_id", "duplicate_of_candidate_id")
        for partner in pair
    } - {str(candidate_id)}


def propose(candidate: RequirementCandidate, *, threshold: float | None = None) -> list[AgentProposal]:
    threshold = settings.IHF_DUPLICATE_THRESHOLD if threshold is None else threshold
    if candidate.status == CandidateStatus.DUPLICATE:
        return []
    hub_id = candidate.source_widget.hub_id
    started = time.perf_counter()
    embeddings.ensure(SubjectType.CANDIDATE, [candidate.pk])
    for _ in embeddings.embed_stale(SubjectType.CANDIDATE, hub_ids=[hub_id]):
        pass
    vector = embeddings.vectors(SubjectType.CANDIDATE, [candidate.pk])[str(candidate.pk)]
    found = neighbours.nearest(
        SubjectType.CANDIDATE, vector, hub_ids=[str(hub_id)], k=NEIGHBOURS, exclude={str(candidate.pk)}
    )
    calls.log_local(
        "duplicate_flag",
        started,
        len(candidate.title) + len(candidate.description),
        len(found),
        hub_id=hub_id,
    )
    others = _comparable(hub_id, [n.subject_id for n in found])
    found = [n for n in found if n.subject_id in others]
    near = [n for n in found if n.similarity >= threshold][:MAX_FLAGS]
    proposals = []
    text = f"{candidate.title}. {candidate.description}"
    proposed = _proposed_partners(candidate.pk, [n.subject_id for n in near])
    for rank, match in enumerate(near):
        title, description, created_at, widget_name, widget_id, status = others[match.subject_id]
        if match.subject_id in proposed:
            continue
        # The newer one duplicates the older, unless the newer one's status is final (accepted or rejected):
        # then the older, if it can still be marked duplicate; when neither can, there is nothing to propose.
        newer_is_source = candidate.created_at >= created_at
        movable = {c: s in MARKABLE for c, s in ((True, candidate.status), (False, status))}
        if not movable[newer_is_source]:
            if not movable[not newer_is_source]:
                continue
            newer_is_source = not newer_is_source
        source_id, original_id = (
            (candidate.pk, match.subject_id) if newer_is_source else (match.subject_id, candidate.pk)
        )
        original_title = title if newer_is_source else candidate.title
        source_title = candidate.title if newer_is_source else title
        shared = shared_words(text, f"{title}. {description}")
        same_widget = str(widget_id) == str(candidate.source_widget_id)
        agreeing = sum(1 for n in found[:4] if n.similarity >= threshold)
        proposals.append(
            create(
                proposal_type=ProposalType.DUPLICATE_FLAG,
                hub_id=hub_id,
                content=f"“{source_title}” may duplicate “{original_title}” "
                f"(similarity {match.similarity:.2f}).",
                model_ref=model.MODEL_REF,
                confidence=min(1.0, 0.5 + (match.similarity - threshold) / max(1e-6, 1 - threshold)),
                details={
                    "similarity": round(match.similarity, 3),
                    "shared_words": shared,
                    "rank": rank + 1,
                    "same_widget": same_widget,
                    "widget": widget_name,
                },
                notes={
                    Dimension.ACCURACY: (
                        match.similarity,
                        f"Cosine similarity {match.similarity:.2f} (flagged from {threshold:.2f}); "
                        f"shared words: {', '.join(shared) or 'none'}.",
                    ),
                    Dimension.RELEVANCE: (
                        1.0 if same_widget else 0.6,
                        "Both are about the same widget."
                        if same_widget
                        else f"The other one is about {widget_name}.",
                    ),
                    Dimension.COMPLETENESS: (
                        agreeing / max(1, min(4, len(found))),
                        f"{agreeing} of the {min(4, len(found))} nearest candidates are this similar; "
                        f"closest similarity {found[0].similarity:.2f}.",
                    ),
                },
                source_widget_id=candidate.source_widget_id,
                source_candidate_id=source_id,
                duplicate_of_candidate_id=original_id,
            )
        )
    return proposals
