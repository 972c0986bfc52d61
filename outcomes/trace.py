"""Traceability, both ways, in a fixed number of queries whatever the length of the chains."""

from django.db.models import Q

from feedback.models import Annotation, RequirementCandidate
from governance.models import DecisionRecord, Requirement
from outcomes.models import DeploymentRecord, OutcomeSignal, RemediationEvent
from outcomes.selectors import decision_candidate_id, with_current_status


def _group(rows, key):
    grouped = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def widget_trace(widget) -> list[dict]:
    """Every chain that started at `widget`: candidate → requirement → decisions → deployments → signals and
    evaluation. Five queries."""
    candidates = list(
        RequirementCandidate.objects.filter(source_widget=widget)
        .select_related("assignment__user", "source_annotation")
        .order_by("created_at")
    )
    candidate_ids = [c.pk for c in candidates]
    requirements = list(Requirement.objects.filter(source_candidate_id__in=candidate_ids))
    requirement_ids = [r.pk for r in requirements]
    decisions = list(
        DecisionRecord.objects.filter(
            Q(candidate_id__in=candidate_ids) | Q(requirement_id__in=requirement_ids)
        )
        .select_related("decided_by")
        .order_by("decided_at")
    )
    deployments = list(
        with_current_status(DeploymentRecord.objects.filter(decision__in=decisions))
        .select_related("evaluation")
        .order_by("deployed_at")
    )
    signals = _group(
        OutcomeSignal.objects.filter(deployment__in=deployments).order_by("observed_at"),
        lambda s: s.deployment_id,
    )
    deployments_by_decision = _group(deployments, lambda d: d.decision_id)
    requirement_candidate = {r.pk: r.source_candidate_id for r in requirements}
    decisions_by_candidate = _group(
        decisions, lambda d: d.candidate_id or requirement_candidate.get(d.requirement_id)
    )
    requirements_by_candidate = _group(requirements, lambda r: r.source_candidate_id)
    return [
        {
            "candidate": candidate,
            "requirements": requirements_by_candidate.get(candidate.pk, []),
            "decisions": [
                {
                    "decision": decision,
                    "deployments": [
                        {"deployment": deployment, "signals": signals.get(deployment.pk, [])}
                        for deployment in deployments_by_decision.get(decision.pk, [])
                    ],
                }
                for decision in decisions_by_candidate.get(candidate.pk, [])
            ],
        }
        for candidate in candidates
    ]


def deployment_trace(deployment) -> dict:
    """From a deployment back up to the annotations that caused it. Five queries."""
    decision = deployment.decision
    candidate = (
        RequirementCandidate.objects.select_related("source_widget", "source_thread", "source_annotation")
        .filter(pk=decision_candidate_id(decision))
        .first()
    )
    annotations = []
    if candidate is not None:
        source = Q(pk=candidate.source_annotation_id)
        if candidate.source_thread_id:
            source |= Q(thread_id=candidate.source_thread_id)
        annotations = list(Annotation.objects.filter(source).order_by("created_at"))
    return {
        "deployment": deployment,
        "decision": decision,
        "requirement": decision.requirement,
        "candidate": candidate,
        "annotations": annotations,
        "signals": list(OutcomeSignal.objects.filter(deployment=deployment).order_by("observed_at")),
        "status_events": list(RemediationEvent.objects.filter(deployment=deployment).order_by("event_id")),
    }
