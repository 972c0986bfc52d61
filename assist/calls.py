"""Every model call is logged (`ai_call_log`): what it was for, which model, how long, how it ended."""

import time
import uuid

from assist import model
from assist.models import AgentProposal, AiCall, CallStatus


def log(
    task: str,
    *,
    model_ref: str,
    started: float,
    status: str = CallStatus.OK,
    input_size: int = 0,
    output_size: int = 0,
    error: str | None = None,
    hub_id: uuid.UUID | str | None = None,
    proposal: AgentProposal | None = None,
) -> AiCall:
    return AiCall.objects.create(
        task=task,
        model_ref=model_ref,
        latency_ms=round((time.perf_counter() - started) * 1000),
        status=status,
        input_size=input_size,
        output_size=output_size,
        error=(error or "")[:2000] or None,
        hub_id=hub_id,
        proposal=proposal,
    )


def log_local(
    task: str, started: float, input_size: int, output_size: int, *, hub_id: uuid.UUID | str | None = None
) -> AiCall:
    """A call of the local embedding model (sizes: characters in, values out)."""
    return log(
        task,
        model_ref=model.MODEL_REF,
        started=started,
        input_size=input_size,
        output_size=output_size,
        hub_id=hub_id,
    )
