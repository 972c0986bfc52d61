"""The single-event INSERT: prepared after a few runs, on a psycopg cursor kept per connection
(hubs.ingest._insert_one), and still seen by anything that watches Django's queries."""

import uuid

import pytest
from django.db import IntegrityError, connection

from hubs import ingest
from hubs.models import InteractionEvent, WidgetDailyEventCount
from tests.api.test_ingestion import NOW, _event, _post


@pytest.mark.django_db
def test_repeated_single_events_run_a_prepared_insert_and_each_lands_once(api, setup):
    """The single-event INSERT is prepared after a few requests (DB_PREPARE_THRESHOLD), and a prepared
    execution stores each event once, every field as sent, with NULLs where the event leaves fields out."""
    widget, headers = setup
    sent = [
        _event(widget, id=str(uuid.uuid4()), **({"actor_id": str(uuid.uuid4())} if n % 2 else {}))
        for n in range(8)
    ]
    for event in sent:
        assert _post(api, event, headers).status_code == 201
    assert _post(api, sent[-1], headers).json()["duplicates"] == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%%INSERT INTO%%'")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("interaction_events" in statement and "$8" in statement for statement in prepared)
    stored = {str(e.pk): e for e in InteractionEvent.objects.all()}
    assert sorted(stored) == sorted(event["id"] for event in sent)
    for event in sent:
        row = stored[event["id"]]
        assert (str(row.actor_id) if row.actor_id else None) == event.get("actor_id")
        assert row.view_context_ref is None and row.metadata == {}
    assert WidgetDailyEventCount.objects.totals() == {(widget.pk, NOW.date()): 8}


@pytest.mark.django_db(transaction=True)
def test_single_events_reuse_one_cursor_per_connection_and_survive_a_reconnect(api, setup):
    """The single-event INSERT runs on a psycopg cursor kept for its connection (hubs.ingest._insert_one);
    a new connection, after Django closed the old one, gets a cursor of its own."""
    widget, headers = setup
    first, second, third = (_event(widget, id=str(uuid.uuid4())) for _ in range(3))
    assert _post(api, first, headers).status_code == 201
    kept = ingest._insert_cursors.get(connection.connection)
    assert kept is not None
    assert _post(api, second, headers).status_code == 201
    assert ingest._insert_cursors.get(connection.connection) is kept
    connection.close()
    assert _post(api, third, headers).status_code == 201
    assert ingest._insert_cursors.get(connection.connection) not in (None, kept)
    assert sorted(str(pk) for pk in InteractionEvent.objects.values_list("pk", flat=True)) == sorted(
        e["id"] for e in (first, second, third)
    )


@pytest.mark.django_db(transaction=True)
def test_the_kept_cursor_raises_djangos_errors_and_stores_nothing():
    """A failure on the kept cursor reaches the caller as Django's exception (here the deferred foreign key,
    checked at the statement's commit in autocommit), as it would through Django's own cursor."""

    event = [str(uuid.uuid4()), str(uuid.uuid4()), "clicked", None, "user", None, "{}", NOW]
    with pytest.raises(IntegrityError):
        ingest._insert_one(event)
    assert not InteractionEvent.objects.exists()


@pytest.mark.django_db
def test_a_watched_connection_sees_the_single_event_insert(api, setup, django_assert_max_num_queries):
    """With queries captured (assertNumQueries, the debug toolbar), the single-event INSERT goes through
    Django's cursor, so it is counted like any other query."""
    widget, headers = setup
    # The first request also reads the contract, the key and the widget.
    with django_assert_max_num_queries(4) as captured:
        assert _post(api, _event(widget, id=str(uuid.uuid4())), headers).status_code == 201
    assert [q["sql"] for q in captured.captured_queries if "INSERT INTO interaction_events" in q["sql"]]
    assert InteractionEvent.objects.count() == 1
