import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from hubs import keys
from hubs.models import ApiKey, Hub, InteractionEvent
from tests.factories import WidgetFactory, api_key

EVENTS = "/api/v1/interaction-events"


def _event(widget, **extra):
    return {
        "widget_id": str(widget.pk),
        "event_type": "clicked",
        "occurred_at": "2026-11-23T10:00:00Z",
        **extra,
    }


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    """Events in these tests happen on 2026-11-23; pretend that is today, whatever today is."""
    from datetime import UTC, datetime

    import hubs.ingest

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    monkeypatch.setattr(hubs.ingest, "datetime", Clock)


@pytest.mark.django_db
def test_keys_are_prefixed_by_scope_and_stored_only_as_a_hash(people):
    key, raw = api_key(people.hub, "ingest", name="storefront")
    assert raw.startswith(f"ihf_ingest_{key.public_id}_") and len(raw) > 50
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiKey.objects.values_list()))
    hub = Hub.objects.get(pk=people.hub.pk)
    assert hub.api_key == key.prefix and raw.split("_")[-1] not in hub.api_key
    assert keys.parse(raw) == ("ingest", key.public_id)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [None, "Bearer ", "Bearer nonsense", "Basic abc", "Bearer ihf_ingest_000000000000_wrongsecret"],
)
def test_missing_or_bad_keys_get_401(api, people, header):
    widget = WidgetFactory(hub=people.hub)
    headers = {"Authorization": header} if header else {}
    response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_right_prefix_with_a_wrong_secret_and_a_revoked_key_get_401(api, people):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert (
        api.post(
            EVENTS,
            _event(widget),
            content_type="application/json",
            headers={"Authorization": f"Bearer {forged}"},
        ).status_code
        == 401
    )
    from hubs.services import api_key_revoke

    assert api_key_revoke(key=key)
    assert (
        api.post(
            EVENTS,
            _event(widget),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        ).status_code
        == 401
    )
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_scopes_are_enforced(api, people):
    widget = WidgetFactory(hub=people.hub)
    _r, read = api_key(people.hub, "read")
    _i, ingest = api_key(people.hub, "ingest")
    response = api.post(
        EVENTS, _event(widget), content_type="application/json", headers={"Authorization": f"Bearer {read}"}
    )
    assert response.status_code == 403 and "needs a ingest key" in response.json()["detail"]
    assert api.get("/api/v1/widgets", headers={"Authorization": f"Bearer {ingest}"}).status_code == 403
    assert api.get("/api/v1/contracts", headers={"Authorization": f"Bearer {ingest}"}).status_code == 403
    assert api.get("/api/v1/widgets", headers={"Authorization": f"Bearer {read}"}).status_code == 200
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_key_of_another_hub_cannot_write_or_read_this_hub(api, people):
    widget = WidgetFactory(hub=people.hub, name="Ours")
    _k, other_ingest = api_key(people.other_hub, "ingest")
    _r, other_read = api_key(people.other_hub, "read")
    response = api.post(
        EVENTS,
        _event(widget),
        content_type="application/json",
        headers={"Authorization": f"Bearer {other_ingest}"},
    )
    assert response.status_code == 404
    assert f"widget_id: {widget.pk} is not a widget of this hub" == response.json()["detail"]
    listing = api.get("/api/v1/widgets", headers={"Authorization": f"Bearer {other_read}"}).json()
    assert listing["count"] == 0 and listing["items"] == []
    response = api.post(
        "/api/v1/annotations",
        {"widget_id": str(widget.pk), "body": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {other_ingest}"},
    )
    assert response.status_code == 422 and "not a widget of this hub" in response.json()["detail"]
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_the_key_is_counted_and_limited_per_minute(api, people):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=2)
    headers = {"Authorization": f"Bearer {raw}"}
    for n in range(2):
        assert (
            api.post(
                EVENTS,
                _event(widget, id=f"0195f000-0000-7000-8000-00000000000{n}"),
                content_type="application/json",
                headers=headers,
            ).status_code
            == 201
        )
    response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "retry after" in response.json()["detail"]
    assert InteractionEvent.objects.count() == 2
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.window_count == 3 and stored.last_used_at is not None


