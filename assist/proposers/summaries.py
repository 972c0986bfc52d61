"""summary and requirement_draft.

A summary is extractive: the annotations are split into sentences, each sentence is scored by its mean
similarity to the others (its centrality), and the most central ones are kept in order of centrality, skipping
any too close to one already kept (REPEAT), up to KEEP sentences. With a remote model configured it writes the
summary from the same sentences; if it fails, the extractive one stands. A requirement draft, for an accepted
candidate, is a title, a description (the candidate's own, with the summary's sentences as evidence) and
acceptance criteria for its category; a remote model may write it instead.
"""

import json
import re
import time

import numpy as np
from django.db import connection

from assist import calls, model, remote
from assist.models import AgentProposal, Dimension, ProposalType
from assist.proposers.common import create
from feedback.models import AnnotationThread, Category, RequirementCandidate

KEEP = 3
REPEAT = 0.85
MAX_SENTENCES = 200
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")

CRITERIA = {
    Category.ACCESSIBILITY: [
        "{widget} can be reached and operated with the keyboard alone, with a visible focus.",
        "A screen reader announces {widget}'s name, role and state.",
        "Text and controls of {widget} meet WCAG 2.2 AA contrast (4.5:1 for text).",
    ],
    Category.BUG: [
        "The case reported no longer happens: “{evidence}”.",
        "An automated test reproduces the report and passes after the change.",
        "No new errors are recorded for {widget} in the 14 days after deployment.",
    ],
    Category.CONFUSION: [
        "{widget} says what it does and what happens next, in the user's words.",
        "Five people new to {widget} complete the task without help.",
    ],
    Category.FRICTION: [
        "The task reported takes fewer steps or less time with {widget}: “{evidence}”.",
        "Friction score of {widget} falls after deployment (docs/metrics.md).",
    ],
    Category.SUGGESTION: [
        "{widget} offers what was asked for: “{evidence}”.",
        "The people who asked confirm it meets their need.",
    ],
}
GENERIC_CRITERIA = ["The feedback is addressed: “{evidence}”.", "Nothing else about {widget} regresses."]


def sentences(texts: list[str]) -> list[str]:
    found, seen = [], set()
    for text in texts:
        for part in SENTENCE.split(text or ""):
            sentence = part.strip()
            if len(sentence) >= 12 and sentence.lower() not in seen:
                seen.add(sentence.lower())
                found.append(sentence)
    return found[:MAX_SENTENCES]


