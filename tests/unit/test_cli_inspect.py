"""`renderctl inspect PROJECT.aep [--json]` over real After Effects projects.

Every fixture project is read and checked against its sidecar, by the same rules for all
(tests/unit/helpers/aep_fixtures.py); the projects py-aep cannot read, and files that are
not whole .aep projects, end in exit 2 and one clear line on stderr.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from tests.unit.cli_runner import Renderctl, renderctl_runner
from tests.unit.helpers.aep_fixtures import (
    PROJECTS,
    UNREADABLE,
    check_against_sidecar,
    expected_type,
    sidecar,
)


@pytest.fixture
def run(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Renderctl:
    return renderctl_runner(monkeypatch, capsys)


def test_the_fixtures_are_there() -> None:
    # A glob that found nothing would make every parametrized test below vanish.
    assert len(PROJECTS) >= 9
    assert UNREADABLE


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.stem)
def test_json_agrees_with_the_sidecar(run: Renderctl, project: Path) -> None:
    result = run("inspect", str(project), "--json")

    assert (result.code, result.err) == (0, "")
    check_against_sidecar(json.loads(result.out), sidecar(project))


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.stem)
def test_text_view_lists_comps_with_size_fps_and_layer_counts(
    run: Renderctl, project: Path
) -> None:
    expected = sidecar(project)

    result = run("inspect", str(project))

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == f"{project.name}: After Effects {expected['ae_version']}"
    assert f"Compositions ({len(expected['compositions'])})" in lines
    assert f"Render queue ({len(expected['render_queue'])})" in lines
    rows = [re.split(r"\s{2,}", line) for line in lines]
    for comp in expected["compositions"]:
        row = next(cells for cells in rows if cells[0] == comp["name"])
        size, fps, duration, _work_area, counts = row[1:]
        assert size == f"{comp['width']}x{comp['height']}"
        assert float(fps) == pytest.approx(comp["frame_rate"], abs=1e-3)
        assert duration.endswith(f"({round(comp['duration'] * comp['frame_rate'])} frames)")
        assert counts.split(":")[0] == str(comp["num_layers"])
        if comp["num_layers"] <= len(comp["layers"]):  # all layers listed in the sidecar
            texts = sum(expected_type(layer) == "text" for layer in comp["layers"])
            assert (f"{texts} text" in counts) == (texts > 0)


@pytest.mark.parametrize("project", UNREADABLE, ids=lambda p: p.stem)
def test_a_project_py_aep_cannot_read_is_exit_2_with_its_reason(
    run: Renderctl, project: Path
) -> None:
    expected = sidecar(project)
    assert expected["parse_ok"] is False

    result = run("inspect", str(project), "--json")

    assert result.code == 2
    line = result.error_line()
    assert str(project) in line
    version = expected["ae_version_from_head"]
    assert f"After Effects {version}" in line
    if int(version.split(".")[0]) <= 11:
        assert "CS6 or older" in line
    else:
        assert expected["error"].split(": ", 1)[1] in line


def test_a_truncated_copy_of_a_real_project_is_exit_2(run: Renderctl, tmp_path: Path) -> None:
    whole = PROJECTS[0].read_bytes()
    cut = tmp_path / "interrupted copy.aep"
    cut.write_bytes(whole[: len(whole) // 2])

    result = run("inspect", str(cut))

    assert result.code == 2
    line = result.error_line()
    assert str(cut) in line
    assert f"is truncated: {len(whole) // 2} bytes of the" in line


def test_a_text_file_renamed_aep_is_exit_2(run: Renderctl, tmp_path: Path) -> None:
    fake = tmp_path / "notes.aep"
    fake.write_text("Shot list: 1. intro 2. outro\n", encoding="utf-8")

    result = run("inspect", str(fake), "--json")

    assert result.code == 2
    assert result.error_line() == (
        f"renderctl: error: {fake}: is not an After Effects project "
        "(an .aep file starts with a RIFX header)"
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder, not an .aep file"),
        (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
        (lambda p: p.write_text('<?xml version="1.0"?><AfterEffectsProject/>'), ".aepx"),
    ],
    ids=["missing", "folder", "empty", "aepx"],
)
def test_other_files_that_are_not_a_project_are_exit_2(
    run: Renderctl, tmp_path: Path, make: object, says: str
) -> None:
    target = tmp_path / "promo.aep"
    make(target)  # type: ignore[operator]

    result = run("inspect", str(target))

    assert result.code == 2
    line = result.error_line()
    assert str(target) in line
    assert says in line


def test_a_project_beside_its_footage_has_the_footage_found(run: Renderctl, tmp_path: Path) -> None:
    # The fixtures name footage on their authors' machines: here it is all missing, until
    # a file of that name sits beside the project, where After Effects would find it.
    project = next(p for p in PROJECTS if any(c["layers"] for c in sidecar(p)["compositions"]))
    copy = tmp_path / project.name
    shutil.copy(project, copy)
    before = json.loads(run("inspect", str(copy), "--json").out)["footage"]
    assert before
    assert all(f["missing"] for f in before)
    name = before[0]["file"].replace("\\", "/").rsplit("/", 1)[-1]
    (tmp_path / name).write_bytes(b"footage")

    after = json.loads(run("inspect", str(copy), "--json").out)["footage"]

    assert [f["missing"] for f in after] == [
        f["file"].replace("\\", "/").rsplit("/", 1)[-1] != name for f in before
    ]


def test_parser_warnings_go_to_the_log_file_not_stderr(
    run: Renderctl, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # py-aep logs what it skips (e.g. "Invalid gradient XML") on its own loggers; without a
    # handler those would reach Python's last-resort handler, which writes to stderr.
    from render_manager.projects import _from_py_aep

    read = _from_py_aep.read

    def read_with_a_warning(path: Path, ae_version: str) -> object:
        logging.getLogger("py_aep.parsers.gradient").warning("Invalid gradient XML")
        return read(path, ae_version)

    monkeypatch.setattr(_from_py_aep, "read", read_with_a_warning)

    result = run("inspect", str(PROJECTS[0]), "--json")

    assert (result.code, result.err) == (0, "")
    log_text = (home / "logs" / "render-manager.log").read_text(encoding="utf-8")
    assert "WARNING py_aep.parsers.gradient: Invalid gradient XML" in log_text
