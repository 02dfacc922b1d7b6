"""The local validator's rules, one row each: what the preview, submission and engine accept."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import py_aep
import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import EngineSettings
from render_manager.domain.local_job_rules import SCRIPT_INJECTION_NEEDED, LocalJobType
from render_manager.domain.status import BackendKind
from render_manager.engine.local_submit import LocalSubmitter
from render_manager.engine.local_validator import (
    EncodeJob,
    LocalValidator,
    RenderJob,
    stored_encode,
    stored_render,
    validate_local,
)
from tests.engine.fixtures import Engine

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def _render(**extra: Any) -> dict[str, Any]:
    return {"template": {"src": "promo.aep", "composition": "Main"}, **extra}


def _image(src: str) -> dict[str, Any]:
    return {"type": "image", "src": src, "layerName": "logo.png"}


_TEXT = {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hi"}
_MASK = {"type": "data", "layerName": "Title", "property": "Masks.Mask 1.Mask Path", "value": 1}


def _encode(input_: str, **extra: Any) -> dict[str, Any]:
    return {"type": "encode", "input": input_, "preset": "mp4", **extra}


# (body, which connection: stock aerender / patched for scripts / no aerender,
#  the job's type when it is ready, else a pattern for each problem, in order)
RULES = [
    pytest.param(_render(), "stock", LocalJobType.RENDER, id="render"),
    pytest.param([_render()], "stock", ["a job must be a JSON object"], id="not-an-object"),
    pytest.param(
        {"template": {"composition": "Main"}},
        "stock",
        [r"template\.src: is required"],
        id="document-rules",
    ),
    pytest.param(
        {"template": {"src": "gone.aep", "composition": "Main"}},
        "stock",
        [r"^template\.src: /.*/gone\.aep does not exist$"],
        id="missing-project",
    ),
    pytest.param(
        {"template": {"src": "gone.aep", "composition": "Main"}, "assets": [_image("no.png")]},
        "patched",
        [
            r"^template\.src: .*gone\.aep does not exist",
            r"^assets\[0\]\.src: .*no\.png does not exist",
        ],
        id="every-missing-file-at-once",
    ),
    pytest.param(
        _render(template={"src": "https://farm.example/promo.aep", "composition": "Main"}),
        "stock",
        LocalJobType.RENDER,
        id="urls-are-fetched-not-checked",
    ),
    # A text value on a readable project is written into the job's copy: stock is enough.
    pytest.param(_render(assets=[_TEXT]), "stock", LocalJobType.RENDER, id="rewrite-on-stock"),
    pytest.param(
        _render(assets=[{"type": "script", "src": "setup.jsx"}]),
        "stock",
        [
            r"^assets\[0\]: a script asset runs inside After Effects",
            re.escape(SCRIPT_INJECTION_NEEDED),
        ],
        id="needs-script",
    ),
    pytest.param(_render(assets=[_TEXT]), "patched", LocalJobType.RENDER, id="patched-aerender"),
    # A property the layer may have but a rewrite does not set takes the script route.
    pytest.param(
        _render(assets=[{**_MASK, "layerName": "Title"}]),
        "stock",
        [
            r"^assets\[0\]: Masks\.Mask 1\.Mask Path is not a value a project rewrite sets",
            re.escape(SCRIPT_INJECTION_NEEDED),
        ],
        id="property-a-rewrite-does-not-set",
    ),
    pytest.param(
        _render(assets=[{**_MASK, "layerName": "Title"}]),
        "patched",
        LocalJobType.RENDER,
        id="property-a-rewrite-does-not-set-patched",
    ),
    # Wrong input is refused on every route: the patched one would only fail at render.
    pytest.param(
        _render(assets=[{**_MASK, "property": "Transform.Opacity", "value": "half"}]),
        "patched",
        [r"^assets\[0\]: Transform\.Opacity takes a number; got 'half'$"],
        id="wrong-kind-on-any-route",
    ),
    # A layer the project does not have is refused on every route, unless the asset says
    # to carry on without it (nexrender's continueOnMissing).
    pytest.param(
        _render(assets=[_image("logo.png")]),
        "patched",
        [r"^assets\[0\]: no footage layer named 'logo\.png'$"],
        id="footage-missing-layer",
    ),
    pytest.param(
        _render(assets=[{**_image("logo.png"), "continueOnMissing": True}]),
        "stock",
        LocalJobType.RENDER,
        id="footage-missing-layer-continue",
    ),
    pytest.param(
        _render(actions={"prerender": [{"module": "crop"}]}),
        "stock",
        ["^prerender actions are not supported by the local engine$"],
        id="prerender",
    ),
    pytest.param(
        _render(actions={"postrender": [{"module": "@nexrender/action-upload"}]}),
        "stock",
        [r"^postrender action 'upload' is not supported \(supported: copy, encode\)$"],
        id="unknown-postrender",
    ),
    pytest.param(
        _render(actions={"postrender": [{"module": "@nexrender/action-encode"}]}),
        "stock",
        LocalJobType.RENDER,
        id="postrender-encode",
    ),
    pytest.param(
        _render(actions={"postrender": [{"module": "copy", "output": "/renders/promo.mov"}]}),
        "stock",
        LocalJobType.RENDER,
        id="postrender-copy",
    ),
    pytest.param(
        _render(actions={"postrender": [{"module": "copy", "output": "promo.mov"}]}),
        "stock",
        [r"^postrender copy: output must be an absolute path, not 'promo.mov'$"],
        id="postrender-copy-relative",
    ),
    pytest.param(
        _render(),
        "no aerender",
        [r"^After Effects not found: .*nowhere/aerender"],
        id="no-aerender",
    ),
    pytest.param(_encode("movie.mov"), "stock", LocalJobType.ENCODE, id="encode-movie"),
    pytest.param(
        _encode("sequence/result_[#####].png"),
        "stock",
        LocalJobType.ENCODE,
        id="encode-sequence",
    ),
    pytest.param(
        _encode("gone.mov"),
        "stock",
        [r"^input: /.*/gone\.mov does not exist$"],
        id="encode-missing-input",
    ),
    pytest.param(
        _encode("empty.mov"),
        "stock",
        [r"^input: /.*/empty\.mov is empty \(0 bytes\)$"],
        id="encode-empty-input",
    ),
    pytest.param(
        _encode("gap/result_[#####].png"),
        "stock",
        ["^input: frame result_00002.png is missing from the sequence"],
        id="encode-sequence-with-a-gap",
    ),
    pytest.param(
        _encode("movie.mov", preset="webm"),
        "stock",
        ["^preset: unknown preset 'webm'"],
        id="encode-options",
    ),
    pytest.param(
        _encode("gone.mov", priority="high"),
        "stock",
        ["^priority must be an integer$", r"^input: .*gone\.mov does not exist$"],
        id="encode-every-problem",
    ),
    pytest.param(
        _encode("movie.mov"), "no aerender", LocalJobType.ENCODE, id="encodes-need-no-aerender"
    ),
]


@pytest.fixture
def job_folder(tmp_path: Path) -> Path:
    """A job file's folder: a project, footage, a movie, an empty movie and two sequences."""
    folder = tmp_path / "delivery"
    shutil.copytree(SAMPLES / "sequence", folder / "sequence")
    gap = folder / "gap"
    gap.mkdir()
    for number in (0, 1, 3):
        shutil.copy(folder / "sequence" / "result_00000.png", gap / f"result_{number:05d}.png")
    app = py_aep.new()
    app.project.root_folder.add_comp("Main", 64, 36, 1.0, 1.0, 25.0).add_text("Hi").name = "Title"
    app.project.save(folder / "promo.aep")
    (folder / "setup.jsx").write_text("app.project;")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    (folder / "movie.mov").write_bytes(b"\0\0\0\x14ftypqt  ")
    (folder / "empty.mov").touch()
    return folder


