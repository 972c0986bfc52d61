"""API errors are JSON whatever happens, and the status says what happened (issue #15): too-deep JSON is 400,
a database outage 503 with Retry-After, a bug a logged 500 that shows nothing of it, under DEBUG too."""

import json
import socket
from contextlib import contextmanager

import pytest
from django.db import connection

from feedback import api as feedback_api
from feedback.models import Annotation
from hubs import ingest
from hubs.models import InteractionEvent
from hubs.schemas import ErrorOut
from tests.api.helpers import ANNOTATIONS, EVENTS
from tests.api.helpers import event as _event
from tests.api.helpers import post as _post
from tests.factories import api_key


@pytest.mark.django_db
@pytest.mark.parametrize("path", [EVENTS, ANNOTATIONS])
def test_json_nested_too_deep_is_400_in_json(api, setup, settings, path):
    settings.DEBUG = True  # where Django would answer with its debug page
    _widget, headers = setup
    response = _post(api, path, "[" * 50_000 + "]" * 50_000, headers)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "body: is nested too deeply.", "code": "too_deep"}
    assert not InteractionEvent.objects.exists() and not Annotation.objects.exists()


@pytest.mark.django_db
def test_deep_metadata_is_stored_or_refused_never_a_500(api, setup):
    """Python's parser gives up somewhere past 1,000 levels; anything it parses may still fail later on."""
    widget, headers = setup
    stored, refused = [], []
    for depth in (100, 500, 900, 1200, 1400, 2000, 4000):
        nested = "[" * depth + "]" * depth  # within metadata's 8,192 bytes
        body = json.dumps({"events": [_event(widget, metadata={"a": "NESTED"})]}).replace('"NESTED"', nested)
        response = _post(api, EVENTS, body, headers)
        assert response.status_code in {200, 400}, (depth, response.content[:300])
        if response.status_code == 400:
            assert response.json()["code"] == "too_deep"
            refused.append(depth)
        else:
            assert response.json()["accepted"] == 1
            stored.append(depth)
    assert stored[:3] == [100, 500, 900] and refused[-2:] == [2000, 4000]
    assert InteractionEvent.objects.count() == len(stored)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [EVENTS, ANNOTATIONS])
def test_an_unexpected_failure_is_a_json_500(api, setup, settings, monkeypatch, caplog, path):
    settings.DEBUG = True
    widget, headers = setup

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "store", broken)
    monkeypatch.setattr(feedback_api.Annotation.objects, "create", broken)
    if hasattr(api, "raise_request_exception"):
        api.raise_request_exception = False
    body = _event(widget) if path == EVENTS else {"widget_id": str(widget.pk), "body": "Hidden"}
    response = _post(api, path, body, headers)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "internal"
    assert "disk on fire" not in response.content.decode()  # logged, not shown
    assert any("disk on fire" in str(record.exc_info) for record in caplog.records if record.exc_info)
    assert not InteractionEvent.objects.exists() and not Annotation.objects.exists()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def outage():
    """PostgreSQL unreachable while the block runs: the connection is closed and pointed at a closed port."""

    @contextmanager
    def down():
        port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = _free_port()
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port

    return down


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_503_with_retry_after(api, setup, people, outage):
    widget, headers = setup
    _read, read_raw = api_key(people.hub, scope="read")
    read_headers = {"Authorization": f"Bearer {read_raw}"}
    before = _post(api, EVENTS, _event(widget), headers)  # this process now knows the key and the widget
    assert before.status_code == 201
    with outage():
        answers = [
            _post(api, EVENTS, _event(widget), headers),  # the key as known: the INSERT fails
            _post(api, EVENTS, {"events": [_event(widget), _event(widget)]}, headers),
            _post(api, ANNOTATIONS, {"widget_id": str(widget.pk), "body": "Hidden"}, headers),
            api.get("/api/v1/widgets", headers=read_headers),  # a key not known yet: its check fails
            api.get("/api/v1/contracts", headers=read_headers),
        ]
    for response in answers:
        assert response.status_code == 503, response.content[:300]
        assert response["Retry-After"] == "5"
        assert response.json()["code"] == "unavailable"
    after = _post(api, EVENTS, _event(widget), headers)
    assert after.status_code == 201
    assert InteractionEvent.objects.count() == 2 and not Annotation.objects.exists()


@pytest.mark.django_db
def test_no_endpoint_and_a_wrong_method_are_answered_in_json(api, setup, people):
    _widget, headers = setup
    _read, read_raw = api_key(people.hub, scope="read")
    missing = api.get("/api/v1/nope", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    for method, path, allowed in [("get", EVENTS, "POST"), ("post", "/api/v1/widgets", "GET")]:
        response = getattr(api, method)(path, headers={"Authorization": f"Bearer {read_raw}"})
        assert response.status_code == 405, path
        assert response["Content-Type"] == "application/json" and response["Allow"] == allowed
        assert response.json()["code"] == "method_not_allowed"
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_query_parameter_that_cannot_be_read_is_422_naming_it(api, people):
    _read, read_raw = api_key(people.hub, scope="read")
    response = api.get("/api/v1/widgets?limit=many&offset=0", headers={"Authorization": f"Bearer {read_raw}"})
    assert response.status_code == 422
    body = ErrorOut.model_validate(response.json())  # the shape OpenAPI declares for 422
    assert (body.code, [(e.field, e.code) for e in body.errors]) == ("invalid", [("limit", "invalid")])
    assert not InteractionEvent.objects.exists()
