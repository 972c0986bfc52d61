"""Validation and storage of reported interaction events: a whole batch in one INSERT, exactly once.

Every event either lands once or is rejected with the reasons, by index; a bad neighbour never costs a good
event its place. Ids are the client's (so a retried batch is a no-op) or, when absent, derived from the
request's Idempotency-Key, or new time-ordered ones.
"""

import json
import re
import time
import uuid
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from hubs.errors import BAD_CHARACTER, BAD_CHARACTERS, Code, FieldError
from hubs.models import InteractionEvent, InteractionReportingContract
from ihf import caches
from ihf.ids import parse_uuid, uuid7

MAX_EVENTS = 1000
FIELDS = (
    "id",
    "widget_id",
    "event_type",
    "occurred_at",
    "actor_id",
    "actor_type",
    "view_context_ref",
    "metadata",
)
# The order of Batch.rows' values.
ROW_COLUMNS = (
    "id",
    "widget_id",
    "event_type",
    "actor_id",
    "actor_type",
    "view_context_ref",
    "metadata",
    "occurred_at",
)
# A validated event, in ROW_COLUMNS order: ids as canonical UUID text, straight from the JSON body. The
# widget id is None only when the contract does not require one (store() then rejects the event).
Row = tuple[str, str | None, str | None, str | None, str, str | None, dict[str, Any], datetime]
FIELD_SET = frozenset(FIELDS)
IDEMPOTENCY_NAMESPACE = uuid.UUID("0b9d6f2e-3c1a-4e55-9a5e-6f7c1d2b8e41")
CONTRACT_TTL_SECONDS = 30
MAX_METADATA_BYTES = 8192
MAX_ACTOR_TYPE = 50
MAX_VIEW_CONTEXT_REF = 500
TIME_FORMAT = "give an ISO 8601 time, e.g. 2026-11-23T10:15:00Z"

# An event, as OpenAPI documents it. validate() below is its executable form, written out by hand for speed
# (it runs for every event of every batch); tests/api/test_schemas.py checks that each limit documented here
# is the one validate() enforces.
EVENT_SCHEMA = {
    "type": "object",
    "required": ["widget_id", "event_type", "occurred_at"],
    "additionalProperties": False,
    "properties": {
        "id": {
            "type": "string",
            "format": "uuid",
            "description": "Client id; a retried event with the same id is acknowledged, not stored twice.",
        },
        "widget_id": {"type": "string", "format": "uuid"},
        "event_type": {"type": "string", "description": "One of the active reporting contract's types."},
        "occurred_at": {
            "type": "string",
            "format": "date-time",
            "description": "With a time zone; not more than 5 minutes ahead, nor older than "
            "IHF_INGEST_MAX_AGE_DAYS (30 days by default).",
        },
        "actor_id": {"type": "string", "format": "uuid"},
        "actor_type": {"type": "string", "default": "user", "maxLength": MAX_ACTOR_TYPE},
        "view_context_ref": {"type": "string", "maxLength": MAX_VIEW_CONTEXT_REF},
        "metadata": {
            "type": "object",
            "description": f"At most {MAX_METADATA_BYTES} bytes as JSON. For `retracted`: "
            '{"retracted_event_id": "…"}.',
        },
    },
}

# A batch travels as one JSON array of rows, which PostgreSQL unpacks in C: psycopg dumping eight arrays of
# 500 values element by element took a third of the batch endpoint's CPU (bench/ingest.py).
INSERT_SQL = """
INSERT INTO interaction_events
    (id, widget_id, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at)
SELECT id, widget_id, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at
FROM json_to_recordset(%s::json) AS e(id uuid, widget_id uuid, event_type text, actor_id uuid,
                                       actor_type text, view_context_ref text, metadata jsonb,
                                       occurred_at timestamptz)
ON CONFLICT DO NOTHING
RETURNING id
"""

# One event (the reporter's keep-alive requests, simple clients): plain parameters.
INSERT_ONE_SQL = """
INSERT INTO interaction_events
    (id, widget_id, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at)
VALUES (%s::uuid, %s::uuid, %s, %s::uuid, %s, %s, %s::jsonb, %s::timestamptz)
ON CONFLICT DO NOTHING
RETURNING id
"""
CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _uuid_text(value: object) -> str | None:
    """`value` as a UUID's canonical text, or None when it is not a UUID. Ids stay text from the JSON body to
    the SQL statement: building a uuid.UUID for each was a fifth of the batch endpoint's CPU."""
    if isinstance(value, str) and len(value) == 36 and CANONICAL_UUID.fullmatch(value):
        return value.lower()
    parsed = parse_uuid(value)
    return str(parsed) if parsed is not None else None


