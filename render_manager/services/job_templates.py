"""Many jobs from one data file: a job template whose `{{column}}` placeholders take each row.

Values are JSON-escaped, so a placeholder inside a JSON string (`"text": "{{title}}"`) takes
quotes, backslashes and newlines safely. A row with a missing column, a ragged CSV line or
a result that is not valid JSON becomes an error for that row; the other rows go on.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
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


def read_rows(path: Path) -> list[Row]:
    """Rows of a CSV or TSV file (by extension; .tsv and .tab are tab-separated)."""
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    reader = csv.reader(text.splitlines(), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise DataFileError(f"{path}: header line: {exc}") from None
    names = [h.strip() for h in header]
    if len(set(names)) != len(names) or any(not n for n in names):
        raise DataFileError(f"{path}: column names must be unique and not empty: {names}")
    rows: list[Row] = []
    index = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(Row(index, {}, f"line {reader.line_num}: {exc}"))
            index += 1
            continue
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        if len(cells) != len(names):
            rows.append(
                Row(
                    index,
                    {},
                    f"line {reader.line_num}: {len(cells)} values for {len(names)} columns",
                )
            )
        else:
            rows.append(Row(index, dict(zip(names, cells, strict=True))))
        index += 1
    if not rows:
        raise DataFileError(f"{path}: no data rows under the header")
    return rows


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
