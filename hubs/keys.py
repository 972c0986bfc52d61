"""Per-hub API keys: random, prefixed by scope, shown once, stored only as a SHA-256 hash.

A key reads `ihf_<scope>_<public id>_<secret>`. The public id finds the row; the hash of the whole key is
compared in constant time. Keys are 256-bit random, so a fast hash is enough (no stretching needed).

Each web process keeps the keys it has seen and counts their requests itself, writing the counts to the key's
row (and reading back the other processes' counts, revocations and changes) once per
IHF_API_KEY_SYNC_SECONDS, and on every request once a key is near its limit. A round trip per request for the
key cost about a third of a single-event request (bench/ingest.py). The price: a key revoked elsewhere still
works in this process until its next sync, and across processes the limit can be overshot by what the other
processes counted since their last sync.
"""

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
import uuid
from typing import Any, TypeGuard

from django.conf import settings
from django.db import connection

from ihf import caches

SCOPES = ("ingest", "read")
WINDOW_SECONDS = 60
HEADROOM_SHARE = 8
# ihf_use_api_key() (sql/api_keys_consent.sql): the key, with this process's count added when the hash
# matches, and what the endpoints need of its hub (slug, allowed origins, consent), in one statement.
USE_KEY_SQL = "SELECT * FROM ihf_use_api_key(%s, %s, %s, %s)"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def generate(scope: str) -> tuple[str, str, str]:
    """A new key: (raw key to show once, public id, hash to store)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    public_id = secrets.token_hex(6)
    raw = f"ihf_{scope}_{public_id}_{secrets.token_urlsafe(32)}"
    return raw, public_id, hash_key(raw)


def parse(raw: str) -> tuple[str, str] | None:
    """(scope, public id) of a key that looks like one of ours, else None.

    Keys are ASCII and the public id is hex: anything else (a NUL, a lone surrogate) must not reach the
    hash or the database, which would fail on it. Both checks cost next to nothing (isascii reads a flag)."""
    parts = (raw or "").split("_", 3)
    if (
        len(parts) != 4
        or parts[0] != "ihf"
        or parts[1] not in SCOPES
        or len(parts[2]) != 12
        or not raw.isascii()
        or not parts[2].isalnum()
    ):
        return None
    return parts[1], parts[2]


class KeyCheck:
    __slots__ = (
        "allowed_origins",
        "consent_required",
        "hub_id",
        "hub_slug",
        "key_id",
        "limited",
        "retry_after",
        "scope",
    )

    def __init__(
        self,
        key_id: uuid.UUID,
        hub_id: uuid.UUID,
        scope: str,
        limited: bool,
        retry_after: int,
        hub_slug: str,
        allowed_origins: list[str],
        consent_required: bool,
    ) -> None:
        self.key_id, self.hub_id, self.scope = key_id, hub_id, scope
        self.limited, self.retry_after = limited, retry_after
        self.hub_slug, self.allowed_origins = hub_slug, allowed_origins
        self.consent_required = consent_required


class _Known:
    """A key as of its last sync, and the requests this process has counted since."""

    __slots__ = (
        "consent_required",
        "count",
        "hub_id",
        "hub_slug",
        "key_id",
        "limit",
        "origins",
        "pending",
        "scope",
        "secret_hash",
        "sync_at",
        "window_ends",
    )

    key_id: uuid.UUID
    hub_id: uuid.UUID
    scope: str
    secret_hash: str
    count: int
    limit: int
    hub_slug: str
    origins: list[str]
    consent_required: bool
    pending: int
    sync_at: float
    window_ends: float

    def __init__(self, row: tuple[Any, ...], now: float) -> None:
        (
            self.key_id,
            self.hub_id,
            self.scope,
            self.secret_hash,
            self.count,
            self.limit,
            remaining,
            self.hub_slug,
            origins,
            self.consent_required,
        ) = row
        self.origins = (json.loads(origins) if isinstance(origins, str) else origins) or []
        self.pending = 0
        self.sync_at = now + settings.IHF_API_KEY_SYNC_SECONDS
        self.window_ends = now + max(0.0, remaining)


_known: dict[str, _Known] = {}
# Requests counted here but not yet written, of keys dropped from _known before their next sync (a change
# notified by another process): the next sync of the key writes them, so dropping a key loses no count.
_unwritten: dict[str, int] = {}
clock = time.monotonic  # a module attribute, so that tests can move time forward
_lock = threading.Lock()  # gthread workers: the threads of a process share _known


def _sync(public_id: str, requests: int, now: float, secret_hash: str) -> _Known | None:
    """Add `requests` to the key's window (when `secret_hash` is the key's) and reread the key."""
    with connection.cursor() as cursor:
        # Outside a transaction the counter's commit need not wait for the disk: see the SQL file.
        cursor.execute(USE_KEY_SQL, [public_id, not connection.in_atomic_block, requests, secret_hash])
        row = cursor.fetchone()
    with _lock:
        if row is None:
            _known.pop(public_id, None)
            return None
        known = _known[public_id] = _Known(row, now)
        return known


def _count(public_id: str, now: float, secret_hash: str) -> tuple[_Known | None, int]:
    """The key as known, and the window's count including this request."""
    with _lock:
        known = _known.get(public_id)
        if (
            known is not None
            and now < known.sync_at
            and now < known.window_ends
            # At most an eighth of the headroom left at the last sync is taken without asking again: other
            # processes may be taking theirs at the same time, and every process syncs more often as the key
            # nears its limit (bench/key_revocation.py measures the overshoot this leaves).
            and HEADROOM_SHARE * (known.pending + 1) <= known.limit - known.count
        ):
            known.pending += 1
            return known, known.count + known.pending
        carried = _unwritten.pop(public_id, 0)
        requests = 1 + (known.pending if known else 0) + carried
        if known is not None:
            known.pending = 0
    # Near the limit every request syncs, so the limit is exact as far as this process can tell.
    known = _sync(public_id, requests, now, secret_hash)
    if carried and known is not None and not hmac.compare_digest(known.secret_hash, secret_hash):
        # A wrong secret counts nothing, so the requests carried over are still to be written.
        with _lock:
            _unwritten[public_id] = _unwritten.get(public_id, 0) + carried
    return known, known.count if known else 0


