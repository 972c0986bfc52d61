import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Annotation
from hubs import ingest
from hubs.fastpath import forget_origins
from hubs.models import InteractionEvent, InteractionReportingContract, WidgetDailyEventCount
from tests.factories import EventFactory, WidgetFactory, api_key

EVENTS = "/api/v1/interaction-events"
NOW = datetime.now(UTC).replace(microsecond=0)


def _event(widget, **extra):
    return {"widget_id": str(widget.pk), "event_type": "clicked", "occurred_at": NOW.isoformat(), **extra}


def _post(client, body, headers, **kwargs):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(EVENTS, data, content_type="application/json", headers=headers, **kwargs)


@pytest.mark.django_db
def test_a_single_event_is_stored_once(api, setup, people):
    widget, headers = setup
    event_id = str(uuid.uuid4())
    response = _post(
        api,
        _event(widget, id=event_id, actor_type="agent", view_context_ref="/pay", metadata={"button": "pay"}),
        headers,
    )
    assert response.status_code == 201
    assert response.json() == {"accepted": 1, "duplicates": 0, "id": event_id}
    stored = InteractionEvent.objects.get()
    assert (str(stored.pk), stored.widget_id, stored.event_type, stored.actor_type, stored.metadata) == (
        event_id,
        widget.pk,
        "clicked",
        "agent",
        {"button": "pay"},
    )
    assert stored.occurred_at == NOW
    again = _post(api, _event(widget, id=event_id), headers)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert InteractionEvent.objects.count() == 1


@pytest.mark.django_db
def test_events_without_id_get_time_ordered_server_ids(api, setup):
    widget, headers = setup
    response = _post(api, _event(widget), headers)
    assert response.status_code == 201
    assert uuid.UUID(response.json()["id"]).version == 7


@pytest.mark.django_db
def test_a_retried_batch_is_stored_exactly_once(api, setup):
    widget, headers = setup
    events = [_event(widget, id=str(uuid.uuid4())) for _ in range(50)]
    first = _post(api, {"events": events}, headers)
    assert first.status_code == 200 and first.json() == {"accepted": 50, "duplicates": 0, "rejected": []}
    retry = _post(api, {"events": [*events, _event(widget, id=str(uuid.uuid4()))]}, headers)
    assert retry.json() == {"accepted": 1, "duplicates": 50, "rejected": []}
    assert InteractionEvent.objects.count() == 51
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, NOW.date()): 51}