@pytest.mark.django_db
def test_create_api_key_command_prints_the_key_once(capsys, people):
    call_command("create_api_key", hub=people.hub.slug, scope="read", name="etl")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get()
    assert raw.startswith(f"ihf_read_{key.public_id}_")
    assert key.secret_hash == keys.hash_key(raw) and key.name == "etl"
    with pytest.raises(CommandError, match="--hub: no hub has the slug"):
        call_command("create_api_key", hub="nope", scope="read")
    with pytest.raises(CommandError, match="--rate-limit"):
        call_command("create_api_key", hub=people.hub.slug, scope="read", rate_limit=0)
    assert ApiKey.objects.count() == 1


@pytest.mark.django_db
def test_stewards_manage_keys_and_integrations_on_the_settings_page(client, people):
    client.force_login(people.steward)
    url = reverse("hubs:settings", args=[people.hub.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("hubs:key-create", args=[people.hub.slug]), {"name": "shop", "scope": "ingest"}
    )
    # Post/redirect/get: reloading the page that shows the key creates no second one.
    assert response.status_code == 302 and response["Location"] == url
    shown = client.get(url)
    assert shown["Cache-Control"] == "no-store"
    raw = shown.context["new_key"]["raw"]
    assert raw in shown.content.decode()
    key = ApiKey.objects.get()
    assert key.secret_hash == keys.hash_key(raw)
    reloaded = client.get(url)
    assert raw not in reloaded.content.decode() and "no-store" not in reloaded.get("Cache-Control", "")
    assert ApiKey.objects.count() == 1
    assert client.post(reverse("hubs:key-revoke", args=[people.hub.slug, key.pk])).status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    response = client.post(
        url, {"allowed_origins": "https://shop.example.com\nhttp://localhost:3000/", "webhook_url": ""}
    )
    assert response.status_code == 302
    assert Hub.objects.get(pk=people.hub.pk).allowed_origins == [
        "https://shop.example.com",
        "http://localhost:3000",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"allowed_origins": "shop.example.com", "webhook_url": ""}, "allowed_origins"),
        ({"allowed_origins": "https://a.example/path", "webhook_url": ""}, "allowed_origins"),
        ({"allowed_origins": "", "webhook_url": "not a url"}, "webhook_url"),
    ],
)
def test_bad_integration_settings_answer_422(client, people, data, field):
    client.force_login(people.steward)
    response = client.post(reverse("hubs:settings", args=[people.hub.slug]), data)
    assert response.status_code == 422
    assert field in response.context["integration_form"].errors
    assert Hub.objects.get(pk=people.hub.pk).allowed_origins == []


@pytest.mark.django_db
def test_bad_key_forms_answer_422(client, people):
    client.force_login(people.steward)
    response = client.post(reverse("hubs:key-create", args=[people.hub.slug]), {"scope": "admin"})
    assert response.status_code == 422 and "scope" in response.context["key_form"].errors
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("viewer", 403), ("outsider", 404)])
def test_only_stewards_of_the_hub_manage_keys(client, people, role, status):
    key, _raw = api_key(people.hub)
    client.force_login(getattr(people, role))
    assert client.get(reverse("hubs:settings", args=[people.hub.slug])).status_code == status
    assert (
        client.post(reverse("hubs:key-create", args=[people.hub.slug]), {"scope": "read"}).status_code
        == status
    )
    assert client.post(reverse("hubs:key-revoke", args=[people.hub.slug, key.pk])).status_code == status
    assert ApiKey.objects.get().revoked_at is None and ApiKey.objects.count() == 1


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(keys, "clock", fake)
    return fake


@pytest.mark.django_db
def test_a_process_counts_a_keys_requests_itself_and_writes_them_at_the_next_sync(api, people, clock):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=100)
    headers = {"Authorization": f"Bearer {raw}"}
    for _ in range(5):
        response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
        assert response.status_code == 201
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.window_count == 1 and stored.last_used_at is not None  # only the first request synced
    clock.now += settings.IHF_API_KEY_SYNC_SECONDS
    response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
    assert response.status_code == 201
    assert ApiKey.objects.get(pk=key.pk).window_count == 6
    assert InteractionEvent.objects.count() == 6


