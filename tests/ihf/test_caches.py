"""Every cache a process keeps is registered with ihf.caches, and reset_all() empties each one."""

import time

import pytest
from django.db import connection

from hubs import fastpath, ingest, keys
from ihf import auth, caches, hashers, throttle
from tests.factories import HubFactory, WidgetFactory, api_key


def test_the_registry_names_every_process_cache():
    assert caches.names() == [
        "assist.categorise.current",
        "assist.neighbours.indexes",
        "hubs.fastpath.origins",
        "hubs.ingest.contract",
        "hubs.ingest.insert_cursors",
        "hubs.ingest.widgets",
        "hubs.keys.known",
        "ihf.auth.delay_slots",
        "ihf.hashers.hashing_thread",
        "ihf.throttle.last_sweep",
    ]


@pytest.mark.django_db
def test_reset_all_empties_every_cache(contracts, settings):
    hub = HubFactory(allowed_origins=["https://shop.example"])
    widget = WidgetFactory(hub=hub)
    _key, raw = api_key(hub)
    assert "https://shop.example" in fastpath.known_origins()
    ingest.active_contract()
    ingest._known_widgets(hub.pk, {str(widget.pk)})
    keys.check(raw)
    connection.ensure_connection()
    ingest._insert_cursors[connection.connection] = connection.connection.cursor()
    hashers.run_hashing(len, "warm")
    throttle.hit("addr:192.0.2.1", 60)
    settings.IHF_LOGIN_FAILURE_DELAY = 0.01
    auth.answer_slowly(time.monotonic())
    assert hashers._state["thread"] is not None and throttle._last_sweep["at"] > 0
    assert fastpath._origins_cache["at"] > 0 and ingest._contract_cache["value"] is not None
    assert ingest._widget_cache and keys._known and len(ingest._insert_cursors) == 1

    caches.reset_all()

    assert fastpath._origins_cache["at"] == 0.0 and ingest._contract_cache["value"] is None
    assert not ingest._widget_cache and not keys._known and len(ingest._insert_cursors) == 0
    assert hashers._state["thread"] is None and throttle._last_sweep["at"] == 0.0
    assert auth._waiting["slots"] is None
    # Emptied caches fill again on the next use.
    started = time.monotonic()
    assert "https://shop.example" in fastpath.known_origins() and fastpath._origins_cache["at"] >= started
