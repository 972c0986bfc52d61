"""Writes of the learning loop that span models: distilling a decision, deciding a calibration, acting on an
insight. Each refuses with a LearningError whose message is a constant below."""

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.models import RequirementCandidate
from governance.models import DecisionRecord
from hubs.models import Hub
from ihf.models import User
from learning.models import (
    AdaptiveThresholdConfig,
    CalibrationStatus,
    ConfigType,
    InsightStatus,
    InstitutionalKnowledgeEntry,
    KnowledgeOutcome,
    LearningInsight,
)
from observability.models import BottleneckThreshold

ALREADY_DISTILLED = "This decision is in the knowledge base already."
ALREADY_DECIDED = "This calibration was decided already."
ALREADY_ACTED = "Someone acted on this insight already."


class LearningError(Exception):
    pass


def knowledge_outcome(summary: dict[str, Any] | None) -> str:
    """What a decision's lineage summary says, in one word (docs/metrics.md, "Learning")."""
    if not summary:
        return KnowledgeOutcome.UNOBSERVED
    counts = summary["counts"]
    if counts["regressed"] and counts["improved"]:
        return KnowledgeOutcome.MIXED
    if counts["regressed"]:
        return KnowledgeOutcome.REGRESSED
    if counts["improved"]:
        return KnowledgeOutcome.IMPROVED
    return KnowledgeOutcome.NEUTRAL


def _subject(decision: DecisionRecord) -> RequirementCandidate | None:
    if decision.candidate is not None:
        return decision.candidate
    return decision.requirement.source_candidate if decision.requirement is not None else None


def knowledge_distil(*, decision: DecisionRecord, actor: User) -> InstitutionalKnowledgeEntry:
    """The decision with its outcome as a knowledge base entry: problem, decision, rationale, outcome,
    evaluation and links to each record of its lineage."""
    # The trigger keeps the summary current in the database, not in instances loaded before the last signal.
    decision.refresh_from_db(fields=["outcome_summary"])
    candidate = _subject(decision)
    deployments = list(decision.deployments.select_related("evaluation").order_by("deployed_at"))
    evaluations = [d.evaluation for d in deployments if hasattr(d, "evaluation")]
    links = [{"kind": "decision", "id": str(decision.pk)}]
    if candidate is not None:
        links.append({"kind": "candidate", "id": str(candidate.pk)})
    if decision.requirement_id:
        links.append({"kind": "requirement", "id": str(decision.requirement_id)})
    links += [{"kind": "deployment", "id": str(d.pk), "version": d.version_ref} for d in deployments]
    links += [
        {"kind": "change", "system": ref.system, "ref": ref.work_item_ref}
        for ref in decision.change_references.order_by("linked_at")
    ]
    problem = f"{candidate.title}\n\n{candidate.description}" if candidate else decision.title
    try:
        with transaction.atomic():
            return InstitutionalKnowledgeEntry.objects.create(
                hub=decision.hub,
                decision=decision,
                title=decision.title,
                problem=problem,
                decision_text=f"{decision.get_outcome_display()}: {decision.title}"
                + (f"\n\n{decision.notes}" if decision.notes else ""),
                rationale=decision.rationale,
                outcome=knowledge_outcome(decision.outcome_summary),
                evaluation="\n".join(f"{e.score}/5: {e.rationale}" for e in evaluations),
                links=links,
                widget_type=candidate.source_widget.widget_type if candidate else "",
                pattern=decision.pattern or "",
                created_by=actor,
            )
    except IntegrityError as error:
        if "decision_id" in str(error):
            raise LearningError(ALREADY_DISTILLED) from None
        raise


def calibration_decide(
    *, hub: Hub, calibration_id: uuid.UUID, actor: User, apply: bool
) -> AdaptiveThresholdConfig:
    """Apply (or decline) a proposed calibration, once. Applying a threshold writes the hub's bottleneck
    threshold, which detection reads; applied weights are read by friction (ihf_friction_weights)."""
    with transaction.atomic():
        # The row lock makes a second steward's click wait, then find the calibration decided.
        calibration = AdaptiveThresholdConfig.objects.select_for_update().get(pk=calibration_id, hub=hub)
        if calibration.status != CalibrationStatus.PROPOSED:
            raise LearningError(ALREADY_DECIDED)
        if apply and calibration.config_type == ConfigType.BOTTLENECK_THRESHOLD:
            BottleneckThreshold.objects.update_or_create(
                hub=hub,
                stage=calibration.stage,
                defaults={"threshold_days": calibration.new_values["threshold_days"]},
            )
        calibration.status = CalibrationStatus.APPLIED if apply else CalibrationStatus.DECLINED
        calibration.decided_by = actor
        calibration.decided_at = timezone.now()
        calibration.save(update_fields=["status", "decided_by", "decided_at"])
    return calibration


def insight_act(*, hub: Hub, insight_id: uuid.UUID, actor: User, status: str) -> LearningInsight:
    """new → acknowledged | dismissed, once (a second person's click finds it done)."""
    updated = LearningInsight.objects.filter(pk=insight_id, hub=hub, status=InsightStatus.NEW).update(
        status=status, acted_by=actor, acted_at=timezone.now()
    )
    if not updated:
        raise LearningError(ALREADY_ACTED)
    return LearningInsight.objects.get(pk=insight_id)
