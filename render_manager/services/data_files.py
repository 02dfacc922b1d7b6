"""Data files for a batch: CSV/TSV text as spreadsheets write it, Excel workbooks, JSON.

`read_data` reads the disk (call it off the GUI thread) and says how it read the file
(encoding, delimiter, sheet), so the preview can tell the user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from render_manager.services.data_text import decode, read_text_table
from render_manager.services.job_templates import DataFileError, Row

XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), and password-protected .xlsx
DATA_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".json", *XLSX_SUFFIXES)
DATA_FILE_FILTER = "Data files (*.csv *.tsv *.tab *.txt *.json *.xlsx *.xlsm);;All files (*)"


@dataclass(frozen=True, slots=True)
class DataTable:
    """The rows of a data file (or of the single-job form), their columns, and how the
    file was read: `encoding` and `delimiter` for text, `sheet` and `sheets` for a workbook."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    source: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    def read_as(self) -> str:
        """How the file was read, in words: "UTF-16, tab-separated", "sheet 'Versions'"."""
        if self.sheet is not None:
            return f"sheet {self.sheet!r}"
        parts = [p for p in (self.encoding, self.delimiter and f"{self.delimiter}-separated") if p]
        return ", ".join(parts)


def read_data(path: Path, sheet: str | None = None) -> DataTable:
    """A CSV/TSV, Excel or JSON data file; DataFileError says why the file as a whole is
    unusable. `sheet` chooses a workbook's sheet (the first by default).

    JSON is an array of flat objects (or `{"rows": [...]}`); numbers and booleans become
    their JSON text, so `{{count}}` fills in `3`, not `3.0`.
    """
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if magic == OLE_MAGIC:
        # Excel keeps a password-protected .xlsx in the old container format too.
        if suffix in XLSX_SUFFIXES:
            raise DataFileError(
                f"{path}: a password-protected workbook; save it without its password"
            )
        raise DataFileError(
            f"{path}: an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV UTF-8"
        )
    # By content first: a workbook renamed .csv (or saved as one by mistake) still opens.
    if magic == ZIP_MAGIC or suffix in XLSX_SUFFIXES:
        # openpyxl takes ~140 ms to import: only when a workbook is opened, not at every
        # renderctl command.
        from render_manager.services.data_xlsx import read_workbook  # noqa: PLC0415

        book = read_workbook(path, sheet)
        return DataTable(book.columns, book.rows, path, sheet=book.sheet, sheets=book.sheets)
    if sheet is not None:
        raise DataFileError(f"{path}: only an Excel workbook (.xlsx) has sheets to choose")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if suffix == ".json":
        return _json_table(path, raw)
    text = read_text_table(path, raw)
    return DataTable(
        text.columns, text.rows, path, encoding=text.encoding, delimiter=text.delimiter
    )


def single_row(values: Mapping[str, str]) -> DataTable:
    """The one row of a single-job submission, typed into the form."""
    return DataTable(tuple(values), (Row(0, dict(values)),))


def _json_table(path: Path, raw: bytes) -> DataTable:
    text, encoding = decode(raw, path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("rows"), list):
        data = data["rows"]
    if not isinstance(data, list) or not data:
        raise DataFileError(f'{path}: expected a non-empty array of objects (or {{"rows": [...]}})')
    columns: dict[str, None] = {}
    table: list[Row] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            table.append(Row(index, {}, f"item {index + 1} is not an object"))
            continue
        values = {str(k): _text(v) for k, v in item.items()}
        columns.update(dict.fromkeys(values))
        table.append(Row(index, values))
    return DataTable(tuple(columns), tuple(table), path, encoding=encoding)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)
