"""The phase 1 tables carry the seed's names, columns, types and defaults (seed 001)."""

import pytest
from django.db import connection

# table -> {column: (data_type, nullable, default fragment or None)}, from seed 001_….
SEED_PHASE1 = {
    "users": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "email": ("text", "NO", None),
        "password_hash": ("text", "NO", None),
        "name": ("text", "NO", None),
        "locked_at": ("timestamp with time zone", "YES", None),
        "failed_login_attempts": ("integer", "NO", "0"),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
    "hubs": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "slug": ("text", "NO", None),
        "name": ("text", "NO", None),
        "domain": ("text", "NO", None),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
    "widgets": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "hub_id": ("uuid", "NO", None),
        "name": ("text", "NO", None),
        "widget_type": ("text", "NO", None),
        "capability_ref": ("text", "YES", None),
        "view_context": ("text", "YES", None),
        "policy_scope": ("text", "NO", "'internal'::text"),
        "status": ("text", "NO", "'active'::text"),
        "version": ("integer", "NO", "1"),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
    "widget_versions": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "widget_id": ("uuid", "NO", None),
        "version": ("integer", "NO", None),
        "schema_snapshot": ("jsonb", "NO", None),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
    "interaction_events": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "widget_id": ("uuid", "NO", None),
        "event_type": ("text", "NO", None),
        "actor_id": ("uuid", "YES", None),
        "actor_type": ("text", "NO", "'user'::text"),
        "view_context_ref": ("text", "YES", None),
        "metadata": ("jsonb", "NO", "'{}'::jsonb"),
        "occurred_at": ("timestamp with time zone", "NO", "now()"),
    },
    "annotation_threads": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "widget_id": ("uuid", "NO", None),
        "title": ("text", "NO", None),
        "description": ("text", "YES", None),
        "created_by": ("uuid", "YES", None),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
    "annotations": {
        "id": ("uuid", "NO", "gen_random_uuid()"),
        "widget_id": ("uuid", "NO", None),
        "parent_id": ("uuid", "YES", None),
        "body": ("text", "NO", None),
        "category": ("text", "NO", "'friction'::text"),
        "severity": ("text", "NO", "'medium'::text"),
        "thread_id": ("uuid", "YES", None),
        "actor_id": ("uuid", "YES", None),
        "actor_type": ("text", "NO", "'user'::text"),
        "widget_state_ref": ("text", "YES", None),
        "retracted_at": ("timestamp with time zone", "YES", None),
        "created_at": ("timestamp with time zone", "NO", "now()"),
    },
}

SEED_INDEXES = {
    "interaction_events_widget_id_idx",
    "interaction_events_occurred_at_idx",
    "annotations_widget_id_idx",
}


def _columns(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [table],
        )
        return {name: (dtype, nullable, default) for name, dtype, nullable, default in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(SEED_PHASE1))
def test_it_has_the_seed_columns_types_and_defaults(table):
    actual = _columns(table)
    assert actual, f"table {table} is missing"
    for column, expected in SEED_PHASE1[table].items():
        assert column in actual, f"{table}.{column} is missing"
        assert actual[column] == expected, f"{table}.{column}"


@pytest.mark.django_db
def test_it_has_the_seed_indexes_and_unique_constraints():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'widget_versions'::regclass AND contype = 'u'"
        )
        widget_version_uniques = [row[0] for row in cursor.fetchall()]
    assert indexes >= SEED_INDEXES
    assert "interaction_events_widget_id_occurred_at_idx" in indexes
    assert "UNIQUE (widget_id, version)" in widget_version_uniques


@pytest.mark.django_db
def test_it_has_the_seed_append_only_function_and_triggers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'interaction_events'::regclass AND NOT tgisinternal"
        )
        triggers = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'prevent_interaction_event_mutation'")
        function = cursor.fetchone()
    assert {"interaction_events_no_update", "interaction_events_no_delete"} <= triggers
    assert function is not None
