"""Reading job files: one job body, a JSON array of them, or {"jobs": [...]}."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class JobFileError(ValueError):
    """The job file cannot be read as jobs; the message says where and why."""


def load_job_bodies(path: Path) -> list[Any]:
    """The job bodies in a file, in order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise JobFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JobFileError(f"{path}: cannot read it ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JobFileError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    return bodies_of(data, str(path))


def bodies_of(data: Any, where: str = "input") -> list[Any]:
    """Job bodies from parsed JSON: an object, an array, or an object with a `jobs` array."""
    if isinstance(data, dict) and set(data) == {"jobs"}:
        data = data["jobs"]
        if not isinstance(data, list):
            raise JobFileError(f"{where}: `jobs` must be an array of job objects")
    if isinstance(data, list):
        if not data:
            raise JobFileError(f"{where}: the job list is empty")
        return data
    if isinstance(data, dict):
        return [data]
    raise JobFileError(f'{where}: expected a job object, an array of jobs or {{"jobs": [...]}}')
