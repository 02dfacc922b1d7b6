"""Which route a local render took to aerender, as `renderctl show` tells it after a real
`renderctl engine --until-idle`: plain, project rewrite, or the patched aerender's script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import py_aep
import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.engine.test_project_rewrite import _job, _submit


@pytest.fixture
def template(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    """A real project with a "Title" text layer in "Main", on a stock aerender."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 640, 360, 1.0, 2.0, 25.0)
    main.add_text("Hello").name = "Title"
    path = tmp_path / "template" / "promo.aep"
    path.parent.mkdir()
    app.project.save(path)
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    return path


TITLE = {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hi"}


def _rendered(engine: Engine, tmp_path: Path, job: dict[str, Any]) -> dict[str, Any]:
    code, _out, err = _submit(engine, tmp_path, job)
    assert (code, err) == (0, "")
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == 0, done.stdout + done.stderr
    [row] = engine.ctx.jobs.list()
    shown = renderctl(engine.ctx.home, "show", row.id, "--json")
    data: dict[str, Any] = json.loads(shown.stdout)
    assert data["status"] == "finished", data
    return data


def test_a_job_without_values_renders_the_project_as_submitted(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    assert _rendered(engine, tmp_path, _job(template))["route"] == "plain"


def test_a_text_value_on_a_stock_aerender_takes_the_rewrite_route(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    data = _rendered(engine, tmp_path, _job(template, TITLE))
    assert data["route"] == "rewrite"
    text = renderctl(engine.ctx.home, "show", data["id"]).stdout
    assert "route:        rewrite" in text


def test_an_expression_on_a_patched_aerender_takes_the_script_route(
    engine: Engine, tmp_path: Path, template: Path, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.delenv("FAKE_AERENDER_STOCK")
    engine.configure(script_injection=True)
    opacity = {"type": "data", "layerName": "Title", "property": "Opacity", "expression": "50"}
    assert _rendered(engine, tmp_path, _job(template, opacity))["route"] == "script"


def test_a_queued_job_has_no_route_yet(engine: Engine, tmp_path: Path, template: Path) -> None:
    code, _out, _err = _submit(engine, tmp_path, _job(template, TITLE))
    assert code == 0
    [row] = engine.ctx.jobs.list()
    shown = json.loads(renderctl(engine.ctx.home, "show", row.id, "--json").stdout)
    assert shown["route"] is None
