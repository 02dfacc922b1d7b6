"""Text and footage versions rendered on a stock aerender by rewriting the project:
`renderctl submit` then `renderctl engine --until-idle`, run as real processes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import py_aep
import pytest

from render_manager.projects import read_project
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.unit.helpers.aep_damage import CORRUPT_SAYS, NEWER_SAYS, corrupt_copy, newer_copy
from tests.unit.test_project_reader import _png

TEXT = "Bonjour «monde» 日本語"


@pytest.fixture
def template(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    """A real project (a "Title" text layer, a "logo.png" footage layer) on a stock aerender."""
    folder = tmp_path / "template"
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 640, 360, 1.0, 2.0, 25.0)
    main.add_text("Hello").name = "Title"
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "logo.png"))))
    path = folder / "promo.aep"
    app.project.save(path)
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(tmp_path / "received.txt"))
    assert not engine.connection.engine.script_injection
    return path


def _submit(engine: Engine, tmp_path: Path, job: dict[str, Any]) -> tuple[int, str, str]:
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(path))
    return done.returncode, done.stdout, done.stderr


def _job(template: Path, *assets: dict[str, Any]) -> dict[str, Any]:
    return {"template": {"src": str(template), "composition": "Main"}, "assets": list(assets)}


def _render(engine: Engine, tmp_path: Path, job: dict[str, Any]) -> Path:
    """Submit and render `job`; the project the aerender received."""
    code, _out, err = _submit(engine, tmp_path, job)
    assert (code, err) == (0, "")
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == 0, done.stdout + done.stderr
    [job_row] = engine.ctx.jobs.list()
    assert job_row.status.value == "finished", job_row
    [received] = (tmp_path / "received.txt").read_text(encoding="utf-8").splitlines()
    return Path(received)


def test_a_text_value_is_rendered_from_the_job_s_rewritten_copy(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    before = template.read_bytes()
    data = {"type": "data", "layerName": "Title", "property": "Source Text", "value": TEXT}
    received = _render(engine, tmp_path, _job(template, data))
    assert received != template
    assert engine.ctx.home in received.parents
    layers = {layer.name: layer for layer in read_project(received).compositions[0].layers}
    assert layers["Title"].text == TEXT
    assert template.read_bytes() == before


def test_a_footage_swap_written_as_nexrender_does_is_rendered_from_the_rewritten_copy(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    before = template.read_bytes()
    swap = _png(tmp_path / "rows" / "logo_fr.png")
    text = {"type": "data", "layerName": "Title", "property": "Source Text.text", "value": "FR"}
    image = {"type": "image", "layerName": "logo.png", "src": str(swap)}
    received = _render(engine, tmp_path, _job(template, text, image))
    layers = read_project(received).compositions[0].layers
    assert sorted(layer.text or "" for layer in layers) == ["", "FR"]
    [footage] = [Path(layer.footage) for layer in layers if layer.footage]
    # The file the job's folder holds (staged there), not the row's original.
    assert footage.name.endswith("logo_fr.png")
    assert footage.parent.parent == received.parent
    assert footage.read_bytes() == swap.read_bytes()
    assert template.read_bytes() == before
    kept = read_project(template).compositions[0].layers
    assert sorted((layer.text or "", Path(layer.footage or "").name) for layer in kept) == [
        ("", "logo.png"),
        ("Hello", ""),
    ]


def test_a_missing_layer_is_refused_at_submit_with_the_closest_names(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    data = {"type": "data", "layerName": "Titel", "property": "Source Text", "value": "x"}
    code, out, err = _submit(engine, tmp_path, _job(template, data))
    assert (code, out) == (2, "")
    assert "assets[0]: no text layer named 'Titel'; closest: Title" in err
    assert engine.ctx.jobs.list() == []


def test_an_expression_is_refused_on_a_stock_aerender_with_the_reason(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    data = {"type": "data", "layerName": "Title", "property": "Opacity", "expression": "50"}
    code, _out, err = _submit(engine, tmp_path, _job(template, data))
    assert code == 2
    assert "assets[0]: an expression is evaluated by After Effects" in err
    assert engine.ctx.jobs.list() == []


def test_a_footage_item_swap_is_rendered_from_the_rewritten_copy(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    before = template.read_bytes()
    swap = _png(tmp_path / "rows" / "logo_fr.png")
    item = {"type": "image", "footage": "logo.png", "src": str(swap)}
    received = _render(engine, tmp_path, _job(template, item))
    info = read_project(received)
    [footage] = info.footage
    # The item now names the job's staged copy, and the layer showing it follows.
    assert footage.file is not None
    staged = Path(footage.file)
    assert staged.name.endswith("logo_fr.png")
    assert staged.parent.parent == received.parent
    assert staged.read_bytes() == swap.read_bytes()
    assert [layer.footage for layer in info.compositions[0].layers if layer.footage] == [
        footage.file
    ]
    assert template.read_bytes() == before
    [kept] = read_project(template).footage
    assert Path(kept.file or "").name == "logo.png"


def test_a_footage_item_not_in_the_project_is_refused_with_the_closest_names(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    item = {"type": "image", "footage": "logo.jpg", "src": str(_png(tmp_path / "x.png"))}
    code, out, err = _submit(engine, tmp_path, _job(template, item))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "row 0: assets[0]: no footage item named 'logo.jpg' in the project; closest: logo.png",
        "nothing was queued",
    ]
    assert engine.ctx.jobs.list() == []


def test_a_footage_item_s_file_that_does_not_exist_is_refused(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    gone = tmp_path / "rows" / "logo_xx.png"
    item = {"type": "image", "footage": "logo.png", "src": str(gone)}
    code, out, err = _submit(engine, tmp_path, _job(template, item))
    assert (code, out) == (2, "")
    assert f"row 0: assets[0].src: {gone} does not exist" in err.splitlines()
    assert engine.ctx.jobs.list() == []


@pytest.mark.parametrize(
    ("damage", "says"),
    [(corrupt_copy, CORRUPT_SAYS), (newer_copy, NEWER_SAYS)],
    ids=["corrupt", "newer-after-effects"],
)
def test_a_project_the_reader_cannot_read_refuses_rows_that_need_a_rewrite(
    engine: Engine,
    tmp_path: Path,
    template: Path,
    damage: Callable[[Path, Path], Path],
    says: str,
) -> None:
    project = damage(template, template.with_name("damaged.aep"))
    data = {"type": "data", "layerName": "Title", "property": "Source Text", "value": "x"}
    code, out, err = _submit(engine, tmp_path, _job(project, data))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    [reason] = [line for line in lines if line.startswith(f"row 0: template.src: {project}: ")]
    assert says in reason
    assert any("stock aerender cannot do that" in line for line in lines), err
    assert lines[-1] == "nothing was queued"
    assert engine.ctx.jobs.list() == []
