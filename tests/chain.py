"""Builders for the whole chain, for the governance and outcomes tests."""

from datetime import timedelta

from django.utils import timezone

from feedback.models import RequirementCandidate
from governance.models import DecisionRecord, Requirement
from outcomes.models import DeploymentRecord, OutcomeSignal, RemediationEvent
from tests.factories import CandidateFactory, WidgetFactory


def accepted_candidate(hub, widget=None, **kwargs):
    return CandidateFactory(source_widget=widget or WidgetFactory(hub=hub), status="accepted", **kwargs)


def requirement_for(candidate, user=None):
    requirement = Requirement.objects.create(
        title=candidate.title, description="d", source_candidate=candidate, created_by=user
    )
    RequirementCandidate.objects.filter(pk=candidate.pk).update(requirement_id=requirement.pk)
    return requirement


def decision_for(
    hub,
    *,
    requirement=None,
    candidate=None,
    outcome="approved",
    user=None,
    title="Decide",
    rationale="Because",
    **kwargs,
):
    return DecisionRecord.objects.create(
        hub=hub,
        title=title,
        rationale=rationale,
        outcome=outcome,
        requirement=requirement,
        candidate=candidate,
        decided_by=user,
        **kwargs,
    )


def deployment_for(decision, *, deployed_at=None, status="success", version="v1"):
    deployment = DeploymentRecord.objects.create(
        decision=decision, version_ref=version, deployed_at=deployed_at or timezone.now()
    )
    RemediationEvent.objects.create(deployment=deployment, status=status)
    return deployment


def signal_for(deployment, widget, signal_type="improved", observed_at=None, value=None):
    return OutcomeSignal.objects.create(
        deployment=deployment,
        widget=widget,
        signal_type=signal_type,
        value=value,
        observed_at=observed_at or timezone.now(),
    )


def full_chain(hub, user=None, *, signal_type="improved", days_ago=20):
    """An accepted candidate, promoted, approved, deployed `days_ago` days ago and observed once."""
    candidate = accepted_candidate(hub)
    requirement = requirement_for(candidate, user)
    decision = decision_for(hub, requirement=requirement, user=user)
    deployed_at = timezone.now() - timedelta(days=days_ago)
    deployment = deployment_for(decision, deployed_at=deployed_at)
    signal = signal_for(
        deployment, candidate.source_widget, signal_type, observed_at=deployed_at + timedelta(days=1)
    )
    return candidate, requirement, decision, deployment, signal
