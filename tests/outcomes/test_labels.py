"""Pages show names and labels, never codes (issue 19, item 8): an annotation's author by name on every
page, deployment statuses and who recorded them in words, shortened titles with an ellipsis, and a
retracted annotation's regression no longer open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from outcomes import regressions, services
from outcomes.models import Regression
from tests.chain import accepted_candidate, decision_for, deployment_for, full_chain, signal_for
from tests.factories import AnnotationFactory, ThreadFactory


@pytest.mark.django_db
def test_the_thread_page_names_the_author_as_the_widget_page_does(client, people):
    thread = ThreadFactory(widget__hub=people.hub)
    AnnotationFactory(widget=thread.widget, thread=thread, actor_id=people.reviewer.pk, actor_type="user")
    client.force_login(people.viewer)
    for url in (
        reverse("feedback:thread", args=[people.hub.slug, thread.pk]),
        reverse("feedback:widget", args=[people.hub.slug, thread.widget_id]),
    ):
        body = client.get(url).content.decode()
        assert f'<span class="muted">{people.reviewer.name} ·' in body, url


@pytest.mark.django_db
def test_the_deployment_page_shows_status_labels_and_names(client, people):
    *_rest, deployment, _signal = full_chain(people.hub, days_ago=3)
    services.deployment_status_record(deployment=deployment, actor=people.reviewer, status="rolled_back")
    client.force_login(people.steward)
    body = client.get(reverse("outcomes:deployment", args=[people.hub.slug, deployment.pk])).content.decode()
    assert "Rolled back</span>" in body and ">rolled_back<" not in body
    assert "human:" not in body and people.reviewer.name in body


@pytest.mark.django_db
def test_a_long_annotation_escalates_with_a_title_cut_with_an_ellipsis(client, people):
    annotation = AnnotationFactory(widget__hub=people.hub, body="word " * 60)
    client.force_login(people.steward)
    response = client.get(reverse("feedback:escalate", args=[people.hub.slug, "annotation", annotation.pk]))
    title = response.context["form"].initial["title"]
    assert len(title) <= 120 and title.endswith("…")


@pytest.mark.django_db
def test_retracting_an_annotation_closes_its_regression_and_the_page_marks_it(client, people):
    candidate = accepted_candidate(people.hub)
    deployment = deployment_for(
        decision_for(people.hub, candidate=candidate), deployed_at=timezone.now() - timedelta(days=3)
    )
    signal_for(
        deployment, candidate.source_widget, "improved", observed_at=timezone.now() - timedelta(days=2)
    )
    annotation = AnnotationFactory(widget=candidate.source_widget, severity="critical", body="Broken again")
    [regression] = regressions.detect()
    feedback_services.annotation_retract(annotation=annotation, actor=people.steward, reason="Wrong widget")
    regression.refresh_from_db()
    assert regression.resolved_at is not None and regression.resolved_by_id == people.steward.pk
    assert regression.resolution_note == "The annotation was retracted: Wrong widget"
    assert not Regression.objects.filter(resolved_at__isnull=True).exists()
    client.force_login(people.viewer)
    url = reverse("outcomes:regressions", args=[people.hub.slug])
    assert "Broken again" not in client.get(url).content.decode()
    body = client.get(url, {"show": "all"}).content.decode()
    assert '<span class="struck">Broken again</span> <span class="tag">retracted</span>' in body
