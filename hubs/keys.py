"""Per-hub API keys: random, prefixed by scope, shown once, stored only as a SHA-256 hash.

A key reads `ihf_<scope>_<public id>_<secret>`. The public id finds the row; the hash of the whole key is
compared in constant time. Keys are 256-bit random, so a fast hash is enough (no stretching needed).
"""

import hashlib
import hmac
import json
import secrets

from django.db import connection

SCOPES = ("ingest", "read")
# ihf_use_api_key() (sql/api_keys.sql) authenticates, counts and rate-limits in one statement.
USE_KEY_SQL = "SELECT * FROM ihf_use_api_key(%s, %s)"


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
    """(scope, public id) of a key that looks like one of ours, else None."""
    parts = (raw or "").split("_", 3)
    if len(parts) != 4 or parts[0] != "ihf" or parts[1] not in SCOPES or len(parts[2]) != 12:
        return None
    return parts[1], parts[2]


class KeyCheck:
    __slots__ = ("allowed_origins", "hub_id", "hub_slug", "key_id", "limited", "retry_after", "scope")

    def __init__(self, key_id, hub_id, scope, limited, retry_after, hub_slug, allowed_origins):
        self.key_id, self.hub_id, self.scope = key_id, hub_id, scope
        self.limited, self.retry_after = limited, retry_after
        self.hub_slug, self.allowed_origins = hub_slug, allowed_origins


def check(raw: str) -> KeyCheck | None:
    """Authenticate `raw` and count the request against its key's per-minute limit, in one statement.

    None when the key is malformed, unknown, revoked or wrong."""
    parsed = parse(raw)
    if parsed is None:
        return None
    with connection.cursor() as cursor:
        # Outside a transaction the counter's commit need not wait for the disk: see sql/api_keys.sql.
        cursor.execute(USE_KEY_SQL, [parsed[1], not connection.in_atomic_block])
        row = cursor.fetchone()
    if row is None:
        return None
    key_id, hub_id, scope, secret_hash, count, limit, retry_after, slug, origins = row
    if not hmac.compare_digest(secret_hash, hash_key(raw)) or scope != parsed[0]:
        return None
    if isinstance(origins, str):
        origins = json.loads(origins)
    return KeyCheck(key_id, hub_id, scope, count > limit, max(1, retry_after or 1), slug, origins or [])
