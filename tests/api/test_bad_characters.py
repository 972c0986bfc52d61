"""One bad character costs only its own event (issue #15): NUL and lone UTF-16 surrogates, which PostgreSQL
cannot store, are refused by field, and never answer 500 nor cost the rest of a batch its place."""

import json
import uuid

import pytest

from feedback.models import Annotation
from hubs.models import InteractionEvent
from tests.api.helpers import ANNOTATIONS, EVENTS
from tests.api.helpers import event as _event
from tests.api.helpers import post as _post

# What PostgreSQL cannot store in text or jsonb; json.dumps sends both as \u escapes, as JSON.stringify does.
BAD = pytest.mark.parametrize("bad", ["\x00", "\ud83d"], ids=["NUL", "lone surrogate"])


# Every place of an event where a string reaches the database, and the field an answer names for it.
PLACES = [
    pytest.param(lambda bad: {"actor_type": f"ag{bad}ent"}, "actor_type", id="actor_type"),
    pytest.param(lambda bad: {"view_context_ref": f"/pay{bad}"}, "view_context_ref", id="view_context_ref"),
    pytest.param(lambda bad: {"metadata": {"message": f"boom {bad}"}}, "metadata.message", id="metadata"),
    pytest.param(lambda bad: {"metadata": {f"key{bad}": 1}}, "metadata", id="a metadata key"),
    pytest.param(
        lambda bad: {"metadata": {"steps": [{"label": "ok"}, {"label": f"x{bad}"}]}},
        "metadata.steps.1.label",
        id="nested metadata",
    ),
]


@pytest.mark.django_db
@BAD
@pytest.mark.parametrize(("patch", "field"), PLACES)
def test_a_bad_character_costs_only_its_own_event(api, setup, bad, patch, field):
    widget, headers = setup
    good = [_event(widget), _event(widget)]
    response = _post(api, EVENTS, {"events": [good[0], _event(widget, **patch(bad)), good[1]]}, headers)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (2, 0)
    [rejected] = body["rejected"]
    assert rejected["index"] == 1
    assert [(e["field"], e["code"]) for e in rejected["details"]] == [(field, "bad_character")]
    assert set(InteractionEvent.objects.values_list("id", flat=True)) == {uuid.UUID(e["id"]) for e in good}


@pytest.mark.django_db
@BAD
@pytest.mark.parametrize(("patch", "field"), PLACES[:3])
def test_a_single_event_with_a_bad_character_is_422_naming_the_field(api, setup, bad, patch, field):
    widget, headers = setup
    response = _post(api, EVENTS, _event(widget, **patch(bad)), headers)
    assert response.status_code == 422
    assert response.json()["code"] == "bad_character"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "bad_character")]
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_utf8_is_400(api, setup):
    """A lone surrogate written as raw bytes (not as a \\u escape) is not UTF-8, so the body is not JSON."""
    widget, headers = setup
    raw = json.dumps({"events": [_event(widget, actor_type="AGENT")]}).encode()
    response = _post(api, EVENTS, raw.replace(b"AGENT", b"\xed\xa0\xbd"), headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "body: is not valid JSON.", "code": "invalid"}
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
@BAD
@pytest.mark.parametrize("where", ["body", "header"])
def test_a_key_with_a_bad_character_is_a_bad_key(api, setup, bad, where):
    widget, headers = setup
    raw = headers["Authorization"].split()[1]
    public_id = raw.split("_")[2]
    forged = raw.replace(public_id, public_id[:-1] + bad) if where == "body" else raw + bad
    if where == "body":
        response = _post(api, EVENTS, {"key": forged, "events": [_event(widget)]}, {})
    else:
        response = _post(api, EVENTS, _event(widget), {"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["code"] == "bad_key"
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
@BAD
@pytest.mark.parametrize("field", ["body", "actor_type", "widget_state_ref"])
def test_an_annotation_with_a_bad_character_is_422_naming_the_field(api, setup, bad, field):
    widget, headers = setup
    annotation = {"widget_id": str(widget.pk), "body": "The button hides", field: f"a{bad}b"}
    response = _post(api, ANNOTATIONS, annotation, headers)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "bad_character")]
    assert not Annotation.objects.exists()


@pytest.mark.django_db
@BAD
def test_a_bad_character_anywhere_in_a_request_is_refused_never_a_500(api, setup, bad):
    """The fields that never reach the database as text (ids, type, time) are refused as invalid already."""
    widget, headers = setup
    fields = ["id", "widget_id", "event_type", "occurred_at", "actor_id", "actor_type", "view_context_ref"]
    for field in fields:
        event = _event(widget, actor_id=str(uuid.uuid4()))
        event[field] = f"{event.get(field, 'x')}{bad}"
        response = _post(api, EVENTS, event, headers)
        assert response.status_code == 422, (field, response.content[:300])
        assert field in [e["field"] for e in response.json()["errors"]]
    for name in ["Idempotency-Key", "Origin"]:
        response = _post(api, EVENTS, {"events": [_event(widget)]}, {**headers, name: f"x{bad}"})
        assert response.status_code < 500, name
    for field in ["id", "widget_id", "category", "severity", "actor_id"]:
        annotation = {"widget_id": str(widget.pk), "body": "Hidden", field: f"x{bad}"}
        response = _post(api, ANNOTATIONS, annotation, headers)
        assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]]
    assert not Annotation.objects.exists()
    assert InteractionEvent.objects.count() <= 1  # the event sent with an Idempotency-Key, at most
