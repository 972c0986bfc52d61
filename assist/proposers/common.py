"""What every proposer shares: writing a proposal with its confidence notes, superseding the one it
replaces, and the words two texts share."""

import re
from decimal import Decimal

from django.db import transaction

from assist import weighting
from assist.models import AgentProposal, ConfidenceAnnotation, Dimension, ProposalStatus

_STOPWORDS = """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can cannot could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most my no
    nor not now of off on once only or other our out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours also get gets got it's i'm don't
    doesn't can't won't isn't there's when's
"""
STOPWORDS = frozenset(_STOPWORDS.split())
WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")


def words(text: str) -> set[str]:
    return {w.strip("'-") for w in WORD.findall(text.lower())} - STOPWORDS


def shared_words(a: str, b: str, limit: int = 6) -> list[str]:
    return sorted(words(a) & words(b))[:limit]


def clamp(value: float) -> Decimal:
    return Decimal(str(round(min(1.0, max(0.0, value)), 3)))


def create(
    *,
    proposal_type: str,
    hub_id,
    content: str,
    model_ref: str,
    confidence: float,
    notes: dict[str, tuple[float, str]],
    details: dict | None = None,
    supersede: dict | None = None,
    **sources,
) -> AgentProposal:
    """Write a proposal and its per-dimension notes. `supersede` names the pending proposals it replaces
    (e.g. the earlier summary of the same thread), which become `superseded` in the same transaction. The
    confidence is weighed by the track record of its kind and pattern (assist/weighting.py); the details keep
    the unweighed value and the weight."""
    decision = sources.get("source_decision")
    pattern = getattr(decision, "pattern", None)
    weighed, weight = weighting.weigh(confidence, hub_id=hub_id, proposal_type=proposal_type, pattern=pattern)
    if weight != 1.0:
        details = {
            **(details or {}),
            "confidence_unweighed": round(confidence, 3),
            "weight": round(weight, 3),
        }
        confidence = weighed
    with transaction.atomic():
        if supersede:
            AgentProposal.objects.filter(
                proposal_type=proposal_type, status=ProposalStatus.PENDING, **supersede
            ).update(status=ProposalStatus.SUPERSEDED)
        proposal = AgentProposal.objects.create(
            proposal_type=proposal_type,
            hub_id=hub_id,
            content=content,
            model_ref=model_ref,
            confidence=clamp(confidence),
            details=details or {},
            **sources,
        )
        ConfidenceAnnotation.objects.bulk_create(
            ConfidenceAnnotation(proposal=proposal, dimension=dimension, score=clamp(score), explanation=why)
            for dimension, (score, why) in notes.items()
            if dimension in Dimension.values
        )
    return proposal
