"""Excel workbooks (.xlsx, .xlsm) as data files: the first sheet, or the one chosen.

The first non-empty row is the header; each later non-empty row is a data row. Cells read
as the workbook last saved them (formulas give their computed value). Numbers keep the
text Excel shows for them where it is unambiguous: 3 is "3", not "3.0".
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from render_manager.services.job_templates import DataFileError, Row


@dataclass(frozen=True, slots=True)
class SheetTable:
    """The rows of one worksheet, which sheet it was, and the workbook's sheets."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    sheet: str
    sheets: tuple[str, ...]


def read_workbook(path: Path, sheet: str | None = None) -> SheetTable:
    """Rows of one sheet of a workbook (the first when `sheet` is None)."""
    try:
        # A file object, not the name: openpyxl refuses names not ending in .xlsx.
        with path.open("rb") as file:
            book = load_workbook(file, read_only=True, data_only=True)
            try:
                names = tuple(book.sheetnames)
                if sheet is None:
                    sheet = names[0]
                elif sheet not in names:
                    listed = ", ".join(names)
                    raise DataFileError(f"{path}: no sheet named {sheet!r}; its sheets: {listed}")
                values = [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
            finally:
                book.close()
    except DataFileError:
        raise  # a ValueError itself: not to be taken for openpyxl's
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except PermissionError:
        raise DataFileError(f"{path}: cannot open it (is it open in another program?)") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DataFileError(f"{path}: not an Excel workbook the app can read (.xlsx)") from None
    columns, rows = _table(values, path, sheet)
    return SheetTable(columns, rows, sheet, names)


def _table(
    values: Sequence[tuple[object, ...]], path: Path, sheet: str
) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    where = f"{path}, sheet {sheet!r}"
    cells = [[_text(v) for v in r] for r in values]
    numbered = [(n + 1, r) for n, r in enumerate(cells) if any(c.strip() for c in r)]
    if not numbered:
        raise DataFileError(f"{where}: the sheet is empty")
    (_, header), body = numbered[0], numbered[1:]
    names = [c.strip() for c in header]
    while names and not names[-1]:
        names.pop()
    if len(set(names)) != len(names) or any(not n for n in names):
        raise DataFileError(f"{where}: column names must be unique and not empty: {names}")
    if not body:
        raise DataFileError(f"{where}: no data rows under the header")
    rows: list[Row] = []
    for index, (number, row) in enumerate(body):
        padded = row + [""] * (len(names) - len(row))
        beyond = [i for i, c in enumerate(padded[len(names) :], len(names)) if c.strip()]
        if beyond:
            column = get_column_letter(beyond[0] + 1)
            error = f"row {number}: a value in column {column}, which has no name in the header"
            rows.append(Row(index, {}, error))
        else:
            rows.append(Row(index, dict(zip(names, padded[: len(names)], strict=True))))
    return tuple(names), tuple(rows)


def _text(value: object) -> str:
    """A cell as text: what a template's `{{column}}` takes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in JSON data files
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