class Contract(TypedDict):
    version: str | None
    event_types: frozenset[str]
    required: tuple[str, ...]


class _ContractCache(TypedDict):
    at: float
    value: Contract | None


_contract_cache: _ContractCache = {"at": 0.0, "value": None}


def active_contract() -> Contract:
    """The active reporting contract (cached for a few seconds: it changes rarely and is read per request)."""
    now = time.monotonic()
    cached = _contract_cache["value"]
    if cached is None or now - _contract_cache["at"] > CONTRACT_TTL_SECONDS:
        contract = (
            InteractionReportingContract.objects.filter(status="active").order_by("-created_at").first()
        )
        cached = _contract_cache["value"] = {
            "version": contract.contract_version if contract else None,
            "event_types": frozenset(contract.accepted_event_types) if contract else frozenset(),
            "required": tuple(contract.required_fields)
            if contract
            else ("widget_id", "event_type", "occurred_at"),
        }
        _contract_cache["at"] = now
    return cached


def forget_contract() -> None:
    _contract_cache["value"] = None


caches.register("hubs.ingest.contract", forget_contract)


def _timestamp(value: object, now: datetime, max_age: timedelta) -> tuple[datetime | None, FieldError | None]:
    if not isinstance(value, str) or len(value) > 40:
        return None, FieldError("occurred_at", Code.INVALID, TIME_FORMAT)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, FieldError("occurred_at", Code.INVALID, TIME_FORMAT)
    if moment.tzinfo is None:
        return None, FieldError("occurred_at", Code.NO_TIME_ZONE, "include a time zone (Z or +hh:mm)")
    if moment > now + timedelta(minutes=5):
        return None, FieldError("occurred_at", Code.IN_THE_FUTURE, "is in the future")
    if moment < now - max_age:
        return None, FieldError("occurred_at", Code.TOO_OLD, f"is older than {max_age.days} days")
    return moment, None


