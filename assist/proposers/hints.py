"""policy_flag and impl_proposal: what earlier decisions of the hub say about a new one.

policy_flag: for a candidate or a decision, the most similar earlier decisions of the same hub that cite a
policy reference; at or above POLICY_THRESHOLD, "this may touch policy X" with those decisions linked.
impl_proposal: for an approved decision, the most similar earlier decisions with implementation references,
and how their deployments turned out (signals by type, mean evaluation score).
"""

import json
import time

import numpy as np
from django.db import connection

from assist import calls, embeddings, model, neighbours
from assist.models import Dimension, ProposalType, SubjectType
from assist.proposers.common import create
from feedback.models import RequirementCandidate
from governance.models import DecisionOutcome, DecisionRecord

POLICY_THRESHOLD = 0.45
IMPL_THRESHOLD = 0.4
NEIGHBOURS = 10


def _similar_decisions(hub_id, vector: np.ndarray, exclude: set[str], having: str) -> list[tuple[str, float]]:
    for _ in embeddings.embed_stale(SubjectType.DECISION, hub_ids=[hub_id]):
        pass
    found = neighbours.nearest(
        SubjectType.DECISION, vector, hub_ids=[str(hub_id)], k=NEIGHBOURS, exclude=exclude
    )
    if not found:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id FROM decision_records d WHERE d.id = ANY(%s::uuid[]) AND EXISTS ({having})",
            [[n.subject_id for n in found]],
        )
        keep = {str(r[0]) for r in cursor.fetchall()}
    return [(n.subject_id, n.similarity) for n in found if n.subject_id in keep]


def _subject_vector(subject) -> tuple[np.ndarray, str]:
    kind = SubjectType.CANDIDATE if isinstance(subject, RequirementCandidate) else SubjectType.DECISION
    embeddings.ensure(kind, [subject.pk])
    return embeddings.vectors(kind, [subject.pk])[str(subject.pk)], kind


def propose_policy(subject: RequirementCandidate | DecisionRecord):
    hub_id = subject.source_widget.hub_id if isinstance(subject, RequirementCandidate) else subject.hub_id
    started = time.perf_counter()
    vector, kind = _subject_vector(subject)
    similar = _similar_decisions(
        hub_id, vector, {str(subject.pk)}, "SELECT 1 FROM policy_references p WHERE p.decision_id = d.id"
    )
    similar = [(d, s) for d, s in similar if s >= POLICY_THRESHOLD][:3]
    calls.log_local("policy_flag", started, len(str(subject)), len(similar), hub_id=hub_id)
    if not similar:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.title, array_agg(DISTINCT p.policy_scope ORDER BY p.policy_scope) "
            "FROM decision_records d JOIN policy_references p ON p.decision_id = d.id "
            "WHERE d.id = ANY(%s::uuid[]) GROUP BY d.id, d.title",
            [[d for d, _ in similar]],
        )
        rows = {str(r[0]): (r[1], r[2]) for r in cursor.fetchall()}
    decisions = [
        {"id": d, "title": rows[d][0], "policies": rows[d][1], "similarity": round(s, 3)} for d, s in similar
    ]
    policies = sorted({p for item in decisions for p in item["policies"]})
    best = similar[0][1]
    source = (
        {"source_candidate": subject, "source_widget_id": subject.source_widget_id}
        if kind == SubjectType.CANDIDATE
        else {"source_decision": subject}
    )
    return create(
        proposal_type=ProposalType.POLICY_FLAG,
        hub_id=hub_id,
        content=f"This may touch policy {', '.join(policies)}: {len(decisions)} similar earlier decision"
        f"{'s' if len(decisions) > 1 else ''} cited it.",
        model_ref=model.MODEL_REF,
        confidence=best,
        details={"policies": policies, "decisions": decisions},
        notes={
            Dimension.POLICY_ALIGNMENT: (
                best,
                f"Closest decision citing {', '.join(rows[similar[0][0]][1])}: similarity {best:.2f}.",
            ),
            Dimension.RELEVANCE: (
                float(np.mean([s for _, s in similar])),
                f"{len(similar)} decisions citing a policy are at least {POLICY_THRESHOLD:.2f} similar.",
            ),
        },
        supersede={k: v for k, v in source.items() if k != "source_widget_id"},
        **source,
    )


def propose_impl(decision: DecisionRecord):
    if decision.outcome != DecisionOutcome.APPROVED:
        return None
    started = time.perf_counter()
    vector, _ = _subject_vector(decision)
    similar = _similar_decisions(
        decision.hub_id,
        vector,
        {str(decision.pk)},
        "SELECT 1 FROM implementation_change_references i WHERE i.decision_id = d.id",
    )
    similar = [(d, s) for d, s in similar if s >= IMPL_THRESHOLD][:3]
    calls.log_local(
        "impl_proposal",
        started,
        len(decision.title) + len(decision.rationale),
        len(similar),
        hub_id=decision.hub_id,
    )
    if not similar:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.title, "
            "(SELECT array_agg(i.system || ':' || i.work_item_ref ORDER BY i.linked_at) "
            "   FROM implementation_change_references i WHERE i.decision_id = d.id), "
            "(SELECT jsonb_object_agg(t.signal_type, t.n) FROM (SELECT s.signal_type, count(*) AS n "
            "   FROM outcome_signals s JOIN deployment_records r ON r.id = s.deployment_id "
            "   WHERE r.decision_id = d.id GROUP BY s.signal_type) t), "
            "(SELECT round(avg(e.score), 1) FROM change_evaluations e WHERE e.decision_id = d.id) "
            "FROM decision_records d WHERE d.id = ANY(%s::uuid[])",
            [[d for d, _ in similar]],
        )
        rows = {str(r[0]): r[1:] for r in cursor.fetchall()}
    past = [
        {
            "id": d,
            "title": rows[d][0],
            "references": rows[d][1] or [],
            # Django's connection hands jsonb back as text.
            "signals": json.loads(rows[d][2]) if rows[d][2] else {},
            "evaluation": float(rows[d][3]) if rows[d][3] is not None else None,
            "similarity": round(s, 3),
        }
        for d, s in similar
    ]
    judged = [p for p in past if p["signals"] or p["evaluation"] is not None]
    lines = []
    for p in past:
        outcome = ", ".join(f"{n} {kind}" for kind, n in sorted(p["signals"].items())) or "no signals yet"
        score = f"; evaluated {p['evaluation']}/5" if p["evaluation"] is not None else ""
        lines.append(f"“{p['title']}” ({', '.join(p['references'])}): {outcome}{score}")
    return create(
        proposal_type=ProposalType.IMPL_PROPOSAL,
        hub_id=decision.hub_id,
        content="Similar earlier changes: " + "; ".join(lines),
        model_ref=model.MODEL_REF,
        confidence=similar[0][1],
        details={"decisions": past},
        notes={
            Dimension.RELEVANCE: (
                similar[0][1],
                f"Closest earlier decision: similarity {similar[0][1]:.2f}.",
            ),
            Dimension.COMPLETENESS: (
                len(judged) / len(past),
                f"{len(judged)} of {len(past)} similar changes have outcome signals or an evaluation.",
            ),
        },
        supersede={"source_decision": decision},
        source_decision=decision,
    )
