"""The copy postrender action (nexrender's action-copy), run by `renderctl engine`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl


def _copy_job(engine: Engine, tmp_path: Path, output: Path) -> str:
    job = engine.job_body(outputExt="mov")
    job["actions"] = {"postrender": [{"module": "@nexrender/action-copy", "output": str(output)}]}
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(path), "--json")
    assert done.returncode == 0, done.stderr
    job_id: str = json.loads(done.stdout)["jobs"][0]["id"]
    return job_id


def _rendered(engine: Engine, job_id: str, *, fails: bool = False) -> dict[str, object]:
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == (1 if fails else 0), done.stdout + done.stderr
    shown: dict[str, object] = json.loads(
        renderctl(engine.ctx.home, "show", job_id, "--json").stdout
    )
    return shown


def test_the_render_is_copied_to_the_output_and_that_is_the_job_s_output(
    engine: Engine, tmp_path: Path
) -> None:
    dest = tmp_path / "delivery" / "promo.mov"
    dest.parent.mkdir()
    shown = _rendered(engine, _copy_job(engine, tmp_path, dest))
    assert shown["status"] == "finished"
    assert shown["output"] == str(dest)
    rendered = Path(str(shown["work_dir"])) / "result.mov"
    assert dest.read_bytes() == rendered.read_bytes()
    assert not dest.with_name("promo.mov.part").exists()


def test_a_folder_gone_by_render_time_fails_the_job_and_keeps_the_render(
    engine: Engine, tmp_path: Path
) -> None:
    dest = tmp_path / "delivery" / "promo.mov"
    dest.parent.mkdir()
    job_id = _copy_job(engine, tmp_path, dest)
    shutil.rmtree(dest.parent)
    shown = _rendered(engine, job_id, fails=True)
    assert shown["status"] == "failed"
    rendered = Path(str(shown["work_dir"])) / "result.mov"
    assert shown["error"] == (
        f"copy: the folder {dest.parent} does not exist; the render is kept at {rendered}"
    )
    assert rendered.is_file()
