"""Regression detection: an `improved` signal followed, within the regression window, by a high or critical
annotation on the same widget. One set-based statement finds them all; new ones notify the reviewer."""

from django.conf import settings
from django.db import connection, transaction

from feedback import notifications
from feedback.models import RequirementCandidate
from feedback.models.notifications import NotificationType
from outcomes.models import Regression

DETECT_SQL = """
INSERT INTO regressions (id, hub_id, widget_id, signal_id, annotation_id, deployment_id, detected_at)
SELECT gen_random_uuid(), w.hub_id, s.widget_id, s.id, a.id, s.deployment_id, now()
FROM outcome_signals s
JOIN widgets w ON w.id = s.widget_id
JOIN annotations a ON a.widget_id = s.widget_id
WHERE s.signal_type = 'improved'
  AND a.severity IN ('high', 'critical')
  AND a.retracted_at IS NULL
  AND a.created_at > s.observed_at
  AND a.created_at <= s.observed_at + make_interval(days => %(window)s)
  AND (%(widget_ids)s::uuid[] IS NULL OR s.widget_id = ANY(%(widget_ids)s::uuid[]))
ON CONFLICT (signal_id, annotation_id) DO NOTHING
RETURNING id
"""


def detect(widget_ids=None) -> list[Regression]:
    """Record every regression not yet recorded (for `widget_ids`, or all widgets) and notify about them."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            DETECT_SQL,
            {
                "window": settings.IHF_REGRESSION_WINDOW_DAYS,
                "widget_ids": [str(w) for w in widget_ids] if widget_ids else None,
            },
        )
        new_ids = [row[0] for row in cursor.fetchall()]
        found = list(
            Regression.objects.filter(pk__in=new_ids).select_related(
                "hub",
                "deployment__decision__candidate",
                "deployment__decision__requirement",
                "deployment__decision__decided_by",
            )
        )
        for regression in found:
            _notify(regression)
    return found


def _notify(regression):
    """Tell the decision's reviewer: the candidate's assigned reviewer, or whoever decided."""
    decision = regression.deployment.decision
    candidate_id = decision.candidate_id or (
        decision.requirement.source_candidate_id if decision.requirement else None
    )
    candidate = (
        RequirementCandidate.objects.select_related("assignment__user").filter(pk=candidate_id).first()
    )
    assignment = getattr(candidate, "assignment", None) if candidate else None
    recipient = assignment.user if assignment else decision.decided_by
    if candidate is None or recipient is None:
        return
    notifications.notify(
        users=[recipient],
        hub=regression.hub,
        candidate=candidate,
        notification_type=NotificationType.REGRESSION,
        context={
            "notes": f"A high or critical annotation followed an improvement after {regression.deployment}."
        },
    )
