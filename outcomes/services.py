"""Outcome writes: deployments and their status events, signals, evaluations."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from governance.models import DecisionOutcome, DecisionRecord, ImplementationChangeReference
from hubs.models import Widget
from ihf.models import User
from outcomes.models import (
    ChangeEvaluation,
    DeploymentRecord,
    DeploymentStatus,
    OutcomeSignal,
    RemediationEvent,
)

NOT_APPROVED = "Only an approved decision that has not been superseded can be deployed."
INVALID_STATUS = "A deployment that is {current} cannot become {target}. Allowed: {allowed}."
EVALUATED_BY_SOMEONE_ELSE = (
    "{name} already evaluated this deployment; there is one evaluation per deployment."
)
WIDGET_NOT_BEHIND = "Signals are recorded for the widget behind the decision."

# A deployment's lifecycle: which status may follow which.
STATUS_FLOW: dict[str, tuple[str, ...]] = {
    DeploymentStatus.PENDING: (
        DeploymentStatus.SUCCESS,
        DeploymentStatus.FAILED,
        DeploymentStatus.DRY_RUN_OK,
        DeploymentStatus.DRY_RUN_FAILED,
    ),
    DeploymentStatus.DRY_RUN_OK: (
        DeploymentStatus.PENDING,
        DeploymentStatus.SUCCESS,
        DeploymentStatus.FAILED,
    ),
    DeploymentStatus.DRY_RUN_FAILED: (DeploymentStatus.PENDING,),
    DeploymentStatus.FAILED: (DeploymentStatus.PENDING,),
    DeploymentStatus.SUCCESS: (DeploymentStatus.ROLLED_BACK,),
    DeploymentStatus.ROLLED_BACK: (DeploymentStatus.PENDING,),
}


class OutcomeError(Exception):
    pass


def _label(status: str) -> str:
    return DeploymentStatus(status).label.lower()


def deployment_record(
    *,
    decision: DecisionRecord,
    actor: User,
    version_ref: str,
    deployed_at: datetime | None = None,
    notes: str = "",
    impl_ref: ImplementationChangeReference | None = None,
    status: str = DeploymentStatus.SUCCESS,
    remediation_type: str = "imperative",
) -> DeploymentRecord:
    if decision.outcome != DecisionOutcome.APPROVED or hasattr(decision, "superseded_by"):
        raise OutcomeError(NOT_APPROVED)
    with transaction.atomic():
        deployment = DeploymentRecord.objects.create(
            decision=decision,
            impl_ref=impl_ref,
            version_ref=version_ref,
            notes=notes or None,
            deployed_by=actor,
            **({"deployed_at": deployed_at} if deployed_at else {}),
        )
        RemediationEvent.objects.create(
            deployment=deployment,
            status=status,
            remediation_type=remediation_type,
            dry_run=status in {DeploymentStatus.DRY_RUN_OK, DeploymentStatus.DRY_RUN_FAILED},
            executed_by=f"human:{actor.email}",
            action_name="deploy",
            target_resource=version_ref,
            completed_at=None if status == DeploymentStatus.PENDING else timezone.now(),
        )
    return deployment


def current_status(deployment: DeploymentRecord) -> str:
    event = RemediationEvent.objects.filter(deployment=deployment).order_by("-event_id").first()
    return event.status if event else DeploymentStatus.PENDING


def deployment_status_record(
    *, deployment: DeploymentRecord, actor: User, status: str, error_message: str = ""
) -> RemediationEvent:
    with transaction.atomic():
        # The deployment row is locked (not changed) so that two status updates are applied one after another.
        DeploymentRecord.objects.select_for_update().filter(pk=deployment.pk).first()
        current = current_status(deployment)
        allowed = STATUS_FLOW[current]
        if status not in allowed:
            raise OutcomeError(
                INVALID_STATUS.format(
                    current=_label(current),
                    target=_label(status) if status in DeploymentStatus.values else status,
                    allowed=", ".join(_label(s) for s in allowed),
                )
            )
        return RemediationEvent.objects.create(
            deployment=deployment,
            status=status,
            error_message=error_message or None,
            dry_run=status in {DeploymentStatus.DRY_RUN_OK, DeploymentStatus.DRY_RUN_FAILED},
            executed_by=f"human:{actor.email}",
            action_name="status",
            target_resource=deployment.version_ref,
            completed_at=timezone.now(),
        )


def signal_record(
    *,
    deployment: DeploymentRecord,
    widget: Widget,
    actor: User,
    signal_type: str,
    value: Decimal | None = None,
    observed_at: datetime | None = None,
) -> OutcomeSignal:
    return OutcomeSignal.objects.create(
        deployment=deployment,
        widget=widget,
        signal_type=signal_type,
        value=value,
        recorded_by=actor,
        **({"observed_at": observed_at} if observed_at else {}),
    )


def evaluation_submit(
    *, deployment: DeploymentRecord, actor: User, score: int, rationale: str
) -> ChangeEvaluation:
    """One evaluation per deployment: its evaluator may revise it; anyone else is refused."""
    with transaction.atomic():
        DeploymentRecord.objects.select_for_update().filter(pk=deployment.pk).first()
        existing = (
            ChangeEvaluation.objects.select_related("evaluated_by").filter(deployment=deployment).first()
        )
        if existing is None:
            return ChangeEvaluation.objects.create(
                deployment=deployment,
                decision_id=deployment.decision_id,
                score=score,
                rationale=rationale,
                evaluated_by=actor,
            )
        if existing.evaluated_by_id != actor.pk:
            raise OutcomeError(EVALUATED_BY_SOMEONE_ELSE.format(name=existing.evaluated_by or "Someone"))
        existing.score, existing.rationale, existing.evaluated_at = score, rationale, timezone.now()
        existing.save(update_fields=["score", "rationale", "evaluated_at"])
        return existing
