"""What is known of the local engine before any job is queued: a submission is queued whole
or not at all, the engine keeps its jobs in this home's store itself, and a body is read
whole, with the files it names, by the one local validator (engine/local_validator.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from render_manager.backends.protocol import ServiceRules
from render_manager.domain.connection import Connection


def check_body(body: Mapping[str, Any]) -> str | None:
    """Nothing to say from the body alone: `check_files` reads it whole, with its files."""
    del body
    return None


def check_files(
    connection: Connection, base_dir: Path, work_dir: Path, rows: Sequence[tuple[int, Any]]
) -> list[tuple[int, str]]:
    """Each row the engine would refuse, with every problem found in it: a job it cannot
    read, missing project, asset or encode input files, layer data without script
    injection, no aerender. Reads the disk: call it off the GUI thread."""
    # Loaded on the first check, not with the window: the validator pulls in the engine.
    from render_manager.engine.local_validator import LocalValidator  # noqa: PLC0415

    validator = LocalValidator(connection, base_dir)
    checked = [(i, validator.validate(body, work_dir=work_dir)) for i, body in rows]
    return [(i, "; ".join(found)) for i, found in checked if isinstance(found, list)]


RULES = ServiceRules(
    check_body=check_body,
    all_or_nothing=True,
    stores_jobs=True,
    check_files=check_files,
    stops_running=True,
    retries_in_place=True,
)
