"""Many jobs from one data file: a job template whose `{{column}}` placeholders take each row.

Values are JSON-escaped, so a placeholder inside a JSON string (`"text": "{{title}}"`) takes
quotes, backslashes and newlines safely. A row with a missing column, a ragged CSV line or
a result that is not valid JSON becomes an error for that row; the other rows go on. The
files themselves are read by `data_files`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


class DataFileError(ValueError):
    """The data file as a whole cannot be read."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 0-based number, its values, or why it cannot be used."""

    index: int
    values: dict[str, str]
    error: str | None = None


def placeholders(template: str) -> list[str]:
    """The column names a template uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(template):
        seen.setdefault(match.group(1), None)
    return list(seen)


def fill(template: str, row: Row) -> Any:
    """The job body for one row; raises ValueError saying what is wrong with the row."""
    if row.error is not None:
        raise ValueError(row.error)
    missing = [name for name in placeholders(template) if name not in row.values]
    if missing:
        raise ValueError(f"no column named {', '.join(repr(m) for m in missing)} in the data")

    def value(match: re.Match[str]) -> str:
        # json.dumps escapes for a JSON string; the surrounding quotes are the template's.
        return json.dumps(row.values[match.group(1)], ensure_ascii=False)[1:-1]

    text = _PLACEHOLDER.sub(value, template)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the filled-in job is not valid JSON: {exc.msg} at column {exc.colno}"
        ) from None
