import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail, signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app as procrastinate_app

from feedback import notifications, services
from feedback.models import NotificationOutcome
from feedback.notifications import DeliveryFailed, link_token
from hubs.models import HubMembership
from tests.factories import CandidateFactory, WidgetFactory

DELIVER = "feedback.tasks.deliver_notification"
FAILING_MAILERS = {"default": {"BACKEND": "tests.support.mail.FailingEmailBackend"}}


def _assign(people, reviewer=None):
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), title="Coupon rejected")
    services.candidate_assign(
        hub=people.hub,
        candidate_id=candidate.pk,
        actor=people.steward,
        reviewer_id=(reviewer or people.reviewer).pk,
    )
    return candidate, NotificationOutcome.objects.get(channel="email")


@pytest.mark.django_db
def test_assignment_records_a_pending_email_and_defers_its_delivery(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        candidate, outcome = _assign(people)
    assert (outcome.channel, outcome.notification_type, outcome.recipient, outcome.delivery_status) == (
        "email",
        "assigned",
        people.reviewer.email,
        "pending",
    )
    assert (outcome.hub_id, outcome.candidate_id, outcome.user_id) == (
        people.hub.pk,
        candidate.pk,
        people.reviewer.pk,
    )
    with connection.cursor() as cursor:
        # Only the notification queue's: a new candidate also queues the AI proposers (assist/hooks.py).
        cursor.execute(
            "SELECT task_name, args::jsonb FROM procrastinate_jobs WHERE queue_name = 'notifications'"
        )
        jobs = cursor.fetchall()
    assert [(name, json.loads(args) if isinstance(args, str) else args) for name, args in jobs] == [
        ("feedback.tasks.deliver_notification", {"outcome_id": outcome.pk})
    ]


@pytest.mark.django_db
def test_delivery_sends_the_email_with_signed_links(people):
    _candidate, outcome = _assign(people)
    notifications.deliver(outcome.pk)
    outcome.refresh_from_db()
    assert (outcome.delivery_status, outcome.delivery_error, outcome.attempts) == ("delivered", None, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [people.reviewer.email]
    assert message.subject == f"[IHF · {people.hub.name}] You were assigned: Coupon rejected"
    assert f"/n/{link_token(outcome)}/" in message.body
    assert f"/n/{link_token(outcome)}/mute/" in message.body
    notifications.deliver(outcome.pk)  # a retried job after success sends nothing more
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_delivery_is_recorded_and_raised_for_a_retry(people, settings):
    _candidate, outcome = _assign(people)
    settings.MAILERS = FAILING_MAILERS
    with pytest.raises(DeliveryFailed):
        notifications.deliver(outcome.pk)
    outcome.refresh_from_db()
    assert outcome.delivery_status == "failed"
    assert outcome.delivery_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert outcome.attempts == 1
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    notifications.deliver(outcome.pk)
    outcome.refresh_from_db()
    assert (outcome.delivery_status, outcome.delivery_error, outcome.attempts) == ("delivered", None, 2)


def _run_worker():
    """Run the real worker until the queue is empty, with the connector `manage.py procrastinate worker`
    uses (its own psycopg pool, not Django's connection)."""
    with procrastinate_app.replace_connector(procrastinate_app.connector.get_worker_connector()) as app:
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_and_retries_failures(people, settings):
    settings.MAILERS = FAILING_MAILERS
    _candidate, outcome = _assign(people)
    _run_worker()
    outcome.refresh_from_db()
    assert (outcome.delivery_status, outcome.attempts) == ("failed", 1)
    with connection.cursor() as cursor:
        # Only this notification's job: the worker also defers its periodic sweeps, and earlier tests that
        # committed may have left other deliveries queued.
        cursor.execute(
            "SELECT status, attempts, scheduled_at > now() FROM procrastinate_jobs "
            "WHERE task_name = %s AND (args ->> 'outcome_id')::bigint = %s",
            [DELIVER, outcome.pk],
        )
        assert cursor.fetchall() == [("todo", 1, True)]  # scheduled again, a little later
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = now() "
            "WHERE task_name = %s AND (args ->> 'outcome_id')::bigint = %s",
            [DELIVER, outcome.pk],
        )
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _run_worker()
    outcome.refresh_from_db()
    assert (outcome.delivery_status, outcome.attempts) == ("delivered", 2)
    assert len(mail.outbox) == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM procrastinate_jobs "
            "WHERE task_name = %s AND (args ->> 'outcome_id')::bigint = %s",
            [DELIVER, outcome.pk],
        )
        assert cursor.fetchall() == [("succeeded",)]


