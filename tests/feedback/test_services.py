import threading

import pytest
from django.db import connection

from feedback import services
from feedback.models import (
    CandidateStatus,
    NotificationOutcome,
    RequirementCandidate,
    ReviewerAssignment,
    TriageState,
)
from feedback.services import TriageError
from tests.factories import (
    AnnotationFactory,
    CandidateFactory,
    MembershipFactory,
    ThreadFactory,
    WidgetFactory,
)


def _history(candidate):
    return list(
        TriageState.objects.filter(candidate=candidate)
        .order_by("changed_at", "id")
        .values_list("kind", "status")
    )


@pytest.mark.django_db
def test_escalating_an_annotation_opens_a_candidate_with_history(people):
    annotation = AnnotationFactory(widget=WidgetFactory(hub=people.hub), body="Total is wrong")
    candidate = services.candidate_escalate(
        actor=people.reviewer,
        widget=annotation.widget,
        annotation=annotation,
        title="Fix total",
        description="Total is wrong",
        category="bug",
    )
    stored = RequirementCandidate.objects.get(pk=candidate.pk)
    assert (stored.status, stored.source_annotation_id, stored.source_widget_id, stored.created_by_id) == (
        "open",
        annotation.pk,
        annotation.widget_id,
        people.reviewer.pk,
    )
    assert _history(candidate) == [("transition", "open")]


@pytest.mark.django_db
def test_escalating_a_thread_keeps_the_thread(people):
    thread = ThreadFactory(widget=WidgetFactory(hub=people.hub))
    candidate = services.candidate_escalate(
        actor=people.steward,
        widget=thread.widget,
        thread=thread,
        title="T",
        description="D",
        category="friction",
    )
    assert RequirementCandidate.objects.get(pk=candidate.pk).source_thread_id == thread.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        ["under_review", "accepted"],
        ["under_review", "rejected"],
        ["under_review", "deferred", "open", "under_review"],
    ],
)
def test_valid_transitions_write_status_and_history_together(people, path):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    for target in path:
        services.candidate_transition(
            hub=people.hub,
            candidate_id=candidate.pk,
            actor=people.steward,
            target=target,
            notes=f"to {target}",
        )
    candidate.refresh_from_db()
    assert candidate.status == path[-1]
    assert [s for _k, s in _history(candidate)] == path
    assert TriageState.objects.filter(
        candidate=candidate, notes=f"to {path[-1]}", changed_by=people.steward
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("open", "accepted", "under review, duplicate"),
        ("accepted", "open", "none (this status is final)"),
        ("deferred", "rejected", "open"),
        ("open", "nonsense", "under review, duplicate"),
    ],
)
def test_invalid_transitions_say_what_is_allowed_and_change_nothing(people, start, target, allowed):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), status=start)
    with pytest.raises(TriageError) as excinfo:
        services.candidate_transition(
            hub=people.hub, candidate_id=candidate.pk, actor=people.steward, target=target
        )
    assert f"Allowed: {allowed}." in str(excinfo.value)
    candidate.refresh_from_db()
    assert candidate.status == start
    assert not TriageState.objects.filter(candidate=candidate).exists()


@pytest.mark.django_db
def test_a_stale_form_is_refused(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), status="under_review")
    with pytest.raises(
        TriageError, match="Someone else changed this candidate first: it is now under review"
    ):
        services.candidate_transition(
            hub=people.hub,
            candidate_id=candidate.pk,
            actor=people.steward,
            target="under_review",
            expected_status="open",
        )
    assert not TriageState.objects.exists()


@pytest.mark.django_db
def test_duplicates_name_an_original_of_the_same_hub(people):
    widget = WidgetFactory(hub=people.hub)
    original, candidate = CandidateFactory(source_widget=widget), CandidateFactory(source_widget=widget)
    foreign = CandidateFactory(source_widget=WidgetFactory(hub=people.other_hub))
    for duplicate_of, message in [
        (None, services.DUPLICATE_NEEDS_ORIGINAL),
        (candidate, services.DUPLICATE_OF_ITSELF),
        (foreign, services.DUPLICATE_OTHER_HUB),
    ]:
        with pytest.raises(TriageError, match=message):
            services.candidate_transition(
                hub=people.hub,
                candidate_id=candidate.pk,
                actor=people.steward,
                target="duplicate",
                duplicate_of=duplicate_of,
            )
    services.candidate_transition(
        hub=people.hub,
        candidate_id=candidate.pk,
        actor=people.steward,
        target="duplicate",
        duplicate_of=original,
    )
    candidate.refresh_from_db()
    assert (candidate.status, candidate.duplicate_of_id) == ("duplicate", original.pk)


