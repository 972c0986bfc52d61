import pytest
from django.urls import reverse

from feedback.forms import DESCRIPTION_REQUIRED, PICK_ANNOTATIONS, REASON_REQUIRED, TITLE_REQUIRED
from feedback.models import Annotation, AnnotationThread, RequirementCandidate, TriageState
from tests.factories import AnnotationFactory, ThreadFactory, WidgetFactory

ESCALATION = {"title": "Coupon field rejects lowercase", "description": "Seen three times", "category": "bug"}


def _annotation(people, **kwargs):
    return AnnotationFactory(widget=WidgetFactory(hub=people.hub), **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("steward", 302), ("reviewer", 302), ("admin", 302), ("viewer", 403)]
)
def test_escalating_an_annotation_per_role(client, people, role, status):
    annotation = _annotation(people, body="Coupon rejected")
    client.force_login(getattr(people, role))
    url = reverse("feedback:escalate", args=[people.hub.slug, "annotation", annotation.pk])
    if status == 302:
        form = client.get(url)
        assert form.status_code == 200
        assert form.context["form"].initial["description"] == "Coupon rejected"
    response = client.post(url, ESCALATION)
    assert response.status_code == status
    candidates = RequirementCandidate.objects.all()
    if status == 302:
        candidate = candidates.get()
        assert response.url == reverse("feedback:candidate", args=[people.hub.slug, candidate.pk])
        assert (candidate.title, candidate.category, candidate.source_annotation_id, candidate.status) == (
            ESCALATION["title"],
            "bug",
            annotation.pk,
            "open",
        )
        assert TriageState.objects.get(candidate=candidate).status == "open"
    else:
        assert not candidates.exists()


@pytest.mark.django_db
def test_escalating_a_thread(client, people):
    thread = ThreadFactory(widget=WidgetFactory(hub=people.hub), title="Recurring coupon trouble")
    client.force_login(people.steward)
    url = reverse("feedback:escalate", args=[people.hub.slug, "thread", thread.pk])
    assert client.get(url).context["form"].initial["title"] == "Recurring coupon trouble"
    assert client.post(url, ESCALATION).status_code == 302
    assert RequirementCandidate.objects.get().source_thread_id == thread.pk


@pytest.mark.django_db
def test_escalating_from_another_hub_is_404(client, people):
    annotation = _annotation(people)
    client.force_login(people.outsider)
    url = reverse("feedback:escalate", args=[people.hub.slug, "annotation", annotation.pk])
    assert client.post(url, ESCALATION).status_code == 404
    client.force_login(people.steward)
    foreign = AnnotationFactory(widget=WidgetFactory(hub=people.other_hub))
    assert (
        client.post(
            reverse("feedback:escalate", args=[people.hub.slug, "annotation", foreign.pk]), ESCALATION
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("feedback:escalate", args=[people.hub.slug, "widget", annotation.pk]), ESCALATION
        ).status_code
        == 404
    )
    assert not RequirementCandidate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**ESCALATION, "title": ""}, "title", TITLE_REQUIRED),
        ({**ESCALATION, "description": " "}, "description", DESCRIPTION_REQUIRED),
        ({**ESCALATION, "category": "rant"}, "category", "Select a valid choice"),
    ],
)
def test_bad_escalations_answer_422_and_write_nothing(client, people, data, field, message):
    annotation = _annotation(people)
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:escalate", args=[people.hub.slug, "annotation", annotation.pk]), data
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert not RequirementCandidate.objects.exists() and not TriageState.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("steward", 302), ("reviewer", 403), ("viewer", 403)])
def test_opening_a_thread_from_an_annotation(client, people, role, status):
    annotation = _annotation(people)
    client.force_login(getattr(people, role))
    response = client.post(
        reverse("feedback:thread-open", args=[people.hub.slug, annotation.pk]), {"title": "Coupon trouble"}
    )
    assert response.status_code == status
    if status == 302:
        thread = AnnotationThread.objects.get()
        assert response.url == reverse("feedback:thread", args=[people.hub.slug, thread.pk])
        assert Annotation.objects.get(pk=annotation.pk).thread_id == thread.pk
        assert thread.created_by_id == people.steward.pk
    else:
        assert not AnnotationThread.objects.exists()


@pytest.mark.django_db
def test_a_thread_needs_a_title(client, people):
    annotation = _annotation(people)
    client.force_login(people.steward)
    response = client.post(
        reverse("feedback:thread-open", args=[people.hub.slug, annotation.pk]), {"title": ""}
    )
    assert response.status_code == 422
    assert TITLE_REQUIRED in response.content.decode()
    assert not AnnotationThread.objects.exists()


