"""Sign-in throttles kept in PostgreSQL (`login_throttles`), shared by every web process.

A throttle counts attempts per key in a fixed window: one upsert both counts an attempt and says how many the
window holds, so concurrent requests cannot overshoot a limit. Keys are `addr:<client address>` (IPv6 by /64,
the block one host is given; ihf/auth.py) and `device:<id>` (ihf/devices.py).
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from ihf import caches

# Rows whose window ended are deleted by the process that next counts an attempt, at most this often.
SWEEP_EVERY_SECONDS = 60.0
_last_sweep = {"at": 0.0}

HIT_SQL = """
INSERT INTO login_throttles AS t (key, attempts, window_ends_at)
VALUES (%(key)s, 1, now() + %(window)s::interval)
ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN t.window_ends_at <= now() THEN 1 ELSE t.attempts + 1 END,
    window_ends_at = CASE WHEN t.window_ends_at <= now() THEN excluded.window_ends_at
                          ELSE t.window_ends_at END
RETURNING attempts, extract(epoch FROM window_ends_at - now())
"""

COUNT_SQL = "SELECT attempts FROM login_throttles WHERE key = %(key)s AND window_ends_at > now()"

REFUND_SQL = """
UPDATE login_throttles SET attempts = greatest(attempts - 1, 0) WHERE key = %(key)s AND window_ends_at > now()
"""


@dataclass(frozen=True)
class Count:
    attempts: int  # in the current window, this one included
    retry_after: int  # seconds until the window ends


def hit(key: str, window_seconds: int) -> Count:
    """Count one attempt for `key`; a key whose window ended starts a new one of `window_seconds`."""
    _sweep()
    with connection.cursor() as cursor:
        cursor.execute(HIT_SQL, {"key": key, "window": f"{int(window_seconds)} seconds"})
        attempts, remaining = cursor.fetchone()
    return Count(attempts=attempts, retry_after=max(1, math.ceil(remaining)))


def attempts(key: str) -> int:
    """The attempts counted for `key` in its current window (0 when none)."""
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, {"key": key})
        row = cursor.fetchone()
    return row[0] if row else 0


def refund(key: str) -> None:
    """Give one attempt back (a successful sign-in does not use up its address's budget)."""
    with connection.cursor() as cursor:
        cursor.execute(REFUND_SQL, {"key": key})


def _sweep() -> None:
    now = time.monotonic()
    if now - _last_sweep["at"] < SWEEP_EVERY_SECONDS:
        return
    _last_sweep["at"] = now
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM login_throttles WHERE window_ends_at <= now()")


def _forget_sweep() -> None:
    _last_sweep["at"] = 0.0


caches.register("ihf.throttle.last_sweep", _forget_sweep)


def client_address(request: HttpRequest) -> str:
    """The address the request came from: REMOTE_ADDR, or behind IHF_TRUSTED_PROXIES reverse proxies the
    address the outermost of them saw, which each proxy appends to X-Forwarded-For (what a client writes
    there itself stands further left and is ignored). IPv6 addresses stand for their /64."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.IHF_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
