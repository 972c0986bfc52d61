"""Vectors for the texts proposals are about: annotations, candidates, threads and decisions.

Each vector is stored with the model that made it and the md5 of its text, so that a new model or a changed
text is embedded again (`stale()` finds both). Embedding is idempotent and resumable: whatever has a current
vector is skipped.
"""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from django.db import connection, transaction

from assist import model
from assist.models import SubjectType

# (id, hub_id, text) of a subject to embed.
Row = tuple[Any, Any, str]

# The text each kind of subject is compared by, and its hub, as SQL over its table.
SOURCES: dict[str, str] = {
    SubjectType.ANNOTATION: (
        "SELECT a.id, w.hub_id, a.body AS text FROM annotations a JOIN widgets w ON w.id = a.widget_id"
    ),
    SubjectType.CANDIDATE: (
        "SELECT c.id, w.hub_id, c.title || '. ' || c.description AS text "
        "FROM requirement_candidates c JOIN widgets w ON w.id = c.source_widget_id"
    ),
    SubjectType.THREAD: (
        "SELECT t.id, w.hub_id, t.title || '. ' || coalesce(t.description, '') AS text "
        "FROM annotation_threads t JOIN widgets w ON w.id = t.widget_id"
    ),
    SubjectType.DECISION: (
        "SELECT d.id, d.hub_id, d.title || '. ' || d.rationale AS text FROM decision_records d"
    ),
}


def text_hash(text: str) -> str:
    # md5 because PostgreSQL computes the same in SQL (stale()); it detects change, it guards nothing.
    return hashlib.md5(text.encode()).hexdigest()


def stale(subject_type: str, *, hub_ids: Iterable[Any] | None = None, limit: int = 256) -> list[Row]:
    """Subjects with no vector under the current model, or whose text changed since: (id, hub_id, text)."""
    hubs = list(hub_ids) if hub_ids is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.hub_id, s.text FROM ({SOURCES[subject_type]}) s "
            "LEFT JOIN embeddings e ON e.subject_type = %s AND e.subject_id = s.id AND e.model_ref = %s "
            "WHERE (e.id IS NULL OR e.text_hash <> md5(s.text)) "
            "AND (%s::uuid[] IS NULL OR s.hub_id = ANY(%s::uuid[])) "
            "ORDER BY s.id LIMIT %s",
            [subject_type, model.MODEL_REF, hubs, hubs, limit],
        )
        rows: list[Row] = cursor.fetchall()
        return rows


def count_stale(subject_type: str, *, hub_ids: Iterable[Any] | None = None) -> int:
    hubs = list(hub_ids) if hub_ids is not None else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM ({SOURCES[subject_type]}) s "
            "LEFT JOIN embeddings e ON e.subject_type = %s AND e.subject_id = s.id AND e.model_ref = %s "
            "WHERE (e.id IS NULL OR e.text_hash <> md5(s.text)) "
            "AND (%s::uuid[] IS NULL OR s.hub_id = ANY(%s::uuid[]))",
            [subject_type, model.MODEL_REF, hubs, hubs],
        )
        count: int = cursor.fetchone()[0]
        return count


def store(subject_type: str, rows: list[Row], vectors: np.ndarray) -> None:
    """Write the vectors of (id, hub_id, text) rows. A re-embedded subject gets a new row (a new id), which
    is how the in-process neighbour index (assist/neighbours.py) notices the change."""
    if not rows:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM embeddings "
            "WHERE subject_type = %s AND model_ref = %s AND subject_id = ANY(%s::uuid[])",
            [subject_type, model.MODEL_REF, [row[0] for row in rows]],
        )
        cursor.executemany(
            "INSERT INTO embeddings (subject_type, subject_id, hub_id, model_ref, text_hash, vector) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (subject_type, row[0], row[1], model.MODEL_REF, text_hash(row[2]), vector.tolist())
                for row, vector in zip(rows, vectors, strict=True)
            ],
        )


def embed_stale(
    subject_type: str, *, hub_ids: Iterable[Any] | None = None, batch: int = 256
) -> Iterator[int]:
    """Embed every stale subject of a kind, a batch at a time; yields how many each batch embedded."""
    while rows := stale(subject_type, hub_ids=hub_ids, limit=batch):
        store(subject_type, rows, model.encode([row[2] for row in rows]))
        yield len(rows)


def ensure(subject_type: str, ids: Iterable[uuid.UUID | str]) -> None:
    """Embed these subjects now if their vector is missing or stale (the proposers call this first)."""
    wanted = [str(i) for i in ids]
    if not wanted:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.hub_id, s.text FROM ({SOURCES[subject_type]}) s "
            "LEFT JOIN embeddings e ON e.subject_type = %s AND e.subject_id = s.id AND e.model_ref = %s "
            "WHERE s.id = ANY(%s::uuid[]) AND (e.id IS NULL OR e.text_hash <> md5(s.text))",
            [subject_type, model.MODEL_REF, wanted],
        )
        rows = cursor.fetchall()
    store(subject_type, rows, model.encode([row[2] for row in rows]))


def vectors(subject_type: str, ids: Iterable[uuid.UUID | str]) -> dict[str, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_id, vector FROM embeddings "
            "WHERE subject_type = %s AND model_ref = %s AND subject_id = ANY(%s::uuid[])",
            [subject_type, model.MODEL_REF, [str(i) for i in ids]],
        )
        return {str(sid): np.asarray(vec, dtype=np.float32) for sid, vec in cursor.fetchall()}
