"""What every back-end's record reader shares: the error for a record that cannot be read,
and the lenient reading of the ISO 8601 times the APIs send."""

from __future__ import annotations

from datetime import UTC, datetime


class UnreadableRecord(ValueError):
    """A record from an API that cannot be read; `str()` says which field and why.

    Callers turn it into a problem of a listing while the other records are still read.
    """


def iso_time(value: object) -> datetime | None:
    """An ISO 8601 time as an aware datetime; None for anything that is not one.

    The APIs speak UTC: a time without a zone is read as UTC rather than local time.
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=UTC)