@pytest.mark.django_db
def test_an_idempotency_key_makes_a_retry_without_ids_a_no_op(api, setup):
    widget, headers = setup
    body = {"events": [_event(widget), _event(widget, event_type="viewed")]}
    first = _post(api, body, {**headers, "Idempotency-Key": "req-42"})
    again = _post(api, body, {**headers, "Idempotency-Key": "req-42"})
    assert first.json()["accepted"] == 2 and again.json() == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_mixed_batch_keeps_the_good_and_reports_the_bad_by_index(api, setup, people):
    widget, headers = setup
    foreign = WidgetFactory(hub=people.other_hub)
    good = [_event(widget, id=str(uuid.uuid4())) for _ in range(3)]
    batch = [
        good[0],
        _event(widget, event_type="teleported"),
        good[1],
        _event(foreign),
        _event(widget, occurred_at=(NOW + timedelta(days=1)).isoformat()),
        _event(widget, occurred_at="2001-01-01T00:00:00Z"),
        _event(widget, occurred_at="2026-11-23T10:00:00"),
        _event(widget, widget_id="not-a-uuid"),
        {"event_type": "clicked"},
        "not an object",
        _event(widget, metadata=[1, 2]),
        _event(widget, colour="red"),
        good[2],
    ]
    response = _post(api, {"events": batch}, headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (3, 0)
    errors = {r["index"]: r["errors"] for r in body["rejected"]}
    assert sorted(errors) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert errors[1][0].startswith("event_type: 'teleported' is not accepted")
    assert errors[3] == [f"widget_id: {foreign.pk} is not a widget of this hub"]
    assert errors[4] == ["occurred_at: is in the future"]
    assert errors[5] == ["occurred_at: is older than 30 days"]
    assert errors[6] == ["occurred_at: include a time zone (Z or +hh:mm)"]
    assert errors[7] == ["widget_id: must be a UUID"]
    assert set(errors[8]) == {"widget_id: is required", "occurred_at: is required"}
    assert errors[9] == ["event: must be a JSON object"]
    assert errors[10] == ["metadata: must be a JSON object"]
    assert errors[11] == ["colour: is not a field of an event"]
    assert set(InteractionEvent.objects.values_list("id", flat=True)) == {uuid.UUID(e["id"]) for e in good}


@pytest.mark.django_db
def test_every_field_of_a_batched_event_is_stored_as_sent(api, setup):
    widget, headers = setup
    actor, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    moment = NOW - timedelta(hours=3)
    events = [
        {
            **_event(
                widget,
                id=str(first).upper(),
                occurred_at=moment.astimezone(timezone(timedelta(hours=2))).isoformat(),
            ),
            "actor_id": "{" + str(actor) + "}",
            "actor_type": "agent",
            "view_context_ref": "/checkout?step=2",
            "metadata": {"button": "pay", "nested": {"ok": True, "n": [1, 2.5, None]}, "text": 'é "quoted"'},
        },
        {**_event(widget, id=first.hex), "event_type": "viewed"},  # the same id, spelled without hyphens
        _event(widget, id=str(second)),
    ]
    response = _post(api, {"events": events}, headers)
    assert response.status_code == 200 and response.json() == {"accepted": 2, "duplicates": 1, "rejected": []}
    stored = InteractionEvent.objects.get(pk=first)
    assert (stored.widget_id, stored.event_type, stored.actor_id, stored.actor_type) == (
        widget.pk,
        "clicked",
        actor,
        "agent",
    )
    assert stored.view_context_ref == "/checkout?step=2" and stored.occurred_at == moment
    assert stored.metadata == {
        "button": "pay",
        "nested": {"ok": True, "n": [1, 2.5, None]},
        "text": 'é "quoted"',
    }
    other = InteractionEvent.objects.get(pk=second)
    assert (other.actor_id, other.actor_type, other.view_context_ref, other.metadata) == (
        None,
        "user",
        None,
        {},
    )


@pytest.mark.django_db
def test_a_batch_with_only_bad_events_is_422(api, setup):
    widget, headers = setup
    response = _post(api, {"events": [_event(widget, event_type="x"), _event(widget, id="nope")]}, headers)
    assert response.status_code == 422
    assert [r["index"] for r in response.json()["rejected"]] == [0, 1]
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ("{not json", 400, "body: is not valid JSON."),
        ("[1, 2]", 422, "body: send an event object"),
        ({"events": "all of them"}, 422, "events: must be a list of events."),
        ({"events": [{}] * 1001}, 422, "events: at most 1000 per request."),
    ],
)
def test_malformed_requests_are_refused_and_store_nothing(api, setup, body, status, detail):
    _widget, headers = setup
    response = _post(api, body, headers)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_an_oversized_body_is_413(api, setup, settings):
    widget, headers = setup
    settings.IHF_INGEST_MAX_BODY_BYTES = 1000
    response = _post(api, {"events": [_event(widget, metadata={"pad": "x" * 2000})]}, headers)
    assert response.status_code == 413 and response.json()["detail"] == "body: is larger than 1000 bytes."
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_single_bad_event_names_the_field(api, setup):
    widget, headers = setup
    response = _post(api, _event(widget, occurred_at="yesterday"), headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "occurred_at",
            "code": "invalid",
            "message": "occurred_at: give an ISO 8601 time, e.g. 2026-11-23T10:15:00Z",
        }
    ]


