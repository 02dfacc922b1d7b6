"""Property versions, layerIndex, nested comps and URL footage on a stock aerender:
`renderctl submit` then `renderctl engine --until-idle`, run as real processes; the
project each aerender received is read back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import py_aep
import pytest

from render_manager.projects import read_project
from render_manager.projects.model import Layer
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.unit.helpers.aep_make import branded_project
from tests.unit.test_project_reader import _png


@pytest.fixture
def template(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    """The branded project (Card with effects, Title, Lower Third > Bar) on a stock aerender."""
    path = branded_project(tmp_path / "template" / "brand.aep")
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(tmp_path / "received.txt"))
    assert not engine.connection.engine.script_injection
    return path


def _job(template: Path, *assets: dict[str, Any], comp: str = "Main") -> dict[str, Any]:
    return {"template": {"src": str(template), "composition": comp}, "assets": list(assets)}


def _data(prop: str, value: object, **where: Any) -> dict[str, Any]:
    return {"type": "data", "property": prop, "value": value, **where}


def _submit(engine: Engine, tmp_path: Path, jobs: object) -> tuple[int, str, str]:
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs), encoding="utf-8")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(path))
    return done.returncode, done.stdout, done.stderr


def _render_all(engine: Engine, tmp_path: Path, jobs: object) -> list[Path]:
    """Submit and render `jobs`; the projects the aerender processes received."""
    code, _out, err = _submit(engine, tmp_path, jobs)
    assert (code, err) == (0, "")
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = engine.ctx.jobs.list()
    assert [row.status.value for row in rows] == ["finished"] * len(rows), rows
    lines = (tmp_path / "received.txt").read_text(encoding="utf-8").splitlines()
    return [Path(line) for line in lines]


def _layer(project: Path, comp: str, name: str) -> Layer:
    found = read_project(project).composition(comp)
    assert found is not None
    return next(layer for layer in found.layers if layer.name == name)


def _values(layer: Layer) -> dict[str, str]:
    return {prop.dotted: prop.value for prop in layer.properties}


def test_colour_slider_checkbox_and_position_by_name_and_index_render_on_stock(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    before = template.read_bytes()
    job = _job(
        template,
        _data("Effects.Brand Color.Color", "#3366CC", layerName="Card"),
        _data("Effects.Size.Slider", 42.5, layerName="Card"),
        _data("Effects.Show.Checkbox", True, layerName="Card"),
        _data("Position", [100, 200], layerIndex=3, composition="Main"),  # layer 3: Card
        _data("Transform.Opacity", "40", layerIndex=2, composition="Main"),  # layer 2: Title
    )
    [received] = _render_all(engine, tmp_path, job)
    assert received != template
    card = _values(_layer(received, "Main", "Card"))
    assert card["Effects.Brand Color.Color"] == "#3366CC"
    assert card["Effects.Size.Slider"] == "42.5"
    assert card["Effects.Show.Checkbox"] == "1"
    assert card["Transform.Position"] == "100,200"
    assert _values(_layer(received, "Main", "Title"))["Transform.Opacity"] == "40"
    assert template.read_bytes() == before


def test_a_nested_comp_s_layer_is_set_in_the_inner_comp(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    job = _job(
        template,
        _data(
            "Effects.Brand Color.Color", [1, 1, 0], layerName="Bar", composition="Main->Lower Third"
        ),
    )
    [received] = _render_all(engine, tmp_path, job)
    assert _values(_layer(received, "Lower Third", "Bar"))["Effects.Brand Color.Color"] == "#FFFF00"
    assert _values(_layer(received, "Main", "Card"))["Effects.Brand Color.Color"] == "#FF0000"


class _Footage(BaseHTTPRequestHandler):
    """Serves one PNG at /logo.png (404 elsewhere), counting the GETs per path."""

    body = b""
    gets: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.gets[self.path] = self.gets.get(self.path, 0) + 1
        if self.path != "/logo.png":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def footage_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    """A real HTTP server on 127.0.0.1: its base URL and the GET count per path."""
    _Footage.body = _png(tmp_path / "served" / "logo.png").read_bytes()
    _Footage.gets = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Footage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Footage.gets
    server.shutdown()
    server.server_close()


@pytest.fixture
def footage_template(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    """A project with a "logo.png" footage layer, on a stock aerender."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 64, 36, 1.0, 1.0, 25.0)
    main.add(app.project.import_file(py_aep.ImportOptions(_png(tmp_path / "t" / "logo.png"))))
    path = tmp_path / "t" / "logo.aep"
    app.project.save(path)
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(tmp_path / "received.txt"))
    return path