@pytest.mark.django_db
def test_a_candidate_of_another_hub_is_not_found(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.other_hub))
    with pytest.raises(RequirementCandidate.DoesNotExist):
        services.candidate_transition(
            hub=people.hub, candidate_id=candidate.pk, actor=people.steward, target="under_review"
        )
    assert RequirementCandidate.objects.get(pk=candidate.pk).status == "open"


@pytest.mark.django_db(transaction=True)
def test_two_stewards_acting_at_once_cannot_both_succeed(people):
    """Both submit open → under review; the row lock makes one wait, then see the other's change."""
    second = MembershipFactory(hub=people.hub, role="steward").user
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    barrier = threading.Barrier(2)
    results = []

    def act(actor, target):
        try:
            barrier.wait()
            services.candidate_transition(
                hub=people.hub, candidate_id=candidate.pk, actor=actor, target=target, expected_status="open"
            )
            results.append("ok")
        except TriageError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(people.steward, "under_review")),
        threading.Thread(target=act, args=(second, "under_review")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(r == "ok" for r in results) == [False, True]
    assert any("Someone else changed this candidate first" in r for r in results)
    assert TriageState.objects.filter(candidate=candidate).count() == 1


@pytest.mark.django_db
def test_only_stewards_and_reviewers_of_the_hub_can_be_assigned(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    for user in [people.viewer, people.outsider, people.admin]:
        with pytest.raises(TriageError, match=services.NOT_ASSIGNABLE):
            services.candidate_assign(
                hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=user.pk
            )
    assert not ReviewerAssignment.objects.exists()
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    assert ReviewerAssignment.objects.get(candidate=candidate).user_id == people.reviewer.pk


@pytest.mark.django_db
def test_reassigning_replaces_the_assignment_and_keeps_history(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )  # the same reviewer again: nothing happens
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.steward.pk
    )
    assert ReviewerAssignment.objects.filter(candidate=candidate).count() == 1
    assert ReviewerAssignment.objects.get(candidate=candidate).user_id == people.steward.pk
    history = TriageState.objects.filter(candidate=candidate, kind="assignment").order_by("changed_at", "id")
    assert [(h.assigned_to_id, h.notes) for h in history] == [
        (people.reviewer.pk, f"Assigned to {people.reviewer}."),
        (people.steward.pk, f"Reassigned from {people.reviewer} to {people.steward}."),
    ]
    # The reviewer was told of the first assignment; the steward assigned themself, so no mail.
    assert list(NotificationOutcome.objects.values_list("user_id", "notification_type")) == [
        (people.reviewer.pk, "assigned")
    ]


@pytest.mark.django_db
def test_status_changes_notify_the_assignee_but_not_when_they_act(people):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    services.candidate_transition(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, target="under_review"
    )
    services.candidate_transition(
        hub=people.hub, candidate_id=candidate.pk, actor=people.reviewer, target="accepted"
    )
    assert list(
        NotificationOutcome.objects.order_by("outcome_id").values_list("notification_type", flat=True)
    ) == ["assigned", "status_changed"]
    assert RequirementCandidate.objects.get(pk=candidate.pk).status == CandidateStatus.ACCEPTED


@pytest.mark.django_db
def test_retracting_twice_is_refused(people):
    annotation = AnnotationFactory(widget=WidgetFactory(hub=people.hub))
    services.annotation_retract(annotation=annotation, actor=people.steward, reason="dup")
    with pytest.raises(TriageError, match="already retracted"):
        services.annotation_retract(annotation=annotation, actor=people.steward, reason="again")
