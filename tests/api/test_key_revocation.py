"""A key revoked or re-limited anywhere stops or slows at once in every process (LISTEN/NOTIFY,
hubs/key_listener.py), not at the process's next sync. The clock of hubs.keys is frozen here, so no sync
falls due by time: only the notification can tell this process."""

import json
import time

import pytest
from django.conf import settings

from hubs import key_listener, keys
from hubs.models import ApiKey, InteractionEvent
from tests.factories import WidgetFactory, api_key

EVENTS = "/api/v1/interaction-events"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(keys, "clock", lambda: 1000.0)


def _post(client, widget, raw):
    event = {"widget_id": str(widget.pk), "event_type": "clicked", "occurred_at": "2026-12-01T10:00:00Z"}
    return client.post(
        EVENTS, json.dumps(event), content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )


def _until_forgotten(public_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while public_id in keys._known and time.monotonic() < deadline:
        time.sleep(0.01)
    return public_id not in keys._known


@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_elsewhere_is_refused_here_at_once(client, people, contracts, frozen, settings):
    settings.IHF_API_KEY_NOTIFY = True
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=100)
    assert _post(client, widget, raw).status_code == 201
    assert key_listener.wait_until_listening()
    assert _post(client, widget, raw).status_code == 201 and key.public_id in keys._known
    # Another process (the admin, a steward's page, SQL) revokes it: nothing here calls keys.forget().
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-12-01T10:00:00Z")
    assert _until_forgotten(key.public_id)
    assert _post(client, widget, raw).status_code == 401
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_limit_lowered_elsewhere_applies_here_at_once(client, people, contracts, frozen, settings):
    settings.IHF_API_KEY_NOTIFY = True
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=100)
    assert [_post(client, widget, raw).status_code for _ in range(3)] == [201, 201, 201]
    assert key_listener.wait_until_listening()
    ApiKey.objects.filter(pk=key.pk).update(rate_limit_per_minute=2)
    assert _until_forgotten(key.public_id)
    response = _post(client, widget, raw)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert InteractionEvent.objects.count() == 3
    # The counter's own updates notify nothing: the key stays known between requests.
    assert key.public_id in keys._known


@pytest.mark.django_db(transaction=True)
def test_without_the_listener_a_revocation_elsewhere_waits_for_the_next_sync(
    client, people, contracts, frozen
):
    """The control: what the listener changes. With it off (the tests' default), only a sync rereads the key,
    and the frozen clock never brings one."""
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=100)
    assert _post(client, widget, raw).status_code == 201
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-12-01T10:00:00Z")
    time.sleep(0.5)
    assert _post(client, widget, raw).status_code == 201


@pytest.mark.django_db
def test_counts_carried_over_a_dropped_key_survive_a_forged_request(
    client, people, contracts, frozen, monkeypatch
):
    """A dropped key's unwritten requests are written at its next sync; a forged secret's sync writes
    nothing, so they wait for the right one."""
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=100)
    assert [_post(client, widget, raw).status_code for _ in range(3)] == [201, 201, 201]
    assert ApiKey.objects.get(pk=key.pk).window_count == 1  # two counted here, not yet written
    keys.forget(key.public_id)  # as the listener does on news from another process
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert _post(client, widget, forged).status_code == 401
    assert ApiKey.objects.get(pk=key.pk).window_count == 1
    assert keys._unwritten[key.public_id] == 2
    assert _post(client, widget, raw).status_code == 201  # counted here, with the two carried ones pending
    monkeypatch.setattr(keys, "clock", lambda: 1000.0 + settings.IHF_API_KEY_SYNC_SECONDS)
    assert _post(client, widget, raw).status_code == 201  # the next sync writes all five
    assert ApiKey.objects.get(pk=key.pk).window_count == 5
    assert InteractionEvent.objects.count() == 5 and key.public_id not in keys._unwritten
