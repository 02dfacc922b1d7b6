"""Import render queue in the real `render-manager` window, by keyboard only: Ctrl+I, the
project's path typed into the file dialog, Space on a done item, Ctrl+Return; then what
`renderctl` (another process) sees: the jobs, one batch named after the project, rendered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.gui.test_quit_process import START_TIMEOUT_S, App, start_app
from tests.gui.x11 import press, type_keys, wait_for_window, xdotool
from tests.render_queue_projects import render_queue_project

pytestmark = pytest.mark.gui

__all__ = ["start_app"]  # the fixture, used by name below


def _jobs(home: Path) -> list[dict[str, object]]:
    listed = renderctl(home, "jobs", "--json")
    assert listed.returncode == 0, listed.stderr
    jobs: list[dict[str, object]] = json.loads(listed.stdout)
    return jobs


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.1)


def test_the_render_queue_is_imported_and_rendered_from_the_keyboard(
    start_app: Callable[[Path], App],
    engine: Engine,
    fake_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "100")
    (tmp_path / "out").mkdir()
    project = render_queue_project(tmp_path / "shots" / "promo_v3.aep", tmp_path / "out")
    home = engine.ctx.home
    app = start_app(home)

    press(app.window, "ctrl+i")
    chooser = wait_for_window("^Import render queue$", app.process, START_TIMEOUT_S)
    xdotool("windowfocus", "--sync", chooser)
    xdotool("type", "--delay", "5", str(project))
    type_keys("Return")
    # The title counts the items once the project is read (in the background).
    dialog = wait_for_window(
        r"^Import render queue — promo_v3\.aep \(4 items\)$", app.process, START_TIMEOUT_S
    )
    xdotool("windowfocus", "--sync", dialog)
    type_keys("Down", "space", "ctrl+Return")

    _wait(lambda: len(_jobs(home)) == 4, "the 4 jobs are in the store")
    _wait(
        lambda: all(job["status"] == "finished" for job in _jobs(home)),
        "every job rendered",
    )
    jobs = _jobs(home)
    assert sorted(str(job["name"]) for job in jobs) == [
        "Lower third (render queue #2)",
        "Lower third (render queue #4, output 1)",
        "Lower third (render queue #4, output 2)",
        "Main (render queue #1)",
    ]
    (batch,) = renderctl(home, "batches").stdout.splitlines()[1:]
    assert batch.endswith("4 of 4 finished  promo_v3.aep")
    assert (tmp_path / "out" / "main.mov").is_file()
    press(app.window, "ctrl+q")
    status, err = app.finish()
    assert "Traceback" not in err
    assert status == 0