@pytest.mark.django_db
def test_the_contract_decides_the_accepted_types_and_required_fields(api, setup):
    widget, headers = setup
    InteractionReportingContract.objects.filter(status="active").update(
        accepted_event_types=["clicked"],
        required_fields=["widget_id", "event_type", "occurred_at", "actor_id"],
    )
    ingest.forget_contract()
    try:
        response = _post(api, {"events": [_event(widget, event_type="viewed"), _event(widget)]}, headers)
        errors = {r["index"]: r["errors"] for r in response.json()["rejected"]}
        assert "actor_id: is required" in errors[0] and "actor_id: is required" in errors[1]
        assert any(e.startswith("event_type: 'viewed' is not accepted") for e in errors[0])
    finally:
        ingest.forget_contract()
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_retraction_is_a_new_event_that_takes_the_original_out_of_the_counts(api, setup, people):
    widget, headers = setup
    original = EventFactory(widget=widget, occurred_at=NOW)
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, NOW.date()): 1}
    retraction = _event(
        widget,
        event_type="retracted",
        metadata={"retracted_event_id": str(original.pk), "reason": "test click"},
    )
    assert _post(api, retraction, headers).status_code == 201
    assert InteractionEvent.objects.get(pk=original.pk).event_type == "clicked"  # the original stays
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, NOW.date()): 0}
    again = _post(api, retraction, headers)  # retracting twice: acknowledged, changes nothing
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, NOW.date()): 0}
    assert InteractionEvent.objects.filter(event_type="retracted").count() == 1
    for metadata, message in [
        ({}, "a retraction names the event it retracts"),
        ({"retracted_event_id": str(uuid.uuid4())}, "names no event of this widget"),
    ]:
        response = _post(api, _event(widget, event_type="retracted", metadata=metadata), headers)
        assert response.status_code == 422 and message in response.json()["detail"]
    foreign = EventFactory(widget=WidgetFactory(hub=people.other_hub), occurred_at=NOW)
    response = _post(
        api,
        _event(widget, event_type="retracted", metadata={"retracted_event_id": str(foreign.pk)}),
        headers,
    )
    assert response.status_code == 422
    assert InteractionEvent.objects.filter(event_type="retracted").count() == 1


@pytest.mark.django_db
def test_a_batch_goes_to_postgresql_in_one_insert(api, setup, django_assert_max_num_queries):
    widget, headers = setup
    events = [_event(widget, id=str(uuid.uuid4())) for _ in range(500)]
    with django_assert_max_num_queries(5) as captured:
        assert _post(api, {"events": events}, headers).json()["accepted"] == 500
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    assert len(inserts) == 1 and "json_to_recordset" in inserts[0]
    assert InteractionEvent.objects.count() == 500


