"""Nearest neighbours by cosine similarity: pgvector where the database has it, numpy otherwise.

Where `CREATE EXTENSION vector` worked (the embedded PostgreSQL bundles pgvector), sql/assist.sql built an
HNSW index over `vector::vector(384)` and the database answers. Elsewhere (a PostgreSQL without the package,
like Debian's 15), each process keeps the vectors of the hubs it was asked about in memory and compares by
brute force; it reads only the rows added since its last look, so a query costs a matrix product (measured in
`bin/ihf bench ai`). Both paths give the same answer (tests/assist/test_neighbours.py runs both).
"""

import threading
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from assist import model
from ihf import caches


@dataclass(frozen=True)
class Neighbour:
    subject_id: str
    similarity: float


_pgvector: dict[str, bool] = {}


def pgvector_available() -> bool:
    """Whether migrations built the HNSW index (once per process and database: it comes and goes only with
    a migration, and each query saved counts when people type)."""
    name = connection.settings_dict["NAME"]
    if name not in _pgvector:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('embeddings_vector_hnsw') IS NOT NULL")
            _pgvector[name] = cursor.fetchone()[0]
    return _pgvector[name]


def nearest(
    subject_type: str,
    query: np.ndarray,
    *,
    hub_ids: list[str],
    k: int = 5,
    exclude: set[str] | frozenset[str] = frozenset(),
    backend: str | None = None,
) -> list[Neighbour]:
    """The k subjects of these hubs most similar to `query` (a unit vector), best first."""
    if not hub_ids:
        return []
    backend = backend or ("pgvector" if pgvector_available() else "numpy")
    if backend == "pgvector":
        return _nearest_pgvector(subject_type, query, hub_ids, k, exclude)
    found: list[Neighbour] = []
    for hub_id in hub_ids:
        found.extend(_index(str(hub_id), subject_type).nearest(query, k + len(exclude)))
    found = [n for n in found if n.subject_id not in exclude]
    return sorted(found, key=lambda n: -n.similarity)[:k]


def _nearest_pgvector(
    subject_type: str, query: np.ndarray, hub_ids: list[str], k: int, exclude: set[str] | frozenset[str]
) -> list[Neighbour]:
    literal = "[" + ",".join(f"{x:.7f}" for x in query.tolist()) + "]"
    with connection.cursor() as cursor:
        # Filtered HNSW: without iterative scans the index returns its ef_search nearest of all hubs and the
        # hub filter may leave fewer than k.
        cursor.execute("SET hnsw.iterative_scan = relaxed_order")
        cursor.execute(
            "SELECT subject_id, 1 - ((vector::vector(384)) <=> %s::vector) FROM embeddings "
            "WHERE hub_id = ANY(%s::uuid[]) AND subject_type = %s AND model_ref = %s "
            "AND NOT subject_id = ANY(%s::uuid[]) "
            "ORDER BY (vector::vector(384)) <=> %s::vector LIMIT %s",
            [literal, [str(h) for h in hub_ids], subject_type, model.MODEL_REF, list(exclude), literal, k],
        )
        found = [Neighbour(str(sid), float(sim)) for sid, sim in cursor.fetchall()]
    return sorted(found, key=lambda n: -n.similarity)


# array_send() of a one-dimensional real[]: a 20-byte header (dimensions, null flag, element type, length,
# lower bound), then each element as its byte length (4) and its big-endian float4.
_HEADER = 20
_ELEMENT = np.dtype([("length", ">i4"), ("value", ">f4")])


def unpack(packed: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(packed, dtype=_ELEMENT, offset=_HEADER)["value"].astype(np.float32)


@dataclass
class _HubIndex:
    hub_id: str
    subject_type: str
    last_id: int = 0
    ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, model.DIMENSIONS), dtype=np.float32))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        with connection.cursor() as cursor:
            # array_send() hands the real[] over in PostgreSQL's binary array format, which numpy reads
            # directly: 100k vectors load in about a second instead of half a minute of Python floats.
            cursor.execute(
                "SELECT id, subject_id, array_send(vector) FROM embeddings WHERE hub_id = %s "
                "AND subject_type = %s AND model_ref = %s AND id > %s ORDER BY id",
                [self.hub_id, self.subject_type, model.MODEL_REF, self.last_id],
            )
            new = [(row_id, subject_id, unpack(packed)) for row_id, subject_id, packed in cursor.fetchall()]
        if not new:
            return
        added: list[tuple[str, np.ndarray]] = []
        for row_id, subject_id, vector in new:
            subject = str(subject_id)
            if subject in self.rows:  # re-embedded: the text or the model changed
                self.matrix[self.rows[subject]] = vector
            else:
                self.rows[subject] = len(self.ids) + len(added)
                added.append((subject, vector))
            self.last_id = row_id
        if added:
            self.ids.extend(subject for subject, _ in added)
            self.matrix = np.vstack([self.matrix, np.asarray([v for _, v in added], dtype=np.float32)])

    def nearest(self, query: np.ndarray, k: int) -> list[Neighbour]:
        with self.lock:
            self.refresh()
            if not self.ids:
                return []
            scores = self.matrix @ query
            top = (
                np.argpartition(-scores, min(k, len(scores) - 1))[:k]
                if len(scores) > k
                else np.arange(len(scores))
            )
            return [Neighbour(self.ids[i], float(scores[i])) for i in top]


_indexes: dict[tuple[str, str], _HubIndex] = {}
_indexes_lock = threading.Lock()


def _index(hub_id: str, subject_type: str) -> _HubIndex:
    key = (hub_id, subject_type)
    with _indexes_lock:
        if key not in _indexes:
            _indexes[key] = _HubIndex(hub_id, subject_type)
        return _indexes[key]


def reset() -> None:
    with _indexes_lock:
        _indexes.clear()
    _pgvector.clear()


caches.register("assist.neighbours.indexes", reset)
