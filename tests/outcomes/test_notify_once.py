"""One event notifies a person once (issue 19, item 11): several regressions of one deployment on one
candidate, found together or by jobs one after another, send the reviewer one email."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import NotificationOutcome, ReviewerAssignment
from outcomes import regressions
from tests.chain import accepted_candidate, decision_for, deployment_for, signal_for
from tests.factories import AnnotationFactory


def _improved(people):
    candidate = accepted_candidate(people.hub)
    ReviewerAssignment.objects.create(candidate=candidate, user=people.reviewer)
    deployment = deployment_for(
        decision_for(people.hub, candidate=candidate), deployed_at=timezone.now() - timedelta(days=3)
    )
    for days in (2, 1):
        signal_for(
            deployment, candidate.source_widget, "improved", observed_at=timezone.now() - timedelta(days=days)
        )
    return candidate


@pytest.mark.django_db
def test_four_regressions_of_one_deployment_send_one_email(people):
    candidate = _improved(people)
    AnnotationFactory(widget=candidate.source_widget, severity="critical")
    AnnotationFactory(widget=candidate.source_widget, severity="high")
    assert len(regressions.detect()) == 4  # 2 signals x 2 annotations
    assert NotificationOutcome.objects.filter(user=people.reviewer).count() == 1


@pytest.mark.django_db
def test_regressions_found_by_separate_jobs_still_send_one_email(people):
    candidate = _improved(people)
    for _ in range(3):  # one detection job per new annotation, as the annotation signal defers them
        AnnotationFactory(widget=candidate.source_widget, severity="critical")
        assert regressions.detect(widget_ids=[candidate.source_widget_id])
    assert NotificationOutcome.objects.filter(user=people.reviewer).count() == 1
    # Past the window, the same news is news again.
    NotificationOutcome.objects.update(sent_at=timezone.now() - timedelta(minutes=61))
    AnnotationFactory(widget=candidate.source_widget, severity="critical")
    regressions.detect()
    assert NotificationOutcome.objects.filter(user=people.reviewer).count() == 2
