"""The application cannot rewrite history (DESIGN.md invariant 11): as ihf_app, the role web processes and
workers connect as, every way around the append-only guarantees is refused, and the application's own work
still goes through. The suite itself connects as the owner (it creates and flushes databases), so each test
switches to ihf_app with SET LOCAL ROLE inside its transaction."""

import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from feedback.models import Annotation, RequirementCandidate
from hubs.models import InteractionEvent, Widget, WidgetVersion
from observability import compute
from tests.architecture.test_database_contract import HISTORY_TABLES, history_rows  # noqa: F401 — a fixture
from tests.factories import CandidateFactory, WidgetFactory, api_key

APP_ROLE = "ihf_app"
DENIED = "42501"  # insufficient_privilege


def _as_app(sql, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(sql, params)


def _refused_as_app(sql) -> str:
    with pytest.raises(DatabaseError) as excinfo:
        _as_app(sql)
    return excinfo.value.__cause__.sqlstate


@pytest.mark.django_db
def test_the_application_role_owns_nothing_and_is_no_superuser():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [APP_ROLE],
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s",
            [APP_ROLE],
        )
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(HISTORY_TABLES))
def test_as_the_application_every_bypass_of_a_history_table_is_refused(table, history_rows):  # noqa: F811
    before = history_rows[table]
    for sql in [
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"ALTER TABLE {table} OWNER TO {APP_ROLE}",
        f"DROP TABLE {table}",
        f"CREATE TRIGGER sneaky BEFORE INSERT ON {table} FOR EACH ROW "
        "EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    ]:
        assert _refused_as_app(sql) == DENIED, sql
    for trigger in _triggers(table):
        assert _refused_as_app(f"DROP TRIGGER {trigger} ON {table}") == DENIED
    # Rows may not be changed: refused for lack of the right (42501) or by the table's trigger (P0001).
    assert _refused_as_app(f"UPDATE {table} SET {HISTORY_TABLES[table]}") in {DENIED, "P0001"}
    assert _refused_as_app(f"DELETE FROM {table}") in {DENIED, "P0001"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (before,)


def _triggers(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db
def test_as_the_application_triggers_cannot_be_switched_off():
    assert _refused_as_app("SET session_replication_role = replica") == DENIED
    assert _refused_as_app("SET LOCAL session_replication_role = replica") == DENIED
    assert _refused_as_app("ALTER ROLE ihf_app SUPERUSER") == DENIED
    assert _refused_as_app("DROP FUNCTION prevent_interaction_event_mutation() CASCADE") == DENIED


@pytest.mark.django_db
def test_as_the_application_the_work_of_the_application_goes_through(client, people, contracts):
    """Ingestion, annotating, triage, a widget change and every detector, all as ihf_app."""
    widget = WidgetFactory(hub=people.hub)
    candidate = CandidateFactory(source_widget=widget)
    _key, raw = api_key(people.hub)
    client.force_login(people.steward)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (APP_ROLE,)
        event = {"widget_id": str(widget.pk), "event_type": "clicked", "occurred_at": "2026-12-01T10:00:00Z"}
        posted = client.post(
            "/api/v1/interaction-events",
            json.dumps({"events": [event, {**event, "event_type": "error"}]}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert posted.status_code == 200 and posted.json()["accepted"] == 2
        annotated = client.post(
            reverse("feedback:annotate", args=[people.hub.slug, widget.pk]),
            {"body": "The label is cut off", "category": "friction", "severity": "high"},
        )
        assert annotated.status_code == 302
        moved = client.post(
            reverse("feedback:transition", args=[people.hub.slug, candidate.pk]),
            {"target": "under_review", "expected_status": "open", "notes": "looking"},
        )
        assert moved.status_code == 302
        widget.name = "Renamed"
        widget.save()
        runs = compute.refresh_all()
        assert runs[0].rows >= 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (APP_ROLE,)
    assert InteractionEvent.objects.filter(widget=widget).count() == 2
    assert Annotation.objects.filter(widget=widget, body="The label is cut off").exists()
    assert RequirementCandidate.objects.get(pk=candidate.pk).status == "under_review"
    assert WidgetVersion.objects.filter(widget=widget).count() == 2
    assert Widget.objects.get(pk=widget.pk).version == 2