@pytest.fixture
def connections(fake_aerender: Path, tmp_path: Path) -> dict[str, Connection]:
    """The local connection with stock aerender, one patched for scripts, one without."""
    stock = Connection(name="local", kind=BackendKind.LOCAL, aerender=str(fake_aerender))
    return {
        "stock": stock,
        "patched": replace(stock, engine=EngineSettings(script_injection=True)),
        "no aerender": replace(stock, aerender=str(tmp_path / "nowhere" / "aerender")),
    }


@pytest.mark.parametrize(("body", "which", "expected"), RULES)
def test_each_rule_of_a_local_job(
    body: Any,
    which: str,
    expected: LocalJobType | list[str],
    job_folder: Path,
    connections: dict[str, Connection],
) -> None:
    work_dir = job_folder.parent / "home" / "jobs" / "J1"
    result = validate_local(body, job_folder, connections[which], work_dir=work_dir)
    if isinstance(expected, LocalJobType):
        assert not isinstance(result, list), result
        assert result.type is expected
        return
    assert isinstance(result, list)
    assert len(result) == len(expected), result
    for problem, pattern in zip(result, expected, strict=True):
        assert re.search(pattern, problem), f"{pattern!r} does not match {problem!r}"


def test_relative_paths_start_at_the_job_files_folder(
    job_folder: Path, connections: dict[str, Connection]
) -> None:
    validator = LocalValidator(connections["patched"], job_folder)
    work_dir = job_folder.parent / "home" / "jobs" / "J1"
    # (The project has no "logo.png" layer: the asset carries on without one.)
    image = {**_image("logo.png"), "continueOnMissing": True}
    render = validator.validate(_render(assets=[image]), work_dir=work_dir)
    assert isinstance(render, RenderJob)
    assert render.spec.template.src == str(job_folder / "promo.aep")
    assert render.spec.assets[0].src == str(job_folder / "logo.png")  # type: ignore[union-attr]
    assert render.name == "Main"
    encode = validator.validate(_encode("movie.mov", output="out.mp4"), work_dir=work_dir)
    assert isinstance(encode, EncodeJob)
    assert encode.spec.input == job_folder / "movie.mov"
    # An output without a folder goes to the job's own folder, never beside the input.
    assert encode.spec.output == work_dir / "out.mp4"
    assert encode.name == "Encode movie.mov"


def test_the_engine_reads_back_the_job_that_was_validated(engine: Engine) -> None:
    shutil.copytree(SAMPLES, engine.project.parent / "samples")
    engine.configure(script_injection=True)
    render = engine.job_body()
    render["assets"] = [_TEXT]
    encode = _encode("samples/sequence/result_[#####].png", name="Preview", priority=3)
    submitter = LocalSubmitter(engine.ctx.jobs, engine.local, engine.ctx.home, engine.connection)
    result = submitter.submit([render, encode], base_dir=engine.project.parent)
    assert result.status == "created", result.errors
    validator = LocalValidator(engine.connection, engine.project.parent)
    (_, render_id), (_, encode_id) = result.jobs

    render_record, encode_record = engine.local.get(render_id), engine.local.get(encode_id)
    assert render_record is not None
    assert encode_record is not None
    assert render_record.job_type is LocalJobType.RENDER
    checked = validator.validate(render, work_dir=Path(render_record.work_dir))
    assert stored_render(render_record) == checked
    assert encode_record.job_type is LocalJobType.ENCODE
    assert (encode_record.job.name, encode_record.priority) == ("Preview", 3)
    checked = validator.validate(encode, work_dir=Path(encode_record.work_dir))
    assert stored_encode(encode_record) == checked
