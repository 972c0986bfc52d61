"""Webhooks go to public addresses only (issue #15, item 6): the settings form refuses a URL inside the
network, and delivery checks again after resolving the name and connects to the address it checked.

No request here leaves the machine: names resolve through `fake_dns`, refused targets are never connected
to, and the only server posted to is the test's own on 127.0.0.1 (with IHF_WEBHOOK_ALLOW_PRIVATE turned on
where a test means it to be reached).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from feedback import notifications, services
from feedback.models import NotificationOutcome
from hubs.models import Hub
from tests.factories import CandidateFactory, WidgetFactory

PUBLIC = "93.184.215.14"  # resolved to, never connected to


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Host"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """A webhook receiver on loopback: what an internal service would be."""
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _settings(client, people, url):
    client.force_login(people.steward)
    return client.post(
        reverse("hubs:settings", args=[people.hub.slug]), {"allowed_origins": "", "webhook_url": url}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:6379/",
        "http://10.1.2.3/hook",
        "http://172.16.0.9/hook",
        "http://192.168.0.10/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0:8000/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.1/",
        "http://app.localhost/",
        "http://db.corp.test/hook",  # a name that resolves inside
        "http://mixed.example.test/hook",  # one public and one private address
        "ftp://files.example.test/hook",
        "http://user:secret@hooks.example.test/hook",
    ],
)
def test_a_webhook_inside_the_network_is_refused_in_the_form(client, people, fake_dns, url):
    fake_dns["db.corp.test"] = ["10.0.0.7"]
    fake_dns["mixed.example.test"] = [PUBLIC, "192.168.1.1"]
    fake_dns["hooks.example.test"] = [PUBLIC]
    fake_dns["files.example.test"] = [PUBLIC]
    response = _settings(client, people, url)
    assert response.status_code == 422
    assert "webhook_url" in response.context["integration_form"].errors
    assert Hub.objects.get(pk=people.hub.pk).webhook_url == ""


@pytest.mark.django_db
def test_a_public_webhook_is_accepted(client, people, fake_dns):
    fake_dns["hooks.example.test"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    response = _settings(client, people, "https://hooks.example.test/ihf")
    assert response.status_code == 302
    assert Hub.objects.get(pk=people.hub.pk).webhook_url == "https://hooks.example.test/ihf"
    assert fake_dns.lookups == ["hooks.example.test"]


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_is_refused(client, people, fake_dns):
    response = _settings(client, people, "https://nowhere.example.test/ihf")
    assert response.status_code == 422
    assert "does not resolve" in str(response.context["integration_form"].errors["webhook_url"])
    assert Hub.objects.get(pk=people.hub.pk).webhook_url == ""


@pytest.mark.django_db
def test_development_may_allow_private_targets(client, people, settings):
    settings.IHF_WEBHOOK_ALLOW_PRIVATE = True
    assert _settings(client, people, "http://127.0.0.1:9000/hook").status_code == 302
    assert Hub.objects.get(pk=people.hub.pk).webhook_url == "http://127.0.0.1:9000/hook"


def _webhook_outcome(people, url):
    # Straight into the row, as a hub saved before this check (or by a script) would hold it.
    Hub.objects.filter(pk=people.hub.pk).update(webhook_url=url)
    people.hub.refresh_from_db()
    candidate = CandidateFactory(source_widget=WidgetFactory(hub=people.hub), title="Coupon rejected")
    services.candidate_assign(
        hub=people.hub, candidate_id=candidate.pk, actor=people.steward, reviewer_id=people.reviewer.pk
    )
    return NotificationOutcome.objects.get(channel="webhook")


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "rebound.example.test"])
def test_delivery_refuses_a_target_inside_the_network_and_does_not_retry(people, receiver, fake_dns, host):
    fake_dns["rebound.example.test"] = ["127.0.0.1"]  # public when saved, loopback now
    outcome = _webhook_outcome(people, f"http://{host}:{receiver.server_port}/ihf")
    delivered = notifications.deliver(outcome.pk)  # no DeliveryFailed: trying again would not help
    assert _Receiver.received == []
    outcome.refresh_from_db()
    assert delivered.pk == outcome.pk
    assert (outcome.delivery_status, outcome.attempts) == ("failed", 1)
    assert outcome.delivery_error.startswith("RefusedTarget: ")
    assert "127.0.0.1 is not a public address" in outcome.delivery_error


@pytest.mark.django_db
def test_delivery_connects_to_the_address_it_checked(people, receiver, fake_dns, settings):
    """DNS rebinding: the name answers one address to the check and another to a second lookup. Delivery
    looks up once and connects to what it checked. (Loopback allowed, explicitly: the receiver is local.)"""
    settings.IHF_WEBHOOK_ALLOW_PRIVATE = True
    answers = iter([["127.0.0.1"], ["127.0.0.9"]])
    fake_dns["hooks.example.test"] = lambda: next(answers)
    outcome = _webhook_outcome(people, f"http://hooks.example.test:{receiver.server_port}/ihf")
    notifications.deliver(outcome.pk)
    outcome.refresh_from_db()
    assert (outcome.delivery_status, outcome.delivery_error) == ("delivered", None)
    assert fake_dns.lookups == ["hooks.example.test"]
    (host, payload), *more = _Receiver.received
    assert not more
    assert host == f"hooks.example.test:{receiver.server_port}"  # the name, not the address
    assert payload["type"] == "assigned" and payload["hub"] == people.hub.slug
