"""Job and batch ids: ULIDs (time-ordered, 26 characters), like Nexrender Cloud's own ids."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def new_ulid(now_ms: int | None = None) -> str:
    """A new ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def ulid_time(value: str) -> datetime | None:
    """When a ULID was made (its first 48 bits, in UTC), or None if `value` is not a ULID.

    Nexrender Cloud's job ids are ULIDs made by the server, so this is the creation time on
    the server's clock, even for records that carry no times (`minimal=true` listings).
    """
    if not _ULID.fullmatch(value):
        return None
    ms = 0
    for char in value[:10]:
        ms = ms * 32 + _CROCKFORD.index(char)
    return datetime.fromtimestamp(ms / 1000, UTC)
