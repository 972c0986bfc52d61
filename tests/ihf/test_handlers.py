"""wiring.wsgi.application serves POST /api/v1/interaction-events without Django's request cycle, and every
other request with it."""

import json

import pytest
from django.core import signals

from hubs import ingest
from hubs.models import InteractionEvent
from tests.factories import WidgetFactory, api_key
from tests.wsgi_client import WsgiClient

EVENTS = "/api/v1/interaction-events"


@pytest.fixture
def wsgi(monkeypatch, contracts):
    return WsgiClient(monkeypatch)


@pytest.fixture
def started():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["environ"]["PATH_INFO"])

    signals.request_started.connect(receiver)
    yield seen
    signals.request_started.disconnect(receiver)


def _event(widget):
    from datetime import UTC, datetime

    return {
        "widget_id": str(widget.pk),
        "event_type": "clicked",
        "occurred_at": datetime.now(UTC).isoformat(),
    }


@pytest.mark.django_db
def test_only_event_reports_take_the_short_path(wsgi, people, started):
    widget = WidgetFactory(hub=people.hub)
    _k, ingest_key = api_key(people.hub)
    _r, read_key = api_key(people.hub, "read")
    response = wsgi.post(
        EVENTS,
        _event(widget),
        content_type="application/json",
        headers={"Authorization": f"Bearer {ingest_key}"},
    )
    assert response.status_code == 201
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's headers are kept
    assert started == []
    listing = wsgi.get("/api/v1/widgets", headers={"Authorization": f"Bearer {read_key}"})
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert wsgi.get(EVENTS).status_code == 405  # not a POST: Django's whole cycle
    assert started == ["/api/v1/widgets", EVENTS]
    assert InteractionEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_failure_in_the_short_path_is_logged_as_django_would_and_answered_in_json(
    wsgi, people, monkeypatch, caplog
):
    widget = WidgetFactory(hub=people.hub)
    _k, raw = api_key(people.hub)

    def broken(batch, hub_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "store", broken)
    response = wsgi.post(
        EVENTS,
        json.dumps(_event(widget)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 500 and response.json()["code"] == "internal"
    assert any(
        record.name == "django.request" and "disk on fire" in str(record.exc_info)
        for record in caplog.records
        if record.exc_info
    )
    assert not InteractionEvent.objects.exists()


def test_the_middleware_is_the_list_the_fast_path_was_written_for(settings):
    """hubs/fastpath.py's WSGIHandler serves the event endpoint without the middleware chain. Middleware
    added since must be weighed against it: does the endpoint need it? Then the handler must do its work."""
    from hubs.fastpath import HANDLER_WRITTEN_FOR

    assert tuple(settings.MIDDLEWARE) == HANDLER_WRITTEN_FOR, (
        "settings.MIDDLEWARE changed: decide whether POST /api/v1/interaction-events, which hubs/fastpath.py "
        "serves without the middleware chain, needs the new middleware's work; add it to the handler if so, "
        "then update HANDLER_WRITTEN_FOR"
    )