@pytest.mark.django_db
def test_moving_annotations_into_a_thread(client, people):
    widget = WidgetFactory(hub=people.hub)
    thread = ThreadFactory(widget=widget)
    mine, other = AnnotationFactory(widget=widget), AnnotationFactory(widget=widget)
    elsewhere = AnnotationFactory(widget=WidgetFactory(hub=people.hub))
    client.force_login(people.steward)
    page = client.get(reverse("feedback:thread", args=[people.hub.slug, thread.pk]))
    assert set(page.context["move_form"].fields["annotations"].queryset) == {mine, other}
    url = reverse("feedback:thread-move", args=[people.hub.slug, thread.pk])
    assert client.post(url, {"annotations": [str(mine.pk)]}).status_code == 302
    assert Annotation.objects.get(pk=mine.pk).thread_id == thread.pk
    response = client.post(url, {"annotations": [str(elsewhere.pk)]})
    assert response.status_code == 422
    assert "is not an annotation you can move here" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 422 and PICK_ANNOTATIONS in response.content.decode()
    assert Annotation.objects.get(pk=elsewhere.pk).thread_id is None
    assert Annotation.objects.get(pk=other.pk).thread_id is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_only_stewards_move_annotations(client, people, role):
    widget = WidgetFactory(hub=people.hub)
    thread, annotation = ThreadFactory(widget=widget), AnnotationFactory(widget=widget)
    client.force_login(getattr(people, role))
    response = client.post(
        reverse("feedback:thread-move", args=[people.hub.slug, thread.pk]),
        {"annotations": [str(annotation.pk)]},
    )
    assert response.status_code == 403
    assert Annotation.objects.get(pk=annotation.pk).thread_id is None


@pytest.mark.django_db
def test_another_hubs_member_cannot_see_or_change_threads(client, people):
    widget = WidgetFactory(hub=people.hub)
    thread, annotation = ThreadFactory(widget=widget), AnnotationFactory(widget=widget)
    client.force_login(people.outsider)
    assert client.get(reverse("feedback:thread", args=[people.hub.slug, thread.pk])).status_code == 404
    assert (
        client.post(
            reverse("feedback:thread-move", args=[people.hub.slug, thread.pk]),
            {"annotations": [str(annotation.pk)]},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("feedback:retract", args=[people.hub.slug, annotation.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert Annotation.objects.get(pk=annotation.pk).retracted_at is None


@pytest.mark.django_db
def test_the_author_or_a_steward_retracts(client, people):
    own = _annotation(people, actor_id=people.reviewer.pk)
    someone_elses = _annotation(people, actor_id=people.steward.pk)
    client.force_login(people.reviewer)
    url = lambda a: reverse("feedback:retract", args=[people.hub.slug, a.pk])  # noqa: E731
    assert client.post(url(someone_elses), {"reason": "not mine"}).status_code == 403
    assert client.post(url(own), {"reason": "typo"}).status_code == 302
    client.force_login(people.viewer)
    assert client.post(url(someone_elses), {"reason": "x"}).status_code == 403
    client.force_login(people.steward)
    assert client.post(url(someone_elses), {"reason": "duplicate"}).status_code == 302
    assert set(
        Annotation.objects.filter(retracted_at__isnull=False).values_list("retraction_reason", flat=True)
    ) == {"typo", "duplicate"}


@pytest.mark.django_db
def test_bad_retractions(client, people):
    annotation = _annotation(people)
    client.force_login(people.steward)
    url = reverse("feedback:retract", args=[people.hub.slug, annotation.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 422 and REASON_REQUIRED in response.content.decode()
    assert Annotation.objects.get(pk=annotation.pk).retracted_at is None
    client.post(url, {"reason": "dup"})
    response = client.post(url, {"reason": "again"})
    assert response.status_code == 409 and "already retracted" in response.content.decode()
    assert Annotation.objects.get(pk=annotation.pk).retraction_reason == "dup"


@pytest.mark.django_db
def test_retracted_annotations_stay_visible_and_leave_the_counts(client, people):
    widget = WidgetFactory(hub=people.hub)
    AnnotationFactory(widget=widget, body="still open")
    AnnotationFactory(
        widget=widget, body="withdrawn", retracted_at="2026-01-01T00:00:00Z", retraction_reason="dup"
    )
    client.force_login(people.viewer)
    page = client.get(reverse("feedback:widget", args=[people.hub.slug, widget.pk]))
    assert page.context["open_annotations"] == 1
    body = page.content.decode()
    assert "withdrawn" in body and "retracted: dup" in body
    hub_page = client.get(reverse("feedback:hub", args=[people.hub.slug]))
    assert hub_page.context["page"].object_list[0].open_annotations == 1