@pytest.mark.django_db
def test_the_limit_counts_what_other_processes_wrote(api, people, clock):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=5)
    headers = {"Authorization": f"Bearer {raw}"}
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    ApiKey.objects.filter(pk=key.pk).update(window_count=4)  # other processes counted 3 more
    clock.now += settings.IHF_API_KEY_SYNC_SECONDS
    # This request syncs and is the fifth; from there on every request syncs, and the next is the sixth.
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert ApiKey.objects.get(pk=key.pk).window_count == 6
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_new_minute_opens_a_new_window(api, people, clock):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=1)
    headers = {"Authorization": f"Bearer {raw}"}
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 429
    )
    # A minute later, in the database and in this process.
    ApiKey.objects.filter(pk=key.pk).update(window_started_at=F("window_started_at") - timedelta(minutes=1))
    clock.now += 60
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    assert ApiKey.objects.get(pk=key.pk).window_count == 1
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_key_revoked_by_another_process_stops_working_at_this_ones_next_sync(api, people, clock):
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub)
    headers = {"Authorization": f"Bearer {raw}"}
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    # Within the sync interval this process still knows the key as it was (the documented price).
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 201
    )
    clock.now += settings.IHF_API_KEY_SYNC_SECONDS
    response = api.post(EVENTS, _event(widget), content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert InteractionEvent.objects.count() == 2
    clock.now += settings.IHF_API_KEY_SYNC_SECONDS
    assert (
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code == 401
    )


@pytest.mark.django_db
def test_a_wrong_secret_does_not_use_up_the_keys_limit(api, people):
    """Someone who knows a key's public id (shown on the settings page) but not its secret is refused, and
    the key's window is not touched: the key's own requests still get the whole limit."""
    widget = WidgetFactory(hub=people.hub)
    key, raw = api_key(people.hub, rate_limit_per_minute=2)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    for _ in range(5):
        response = api.post(
            EVENTS,
            _event(widget),
            content_type="application/json",
            headers={"Authorization": f"Bearer {forged}"},
        )
        assert response.status_code == 401 and response.json()["code"] == "bad_key"
    untouched = ApiKey.objects.get(pk=key.pk)
    assert untouched.window_count == 0 and untouched.last_used_at is None
    headers = {"Authorization": f"Bearer {raw}"}
    statuses = [
        api.post(EVENTS, _event(widget), content_type="application/json", headers=headers).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert ApiKey.objects.get(pk=key.pk).window_count == 3
    assert InteractionEvent.objects.count() == 2


@pytest.mark.django_db
def test_the_settings_page_posts_each_form_to_its_own_url_and_asks_before_revoking(client, people):
    """The integrations form once had no action: Save posted to the key URL (422 on Scope, changes lost)."""
    key, _raw = api_key(people.hub)
    client.force_login(people.steward)
    url = reverse("hubs:settings", args=[people.hub.slug])
    page = client.get(url).content.decode()
    assert f'<form method="post" action="{url}" novalidate>' in page
    revoke = reverse("hubs:key-revoke", args=[people.hub.slug, key.pk])
    assert '<details class="confirm"><summary>Revoke…</summary>' in page and f'action="{revoke}"' in page
    assert ApiKey.objects.get().revoked_at is None  # showing the confirmation revokes nothing


@pytest.mark.django_db
def test_a_new_key_is_shown_only_on_its_own_hubs_page(client, people):
    client.force_login(people.admin)
    client.post(reverse("hubs:key-create", args=[people.hub.slug]), {"scope": "read"})
    other = client.get(reverse("hubs:settings", args=[people.other_hub.slug]))
    assert other.context["new_key"] is None
    assert client.get(reverse("hubs:settings", args=[people.hub.slug])).context["new_key"] is None
