"""Data files as spreadsheets write them: every encoding, delimiter and quote Excel produces,
and workbooks (.xlsx) opened directly. Text files are written as the exact bytes Excel saves."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from render_manager.services.data_files import read_data
from render_manager.services.job_templates import DataFileError

# A producer's version sheet: accents, a euro sign, a comma inside a title, CRLF line ends.
ROWS = [
    ("name", "comp", "title"),
    ("promo_FR", "Main", "Été, à Paris"),
    ("promo_DE", "Alt", "Müller €5"),
]


def _lines(delimiter: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value or '"' in value else value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in ROWS)


def _values(path: Path) -> list[dict[str, str]]:
    table = read_data(path)
    assert all(r.error is None for r in table.rows), [r.error for r in table.rows]
    assert table.columns == ROWS[0]
    return [r.values for r in table.rows]


EXPECTED = [dict(zip(ROWS[0], row, strict=True)) for row in ROWS[1:]]


W1252 = "Windows-1252 (Western)"


@pytest.mark.parametrize(
    ("suffix", "data", "read_as"),
    [
        # "CSV UTF-8 (Comma delimited)": a BOM, then UTF-8.
        (".csv", b"\xef\xbb\xbf" + _lines(",").encode(), "UTF-8 with BOM, comma-separated"),
        # Google Sheets, Numbers, LibreOffice: UTF-8 without a BOM.
        (".csv", _lines(",").encode(), "UTF-8, comma-separated"),
        # "CSV (Comma delimited)" on Western Windows: the cp1252 code page.
        (".csv", _lines(",").encode("cp1252"), f"{W1252}, comma-separated"),
        # The same format in France, Germany, Italy...: `;` separates, `,` is the decimal mark.
        (".csv", _lines(";").encode("cp1252"), f"{W1252}, semicolon-separated"),
        # "Unicode Text": UTF-16 little-endian with its BOM, tab-separated, saved as .txt.
        (".txt", _lines("\t").encode("utf-16"), "UTF-16, tab-separated"),
        # "Text (Tab delimited)": cp1252 and tabs.
        (".txt", _lines("\t").encode("cp1252"), f"{W1252}, tab-separated"),
    ],
    ids=["CSV UTF-8", "UTF-8 no BOM", "CSV", "CSV Europe", "Unicode Text", "Text"],
)
def test_every_text_format_excel_saves_is_read_right(
    tmp_path: Path, suffix: str, data: bytes, read_as: str
) -> None:
    path = tmp_path / f"versions{suffix}"
    path.write_bytes(data)
    assert _values(path) == EXPECTED
    table = read_data(path)
    assert f"{table.encoding}, {table.delimiter}-separated" == read_as
    assert table.read_as() == read_as


def test_a_semicolon_file_is_not_one_column_named_name_semicolon_comp(tmp_path: Path) -> None:
    path = tmp_path / "europe.csv"
    path.write_bytes(b"name;comp;price\r\npromo_FR;Main;1,5\r\npromo_DE;Alt;2,25\r\n")
    table = read_data(path)
    assert table.columns == ("name", "comp", "price")
    assert [r.values["price"] for r in table.rows] == ["1,5", "2,25"]


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "hinted.csv"
    path.write_bytes(b"sep=;\r\nname;comp\r\npromo,EN;Main\r\n")
    table = read_data(path)
    assert table.columns == ("name", "comp")
    assert table.rows[0].values == {"name": "promo,EN", "comp": "Main"}


def test_empty_trailing_columns_excel_writes_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"name;comp;;\r\npromo_FR;Main;;\r\npromo_DE;Alt;;\r\n")
    table = read_data(path)
    assert table.columns == ("name", "comp")
    assert [r.error for r in table.rows] == [None, None]


def test_a_cell_excel_wrote_over_several_lines_stays_one_cell(tmp_path: Path) -> None:
    # Alt+Enter in a cell: Excel quotes it and writes a bare LF inside; records end in CRLF.
    path = tmp_path / "lines.csv"
    path.write_bytes(b'name,title\r\npromo_FR,"Line one\nLine ""two"""\r\npromo_DE,Plain\r\n')
    table = read_data(path)
    assert [r.values["title"] for r in table.rows] == ['Line one\nLine "two"', "Plain"]


def test_an_unclosed_quote_is_reported_where_it_opened_and_no_row_vanishes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "typo.csv"
    data_lines = [
        "promo_EN,Main",
        'promo_FR,"Main',  # line 3: the quote opens and is never closed
        "promo_DE,Main",
        "promo_IT,Main",
        "promo_ES,Main",
    ]
    path.write_text("name,comp\n" + "\n".join(data_lines) + "\n")
    rows = read_data(path).rows
    assert len(rows) == len(data_lines)
    problems = [r.error for r in rows if r.error is not None]
    assert problems == ['line 3: a quote (") opens a cell here and is never closed']
    assert rows[1].values == {"name": "promo_FR", "comp": '"Main'}, "shown to find the row by"
    assert [r.values["name"] for r in rows if r.error is None] == [
        "promo_EN", "promo_DE", "promo_IT", "promo_ES",
    ]  # fmt: skip


