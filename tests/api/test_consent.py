"""A hub that requires the person's consent (Hub.reporter_consent_required) stores nothing sent without it:
events (one or a batch) and annotations are refused, 403 naming the `consent` field, until the body says
`"consent": true`. The flag comes with the cached API key, so enforcing it costs no query."""

import json
import time
import uuid

import pytest
from django.urls import reverse

from feedback.models import Annotation
from hubs import key_listener, keys
from hubs.models import Hub, InteractionEvent
from hubs.schemas import ErrorOut
from tests.api.helpers import ANNOTATIONS, EVENTS, event, post
from tests.factories import WidgetFactory, api_key


@pytest.fixture
def consenting(people):
    """people.hub requiring consent, a widget of it and an ingest key's headers."""
    Hub.objects.filter(pk=people.hub.pk).update(reporter_consent_required=True)
    widget = WidgetFactory(hub=people.hub)
    _key, raw = api_key(people.hub)
    return widget, {"Authorization": f"Bearer {raw}"}


def _refused_for_consent(response, status=403, code="consent_required"):
    assert response.status_code == status, response.content
    error = ErrorOut.model_validate(response.json())
    assert error.code == code and error.errors[0].field == "consent" and error.detail.startswith("consent: ")
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("consent", [None, False])
def test_without_consent_nothing_of_a_consent_hub_is_stored(api, consenting, consent):
    widget, headers = consenting
    extra = {} if consent is None else {"consent": consent}
    assert _refused_for_consent(post(api, EVENTS, {"events": [event(widget)], **extra}, headers))
    assert _refused_for_consent(post(api, EVENTS, {**event(widget), **extra}, headers))
    annotation = {"widget_id": str(widget.pk), "body": "Where is the total?", **extra}
    assert _refused_for_consent(post(api, ANNOTATIONS, annotation, headers))
    # The reporter's beacon: text/plain, the key in the body.
    beacon = json.dumps({"key": headers["Authorization"][7:], "events": [event(widget)], **extra})
    response = api.post(EVENTS, beacon, content_type="text/plain;charset=UTF-8")
    assert _refused_for_consent(response)
    assert not InteractionEvent.objects.exists() and not Annotation.objects.exists()


@pytest.mark.django_db
def test_with_consent_a_consent_hub_stores_events_and_annotations(api, consenting):
    widget, headers = consenting
    batch = post(api, EVENTS, {"consent": True, "events": [event(widget), event(widget)]}, headers)
    assert batch.status_code == 200 and batch.json()["accepted"] == 2
    single = post(api, EVENTS, {**event(widget, metadata={"n": 1}), "consent": True}, headers)
    assert single.status_code == 201
    # `consent` belongs to the request, not to the event: it is neither refused nor stored as a field.
    assert InteractionEvent.objects.get(pk=single.json()["id"]).metadata == {"n": 1}
    annotation = {"widget_id": str(widget.pk), "body": "Where is the total?", "consent": True}
    response = post(api, ANNOTATIONS, annotation, headers)
    assert response.status_code == 201
    assert InteractionEvent.objects.count() == 3 and Annotation.objects.get().body == "Where is the total?"


@pytest.mark.django_db
def test_a_hub_without_the_requirement_takes_events_with_or_without_consent(api, setup):
    widget, headers = setup
    assert post(api, EVENTS, {"events": [event(widget)]}, headers).json()["accepted"] == 1
    assert post(api, EVENTS, {"events": [event(widget)], "consent": True}, headers).json()["accepted"] == 1
    assert post(api, EVENTS, {**event(widget), "consent": False}, headers).status_code == 201
    assert InteractionEvent.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["yes", 1, None, {"given": True}])
def test_consent_that_is_not_a_boolean_is_refused_by_name(api, consenting, value):
    widget, headers = consenting
    response = post(api, EVENTS, {"events": [event(widget)], "consent": value}, headers)
    if value is None:  # null is "not sent"
        assert _refused_for_consent(response)
    else:
        assert _refused_for_consent(response, status=422, code="invalid")
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_the_requirement_costs_no_query_of_its_own(api, consenting, monkeypatch, django_assert_num_queries):
    widget, headers = consenting
    monkeypatch.setattr(keys, "clock", lambda: 1000.0)  # no sync falls due
    body = {"consent": True, "events": [event(widget) for _ in range(3)]}
    assert post(api, EVENTS, body, headers).json()["accepted"] == 3  # reads the key (and the hub) once
    with django_assert_num_queries(0):
        assert _refused_for_consent(post(api, EVENTS, {"events": [event(widget)]}, headers))
    with django_assert_num_queries(1):  # the INSERT alone
        again = {"consent": True, "events": [event(widget, id=str(uuid.uuid4()))]}
        assert post(api, EVENTS, again, headers).json()["accepted"] == 1
    assert InteractionEvent.objects.count() == 4


def _until_forgotten(public_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while public_id in keys._known and time.monotonic() < deadline:
        time.sleep(0.01)
    return public_id not in keys._known


@pytest.mark.django_db(transaction=True)
def test_a_hub_that_starts_requiring_consent_is_obeyed_at_once(
    client, people, contracts, settings, monkeypatch
):
    """The key is cached with its hub's flag: a change of the hub reaches every process through NOTIFY
    (sql/api_keys_consent.sql), not at its next sync. The clock is frozen, so no sync falls due."""
    settings.IHF_API_KEY_NOTIFY = True
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub)
    headers = {"Authorization": f"Bearer {raw}"}
    monkeypatch.setattr(keys, "clock", lambda: 1000.0)
    assert post(client, EVENTS, event(widget), headers).status_code == 201
    assert key_listener.wait_until_listening()
    assert post(client, EVENTS, event(widget), headers).status_code == 201 and key.public_id in keys._known
    Hub.objects.filter(pk=people.hub.pk).update(reporter_consent_required=True)
    assert _until_forgotten(key.public_id)
    assert _refused_for_consent(post(client, EVENTS, event(widget), headers))
    assert post(client, EVENTS, {**event(widget), "consent": True}, headers).status_code == 201
    assert InteractionEvent.objects.count() == 3


@pytest.mark.django_db
def test_stewards_require_consent_on_the_settings_page_and_the_snippet_carries_it(client, people):
    url = reverse("hubs:settings", args=[people.hub.slug])
    client.force_login(people.reviewer)
    assert client.post(url, {"allowed_origins": "", "reporter_consent_required": "on"}).status_code == 403
    assert not Hub.objects.get(pk=people.hub.pk).reporter_consent_required
    client.force_login(people.steward)
    assert 'data-ihf-consent="required"' not in client.get(url).content.decode()
    response = client.post(url, {"allowed_origins": "", "webhook_url": "", "reporter_consent_required": "on"})
    assert response.status_code == 302
    assert Hub.objects.get(pk=people.hub.pk).reporter_consent_required
    page = client.get(url).content.decode()
    assert 'data-ihf-consent="required"' in page and "consent(true)" in page
    # Unticked, the hub no longer requires it.
    assert client.post(url, {"allowed_origins": "", "webhook_url": ""}).status_code == 302
    assert not Hub.objects.get(pk=people.hub.pk).reporter_consent_required