def bad_character(event: dict[str, Any]) -> FieldError | None:
    """The first field of `event` whose text PostgreSQL would refuse (errors.BAD_CHARACTERS), else None.

    Only the fields that reach the database as text are looked at, and occurred_at, whose parser
    (datetime.fromisoformat) skips a NUL: the others are UUIDs and contract values, which a bad character
    already makes invalid. A metadata key is reported as the object holding it. The walk is iterative, since
    metadata may be nested as deep as the JSON parser goes."""
    for field in ("actor_type", "view_context_ref", "occurred_at"):
        value = event.get(field)
        if isinstance(value, str) and BAD_CHARACTERS.search(value):
            return FieldError(field, Code.BAD_CHARACTER, BAD_CHARACTER)
    stack: list[tuple[str, object]] = [("metadata", event.get("metadata"))]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if BAD_CHARACTERS.search(value):
                return FieldError(path, Code.BAD_CHARACTER, BAD_CHARACTER)
        elif isinstance(value, dict):
            if any(BAD_CHARACTERS.search(key) for key in value):
                return FieldError(path, Code.BAD_CHARACTER, BAD_CHARACTER)
            stack.extend((f"{path}.{key}", item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}", item) for index, item in reversed(list(enumerate(value))))
    return None


class Batch:
    """Validated rows ready for one INSERT, and the rejections: (index, errors), in no particular order."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.indexes: list[int] = []
        self.rejected: list[tuple[int, list[FieldError]]] = []
        self.retractions: dict[int, str] = {}  # row position -> id of the event it retracts


def validate(
    events: list[Any], *, idempotency_key: str | None = None, check_characters: bool = False
) -> Batch:
    """Check each event's fields against the contract (no database access).

    `check_characters` also looks for text PostgreSQL would refuse (bad_character()): the caller asks for it
    only when the body holds a \\u escape, the only way such text gets through a strict UTF-8 JSON parser,
    so that the common request pays nothing for it."""
    contract = active_contract()
    now = datetime.now(UTC)
    max_age = timedelta(days=settings.IHF_INGEST_MAX_AGE_DAYS)
    batch = Batch()
    for index, event in enumerate(events):
        errors: list[FieldError] = []
        if not isinstance(event, dict):
            batch.rejected.append((index, [FieldError("event", Code.INVALID, "must be a JSON object")]))
            continue
        if not FIELD_SET.issuperset(event):
            unknown = sorted(event.keys() - FIELD_SET)[0]
            errors.append(FieldError(unknown, Code.NOT_A_FIELD, "is not a field of an event"))
        if check_characters:
            problem = bad_character(event)
            if problem:
                errors.append(problem)
        for field in contract["required"]:
            if event.get(field) in (None, ""):
                errors.append(FieldError(field, Code.REQUIRED, "is required"))
        event_id = event.get("id")
        if event_id is not None:
            event_id = _uuid_text(event_id)
            if event_id is None:
                errors.append(FieldError("id", Code.INVALID, "must be a UUID"))
        elif idempotency_key:
            event_id = str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{idempotency_key}:{index}"))
        widget_id = event.get("widget_id")
        if widget_id in (None, ""):
            widget_id = None
        else:
            widget_id = _uuid_text(widget_id)
            if widget_id is None:
                errors.append(FieldError("widget_id", Code.INVALID, "must be a UUID"))
        event_type = event.get("event_type")
        if event_type is not None and (
            not isinstance(event_type, str) or event_type not in contract["event_types"]
        ):
            errors.append(
                FieldError(
                    "event_type",
                    Code.NOT_ACCEPTED,
                    f"{str(event_type)[:40]!r} is not accepted; the contract accepts "
                    + ", ".join(sorted(contract["event_types"])),
                )
            )
        occurred_at = event.get("occurred_at")
        if occurred_at in (None, ""):
            occurred_at = None
        else:
            occurred_at, error = _timestamp(occurred_at, now, max_age)
            if error:
                errors.append(error)
        actor_id = event.get("actor_id")
        if actor_id is not None:
            actor_id = _uuid_text(actor_id)
            if actor_id is None:
                errors.append(FieldError("actor_id", Code.INVALID, "must be a UUID"))
        actor_type = event.get("actor_type") or "user"
        if not isinstance(actor_type, str) or len(actor_type) > MAX_ACTOR_TYPE:
            errors.append(
                FieldError("actor_type", Code.INVALID, f"must be text of at most {MAX_ACTOR_TYPE} characters")
            )
        view = event.get("view_context_ref")
        if view is not None and (not isinstance(view, str) or len(view) > MAX_VIEW_CONTEXT_REF):
            errors.append(
                FieldError(
                    "view_context_ref",
                    Code.INVALID,
                    f"must be text of at most {MAX_VIEW_CONTEXT_REF} characters",
                )
            )
        metadata = event.get("metadata")
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            errors.append(FieldError("metadata", Code.INVALID, "must be a JSON object"))
        elif metadata and len(json.dumps(metadata, separators=(",", ":"))) > MAX_METADATA_BYTES:
            errors.append(
                FieldError("metadata", Code.TOO_LARGE, f"is larger than {MAX_METADATA_BYTES} bytes")
            )
        if event_type == InteractionEvent.RETRACTED and isinstance(metadata, dict):
            target = _uuid_text(metadata.get("retracted_event_id"))
            if target is None:
                errors.append(
                    FieldError(
                        "metadata.retracted_event_id",
                        Code.REQUIRED,
                        "a retraction names the event it retracts (a UUID)",
                    )
                )
            else:
                batch.retractions[len(batch.rows)] = target
        if errors:
            batch.rejected.append((index, errors))
            batch.retractions.pop(len(batch.rows), None)
            continue
        batch.rows.append(
            (
                event_id or str(uuid7()),
                widget_id,
                event_type,
                actor_id,
                actor_type,
                view,
                metadata,
                occurred_at or now,
            )
        )
        batch.indexes.append(index)
    return batch


def _reject(batch: Batch, positions: set[int], error_for: Callable[[Row], FieldError]) -> None:
    if not positions:
        return
    keep_rows: list[Row] = []
    keep_indexes: list[int] = []
    retractions: dict[int, str] = {}
    for position, (row, index) in enumerate(zip(batch.rows, batch.indexes, strict=True)):
        if position in positions:
            batch.rejected.append((index, [error_for(row)]))
        else:
            if position in batch.retractions:
                retractions[len(keep_rows)] = batch.retractions[position]
            keep_rows.append(row)
            keep_indexes.append(index)
    batch.rows, batch.indexes, batch.retractions = keep_rows, keep_indexes, retractions


WIDGET_CACHE_SECONDS = 300
_widget_cache: dict[tuple[uuid.UUID, str | None], float] = {}  # (hub id, widget id) -> last confirmed
caches.register("hubs.ingest.widgets", _widget_cache.clear)


def _known_widgets(hub_id: uuid.UUID, widget_ids: set[str | None]) -> set[str | None]:
    """Which of `widget_ids` belong to the hub. Confirmed pairs are remembered for a few minutes (widgets
    do not change hubs), so the steady state of a busy front end costs no query here."""
    now = time.monotonic()
    known = {w for w in widget_ids if now - _widget_cache.get((hub_id, w), -1e9) < WIDGET_CACHE_SECONDS}
    unknown = widget_ids - known
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id::text FROM widgets WHERE hub_id = %s AND id = ANY(%s::uuid[])",
                [hub_id, list(unknown)],
            )
            rows = cursor.fetchall()
        for (widget_id,) in rows:
            _widget_cache[(hub_id, widget_id)] = now
            known.add(widget_id)
        if len(_widget_cache) > 200_000:
            _widget_cache.clear()
    return known


# One psycopg cursor per database connection, kept for the connection's life, for the single-event INSERT.
# callgrind, per request: a new Django cursor costs ~100k instructions before it runs anything (a psycopg
# cursor copies the connection's adapters, and a fresh one looks up its dumpers again), and Django's wrapper
# ~40k more, against ~105k to run the prepared INSERT on a kept cursor. Keyed weakly by the connection, so a
# closed connection takes its cursor with it; Django's connections are per thread, and so are these cursors.
_insert_cursors: weakref.WeakKeyDictionary[psycopg.Connection[Any], psycopg.Cursor[Any]] = (
    weakref.WeakKeyDictionary()
)
caches.register("hubs.ingest.insert_cursors", _insert_cursors.clear)


def _insert_one(params: list[str | datetime | None]) -> list[tuple[Any, ...]]:
    """Run INSERT_ONE_SQL as Django's cursor would (connection set-up, broken-transaction check, Django's
    exception classes) on this connection's kept cursor; Django's own cursor when something watches the
    queries (assertNumQueries, the debug toolbar, execute_wrapper)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy is a thread-local lookup
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(INSERT_ONE_SQL, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        raw: psycopg.Connection[Any] = db.connection
        kept = _insert_cursors.get(raw)
        if kept is None or kept.closed:
            kept = _insert_cursors[raw] = raw.cursor()
        kept.execute(INSERT_ONE_SQL, params)
        return kept.fetchall()


def store(batch: Batch, hub_id: uuid.UUID) -> tuple[int, int]:
    """Check widgets (and retraction targets) belong to the hub, then insert: (accepted, duplicates)."""
    if not batch.rows:
        return 0, 0
    known = _known_widgets(hub_id, {row[1] for row in batch.rows})
    _reject(
        batch,
        {p for p, row in enumerate(batch.rows) if row[1] not in known},
        lambda row: FieldError("widget_id", Code.UNKNOWN_WIDGET, f"{row[1]} is not a widget of this hub"),
    )
    if batch.retractions:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id::text, e.widget_id::text FROM interaction_events e "
                "JOIN widgets w ON w.id = e.widget_id "
                "WHERE w.hub_id = %s AND e.id = ANY(%s::uuid[]) AND e.event_type <> 'retracted'",
                [hub_id, list(set(batch.retractions.values()))],
            )
            originals = dict(cursor.fetchall())
        bad = {
            p
            for p, target in batch.retractions.items()
            if originals.get(target) is None or originals[target] != batch.rows[p][1]
        }
        _reject(
            batch,
            bad,
            lambda row: FieldError(
                "metadata.retracted_event_id", Code.UNKNOWN_EVENT, "names no event of this widget"
            ),
        )
    if not batch.rows:
        return 0, 0
    if len(batch.rows) == 1:
        *row, metadata, occurred_at = batch.rows[0]
        inserted = len(_insert_one([*row, json.dumps(metadata) if metadata else "{}", occurred_at]))
    else:
        rows = [
            dict(zip(ROW_COLUMNS, (*row, metadata, occurred_at.isoformat()), strict=True))
            for *row, metadata, occurred_at in batch.rows
        ]
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, [json.dumps(rows)])
            inserted = len(cursor.fetchall())
    return inserted, len(batch.rows) - inserted
