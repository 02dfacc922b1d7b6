"""Jobs from a data file: placeholders filled safely, bad rows reported one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render_manager.services.data_files import read_data
from render_manager.services.job_templates import DataFileError, Row, fill, placeholders

TEMPLATE = '{"template": {"src": "promo.aep", "composition": "{{comp}}"}, "name": "{{title}}"}'


def test_rows_fill_the_template(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text('comp,title\nMain,"Spring, ""EN"""\nAlt,Été\n', encoding="utf-8")
    rows = read_data(data).rows
    bodies = [fill(TEMPLATE, row) for row in rows]
    assert [b["name"] for b in bodies] == ['Spring, "EN"', "Été"]
    assert [b["template"]["composition"] for b in bodies] == ["Main", "Alt"]


@given(st.text())
def test_any_value_stays_inside_its_string(value: str) -> None:
    body = fill(TEMPLATE, Row(0, {"comp": "Main", "title": value}))
    assert body["name"] == value
    assert set(body) == {"template", "name"}


def test_a_missing_column_is_an_error_of_that_row_only() -> None:
    with pytest.raises(ValueError, match="no column named 'title'"):
        fill(TEMPLATE, Row(3, {"comp": "Main"}))
    assert placeholders(TEMPLATE) == ["comp", "title"]


def test_ragged_and_blank_lines_in_tsv(tmp_path: Path) -> None:
    data = tmp_path / "rows.tsv"
    data.write_text("comp\ttitle\nMain\tOne\nAlt\n\nThird\tThree\n", encoding="utf-8")
    rows = read_data(data).rows
    assert [r.index for r in rows] == [0, 1, 2]
    assert rows[1].error is not None
    assert "1 value for 2 columns" in rows[1].error
    assert rows[2].values == {"comp": "Third", "title": "Three"}


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("a,a\n1,2\n", "unique"), ("comp,title\n", "no data rows")],
)
def test_unusable_data_files_say_why(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "rows.csv"
    data.write_text(content)
    with pytest.raises(DataFileError, match=message):
        read_data(data)


def test_a_template_that_is_not_json_once_filled_is_a_row_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        fill('{"name": {{title}}}', Row(0, {"title": "unquoted"}))
    assert json.loads(json.dumps(fill('{"n": "{{t}}"}', Row(0, {"t": "\\"}))))["n"] == "\\"