def test_a_typed_quote_that_a_later_quote_seems_to_close_loses_no_row(tmp_path: Path) -> None:
    path = tmp_path / "typo.csv"
    path.write_text('name,comp\npromo_EN,"Main\npromo_FR,Main\npromo_DE,"Alt"\n')
    rows = read_data(path).rows
    assert [r.error is None for r in rows] == [False, True, True]
    assert rows[0].error is not None
    assert rows[0].error.startswith("line 2: a quote")
    assert rows[2].values == {"name": "promo_DE", "comp": "Alt"}


def test_a_ragged_line_names_its_line_in_words(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"name,comp\r\npromo_EN\r\npromo_FR,Main\r\n")
    rows = read_data(path).rows
    assert rows[0].error == "line 2: 1 value for 2 columns"
    assert rows[0].values == {"name": "promo_EN"}, "what the line holds is still shown"
    assert rows[1].error is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # 0x81 is undefined in cp1252 and invalid UTF-8: neither encoding reads it.
        (b"name,comp\r\npromo\x81,Main\r\n", "neither UTF-8 nor Windows-1252"),
        (b"\xff\xfen\x00a\x00\x00\xd8", "not valid UTF-16"),
        ("name\tcomp\r\n".encode("utf-16-le"), "without its byte-order mark"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel 97-2003 workbook"),
    ],
    ids=["not UTF-8 nor cp1252", "broken UTF-16", "UTF-16 without BOM", ".xls"],
)
def test_an_unreadable_file_says_what_to_do_and_no_codec_message_leaks(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    with pytest.raises(DataFileError, match=message) as caught:
        read_data(path)
    text = str(caught.value)
    for codec_words in ("codec", "can't decode", "position", "invalid start byte"):
        assert codec_words not in text


# -- Excel workbooks ------------------------------------------------------------------------


def _workbook(path: Path) -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Versions"
    first.append(["name", "comp", "frames", "ratio", "air date", "approved"])
    first.append(["promo_FR", "Main", 250, 0.5, dt.datetime(2026, 12, 24), True])
    first.append([None, None, None, None, None, None])  # an empty row between versions
    first.append(["promo_DE", "Alt", 125.0, 1.25, dt.datetime(2026, 12, 24, 18, 30), False])
    social = book.create_sheet("Social")
    social.append(["name", "comp"])
    social.append(["story_EN", "Vertical"])
    book.save(path)
    return path


def test_an_xlsx_opens_on_its_first_sheet_with_numbers_as_excel_shows_them(
    tmp_path: Path,
) -> None:
    table = read_data(_workbook(tmp_path / "versions.xlsx"))
    assert (table.sheet, table.sheets) == ("Versions", ("Versions", "Social"))
    assert table.read_as() == "sheet 'Versions'"
    assert table.columns == ("name", "comp", "frames", "ratio", "air date", "approved")
    assert [r.values for r in table.rows] == [
        {"name": "promo_FR", "comp": "Main", "frames": "250", "ratio": "0.5",
         "air date": "2026-12-24", "approved": "true"},
        {"name": "promo_DE", "comp": "Alt", "frames": "125", "ratio": "1.25",
         "air date": "2026-12-24 18:30:00", "approved": "false"},
    ]  # fmt: skip


def test_the_sheet_chosen_is_read_and_a_wrong_name_lists_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "versions.xlsx")
    table = read_data(path, sheet="Social")
    assert table.sheet == "Social"
    assert [r.values for r in table.rows] == [{"name": "story_EN", "comp": "Vertical"}]
    with pytest.raises(DataFileError, match="no sheet named 'Print'; its sheets: Versions, Social"):
        read_data(path, sheet="Print")


def test_a_workbook_saved_with_a_csv_name_still_opens(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "versions.xlsx").rename(tmp_path / "versions.csv")
    assert read_data(path).sheet == "Versions"


def test_a_value_under_a_column_without_a_name_is_that_row_s_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "comp"])
    sheet.append(["promo_FR", "Main"])
    sheet.append(["promo_DE", "Alt", "call the client"])
    book.save(path)
    rows = read_data(path).rows
    assert rows[0].error is None
    assert rows[1].error == "row 3: a value in column C, which has no name in the header"


def test_a_broken_workbook_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataFileError, match="not an Excel workbook the app can read"):
        read_data(path)


# -- any table a csv writer makes comes back cell for cell ------------------------------------

_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
# What producers type in cells: accents, quotes, separators, line breaks inside a cell.
_CELLS = st.text(alphabet="abc XYZ0123,;\t\"'\nÉéàüß-", max_size=12)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(st.lists(_NAMES, min_size=2, max_size=4, unique=True))
    width = len(header)
    row = st.lists(_CELLS, min_size=width, max_size=width).filter(
        lambda cells: any(c.strip() for c in cells)  # an all-blank row is no row
    )
    return header, draw(st.lists(row, min_size=1, max_size=6))


@settings(max_examples=150, deadline=None)
@given(
    table=_tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8-sig", "utf-8", "utf-16", "cp1252"]),
)
def test_any_table_a_spreadsheet_writes_reads_back_cell_for_cell(
    tmp_path_factory: pytest.TempPathFactory,
    table: tuple[list[str], list[list[str]]],
    delimiter: str,
    encoding: str,
) -> None:
    header, rows = table
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("table") / "rows.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    read = read_data(path)
    assert read.columns == tuple(header)
    assert [r.error for r in read.rows] == [None] * len(rows)
    assert [list(r.values.values()) for r in read.rows] == rows
