"""What is known of the local engine before any job is queued: a submission is queued whole
or not at all, the engine keeps its jobs in this home's store itself, and a body is read
whole, with the files it names, by the one local validator (engine/local_validator.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from render_manager.backends.protocol import FileChecks, ServiceRules
from render_manager.domain.connection import Connection


def check_body(body: Mapping[str, Any]) -> str | None:
    """Nothing to say from the body alone: `check_files` reads it whole, with its files."""
    del body
    return None


def check_files(
    connection: Connection, base_dir: Path, work_dir: Path, rows: Sequence[tuple[int, Any]]
) -> FileChecks:
    """Each row the engine would refuse, with every problem found in it: a job it cannot
    read, missing project, asset or encode input files, a composition not in its project,
    layer data without script injection, no aerender; and each row's warnings (a project
    the reader cannot read, its composition unchecked). Reads the disk: call it off the
    GUI thread."""
    # Loaded on the first check, not with the window: the validator pulls in the engine.
    from render_manager.engine.local_validator import LocalValidator  # noqa: PLC0415

    validator = LocalValidator(connection, base_dir)
    found = FileChecks()
    for i, body in rows:
        checked = validator.validate(body, work_dir=work_dir)
        if isinstance(checked, list):
            found.problems.append((i, "; ".join(checked)))
        else:
            found.warnings.extend((i, warning) for warning in checked.warnings)
    return found


RULES = ServiceRules(
    check_body=check_body,
    all_or_nothing=True,
    stores_jobs=True,
    check_files=check_files,
    stops_running=True,
    opens_local_projects=True,
    retries_in_place=True,
    pauses=True,
    takes_priority=True,
    reprioritises=True,
    starts_later=True,
)
