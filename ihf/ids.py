"""Time-ordered UUIDs (RFC 9562 version 7).

Appending rows whose keys grow with time keeps the primary-key index compact and COPY fast (DESIGN.md,
invariant 8); random uuid4 keys scatter inserts across the whole index.
"""

import os
import time
import uuid


def uuid7(timestamp_ms: int | None = None, random_bytes: bytes | None = None) -> uuid.UUID:
    """A version 7 UUID: 48 bits of Unix milliseconds, then 74 random bits.

    Both parts can be supplied so that seeded data gets the same ids on every run.
    """
    if timestamp_ms is None:
        timestamp_ms = time.time_ns() // 1_000_000
    if random_bytes is None:
        random_bytes = os.urandom(10)
    if len(random_bytes) != 10:
        raise ValueError("uuid7 needs exactly 10 random bytes")
    value = (timestamp_ms & ((1 << 48) - 1)) << 80 | int.from_bytes(random_bytes, "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def parse_uuid(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one (any type, any length: input from forms, URLs, JSON)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
