"""A constructed history with known stage times, for the KPI and export tests."""

from datetime import timedelta

from django.utils import timezone

from feedback.models import RequirementCandidate
from outcomes.models import ChangeEvaluation
from tests.chain import decision_for, deployment_for, requirement_for, signal_for
from tests.factories import AnnotationFactory, CandidateFactory, WidgetFactory

HOUR = timedelta(hours=1)


def loop(hub, *, start, hours=(2, 24, 48, 24, 6), signal=True, evaluated=True):
    """An annotation at `start`, then candidate, decision, deployment, first signal and evaluation, each the
    given number of hours after the one before. Returns (candidate, decision, deployment)."""
    widget = WidgetFactory(hub=hub)
    annotation = AnnotationFactory(widget=widget, body="Enter does not submit the form", created_at=start)
    at = start + hours[0] * HOUR
    candidate = CandidateFactory(source_widget=widget, source_annotation=annotation, status="accepted")
    RequirementCandidate.objects.filter(pk=candidate.pk).update(created_at=at)
    requirement = requirement_for(candidate)
    at += hours[1] * HOUR
    decision = decision_for(hub, requirement=requirement, decided_at=at, title="Make Enter submit")
    at += hours[2] * HOUR
    deployment = deployment_for(decision, deployed_at=at)
    at += hours[3] * HOUR
    if signal:
        signal_for(deployment, widget, "improved", observed_at=at)
    at += hours[4] * HOUR
    if evaluated:
        ChangeEvaluation.objects.create(
            deployment=deployment, decision=decision, score=4, rationale="Fewer errors", evaluated_at=at
        )
    return candidate, decision, deployment


def recent(days: int):
    return timezone.now() - timedelta(days=days)
