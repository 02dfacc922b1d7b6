"""`renderctl submit --priority N --at TIME`: written into every job body, where the
connection's service takes them (its `ServiceRules`); refused with the reason elsewhere."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from datetime import datetime

from render_manager.backends.rules import rules_for
from render_manager.cli.errors import BadInput
from render_manager.domain.connection import Connection
from render_manager.domain.start_time import (
    START_AT_KEY,
    StartTimeError,
    parse_start_time,
    start_time_text,
)
from render_manager.services.batch_data import PreparedRow


def with_queue_options(
    connection: Connection, rows: Sequence[PreparedRow], priority: int | None, at: str | None
) -> list[PreparedRow]:
    """The rows with `priority` and the start time `at` in each body (None: as they are)."""
    rules = rules_for(connection.kind)
    extra: dict[str, object] = {}
    if priority is not None:
        if not rules.takes_priority:
            raise BadInput(f"--priority: {rules.no_reprioritise} ({connection.name})")
        extra["priority"] = priority
    if at is not None:
        if not rules.starts_later:
            raise BadInput(
                f"--at: {connection.name} starts jobs as it sees fit; only local connections "
                "hold jobs until a start time"
            )
        try:
            moment = parse_start_time(at)
        except StartTimeError as exc:
            raise BadInput(f"--at: {exc}") from None
        if moment <= datetime.now().astimezone():
            print(f"note: {at} has passed: the jobs start now", file=sys.stderr)
        else:
            print(f"note: the jobs wait until {start_time_text(moment)}", file=sys.stderr)
        extra[START_AT_KEY] = start_time_text(moment)
    if not extra:
        return list(rows)
    return [
        dataclasses.replace(row, body={**row.body, **extra}) if isinstance(row.body, dict) else row
        for row in rows
    ]