def central(parts: list[str], vectors: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Indexes of the kept sentences, and every sentence's centrality."""
    similarity = vectors @ vectors.T
    centrality = (similarity.sum(axis=1) - 1) / max(1, len(parts) - 1)
    kept: list[int] = []
    for index in np.argsort(-centrality):
        if all(similarity[index, other] < REPEAT for other in kept):
            kept.append(int(index))
        if len(kept) == KEEP:
            break
    return kept, centrality


def _annotations(*, thread_id=None, candidate: RequirementCandidate | None = None) -> list[tuple]:
    """(body, severity) of the open annotations a summary is about."""
    with connection.cursor() as cursor:
        if thread_id:
            cursor.execute(
                "SELECT body, severity FROM annotations WHERE thread_id = %s AND retracted_at IS NULL "
                "ORDER BY created_at",
                [thread_id],
            )
        else:
            cursor.execute(
                "SELECT body, severity FROM annotations WHERE retracted_at IS NULL AND "
                "(id = %s OR (%s::uuid IS NOT NULL AND thread_id = %s)) ORDER BY created_at",
                [candidate.source_annotation_id, candidate.source_thread_id, candidate.source_thread_id],
            )
        return cursor.fetchall()


def propose_summary(*, thread: AnnotationThread | None = None, candidate: RequirementCandidate | None = None):
    rows = _annotations(thread_id=thread.pk if thread else None, candidate=candidate)
    widget = thread.widget if thread else candidate.source_widget
    parts = sentences([body for body, _ in rows])
    if len(rows) < 2 or len(parts) < 2:
        return None
    started = time.perf_counter()
    vectors = model.encode(parts)
    calls.log_local("summary", started, sum(map(len, parts)), len(parts), hub_id=widget.hub_id)
    kept, centrality = central(parts, vectors)
    chosen = [parts[i] for i in kept]
    covered = float(((vectors @ vectors[kept].T).max(axis=1) >= 0.5).mean())
    severities = {}
    for _, severity in rows:
        severities[severity] = severities.get(severity, 0) + 1
    content, model_ref = " ".join(chosen), model.MODEL_REF
    written = remote.complete(
        "summary",
        "Summarise user feedback about one UI widget in at most three sentences. "
        "Use only the feedback given.",
        f"Widget: {widget.name} ({widget.widget_type})\nFeedback:\n" + "\n".join(f"- {p}" for p in parts),
        hub_id=widget.hub_id,
    )
    if written:
        content, model_ref = written, remote.model_ref()
    subject = {"source_thread": thread} if thread else {"source_candidate": candidate}
    return create(
        proposal_type=ProposalType.SUMMARY,
        hub_id=widget.hub_id,
        content=content,
        model_ref=model_ref,
        confidence=0.5 * covered + 0.5 * float(np.mean(centrality[kept])),
        details={
            "sentences": chosen,
            "annotations": len(rows),
            "severity_counts": severities,
            "widget": widget.name,
            "widget_type": widget.widget_type,
            "extractive": not written,
        },
        notes={
            Dimension.ACCURACY: (
                1.0 if not written else 0.7,
                "Every sentence is quoted from the annotations."
                if not written
                else "Written by the remote model from the annotations' sentences.",
            ),
            Dimension.RELEVANCE: (
                float(np.mean(centrality[kept])),
                f"Mean similarity of the kept sentences to the rest: {float(np.mean(centrality[kept])):.2f}.",
            ),
            Dimension.COMPLETENESS: (
                covered,
                f"{round(covered * len(parts))} of {len(parts)} sentences are close (≥ 0.5) to one kept.",
            ),
        },
        supersede=subject,
        source_widget_id=widget.pk,
        **subject,
    )


def propose_draft(candidate: RequirementCandidate) -> AgentProposal | None:
    widget = candidate.source_widget
    rows = _annotations(candidate=candidate)
    parts = sentences([candidate.description] + [body for body, _ in rows])
    evidence = parts[0] if parts else candidate.title
    if len(parts) >= 2:
        started = time.perf_counter()
        vectors = model.encode(parts)
        calls.log_local("requirement_draft", started, sum(map(len, parts)), len(parts), hub_id=widget.hub_id)
        kept, _ = central(parts, vectors)
        evidence = parts[kept[0]]
        quoted = [parts[i] for i in kept]
    else:
        quoted = parts
    name = widget.name
    evidence = evidence.rstrip(".!? ")  # the criteria templates end the quote with their own full stop
    criteria = [
        c.format(widget=name, evidence=evidence) for c in CRITERIA.get(candidate.category, GENERIC_CRITERIA)
    ]
    title = candidate.title if len(candidate.title) <= 120 else candidate.title[:117] + "…"
    description = candidate.description.strip()
    quoted = [q for q in quoted if q not in description]
    if quoted:
        description += "\n\nWhat people reported:\n" + "\n".join(f"- {q}" for q in quoted)
    model_ref = model.MODEL_REF
    written = remote.complete(
        "requirement_draft",
        "Write a software requirement as JSON with keys title, description, acceptance_criteria (a list). "
        "Use only the feedback given.",
        f"Widget: {name}\nCandidate: {candidate.title}\n{candidate.description}\nFeedback:\n"
        + "\n".join(f"- {p}" for p in parts),
        hub_id=widget.hub_id,
    )
    if written:
        try:
            draft = json.loads(written)
            title, description = str(draft["title"])[:200], str(draft["description"])
            criteria = [str(c) for c in draft["acceptance_criteria"]][:10]
            model_ref = remote.model_ref()
        except (ValueError, KeyError, TypeError):
            pass  # the local draft stands; the call itself is logged as ok, its answer was not usable
    return create(
        proposal_type=ProposalType.REQUIREMENT_DRAFT,
        hub_id=widget.hub_id,
        content=f"{title}\n\n{description}\n\nAcceptance criteria:\n" + "\n".join(f"- {c}" for c in criteria),
        model_ref=model_ref,
        confidence=0.6 if candidate.category in CRITERIA else 0.4,
        details={"title": title, "description": description, "criteria": criteria},
        notes={
            Dimension.ACCURACY: (
                0.8,
                "The title and description are the candidate's own; the evidence is quoted.",
            ),
            Dimension.COMPLETENESS: (
                min(1.0, len(criteria) / 3),
                f"{len(criteria)} acceptance criteria from the "
                f"{candidate.get_category_display().lower()} template.",
            ),
        },
        supersede={"source_candidate": candidate},
        source_widget_id=widget.pk,
        source_candidate=candidate,
    )
