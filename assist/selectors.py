"""Reads for the assist pages: the inbox, a subject's proposals, and the per-hub panel (docs/metrics.md)."""

from django.db import connection
from django.db.models import Case, IntegerField, Prefetch, Value, When

from assist.models import AgentProposal, ConfidenceAnnotation, ProposalStatus, ProposalType

CONFIDENT = 0.8
PANEL_DAYS = 30


def with_related(queryset):
    return queryset.select_related(
        "source_candidate",
        "duplicate_of_candidate",
        "source_thread",
        "source_decision",
        "source_widget",
        "review",
    ).prefetch_related(
        Prefetch("confidence_notes", queryset=ConfidenceAnnotation.objects.order_by("dimension"))
    )


def inbox(hub, *, proposal_type="", status="", min_confidence=None):
    proposals = AgentProposal.objects.for_hub(hub)
    if proposal_type:
        proposals = proposals.filter(proposal_type=proposal_type)
    if status:
        proposals = proposals.filter(status=status)
    if min_confidence is not None:
        proposals = proposals.filter(confidence__gte=min_confidence)
    pending_first = Case(
        When(status=ProposalStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return with_related(proposals.order_by(pending_first, "-created_at", "id"))


def for_subject(hub, *, candidate=None, thread=None, decision=None) -> list[AgentProposal]:
    """The pending and accepted proposals about one candidate, thread or decision, newest first."""
    proposals = AgentProposal.objects.for_hub(hub).filter(
        status__in=[ProposalStatus.PENDING, ProposalStatus.ACCEPTED]
    )
    if candidate is not None:
        proposals = proposals.filter(source_candidate=candidate) | proposals.filter(
            duplicate_of_candidate=candidate, proposal_type=ProposalType.DUPLICATE_FLAG
        )
    elif thread is not None:
        proposals = proposals.filter(source_thread=thread)
    else:
        proposals = proposals.filter(source_decision=decision)
    return list(with_related(proposals.order_by("-created_at")))


def panel(hub) -> dict:
    """Per type: proposals, pending, accepted, rejected, acceptance rate and calibration; the AI calls of the
    last PANEL_DAYS days: count, p50/p95 latency, error rate. One statement each, set-based."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proposal_type, count(*), "
            "count(*) FILTER (WHERE status = 'pending'), "
            "count(*) FILTER (WHERE status = 'accepted'), "
            "count(*) FILTER (WHERE status = 'rejected'), "
            "count(*) FILTER (WHERE status IN ('accepted', 'rejected') AND confidence >= %s), "
            "count(*) FILTER (WHERE status = 'accepted' AND confidence >= %s) "
            "FROM agent_proposals WHERE hub_id = %s GROUP BY proposal_type",
            [CONFIDENT, CONFIDENT, hub.pk],
        )
        rows = {r[0]: r[1:] for r in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms), "
            "percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms), "
            "count(*) FILTER (WHERE status <> 'ok'), now() "
            "FROM ai_call_log WHERE hub_id = %s AND called_at > now() - make_interval(days => %s)",
            [hub.pk, PANEL_DAYS],
        )
        calls, p50, p95, failed, computed_at = cursor.fetchone()
    types = []
    for value, label in ProposalType.choices:
        total, pending, accepted, rejected, confident, confident_accepted = rows.get(value, (0,) * 6)
        reviewed = accepted + rejected
        types.append(
            {
                "type": value,
                "label": label,
                "total": total,
                "pending": pending,
                "accepted": accepted,
                "rejected": rejected,
                "acceptance": accepted / reviewed if reviewed else None,
                "calibration": confident_accepted / confident if confident else None,
                "confident": confident,
            }
        )
    return {
        "types": types,
        "calls": calls,
        "p50": p50,
        "p95": p95,
        "error_rate": failed / calls if calls else None,
        "days": PANEL_DAYS,
        "computed_at": computed_at,
        "confident": CONFIDENT,
    }


SIMILAR_FLOOR = 0.45


def similar_items(found: dict) -> dict:
    """The rows behind nearest-neighbour answers, in their order, above SIMILAR_FLOOR: two queries in all."""
    from feedback.models import Annotation, RequirementCandidate

    def rows(model, neighbours, related):
        keep = [n for n in neighbours if n.similarity >= SIMILAR_FLOOR]
        found = model.objects.select_related(related).in_bulk([n.subject_id for n in keep]) if keep else {}
        objects = {str(key): row for key, row in found.items()}
        return [(objects[n.subject_id], n.similarity) for n in keep if n.subject_id in objects]

    return {
        "annotations": rows(Annotation, found["annotations"], "widget"),
        "candidates": rows(RequirementCandidate, found["candidates"], "source_widget"),
    }


CROSS_HUB_RECENT = 2000
CROSS_HUB_TOP = 10


def cross_hub_pairs(hub_ids: list, threshold: float) -> list[dict]:
    """Open candidates of different hubs that say the same thing: a hint for the cross-hub page. Over the
    CROSS_HUB_RECENT newest open candidates of the given hubs (bounded, so the page stays fast at any size),
    every pair from two hubs at or above the threshold, best first, at most CROSS_HUB_TOP."""
    import numpy as np

    from assist import model, neighbours

    if len(hub_ids) < 2:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.title, w.hub_id, h.slug, h.name, array_send(e.vector) "
            "FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id "
            "JOIN hubs h ON h.id = w.hub_id "
            "JOIN embeddings e ON e.subject_type = 'candidate' AND e.subject_id = c.id AND e.model_ref = %s "
            "WHERE w.hub_id = ANY(%s::uuid[]) AND c.status IN ('open', 'under_review') "
            "ORDER BY c.created_at DESC LIMIT %s",
            [model.MODEL_REF, [str(h) for h in hub_ids], CROSS_HUB_RECENT],
        )
        rows = cursor.fetchall()
    if len(rows) < 2:
        return []
    vectors = np.vstack([neighbours.unpack(row[5]) for row in rows])
    hubs = np.array([str(row[2]) for row in rows])
    similarity = vectors @ vectors.T
    similarity[hubs[:, None] == hubs[None, :]] = -1  # pairs within one hub are the duplicate flags' business
    first, second = np.where(np.triu(similarity, 1) >= threshold)
    order = np.argsort(-similarity[first, second])[:CROSS_HUB_TOP]
    return [
        {
            "similarity": float(similarity[first[i], second[i]]),
            "a": {
                "id": rows[first[i]][0],
                "title": rows[first[i]][1],
                "slug": rows[first[i]][3],
                "hub": rows[first[i]][4],
            },
            "b": {
                "id": rows[second[i]][0],
                "title": rows[second[i]][1],
                "slug": rows[second[i]][3],
                "hub": rows[second[i]][4],
            },
        }
        for i in order
    ]


def pending_duplicate_flags(hub, candidate_ids) -> dict:
    """The best pending duplicate flag of each of these candidates: {candidate id: proposal}."""
    flags = (
        AgentProposal.objects.for_hub(hub)
        .pending()
        .filter(proposal_type=ProposalType.DUPLICATE_FLAG, source_candidate_id__in=candidate_ids)
        .select_related("duplicate_of_candidate")
        .order_by("source_candidate_id", "-confidence")
    )
    found: dict = {}
    for flag in flags:
        found.setdefault(flag.source_candidate_id, flag)
    return found
