"""A proposal's confidence, weighed by its track record: how that kind of proposal, and the pattern of change
it is about, have fared in the hub (docs/metrics.md, "Confidence weight"). The learning loop computes the
weight and installs it here when its app is ready (a later stage: this one cannot import it); without it,
the weight is 1."""

import uuid
from collections.abc import Callable

Weigher = Callable[[uuid.UUID, str | None, str], float]

_weigher: Weigher | None = None


def install(weigher: Weigher | None) -> None:
    global _weigher
    _weigher = weigher


def weigh(
    confidence: float, *, hub_id: uuid.UUID, proposal_type: str, pattern: str | None
) -> tuple[float, float]:
    """(the weighted confidence, capped at 1, and the weight applied)."""
    weight = _weigher(hub_id, pattern, proposal_type) if _weigher else 1.0
    return min(1.0, confidence * weight), weight
