"""Writes that span models: escalation, triage transitions, assignment. Each is one transaction; the ones
two people can race on lock the candidate row first."""

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from feedback import notifications
from feedback.models import (
    Annotation,
    AnnotationThread,
    CandidateStatus,
    RequirementCandidate,
    ReviewerAssignment,
    TriageKind,
    TriageState,
)
from feedback.models.candidates import TRANSITIONS
from feedback.models.notifications import NotificationType
from hubs.models import Hub, HubMembership, Role, Widget
from ihf.models import User

STALE_STATE = "Someone else changed this candidate first: it is now {current}. Nothing was changed."
INVALID_TRANSITION = "A candidate that is {current} cannot become {target}. Allowed: {allowed}."
DUPLICATE_NEEDS_ORIGINAL = "Pick the candidate this one duplicates."
DUPLICATE_OF_ITSELF = "A candidate cannot duplicate itself."
DUPLICATE_OTHER_HUB = "The original must be a candidate of the same hub."
NOT_ASSIGNABLE = "Only stewards and reviewers of this hub can be assigned."
ANNOTATION_ALREADY_RETRACTED = "This annotation is already retracted."
THREAD_OTHER_WIDGET = "Only annotations of this thread's widget can be moved into it."


class TriageError(Exception):
    """A refused triage action; the message is for the person who tried it."""


def _label(status: str) -> str:
    return CandidateStatus(status).label.lower()


def candidate_escalate(
    *,
    actor: User,
    widget: Widget,
    title: str,
    description: str,
    category: str,
    annotation: Annotation | None = None,
    thread: AnnotationThread | None = None,
) -> RequirementCandidate:
    with transaction.atomic():
        candidate = RequirementCandidate.objects.create(
            title=title,
            description=description,
            category=category,
            source_widget=widget,
            source_annotation=annotation,
            source_thread=thread or (annotation.thread if annotation else None),
            created_by=actor,
        )
        source = "thread" if thread else "annotation" if annotation else "widget"
        TriageState.objects.create(
            candidate=candidate,
            status=CandidateStatus.OPEN,
            notes=f"Escalated from a {source}.",
            changed_by=actor,
        )
    return candidate


def _locked_candidate(hub: Hub, candidate_id: uuid.UUID) -> RequirementCandidate:
    # Locking the row makes a second, concurrent action wait and then see the first one's result.
    candidate: RequirementCandidate = (
        RequirementCandidate.objects.select_for_update(of=("self",))
        .select_related("source_widget")
        .for_hub(hub)  # type: ignore[no-untyped-call]  # for_hub() is not annotated (feedback/models)
        .get(pk=candidate_id)
    )
    return candidate


def candidate_transition(
    *,
    hub: Hub,
    candidate_id: uuid.UUID,
    actor: User,
    target: str,
    notes: str = "",
    expected_status: str | None = None,
    duplicate_of: RequirementCandidate | None = None,
) -> RequirementCandidate:
    with transaction.atomic():
        candidate = _locked_candidate(hub, candidate_id)
        if expected_status and candidate.status != expected_status:
            raise TriageError(STALE_STATE.format(current=_label(candidate.status)))
        allowed = TRANSITIONS[candidate.status]
        if target not in allowed:
            raise TriageError(
                INVALID_TRANSITION.format(
                    current=_label(candidate.status),
                    target=_label(target) if target in CandidateStatus.values else repr(target),
                    allowed=", ".join(_label(s) for s in allowed) or "none (this status is final)",
                )
            )
        fields = ["status"]
        if target == CandidateStatus.DUPLICATE:
            if duplicate_of is None:
                raise TriageError(DUPLICATE_NEEDS_ORIGINAL)
            if duplicate_of.pk == candidate.pk:
                raise TriageError(DUPLICATE_OF_ITSELF)
            if duplicate_of.source_widget.hub_id != hub.pk:
                raise TriageError(DUPLICATE_OTHER_HUB)
            candidate.duplicate_of = duplicate_of
            fields.append("duplicate_of")
            notes = notes or f"Duplicate of “{duplicate_of.title}”."
        previous = candidate.status
        candidate.status = target
        candidate.save(update_fields=fields)
        TriageState.objects.create(candidate=candidate, status=target, notes=notes or None, changed_by=actor)
        assignment = ReviewerAssignment.objects.filter(candidate=candidate).select_related("user").first()
        if assignment and assignment.user_id != actor.pk:
            notifications.notify(
                users=[assignment.user],
                hub=hub,
                candidate=candidate,
                notification_type=NotificationType.STATUS_CHANGED,
                context={"previous": previous, "actor": actor, "notes": notes},
            )
    return candidate


def assignable_members(hub: Hub) -> QuerySet[HubMembership]:
    return HubMembership.objects.filter(hub=hub, role__in=[Role.STEWARD, Role.REVIEWER]).select_related(
        "user"
    )


def candidate_assign(
    *, hub: Hub, candidate_id: uuid.UUID, actor: User, reviewer_id: uuid.UUID, notes: str = ""
) -> ReviewerAssignment:
    membership = assignable_members(hub).filter(user_id=reviewer_id).first()
    if membership is None:
        raise TriageError(NOT_ASSIGNABLE)
    reviewer = membership.user
    with transaction.atomic():
        candidate = _locked_candidate(hub, candidate_id)
        current = ReviewerAssignment.objects.filter(candidate=candidate).select_related("user").first()
        if current and current.user_id == reviewer.pk:
            return current
        if current:
            note = f"Reassigned from {current.user} to {reviewer}."
            current.user = reviewer
            current.assigned_by = actor
            current.assigned_at = timezone.now()
            current.save(update_fields=["user", "assigned_by", "assigned_at"])
            assignment = current
        else:
            note = f"Assigned to {reviewer}."
            assignment = ReviewerAssignment.objects.create(
                candidate=candidate, user=reviewer, assigned_by=actor
            )
        TriageState.objects.create(
            candidate=candidate,
            status=candidate.status,
            kind=TriageKind.ASSIGNMENT,
            assigned_to=reviewer,
            notes=f"{note} {notes}".strip(),
            changed_by=actor,
        )
        if reviewer.pk != actor.pk:
            notifications.notify(
                users=[reviewer],
                hub=hub,
                candidate=candidate,
                notification_type=NotificationType.ASSIGNED,
                context={"actor": actor, "notes": notes},
            )
    return assignment


def annotation_retract(*, annotation: Annotation, actor: User, reason: str) -> Annotation:
    with transaction.atomic():
        locked: Annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
        if locked.is_retracted:
            raise TriageError(ANNOTATION_ALREADY_RETRACTED)
        locked.retract(by=actor, reason=reason)
    return locked


def thread_open(
    *, annotation: Annotation, actor: User, title: str, description: str = ""
) -> AnnotationThread:
    with transaction.atomic():
        thread = AnnotationThread.objects.create(
            widget_id=annotation.widget_id, title=title, description=description or None, created_by=actor
        )
        Annotation.objects.filter(pk=annotation.pk).update(thread=thread)
    return thread


def thread_move_annotations(*, thread: AnnotationThread, annotation_ids: Iterable[uuid.UUID]) -> int:
    annotations = Annotation.objects.filter(pk__in=annotation_ids)
    if annotations.exclude(widget_id=thread.widget_id).exists():
        raise TriageError(THREAD_OTHER_WIDGET)
    return annotations.update(thread=thread)
