"""One schema per payload: what OpenAPI documents is what the API enforces and answers, and every error
carries a code that programs branch on."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from feedback.api import AnnotationIn
from feedback.models import Annotation
from hubs import ingest
from hubs.api import CONSENT_SCHEMA as CONSENT
from hubs.models import InteractionEvent
from hubs.schemas import BatchOut, ContractsOut, ErrorOut, StoredEventOut, WidgetPageOut
from tests.factories import HubFactory, WidgetFactory, api_key

EVENTS = "/api/v1/interaction-events"
ANNOTATIONS = "/api/v1/annotations"
NOW = datetime.now(UTC).replace(microsecond=0).isoformat()


@pytest.fixture
def setup(people):
    widget = WidgetFactory(hub=people.hub)
    _key, raw = api_key(people.hub)
    _read, read_raw = api_key(people.hub, scope="read")
    return widget, {"Authorization": f"Bearer {raw}"}, {"Authorization": f"Bearer {read_raw}"}


def _post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def _event(widget, **extra):
    return {"widget_id": str(widget.pk), "event_type": "clicked", "occurred_at": NOW, **extra}


@pytest.mark.django_db
def test_openapi_documents_the_payloads_the_api_validates_and_every_answer(client):
    document = client.get("/api/openapi.json").json()
    events = document["paths"]["/api/v1/interaction-events"]["post"]
    one_of = events["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert one_of[1]["properties"]["events"]["items"] == ingest.EVENT_SCHEMA
    # A single event may carry the request's consent (a hub may require it) beside the event's fields.
    assert one_of[0] == {
        **ingest.EVENT_SCHEMA,
        "properties": {**ingest.EVENT_SCHEMA["properties"], "consent": CONSENT},
    }
    assert one_of[1]["properties"]["consent"] == CONSENT
    annotations = document["paths"]["/api/v1/annotations"]["post"]
    assert (
        annotations["requestBody"]["content"]["application/json"]["schema"]
        == AnnotationIn.model_json_schema()
    )
    expected = {
        ("/api/v1/interaction-events", "post"): {
            "200",
            "201",
            "400",
            "401",
            "403",
            "404",
            "411",
            "413",
            "422",
            "429",
            "503",
        },
        ("/api/v1/annotations", "post"): {
            "200",
            "201",
            "400",
            "401",
            "403",
            "409",
            "411",
            "413",
            "422",
            "429",
            "503",
        },
        ("/api/v1/widgets", "get"): {"200", "401", "403", "422", "429", "503"},
        ("/api/v1/contracts", "get"): {"200", "401", "403", "429", "503"},
    }
    for (path, method), statuses in expected.items():
        responses = document["paths"][path][method]["responses"]
        assert set(responses) == statuses, path
        for status, response in responses.items():
            assert "schema" in response["content"]["application/json"], (path, status)


@pytest.mark.django_db
def test_each_documented_limit_of_an_event_is_the_one_enforced(api, setup):
    widget, headers, _ = setup
    properties = ingest.EVENT_SCHEMA["properties"]
    for field in ("actor_type", "view_context_ref"):
        limit = properties[field]["maxLength"]
        at_limit = _post(api, EVENTS, _event(widget, **{field: "x" * limit}), headers)
        over = _post(api, EVENTS, _event(widget, **{field: "x" * (limit + 1)}), headers)
        assert at_limit.status_code == 201, field
        assert over.status_code == 422 and over.json()["errors"][0]["field"] == field
    for field in ingest.EVENT_SCHEMA["required"]:
        event = _event(widget)
        del event[field]
        response = _post(api, EVENTS, event, headers)
        assert response.status_code == 422
        assert {"field": field, "code": "required"}.items() <= response.json()["errors"][0].items()
    unknown = _post(api, EVENTS, _event(widget, colour="red"), headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["code"] == "not_a_field"
    assert set(properties) == set(ingest.FIELDS)
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_answers_match_their_declared_schemas_and_carry_codes(api, setup, people):
    widget, headers, read_headers = setup
    foreign = WidgetFactory(hub=HubFactory())
    stored = _post(api, EVENTS, _event(widget), headers)
    assert stored.status_code == 201
    StoredEventOut.model_validate(stored.json())

    batch = _post(api, EVENTS, {"events": [_event(widget), _event(widget, occurred_at="soon")]}, headers)
    assert batch.status_code == 200
    body = BatchOut.model_validate(batch.json())
    assert (
        body.rejected[0].details[0].code == "invalid" and body.rejected[0].details[0].field == "occurred_at"
    )

    not_ours = _post(api, EVENTS, _event(foreign), headers)
    assert not_ours.status_code == 404
    refusal = ErrorOut.model_validate(not_ours.json())
    assert refusal.code == "unknown_widget" and refusal.errors[0].field == "widget_id"

    missing_key = _post(api, EVENTS, _event(widget), {})
    assert (
        missing_key.status_code == 401 and ErrorOut.model_validate(missing_key.json()).code == "missing_key"
    )
    wrong_scope = _post(api, EVENTS, _event(widget), read_headers)
    assert wrong_scope.status_code == 403 and wrong_scope.json()["code"] == "wrong_scope"

    widgets = api.get("/api/v1/widgets", headers=read_headers)
    page = WidgetPageOut.model_validate(widgets.json())
    assert page.count == 1 and page.items[0].envelope.widget == str(widget.pk)
    bad_page = api.get("/api/v1/widgets?limit=0&offset=-1", headers=read_headers)
    assert bad_page.status_code == 422
    assert [e["field"] for e in bad_page.json()["errors"]] == ["limit", "offset"]
    ContractsOut.model_validate(api.get("/api/v1/contracts", headers=read_headers).json())
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("patch", "field", "code"),
    [
        ({"body": "   "}, "body", "required"),
        ({"body": "x" * 5001}, "body", "too_long"),
        ({"actor_type": "x" * 51}, "actor_type", "too_long"),
        ({"widget_state_ref": "x" * 501}, "widget_state_ref", "too_long"),
        ({"severity": "urgent"}, "severity", "not_accepted"),
        ({"widget_id": None}, "widget_id", "invalid"),
        ({"id": 7}, "id", "invalid"),
    ],
)
def test_the_annotation_schema_is_what_validates_annotations(api, setup, patch, field, code):
    widget, headers, _ = setup
    body = {"widget_id": str(widget.pk), "body": "The button hides", **patch}
    response = _post(api, ANNOTATIONS, body, headers)
    assert response.status_code == 422
    error = ErrorOut.model_validate(response.json())
    assert (error.errors[0].field, error.errors[0].code) == (field, code)
    assert error.detail.startswith(f"{field}: ")
    assert not Annotation.objects.exists()


@pytest.mark.django_db
def test_a_valid_annotation_is_stored_as_the_schema_read_it(api, setup):
    widget, headers, _ = setup
    annotation_id, actor = str(uuid.uuid4()), str(uuid.uuid4())
    body = {
        "id": annotation_id,
        "widget_id": str(widget.pk),
        "body": "  Too many steps  ",
        "severity": "high",
        "category": "bug",
        "actor_id": actor,
        "actor_type": "agent",
        "widget_state_ref": "step-3",
        "key": "ignored: sendBeacon bodies carry the key",
    }
    response = _post(api, ANNOTATIONS, body, headers)
    assert response.status_code == 201 and response.json() == {"id": annotation_id, "duplicate": False}
    stored = Annotation.objects.get()
    assert (stored.body, stored.severity, stored.category, str(stored.actor_id), stored.actor_type) == (
        "Too many steps",
        "high",
        "bug",
        actor,
        "agent",
    )
    assert stored.widget_state_ref == "step-3" and stored.widget_id == widget.pk
    again = _post(api, ANNOTATIONS, body, headers)
    assert again.status_code == 200 and again.json() == {"id": annotation_id, "duplicate": True}
    assert Annotation.objects.count() == 1


@pytest.mark.django_db
def test_a_parameter_of_the_wrong_type_gets_the_apis_error_shape(api, setup):
    _widget, _headers, read_headers = setup
    response = api.get("/api/v1/widgets?offset=many", headers=read_headers)
    assert response.status_code == 422
    error = ErrorOut.model_validate(response.json())
    assert (error.errors[0].field, error.errors[0].code) == ("offset", "invalid")