def _matches(known: _Known | None, secret_hash: str, scope: str) -> TypeGuard[_Known]:
    return known is not None and hmac.compare_digest(known.secret_hash, secret_hash) and known.scope == scope


def check(raw: str) -> KeyCheck | None:
    """Authenticate `raw` and count the request against its key's per-minute limit.

    None when the key is malformed, unknown, revoked or wrong. A request is counted only once its secret
    checks out: someone who knows a key's public id (it is shown in the hub's settings) but not its
    secret cannot use up the key's limit."""
    parsed = parse(raw)
    if parsed is None:
        return None
    scope, public_id = parsed
    secret_hash = hash_key(raw)
    now = clock()
    with _lock:
        known = _known.get(public_id)
    if known is not None and not _matches(known, secret_hash, scope):
        return None
    # A key not seen yet is looked up by the sync, which counts the request only if the hash is the key's.
    known, count = _count(public_id, now, secret_hash)
    if not _matches(known, secret_hash, scope):
        return None
    # The window is a minute long; the database's clock and ours may differ by a fraction of a second.
    retry_after = min(WINDOW_SECONDS, max(1, math.ceil(known.window_ends - now)))
    return KeyCheck(
        known.key_id,
        known.hub_id,
        known.scope,
        count > known.limit,
        retry_after,
        known.hub_slug,
        known.origins,
        known.consent_required,
    )


def _drop(public_id: str) -> None:
    known = _known.pop(public_id, None)
    if known is not None and known.pending:
        _unwritten[public_id] = _unwritten.get(public_id, 0) + known.pending


def forget(public_id: str) -> None:
    """Drop what this process knows of a key (revoked or changed: reread it at its next request); the
    requests it counted since its last sync are still written then."""
    with _lock:
        _drop(public_id)


def forget_all() -> None:
    with _lock:
        for public_id in list(_known):
            _drop(public_id)


def reset() -> None:
    """Forget every key and every count not yet written: a new process (the tests' reset)."""
    with _lock:
        _known.clear()
        _unwritten.clear()


caches.register("hubs.keys.known", reset)
