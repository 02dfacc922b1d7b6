"""`renderctl submit --render-queue PROJECT.aep`: a project's render queue as one batch,
rendered by `renderctl engine --until-idle` with the fake aerender; all real processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.render_queue_projects import project_without_queued_item, render_queue_project


@pytest.fixture
def project(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "100")
    (tmp_path / "out").mkdir()
    return render_queue_project(tmp_path / "shots" / "promo_v3.aep", tmp_path / "out")


def _submit_json(engine: Engine, project: Path) -> dict[str, Any]:
    done = renderctl(engine.ctx.home, "submit", "-c", "local", "--render-queue", str(project),
                     "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _show(engine: Engine, job_id: str) -> dict[str, Any]:
    shown = renderctl(engine.ctx.home, "show", job_id, "--json")
    assert shown.returncode == 0, shown.stderr
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def test_every_queued_item_becomes_a_job_per_output_module_in_one_batch(
    engine: Engine, project: Path, tmp_path: Path
) -> None:
    data = _submit_json(engine, project)
    assert data["status"] == "created"
    assert data["errors"] == []
    assert data["project"] == str(project)
    jobs = data["jobs"]
    # Items 1 (one module) and 4 (two modules) are queued; 2 (done) and 3 (unqueued) are not.
    assert [(j["render_queue_item"], j["output_module"], j["comp"]) for j in jobs] == [
        (1, 1, "Main"),
        (4, 1, "Lower third"),
        (4, 2, "Lower third"),
    ]
    assert [j["index"] for j in jobs] == [0, 1, 2]
    assert jobs[0]["frames"] == {"start": 10, "end": 49}
    assert jobs[1]["frames"] == {"start": 0, "end": 49}
    assert jobs[0]["output_module_template"] == "TIFF Sequence with Alpha"
    assert jobs[0]["render_settings"] == "Best Settings"
    assert jobs[0]["output"] == str(tmp_path / "out" / "main.mov")
    assert jobs[0]["note"] is None
    assert "job folder" in jobs[1]["note"]
    assert "job folder" in jobs[2]["note"]
    batches = renderctl(engine.ctx.home, "batches").stdout
    assert "promo_v3.aep" in batches
    assert {job.batch_id for job in engine.ctx.jobs.list()} == {data["batch_id"]}


def test_the_queued_items_render_their_span_and_land_where_the_project_says(
    engine: Engine, project: Path, tmp_path: Path
) -> None:
    jobs = _submit_json(engine, project)["jobs"]
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == 0, done.stdout + done.stderr
    main, sequence, unnamed = (_show(engine, j["id"]) for j in jobs)
    assert [s["status"] for s in (main, sequence, unnamed)] == ["finished"] * 3
    # Frames 10-49 of Main: 40 frames; the whole 50 frames of the lower third.
    assert (main["frames_done"], main["total_frames"]) == (40, 40)
    assert sequence["total_frames"] == 50
    # The absolute path of item 1 gets the movie; the others stay in their job folders.
    assert main["output"] == str(tmp_path / "out" / "main.mov")
    assert (tmp_path / "out" / "main.mov").is_file()
    assert Path(sequence["output"]).parent == Path(sequence["work_dir"])
    assert sequence["output"].endswith(".tif")
    assert Path(unnamed["output"]).parent == Path(unnamed["work_dir"])
    assert {s["route"] for s in (main, sequence, unnamed)} == {"plain"}


def test_the_text_output_says_what_came_from_where_and_notes_go_to_stderr(
    engine: Engine, project: Path
) -> None:
    done = renderctl(engine.ctx.home, "submit", "-c", "local", "--render-queue", str(project))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 4
    assert "(render queue #1: Main, frames 10-49)" in lines[0]
    assert lines[3].endswith("(promo_v3.aep): 3 jobs")
    assert "render queue #4 output 1: image sequence" in done.stderr
    assert "render queue #4 output 2: no output path in the project" in done.stderr


def test_a_project_with_no_queued_item_is_exit_2_with_the_statuses_counted(
    engine: Engine, tmp_path: Path
) -> None:
    project = project_without_queued_item(tmp_path / "old.aep")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", "--render-queue", str(project),
                     "--json")  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == (
        f"renderctl: error: {project}: no queued item in the render queue: 2 done, 1 unqueued"
    )
    assert engine.ctx.jobs.list() == []


def test_an_unreadable_project_is_exit_2_with_the_reader_s_message(
    engine: Engine, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.aep"
    notes.write_text("not a project", encoding="utf-8")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", "--render-queue", str(notes))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == (
        f"renderctl: error: {notes}: is not an After Effects project "
        "(an .aep file starts with a RIFX header)"
    )
    assert "Traceback" not in done.stderr


def test_a_remote_connection_is_refused_with_the_reason(engine: Engine, project: Path) -> None:
    added = renderctl(engine.ctx.home, "connection", "add", "farm", "--kind", "nexrender-server",
                      "--url", "http://127.0.0.1:9")  # fmt: skip
    assert added.returncode == 0, added.stderr
    done = renderctl(engine.ctx.home, "submit", "-c", "farm", "--render-queue", str(project))
    assert (done.returncode, done.stdout) == (2, "")
    assert "not a project file on this computer" in done.stderr
    assert "on a local connection" in done.stderr
    assert engine.ctx.jobs.list() == []


def test_a_job_file_and_a_render_queue_together_are_bad_input(
    engine: Engine, project: Path, tmp_path: Path
) -> None:
    job = tmp_path / "job.json"
    job.write_text("{}", encoding="utf-8")
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(job), "--render-queue",
                     str(project))  # fmt: skip
    assert done.returncode == 2
    assert "--render-queue takes the project alone" in done.stderr
    neither = renderctl(engine.ctx.home, "submit", "-c", "local")
    assert neither.returncode == 2
    assert "give FILE (a job file) or --render-queue PROJECT.aep" in neither.stderr


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aep-projects"


def test_a_real_project_saved_on_windows_queues_its_items_into_job_folders(
    engine: Engine,
) -> None:
    # Two Queued items writing .mp3 files to C:\Users\... on the machine that saved it.
    data = _submit_json(engine, FIXTURES / "02-nexrender-bodymovin-sound.aep")
    jobs = data["jobs"]
    assert [(j["render_queue_item"], j["comp"]) for j in jobs] == [
        (1, "__bodymovin_Audio"),
        (2, "__bodymovin_Audio"),
    ]
    assert [j["output_module_template"] for j in jobs] == [
        "__bodymovin_sound_template_16",
        "__bodymovin_sound_template_128",
    ]
    for job in jobs:
        assert job["output"].startswith("C:\\Users\\")
        assert job["note"].startswith("folder C:\\Users\\")
        assert job["note"].endswith("not found on this computer: rendered into the job folder")
    records = [engine.local.get(j["id"]) for j in jobs]
    assert [r.spec["template"]["outputExt"] for r in records if r is not None] == ["mp3", "mp3"]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("14-ustedavalo-project.aep", "no queued item in the render queue: 1 done"),
        ("01-nexrender-mogrt-test.aep", "the render queue is empty: nothing to render"),
    ],
)
def test_real_projects_with_nothing_queued_are_exit_2(
    engine: Engine, fixture: str, message: str
) -> None:
    done = renderctl(engine.ctx.home, "submit", "-c", "local", "--render-queue",
                     str(FIXTURES / fixture))  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == f"renderctl: error: {FIXTURES / fixture}: {message}"
