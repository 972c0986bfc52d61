"""The people whose annotations led to a change hear what it did: in the app, by email (respecting mute), and
in the reporter once; they may opt out per hub. End to end through the real services, views and worker."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from procrastinate.contrib.django import app as procrastinate_app

from feedback import services as feedback_services
from feedback.models import Annotation, NotificationOutcome
from governance import services as governance_services
from hubs.models import HubMembership
from outcomes import services as outcome_services
from surveys import services
from surveys.models import ReporterVerdict, VerdictOptOut
from tests.factories import WidgetFactory, api_key

NEWS = "/api/v1/reports/news"


def _run_worker():
    with procrastinate_app.replace_connector(procrastinate_app.connector.get_worker_connector()) as app:
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


def _report(client, headers, widget, **extra):
    body = {"widget_id": str(widget.pk), "body": "The coupon field rejects lower case codes", **extra}
    response = client.post(
        "/api/v1/annotations", json.dumps(body), content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.json()
    return Annotation.objects.get(pk=response.json()["id"])


def _to_deployment(people, widget, annotation):
    """annotation → candidate (its thread) → accepted → requirement → approved decision → deployment."""
    steward = people.steward
    thread = feedback_services.thread_open(actor=steward, annotation=annotation, title="Coupon case")
    candidate = feedback_services.candidate_escalate(
        actor=steward,
        widget=widget,
        title="Coupon codes are case sensitive",
        description="d",
        category="bug",
        thread=thread,
    )
    for target in ("under_review", "accepted"):
        feedback_services.candidate_transition(
            hub=people.hub, candidate_id=candidate.pk, actor=steward, target=target
        )
    requirement = governance_services.requirement_promote(
        hub=people.hub, candidate_id=candidate.pk, actor=steward, title="Accept any case", description="d"
    )
    decision = governance_services.decision_record(
        hub=people.hub,
        actor=steward,
        title="Ship it",
        rationale="People fail at checkout",
        outcome="approved",
        requirement=requirement,
    )
    return candidate, outcome_services.deployment_record(
        decision=decision, actor=steward, version_ref="shop 4.2"
    )


@pytest.mark.django_db(transaction=True)
def test_annotation_to_candidate_to_deployment_to_signal_tells_the_authors(client, people, contracts):
    widget = WidgetFactory(hub=people.hub, name="Coupon field")
    _key, raw = api_key(people.hub)
    headers = {"Authorization": f"Bearer {raw}"}
    # A member who reported through the reporter (the host gave their IHF id), and an anonymous person.
    known = _report(client, headers, widget, actor_id=str(people.viewer.pk))
    anonymous = _report(client, headers, widget, body="Lower case coupon fails")
    candidate, deployment = _to_deployment(people, widget, known)
    Annotation.objects.filter(pk=anonymous.pk).update(thread=candidate.source_thread)
    outcome_services.evaluation_submit(
        deployment=deployment, actor=people.reviewer, score=4, rationale="Fewer errors"
    )
    _run_worker()
    assert not ReporterVerdict.objects.exists()  # evaluated, but no signal yet: not judged

    client.force_login(people.reviewer)
    url = reverse("outcomes:signal-add", args=[people.hub.slug, deployment.pk])
    response = client.post(url, {"signal_type": "improved", "widget": str(widget.pk)})
    assert response.status_code == 302
    _run_worker()

    verdicts = {v.annotation_id: v for v in ReporterVerdict.objects.all()}
    assert set(verdicts) == {known.pk, anonymous.pk}
    assert (verdicts[known.pk].user_id, verdicts[known.pk].verdict, verdicts[known.pk].evaluation_score) == (
        people.viewer.pk,
        "improved",
        4,
    )
    assert verdicts[anonymous.pk].user_id is None
    email = NotificationOutcome.objects.get(notification_type="verdict")
    assert (email.user_id, email.delivery_status, email.candidate_id) == (
        people.viewer.pk,
        "delivered",
        candidate.pk,
    )
    [message] = [m for m in mail.outbox if "What came of your report" in m.subject]
    assert message.to == [people.viewer.email]
    assert "shop 4.2" in message.body and "judged improved" in message.body and "4/5" in message.body

    # In the app: the viewer's page lists it, new, once.
    client.force_login(people.viewer)
    page = client.get(reverse("surveys:my-reports", args=[people.hub.slug]))
    assert page.status_code == 200
    assert "shop 4.2" in page.content.decode() and "<strong>New:</strong>" in page.content.decode()
    assert ReporterVerdict.objects.get(pk=verdicts[known.pk].pk).read_at is not None
    assert (
        "<strong>New:</strong>"
        not in client.get(reverse("surveys:my-reports", args=[people.hub.slug])).content.decode()
    )

    # The reporter that sent the anonymous annotation hears of it once.
    ids = {"annotation_ids": [str(anonymous.pk)]}
    news = client.post(NEWS, json.dumps(ids), content_type="application/json", headers=headers)
    assert news.status_code == 200
    assert news.json()["items"] == [
        {
            "annotation_id": str(anonymous.pk),
            "widget_id": str(widget.pk),
            "deployment": "shop 4.2",
            "verdict": "improved",
            "evaluation_score": 4,
        }
    ]
    again = client.post(NEWS, json.dumps(ids), content_type="application/json", headers=headers)
    assert again.json()["items"] == []

    # A second signal tells nobody twice.
    outcome_services.signal_record(
        deployment=deployment, widget=widget, actor=people.reviewer, signal_type="neutral"
    )
    _run_worker()
    assert ReporterVerdict.objects.count() == 2
    assert NotificationOutcome.objects.filter(notification_type="verdict").count() == 1


def _judged_chain(people, author):
    widget = WidgetFactory(hub=people.hub)
    annotation = Annotation.objects.create(widget=widget, body="Too slow", actor_id=author.pk)
    _candidate, deployment = _to_deployment(people, widget, annotation)
    outcome_services.evaluation_submit(
        deployment=deployment, actor=people.reviewer, score=2, rationale="Worse"
    )
    outcome_services.signal_record(
        deployment=deployment, widget=widget, actor=people.reviewer, signal_type="regressed"
    )
    return deployment


@pytest.mark.django_db
def test_muted_authors_hear_in_the_app_but_get_no_email(people):
    HubMembership.objects.filter(hub=people.hub, user=people.viewer).update(notifications_muted=True)
    deployment = _judged_chain(people, people.viewer)
    [told] = services.tell_authors(deployment.pk)
    assert (told.user_id, told.verdict, told.evaluation_score) == (people.viewer.pk, "regressed", 2)
    assert not NotificationOutcome.objects.filter(notification_type="verdict").exists()


@pytest.mark.django_db
def test_authors_who_opted_out_of_the_hub_hear_nothing(client, people):
    client.force_login(people.viewer)
    response = client.post(reverse("surveys:my-reports-opt-out", args=[people.hub.slug]), {"opted_out": "1"})
    assert response.status_code == 302
    assert VerdictOptOut.objects.filter(hub=people.hub, actor_id=people.viewer.pk).exists()
    deployment = _judged_chain(people, people.viewer)
    assert services.tell_authors(deployment.pk) == []
    assert not ReporterVerdict.objects.exists()
    assert not NotificationOutcome.objects.filter(notification_type="verdict").exists()


@pytest.mark.django_db
def test_the_reporter_opt_out_is_per_hub_and_by_actor(client, people, contracts):
    _key, raw = api_key(people.hub)
    body = {"actor_id": str(people.viewer.pk)}
    response = client.post(
        "/api/v1/reports/opt-out",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert list(VerdictOptOut.objects.values_list("hub_id", "actor_id")) == [
        (people.hub.pk, people.viewer.pk)
    ]
    bad = client.post(
        "/api/v1/reports/opt-out",
        json.dumps({"actor_id": "me"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "actor_id"
    assert VerdictOptOut.objects.count() == 1


@pytest.mark.parametrize(
    ("signals", "verdict"),
    [
        (["improved", "neutral"], "improved"),
        (["improved", "regressed"], "inconclusive"),
        (["neutral"], "inconclusive"),
        (["regressed", "regressed", "improved"], "regressed"),
    ],
)
@pytest.mark.django_db
def test_the_verdict_is_the_majority_of_improved_and_regressed_signals(people, signals, verdict):
    widget = WidgetFactory(hub=people.hub)
    annotation = Annotation.objects.create(widget=widget, body="x", actor_id=people.viewer.pk)
    _candidate, deployment = _to_deployment(people, widget, annotation)
    for signal_type in signals:
        outcome_services.signal_record(
            deployment=deployment, widget=widget, actor=people.reviewer, signal_type=signal_type
        )
    assert services.verdict_of(deployment) == verdict
