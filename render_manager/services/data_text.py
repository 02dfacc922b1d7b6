"""Delimited text data files as spreadsheets write them: encoding, delimiter, quoted cells.

Excel alone writes four kinds of text file: "CSV UTF-8" (UTF-8 with a byte-order mark),
"CSV" (the Windows code page: cp1252 on Western systems, with `;` as the separator in most
of Europe), "Unicode Text" (UTF-16 with a BOM, tab-separated) and "Text" (cp1252, tabs).
All of them are read here without the user saying which one it is.

Cells are parsed by hand rather than with the csv module so that a quote left open is
reported at the line where it opened, and the lines after it are still read as rows.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from render_manager.services.job_templates import DataFileError, Row

# (BOM, codec, name shown to the user); UTF-32 BOMs start like UTF-16's, so they go first.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
WINDOWS_1252 = "Windows-1252 (Western)"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEP_HINT = re.compile(r"^sep=(.)$")
# Lines looked at to choose the delimiter: enough to see a pattern, cheap on big files.
_SNIFF_LINES = 50


@dataclass(frozen=True, slots=True)
class TextTable:
    """The rows of a delimited text file and how the file was read."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str
    delimiter: str


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text of a data file and the name of its encoding, as a user would call it.

    A byte-order mark decides; without one, UTF-8 if the bytes are valid UTF-8, else the
    Windows Western code page Excel's plain "CSV" uses. No codec message reaches the user.
    """
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), name
            except UnicodeDecodeError:
                raise DataFileError(
                    f"{path}: starts as {name} text but is not valid {name} further on; "
                    "save it again from the spreadsheet as CSV UTF-8"
                ) from None
    if b"\x00" in raw[:4096]:
        raise DataFileError(
            f"{path}: not a text file the app can read (a UTF-16 file without its byte-order "
            "mark, or a binary file); save it from the spreadsheet as CSV UTF-8"
        )
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), WINDOWS_1252
    except UnicodeDecodeError:
        # Bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): not Western text.
        raise DataFileError(
            f"{path}: neither UTF-8 nor Windows-1252 text; save it from the spreadsheet "
            "as CSV UTF-8"
        ) from None


def read_text_table(path: Path, raw: bytes) -> TextTable:
    """Rows of a comma-, semicolon- or tab-separated file (the delimiter is detected)."""
    text, encoding = decode(raw, path)
    lines = _NEWLINE.split(text)
    first = 0
    # Excel reads (and some exports write) a first line `sep=;` naming the delimiter.
    hint = _SEP_HINT.match(lines[0]) if lines else None
    if hint:
        first = 1
    delimiter = hint.group(1) if hint else _detect(lines, prefer_tab=_tab_suffix(path))
    rows: list[Row] = []
    header: list[str] | None = None
    number = first
    while number < len(lines):
        record = _record(lines, number, delimiter)
        line = number + 1  # 1-based, as an editor shows it
        number = record.next
        if record.error is None and not "".join(record.cells).strip():
            continue  # blank lines are not rows
        if header is None:
            if record.error is not None:
                raise DataFileError(f"{path}: header line: {record.error}")
            header = _header(record.cells, path)
            continue
        row = _row(len(rows), line, record, header)
        if row.error is not None and record.opened is not None:
            # Lines swallowed by a quote that then leaves a ragged row: the quote was typed,
            # not written by a spreadsheet; report it and read the lines after it as rows.
            record = _unclosed(lines, record.opened, line - 1, delimiter)
            number = record.next
            row = _row(len(rows), line, record, header)
        rows.append(row)
    if header is None:
        raise DataFileError(f"{path}: the file is empty")
    if not rows:
        raise DataFileError(f"{path}: no data rows under the header")
    return TextTable(
        tuple(header), tuple(rows), encoding, DELIMITER_NAMES.get(delimiter, delimiter)
    )


def _tab_suffix(path: Path) -> bool:
    return path.suffix.lower() in (".tsv", ".tab", ".txt")


def _detect(lines: Sequence[str], *, prefer_tab: bool) -> str:
    """The delimiter that splits the first lines into the most, and most regular, columns."""
    sample = [line for line in lines[:_SNIFF_LINES] if line.strip()]
    order = ("\t", ",", ";") if prefer_tab else (",", ";", "\t")
    best, best_score = order[0], (0, 0.0, 0)
    for delimiter in order:
        counts = []
        number = 0
        while number < len(sample):
            record = _record(sample, number, delimiter)
            number = record.next
            counts.append(len(record.cells))
        width = counts[0] if counts else 0
        if width < 2:
            continue
        regular = sum(1 for c in counts[1:] if c == width) / max(len(counts) - 1, 1)
        score = (1, regular, width)
        if score > best_score:  # ties keep the earlier, preferred delimiter
            best, best_score = delimiter, score
    return best


@dataclass(frozen=True, slots=True)
class _Record:
    cells: list[str]
    next: int  # the line the next record starts on
    error: str | None = None
    opened: int | None = None  # where the quoted cell that spans lines opened


def _record(lines: Sequence[str], start: int, delimiter: str) -> _Record:
    """One record from line `start`: its cells, spanning lines inside quoted cells.

    A quote that is never closed, or closes lines later with text after it (a quote typed
    in a cell, not one a spreadsheet wrote), is an error of the line it opened on; the next
    record starts on the line after, so no row disappears into the open quote.
    """
    quick = _one_line(lines[start], delimiter)
    if quick is not None:
        return _Record(quick, start + 1)
    cells: list[str] = []
    cell: list[str] = []
    quoted = False  # inside a quoted cell
    closed = False  # after the closing quote of a quoted cell
    stray = False  # text after a closing quote
    opened = start
    number, line, pos = start, lines[start], 0
    while True:
        if pos >= len(line):
            if quoted:
                number += 1
                if number >= len(lines):
                    return _unclosed(lines, opened, start, delimiter)
                cell.append("\n")
                line, pos = lines[number], 0
                continue
            cells.append("".join(cell))
            break
        char = line[pos]
        pos += 1
        if quoted:
            if char == '"' and line.startswith('"', pos):  # "" inside quotes is one "
                pos += 1
            elif char == '"':
                quoted, closed = False, True
                continue
            cell.append(char)
        elif char == delimiter:
            cells.append("".join(cell))
            cell, closed = [], False
        elif char == '"' and not cell and not closed:
            quoted, opened = True, number
        else:
            stray = stray or closed
            cell.append(char)
    if number > start and stray:
        return _unclosed(lines, opened, start, delimiter)
    return _Record(cells, number + 1, opened=opened if number > start else None)


def _one_line(line: str, delimiter: str) -> list[str] | None:
    """The cells of a line that is a whole record in the plain form, read at C speed; None
    for the rest (a quoted cell going on to the next line, text after a closing quote)."""
    if '"' not in line:
        return line.split(delimiter)  # most lines
    if line.count('"') % 2:
        return None
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error:
        return None  # read leniently by the caller, as spreadsheets do


def _unclosed(lines: Sequence[str], opened: int, start: int, delimiter: str) -> _Record:
    # The line's cells as typed, quote included: shown beside the error to find the row by.
    cells = lines[start].split(delimiter)
    error = f'line {opened + 1}: a quote (") opens a cell here and is never closed'
    return _Record(cells, start + 1, error)


def _header(cells: list[str], path: Path) -> list[str]:
    names = [c.strip() for c in cells]
    # Spreadsheets write empty trailing columns (`name;comp;;`) for cells once used.
    while names and not names[-1]:
        names.pop()
    if not names or len(set(names)) != len(names) or any(not n for n in names):
        raise DataFileError(f"{path}: column names must be unique and not empty: {names}")
    return names


def _row(index: int, line: int, record: _Record, header: list[str]) -> Row:
    cells = record.cells
    if record.error is None and len(cells) == len(header):
        return Row(index, dict(zip(header, cells, strict=True)))  # the common case, first
    if record.error is not None:
        return Row(index, dict(zip(header, cells, strict=False)), record.error)
    extra = cells[len(header) :]
    if len(cells) < len(header) or any(c.strip() for c in extra):
        # What the line holds stays shown beside the error: the user finds the row by it.
        error = f"line {line}: {_values(len(cells))} for {len(header)} columns"
        return Row(index, dict(zip(header, cells, strict=False)), error)
    return Row(index, dict(zip(header, cells[: len(header)], strict=True)))


def _values(count: int) -> str:
    return "1 value" if count == 1 else f"{count} values"