def test_footage_from_a_url_is_downloaded_once_for_a_batch_of_five(
    engine: Engine,
    tmp_path: Path,
    footage_template: Path,
    footage_server: tuple[str, dict[str, int]],
) -> None:
    base, gets = footage_server
    image = {"type": "image", "layerName": "logo.png", "src": f"{base}/logo.png"}
    jobs = [_job(footage_template, image) | {"name": f"v{n}"} for n in range(5)]
    received = _render_all(engine, tmp_path, jobs)
    assert gets == {"/logo.png": 1}
    assert len(set(received)) == 5
    for project in received:
        [layer] = read_project(project).compositions[0].layers
        assert layer.footage is not None
        footage = Path(layer.footage)
        # Each job's own copy, in its own folder, of the one download.
        assert footage.parent.parent == project.parent
        assert footage.read_bytes() == _Footage.body


def test_a_failed_download_fails_the_jobs_with_the_reason(
    engine: Engine,
    tmp_path: Path,
    footage_template: Path,
    footage_server: tuple[str, dict[str, int]],
) -> None:
    base, _gets = footage_server
    image = {"type": "image", "layerName": "logo.png", "src": f"{base}/gone.png"}
    jobs = [_job(footage_template, image) for _ in range(2)]
    code, _out, err = _submit(engine, tmp_path, jobs)
    assert (code, err) == (0, "")
    renderctl(engine.ctx.home, "engine", "--until-idle")
    rows = engine.ctx.jobs.list()
    assert [row.status.value for row in rows] == ["failed", "failed"]
    assert all("HTTP 404" in (row.error or "") for row in rows), rows


def test_bad_rows_are_refused_at_submit_and_nothing_is_queued(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    jobs = [
        _job(template, _data("Opacity", 50, layerName="Crad")),
        _job(template, _data("Effects.Size.Slider", "big", layerName="Card")),
        _job(template, _data("Effects.Brand Color.Color", "#GG0000", layerName="Card")),
        _job(template, {"type": "image", "layerName": "Card", "src": str(tmp_path / "no.png")}),
        _job(template, _data("Effects.Brand Color.Color", "#00FF00", layerName="Card")),
    ]
    code, out, err = _submit(engine, tmp_path, jobs)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert "row 0: assets[0]: no layer named 'Crad'; closest: Card" in lines
    assert "row 1: assets[0]: Effects.Size.Slider takes a number; got 'big'" in lines
    assert (
        "row 2: assets[0]: Effects.Brand Color.Color takes a colour #RRGGBB; got '#GG0000'" in lines
    )
    assert any(line.startswith("row 3: assets[0].src: ") and "no.png" in line for line in lines)
    assert not any(line.startswith("row 4") for line in lines)
    listed = renderctl(engine.ctx.home, "jobs", "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == []


def test_a_20_row_spreadsheet_renders_each_row_s_values_on_stock(
    engine: Engine, tmp_path: Path, template: Path
) -> None:
    before = template.read_bytes()
    job = {
        "name": "{{name}}",
        "template": {"src": str(template), "composition": "Main"},
        "assets": [
            _data("Source Text", "{{title}}", layerName="Title"),
            _data("Effects.Brand Color.Color", "{{colour}}", layerName="Card"),
            _data("Effects.Size.Slider", "{{size}}", layerName="Card"),
            _data("Position", "{{x}},540", layerName="Card"),
        ],
    }
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    rows = [
        (f"v{n:02d}", f"Titre {n} — été", f"#{n * 12:02X}40C0", str(n * 1.5), 100 + n)
        for n in range(20)
    ]
    lines = ["name,title,colour,size,x", *(",".join(map(str, row)) for row in rows)]
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(tmp_path / "job.json"),
        "--rows", str(tmp_path / "rows.csv"),
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    ran = renderctl(engine.ctx.home, "engine", "--until-idle", timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    jobs = {job.name: job for job in engine.ctx.jobs.list()}
    assert sorted(jobs) == [row[0] for row in rows]
    assert {job.status.value for job in jobs.values()} == {"finished"}
    received = (tmp_path / "received.txt").read_text(encoding="utf-8").splitlines()
    by_folder = {Path(path).parent.name: Path(path) for path in received}
    assert len(by_folder) == 20
    for name, title, colour, size, x in rows:
        project = by_folder[jobs[name].id]
        card = _values(_layer(project, "Main", "Card"))
        assert _layer(project, "Main", "Title").text == title
        assert card["Effects.Brand Color.Color"] == colour
        assert float(card["Effects.Size.Slider"]) == float(size)
        assert card["Transform.Position"] == f"{x},540"
    assert template.read_bytes() == before
