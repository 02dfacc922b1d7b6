"""The real `render-manager` process under Xvfb, driven by the keyboard only: New batch,
the project and composition typed, the data file opened, the columns matched to the
project's layers by their names, twenty versions checked, sent and rendered on a stock
aerender; then Ctrl+Q quits cleanly."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from render_manager.domain.status import JobStatus
from tests.engine.fixtures import Engine
from tests.gui.promo_project import promo_project
from tests.gui.test_batch_mapping_render import ROWS, each_row_rendered_once, versions
from tests.gui.test_quit_process import App
from tests.gui.x11 import press, wait_for_window, xdotool

pytestmark = pytest.mark.gui


@pytest.fixture
def app(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Iterator[App]:
    """render-manager over the engine's home, on a stock aerender that records its projects."""
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(tmp_path / "received.txt"))
    started = App(engine.ctx.home, tmp_path)
    yield started
    started.kill()


def _type(text: str) -> None:
    xdotool("type", "--delay", "2", text)


def _statuses(engine: Engine) -> list[JobStatus]:
    return [job.status for job in engine.ctx.jobs.list()]


def _until(
    condition: Callable[[], bool], timeout: float, what: str, *, keep_pressing: str = ""
) -> None:
    """Wait for `condition()`; with `keep_pressing`, press that key chord into the window
    between looks (the dialog says "a moment" until the project is read; a press while
    the rows are checked is ignored)."""
    deadline = time.monotonic() + timeout
    next_press = 0.0
    while not condition():
        now = time.monotonic()
        assert now < deadline, f"timed out waiting for {what}"
        if keep_pressing and now >= next_press:
            xdotool("key", "--clearmodifiers", keep_pressing)
            next_press = now + 0.5
        time.sleep(0.05)  # the poll interval, as tests.engine.processes.wait_for has it


def test_twenty_versions_from_the_keyboard_in_the_real_window(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    template = promo_project(tmp_path / "template")
    before = hashlib.sha256(template.read_bytes()).hexdigest()
    data, rows = versions(tmp_path / "rows", picked=False)

    press(app.window, "ctrl+n")
    dialog = wait_for_window("^New batch", app.process, 15)
    press(dialog, "alt+p")
    _type(str(template))
    press(dialog, "alt+m")
    _type("Main")
    press(dialog, "ctrl+Return")
    press(dialog, "alt+o")
    files = wait_for_window("^Data file", app.process, 15)
    xdotool("windowfocus", "--sync", files)
    _type(str(data))
    xdotool("key", "--clearmodifiers", "Return")
    xdotool("windowfocus", "--sync", dialog)
    # Ctrl+Return walks on: to the preview once the project is read, then Submit.
    _until(
        lambda: len(_statuses(engine)) == ROWS, 60, "the rows queued", keep_pressing="ctrl+Return"
    )
    _until(lambda: _statuses(engine) == [JobStatus.FINISHED] * ROWS, 120, "every job finished")
    press(dialog, "Escape")
    press(app.window, "ctrl+q")
    status, err = app.finish()
    assert "Traceback" not in err
    assert (status, err) == (0, "")
    each_row_rendered_once(tmp_path / "received.txt", rows, template)
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before
