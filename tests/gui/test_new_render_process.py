"""New render in the real `render-manager` process, by keyboard only, as a user meets it:
open it, type the project's path, filter its compositions, pick one with Down and Enter,
and send; the job renders the comp's work area, and the window quits cleanly."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from render_manager.domain.status import JobStatus
from tests.engine.fixtures import Engine
from tests.gui.test_quit_process import START_TIMEOUT_S, App, start_app
from tests.gui.x11 import press, type_keys, wait_for_window, xdotool
from tests.unit.helpers.comp_projects import Comp, make_comp_project

pytestmark = pytest.mark.gui
__all__ = ["start_app"]  # the fixture, used by name

_POLL_S = 0.05


def _until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(_POLL_S)


def _type(text: str) -> None:
    xdotool("type", "--delay", "5", text)


def test_new_render_by_keyboard_picks_a_listed_comp_and_renders_its_work_area(
    start_app: Callable[[Path], App], engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(
        tmp_path / "promo.aep",
        [Comp("Main 16x9"), Comp("Outro", fps=25.0, duration=6.0, work_area=(1.0, 2.0))],
    )
    app = start_app(engine.ctx.home)
    press(app.window, "ctrl+shift+n")
    dialog = wait_for_window("^New render$", app.process, START_TIMEOUT_S)
    press(dialog, "alt+p")
    _type(str(project))
    type_keys("Return")
    # Read off the GUI thread; the title names the project once it is read.
    dialog = wait_for_window("^New render — promo.aep$", app.process, START_TIMEOUT_S)
    press(dialog, "alt+i")
    _type("out")
    type_keys("Down", "Return", "ctrl+Return")  # pick Outro, then Next

    # Ctrl+Return walks on: to the preview (checked off the GUI thread), then Submit.
    def sent() -> bool:
        type_keys("ctrl+Return")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            if engine.ctx.jobs.list():
                return True
            time.sleep(_POLL_S)
        return False

    _until(sent, "the job is sent")
    (job,) = engine.ctx.jobs.list()
    record = engine.local.get(job.id)
    assert record is not None
    template = record.spec["template"]
    # Outro's work area, 1 s to 3 s at 25 fps: frames 25 to 74.
    assert (template["composition"], template["frameStart"], template["frameEnd"]) == (
        "Outro",
        25,
        74,
    )
    assert template["src"] == str(project)

    def finished() -> bool:
        now = engine.ctx.jobs.get(job.id)
        return now is not None and now.status is JobStatus.FINISHED

    _until(finished, "the render finishes")
    press(dialog, "Escape")  # sent: closes without asking
    press(app.window, "ctrl+q")
    status, err = app.finish()
    assert (status, err) == (0, "")
