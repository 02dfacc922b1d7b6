"""The health of a connection: whether the last exchange with it worked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the last exchange with a connection worked, and if not, why."""

    ok: bool
    error: str | None = None
    checked_at: datetime | None = None