@pytest.mark.django_db
def test_muted_members_get_nothing(people):
    HubMembership.objects.filter(hub=people.hub, user=people.reviewer).update(notifications_muted=True)
    _candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    services.candidate_assign(
        hub=people.hub, candidate_id=_candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    assert not NotificationOutcome.objects.exists()


@pytest.mark.django_db
def test_too_many_notifications_in_an_hour_are_rate_limited(people, settings):
    settings.IHF_NOTIFICATIONS_PER_HOUR = 1
    _assign(people)
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub))
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    assert list(
        NotificationOutcome.objects.order_by("outcome_id").values_list("delivery_status", flat=True)
    ) == ["pending", "rate_limited"]


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 204

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.mark.django_db
def test_a_hub_webhook_gets_a_json_post_recorded_like_an_email(people, webhook_server, settings):
    # The receiver is this test's own server on loopback, which webhooks may reach only when allowed.
    settings.IHF_WEBHOOK_ALLOW_PRIVATE = True
    people.hub.webhook_url = f"http://127.0.0.1:{webhook_server.server_port}/ihf"
    people.hub.save(update_fields=["webhook_url"])
    candidate, _email = _assign(people)
    hook = NotificationOutcome.objects.get(channel="webhook")
    assert hook.recipient == people.hub.webhook_url
    _Hook.status = 204
    notifications.deliver(hook.pk)
    hook.refresh_from_db()
    assert hook.delivery_status == "delivered"
    content_type, payload = _Hook.received[0]
    assert content_type == "application/json"
    assert payload["type"] == "assigned" and payload["hub"] == people.hub.slug
    assert payload["candidate"]["id"] == str(candidate.pk)

    _Hook.status = 500
    failing = notifications.notify(
        users=[people.reviewer],
        hub=people.hub,
        candidate=candidate,
        notification_type="status_changed",
        context={},
    )
    hook = next(o for o in failing if o.channel == "webhook")
    with pytest.raises(DeliveryFailed):
        notifications.deliver(hook.pk)
    hook.refresh_from_db()
    assert (hook.delivery_status, hook.delivery_error) == ("failed", "DeliveryFailed: webhook answered 500")


@pytest.mark.django_db
def test_following_the_link_records_the_action_once(client, people):
    candidate, outcome = _assign(people)
    notifications.deliver(outcome.pk)
    NotificationOutcome.objects.filter(pk=outcome.pk).update(sent_at=timezone.now() - timedelta(minutes=5))
    client.force_login(people.reviewer)
    url = reverse("feedback:notification-open", args=[link_token(outcome)])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("feedback:candidate", args=[people.hub.slug, candidate.pk])
    outcome.refresh_from_db()
    assert outcome.user_action == "opened"
    assert 299 <= outcome.time_to_action_sec <= 310
    first = outcome.user_action_at
    client.get(url)
    outcome.refresh_from_db()
    assert outcome.user_action_at == first


@pytest.mark.django_db
def test_a_tampered_link_is_refused_and_records_nothing(client, people):
    _candidate, outcome = _assign(people)
    token = link_token(outcome)
    forged = signing.dumps({"o": outcome.pk}, salt="someone-else")
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "garbage"]:
        response = client.get(reverse("feedback:notification-open", args=[bad]))
        assert response.status_code == 400
        assert notifications.LINK_INVALID in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.user_action is None


@pytest.mark.django_db
def test_an_expired_link_is_refused_and_records_nothing(client, people, settings):
    _candidate, outcome = _assign(people)
    token = link_token(outcome)
    settings.IHF_NOTIFICATION_LINK_MAX_AGE = -1
    response = client.get(reverse("feedback:notification-open", args=[token]))
    assert response.status_code == 410
    assert notifications.LINK_EXPIRED in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.user_action is None


@pytest.mark.django_db
def test_the_mute_link_asks_first_then_mutes_the_hub(client, people):
    _candidate, outcome = _assign(people)
    url = reverse("feedback:notification-mute", args=[link_token(outcome)])
    page = client.get(url)
    assert page.status_code == 200 and "Mute this hub?" in page.content.decode()
    outcome.refresh_from_db()
    assert outcome.user_action is None
    response = client.post(url)
    assert response.status_code == 200
    outcome.refresh_from_db()
    assert outcome.user_action == "silenced"
    assert HubMembership.objects.get(hub=people.hub, user=people.reviewer).notifications_muted


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["steward", "reviewer", "viewer"])
def test_members_mute_and_unmute_a_hub_from_its_page(client, people, role):
    user = getattr(people, role)
    client.force_login(user)
    url = reverse("feedback:hub-mute", args=[people.hub.slug])
    assert client.post(url, {"muted": "1"}).status_code == 302
    assert HubMembership.objects.get(hub=people.hub, user=user).notifications_muted
    assert client.post(url, {"muted": "0"}).status_code == 302
    assert not HubMembership.objects.get(hub=people.hub, user=user).notifications_muted


@pytest.mark.django_db
def test_another_hubs_member_cannot_mute_it(client, people):
    client.force_login(people.outsider)
    assert (
        client.post(reverse("feedback:hub-mute", args=[people.hub.slug]), {"muted": "1"}).status_code == 404
    )
    assert not HubMembership.objects.filter(notifications_muted=True).exists()