@pytest.mark.django_db
def test_the_cors_preflight_and_response_follow_the_hubs_origins(api, setup, people):
    widget, headers = setup
    people.hub.allowed_origins = ["https://shop.example.com"]
    people.hub.save(update_fields=["allowed_origins"])
    forget_origins()
    preflight = api.options(
        EVENTS,
        headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    stranger = api.options(
        EVENTS, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert stranger.status_code == 403 and "Access-Control-Allow-Origin" not in stranger

    allowed = _post(api, _event(widget), {**headers, "Origin": "https://shop.example.com"})
    assert allowed.status_code == 201 and allowed["Access-Control-Allow-Origin"] == "https://shop.example.com"
    refused = _post(api, _event(widget), {**headers, "Origin": "https://evil.example"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused
    assert "https://evil.example may not report to this hub" in refused.json()["detail"]
    assert InteractionEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_beacon_carries_its_key_in_a_text_plain_body(api, setup):
    widget, _headers = setup
    raw = _headers["Authorization"].split()[1]
    response = api.post(
        EVENTS, json.dumps({"key": raw, "events": [_event(widget)]}), content_type="text/plain;charset=UTF-8"
    )
    assert response.status_code == 200 and response.json()["accepted"] == 1


@pytest.mark.django_db
def test_annotations_are_reported_once_per_id(api, setup):
    widget, headers = setup
    annotation_id = str(uuid.uuid4())
    body = {
        "id": annotation_id,
        "widget_id": str(widget.pk),
        "body": "Pay button hidden",
        "category": "bug",
        "severity": "high",
    }
    first = api.post("/api/v1/annotations", body, content_type="application/json", headers=headers)
    assert first.status_code == 201 and first.json() == {"id": annotation_id, "duplicate": False}
    again = api.post("/api/v1/annotations", body, content_type="application/json", headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    stored = Annotation.objects.get()
    assert (str(stored.pk), stored.body, stored.severity, stored.category) == (
        annotation_id,
        "Pay button hidden",
        "high",
        "bug",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"body": ""}, "body"),
        ({"severity": "urgent"}, "severity"),
        ({"category": "rant"}, "category"),
        ({"widget_id": "x"}, "widget_id"),
        ({"id": "x"}, "id"),
        ({"actor_id": 5}, "actor_id"),
    ],
)
def test_bad_annotations_name_the_field(api, setup, patch, field):
    widget, headers = setup
    body = {"widget_id": str(widget.pk), "body": "ok", **patch}
    response = api.post("/api/v1/annotations", body, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Annotation.objects.exists()


@pytest.mark.django_db
def test_widgets_and_contracts_are_read_with_a_read_key(api, people):
    widgets = [WidgetFactory(hub=people.hub, name=f"W{n}", view_context=f"/p{n}") for n in range(3)]
    WidgetFactory(hub=people.other_hub)
    _k, raw = api_key(people.hub, "read")
    headers = {"Authorization": f"Bearer {raw}"}
    page = api.get("/api/v1/widgets", {"limit": 2}, headers=headers).json()
    assert page["count"] == 3 and [i["name"] for i in page["items"]] == ["W0", "W1"]
    assert page["items"][0]["envelope"] == {
        "data-ihf-widget": str(widgets[0].pk),
        "data-ihf-hub": people.hub.slug,
        "data-ihf-view-context": "/p0",
    }
    assert [
        i["name"] for i in api.get("/api/v1/widgets", {"offset": 2}, headers=headers).json()["items"]
    ] == ["W2"]
    assert api.get("/api/v1/widgets", {"limit": 0}, headers=headers).status_code == 422
    contracts = api.get("/api/v1/contracts", headers=headers).json()
    assert contracts["envelope"]["required_attributes"] == [
        "data-ihf-widget",
        "data-ihf-hub",
        "data-ihf-view-context",
    ]
    assert contracts["reporting"]["endpoint_path"] == "/api/v1/interaction-events"
    assert {a["name"] for a in contracts["adapters"]} == {"web-component", "react", "vue", "html"}


@pytest.mark.django_db
def test_openapi_and_docs_are_served_by_ihf_itself(client):
    duplicates = []

    def no_duplicates(pairs):
        keys = [key for key, _value in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    schema = json.loads(client.get("/api/openapi.json").content, object_pairs_hook=no_duplicates)
    assert duplicates == []  # Swagger UI refuses a document with a duplicated key
    assert {
        "/api/v1/interaction-events",
        "/api/v1/annotations",
        "/api/v1/widgets",
        "/api/v1/contracts",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    docs = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.django_db
def test_check_envelope_reports_the_elements_that_break_the_contract(tmp_path, capsys):
    good_id, page = str(uuid.uuid4()), tmp_path / "page.html"
    page.write_text(f"""<html><body>
<button data-ihf-widget="{good_id}" data-ihf-hub="checkout" data-ihf-view-context="/pay">Pay</button>
<div data-ihf-widget="12" data-ihf-hub="checkout" data-ihf-view-context="/pay">bad id</div>
<span data-ihf-widget="{good_id}">no hub</span>
</body></html>""")
    with pytest.raises(CommandError, match=r"3 widget element\(s\), 2 breaking envelope 1.0"):
        call_command("check_envelope", str(page))
    out = capsys.readouterr().out
    assert "line 3: <div> data-ihf-widget='12' is not a UUID" in out
    assert "line 4: <span> missing data-ihf-hub; missing data-ihf-view-context" in out
    page.write_text(f'<p data-ihf-widget="{good_id}" data-ihf-hub="h" data-ihf-view-context="/">ok</p>')
    call_command("check_envelope", str(page))
    assert "1 widget element(s), 0 breaking" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no such file"):
        call_command("check_envelope", str(tmp_path / "missing.html"))
