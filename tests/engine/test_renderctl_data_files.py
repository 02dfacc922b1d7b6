"""`renderctl submit --rows` with data files as spreadsheets write them, run as a real process:
Excel's European CSV, workbooks and their sheets, and a typed quote that queues nothing."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.unit.helpers.comp_projects import Comp, make_comp_project


def _template(engine: Engine, tmp_path: Path) -> Path:
    # A real project holding the rows' compositions: each row's is looked for in it.
    project = make_comp_project(
        tmp_path / "versions.aep", [Comp("Main"), Comp("Alt"), Comp("Vertical", 1080, 1920)]
    )
    path = tmp_path / "template.json"
    path.write_text(json.dumps({
        "name": "{{name}}",
        "template": {"src": str(project), "composition": "{{comp}}"},
    }))  # fmt: skip
    return path


def _submit(engine: Engine, *args: str) -> tuple[int, str, str]:
    done = renderctl(engine.ctx.home, "submit", "-c", "local", *args)
    return done.returncode, done.stdout, done.stderr


def test_excel_s_european_csv_queues_one_job_per_row_with_accents_intact(
    engine: Engine, tmp_path: Path
) -> None:
    rows = tmp_path / "versions.csv"
    # "CSV (semicolon delimited)" from Excel on a French Windows: cp1252, `;`, CRLF.
    rows.write_bytes("name;comp\r\nÉté à Paris;Main\r\nMüller €5;Alt\r\n".encode("cp1252"))
    code, out, err = _submit(engine, str(_template(engine, tmp_path)), "--rows", str(rows))
    assert (code, err) == (0, "")
    assert "batch " in out
    assert sorted(j.name for j in engine.ctx.jobs.list()) == ["Müller €5", "Été à Paris"]


def test_a_workbook_s_chosen_sheet_is_queued_and_a_wrong_sheet_stops_on_stderr(
    engine: Engine, tmp_path: Path
) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Versions"
    first.append(["name", "comp"])
    first.append(["promo_FR", "Main"])
    social = book.create_sheet("Social")
    social.append(["name", "comp"])
    social.append(["story_EN", "Vertical"])
    social.append(["story_DE", "Vertical"])
    rows = tmp_path / "versions.xlsx"
    book.save(rows)
    template = str(_template(engine, tmp_path))

    code, out, err = _submit(engine, template, "--rows", str(rows), "--sheet", "Print", "--json")
    assert (code, out) == (2, "")
    assert err == (
        f"renderctl: error: {rows}: no sheet named 'Print'; its sheets: Versions, Social\n"
    )
    assert engine.ctx.jobs.list() == []

    code, out, err = _submit(engine, template, "--rows", str(rows), "--sheet", "Social", "--json")
    assert (code, err) == (0, "")
    assert [row["index"] for row in json.loads(out)["jobs"]] == [0, 1]
    assert sorted(j.name for j in engine.ctx.jobs.list()) == ["story_DE", "story_EN"]


def test_an_unclosed_quote_names_its_line_and_a_local_submission_queues_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    rows = tmp_path / "versions.csv"
    rows.write_text(
        'name,comp\npromo_EN,Main\npromo_FR,"Main\npromo_DE,Main\npromo_IT\npromo_ES,Main\n'
    )
    code, out, _err = _submit(
        engine, str(_template(engine, tmp_path)), "--rows", str(rows), "--json"
    )
    assert code == 2
    # The lines after the open quote are still read: line 5's own problem is found too.
    assert json.loads(out)["errors"] == [
        {"index": 1, "error": 'line 3: a quote (") opens a cell here and is never closed'},
        {"index": 3, "error": "line 5: 1 value for 2 columns"},
    ]
    assert engine.ctx.jobs.list() == []


def test_a_file_no_encoding_reads_stops_with_advice_and_no_codec_message(
    engine: Engine, tmp_path: Path
) -> None:
    rows = tmp_path / "versions.csv"
    rows.write_bytes(b"name,comp\r\npromo\x81,Main\r\n")
    code, out, err = _submit(engine, str(_template(engine, tmp_path)), "--rows", str(rows))
    assert (code, out) == (2, "")
    assert err == (
        f"renderctl: error: {rows}: neither UTF-8 nor Windows-1252 text; save it from the "
        "spreadsheet as CSV UTF-8\n"
    )
    assert engine.ctx.jobs.list() == []


def test_sheet_without_a_workbook_to_choose_from_is_bad_input(
    engine: Engine, tmp_path: Path
) -> None:
    template = _template(engine, tmp_path)
    code, out, err = _submit(engine, str(template), "--sheet", "Social")
    assert (code, out) == (2, "")
    assert err == (
        "renderctl: error: --sheet chooses a sheet of the --rows workbook: give --rows too\n"
    )
    rows = tmp_path / "versions.csv"
    rows.write_text("name,comp\npromo_FR,Main\n")
    code, out, err = _submit(engine, str(template), "--rows", str(rows), "--sheet", "Social")
    assert (code, out) == (2, "")
    assert err == (
        f"renderctl: error: {rows}: only an Excel workbook (.xlsx) has sheets to choose\n"
    )
    assert engine.ctx.jobs.list() == []
