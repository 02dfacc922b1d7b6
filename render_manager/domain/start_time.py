"""When a local job may start: `--at` and the "Start at" field, read the one way.

A time is ISO 8601 (`2026-12-08T02:00`, with or without an offset; without one it is this
computer's local time) or `HH:MM`, meaning the next such time: today if it is still ahead,
else tomorrow. A time already past is kept as given: the job starts at once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# The key of a local job body that holds its start time (ISO 8601).
START_AT_KEY = "startAt"

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class StartTimeError(ValueError):
    """A start time that cannot be read; the message says what is accepted."""


def parse_start_time(text: str, *, now: datetime | None = None) -> datetime:
    """The moment `text` names, as an aware datetime (see the module's rules)."""
    given = text.strip()
    current = (now or datetime.now()).astimezone()
    clock = _CLOCK.match(given)
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            raise StartTimeError(f"{text!r} is not a time of day (00:00 to 23:59)")
        moment = current.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return moment if moment > current else moment + timedelta(days=1)
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise StartTimeError(
            f"{text!r} is not a start time: give HH:MM (the next such time, today or "
            "tomorrow) or an ISO 8601 date and time such as 2026-12-08T02:00"
        ) from None
    return moment.astimezone() if moment.tzinfo is None else moment


def start_time_text(moment: datetime) -> str:
    """How a start time is written into a job body: ISO 8601 with its offset."""
    return moment.isoformat(timespec="seconds")
