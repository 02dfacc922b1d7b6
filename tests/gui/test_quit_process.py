"""Quitting the real `render-manager` process with the keyboard, as a user does.

Each test starts the installed entry point on the X display (Xvfb), quits it one way, and
checks what the user's terminal and machine show: exit status 0, nothing on stderr, and the
renders stopped or left running as the quit question promised.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from render_manager.domain.status import JobStatus
from render_manager.store.local_records import LocalJobRecord
from tests.engine.fixtures import Engine
from tests.gui.x11 import press, request_close, type_keys, wait_for_window, wait_for_windows

pytestmark = pytest.mark.gui

MAIN_WINDOW = "^Render Manager"
QUIT_QUESTION = "^Quit Render Manager"
START_TIMEOUT_S = 30.0
EXIT_TIMEOUT_S = 30.0
_POLL_S = 0.05

RENDER_MANAGER = Path(sys.executable).with_name("render-manager")


class App:
    """One `render-manager` process over a home, on the current DISPLAY."""

    def __init__(self, home: Path, tmp_path: Path) -> None:
        env = dict(os.environ)
        env.pop("QT_QPA_PLATFORM", None)
        env.update(
            {
                "QT_QPA_PLATFORM": "xcb",
                "RENDER_MANAGER_HOME": str(home),
                # Window settings and caches stay in the test's folder.
                "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "XDG_CACHE_HOME": str(tmp_path / "cache"),
            }
        )
        self.process = subprocess.Popen(
            [str(RENDER_MANAGER)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.window = wait_for_window(MAIN_WINDOW, self.process, START_TIMEOUT_S)

    def finish(self) -> tuple[int, str]:
        """Wait for the process to exit; its exit status and stderr."""
        try:
            _out, err = self.process.communicate(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
            pytest.fail(f"render-manager did not exit after the quit:\n{err}")
        return self.process.returncode, err

    def kill(self) -> None:
        """End the process if a failed test left it running."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Callable[[Path], App]]:
    """Start `render-manager` over a home; every process started is ended at the end."""
    started: list[App] = []

    def start(home: Path) -> App:
        app = App(home, tmp_path)
        started.append(app)
        return app

    yield start
    for app in started:
        app.kill()


def _assert_clean_exit(app: App) -> None:
    status, err = app.finish()
    assert "Traceback" not in err
    assert (status, err) == (0, "")


def test_ctrl_q_quits_with_status_0_and_nothing_on_stderr(
    start_app: Callable[[Path], App], home: Path
) -> None:
    app = start_app(home)
    press(app.window, "ctrl+q")
    _assert_clean_exit(app)


def test_file_quit_by_keyboard_quits_cleanly(start_app: Callable[[Path], App], home: Path) -> None:
    app = start_app(home)
    press(app.window, "alt+f")
    wait_for_windows(app.process, 2, START_TIMEOUT_S)  # the window and its File menu
    type_keys("q")
    _assert_clean_exit(app)


def test_closing_the_window_quits_cleanly(start_app: Callable[[Path], App], home: Path) -> None:
    app = start_app(home)
    request_close(app.window)
    _assert_clean_exit(app)


# -- with local renders in flight ------------------------------------------------------------


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(_POLL_S)


def _rendering(engine: Engine) -> list[LocalJobRecord]:
    return [r for r in engine.local.active("local") if r.pid is not None]


def _quit_during_two_renders(
    start_app: Callable[[Path], App], engine: Engine
) -> tuple[App, str, list[LocalJobRecord]]:
    """Start the window over two queued renders and press Ctrl+Q once both run.

    Returns the app, the quit question's window and the renders as they ran.
    """
    engine.submit(engine.job_body(), engine.job_body())
    app = start_app(engine.ctx.home)
    _wait_for(lambda: len(_rendering(engine)) == 2, "both renders run")
    renders = _rendering(engine)
    press(app.window, "ctrl+q")
    question = wait_for_window(QUIT_QUESTION, app.process, START_TIMEOUT_S)
    return app, question, renders


def _status(engine: Engine, record: LocalJobRecord) -> JobStatus:
    job = engine.ctx.jobs.get(record.job.id)
    assert job is not None
    return job.status


def _alive(record: LocalJobRecord) -> bool:
    assert record.pid is not None
    try:
        return psutil.Process(record.pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_stop_renders_and_quit_stops_them_and_requeues_the_jobs(
    start_app: Callable[[Path], App], engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    # The renders would hang for a minute: only the engine can end them this soon.
    fake_env.setenv("FAKE_AERENDER_MODE", "hang")
    fake_env.setenv("FAKE_AERENDER_MAX_LIFETIME", "60")
    app, question, renders = _quit_during_two_renders(start_app, engine)
    press(question, "alt+s")
    _assert_clean_exit(app)
    assert [r.job.id for r in renders if _alive(r)] == [], "no aerender is left running"
    statuses = {_status(engine, r) for r in renders}
    assert statuses == {JobStatus.QUEUED}, "stopped renders go back to the queue"


def test_leave_them_rendering_quits_and_the_next_start_takes_them_back(
    start_app: Callable[[Path], App], engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    # About 5 s a render: still running when the window is gone and when it comes back.
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.25")
    app, question, renders = _quit_during_two_renders(start_app, engine)
    press(question, "alt+l")
    _assert_clean_exit(app)
    assert all(_alive(r) for r in renders), "the renders carry on without the window"

    again = start_app(engine.ctx.home)
    _wait_for(
        lambda: all(_status(engine, r) is JobStatus.FINISHED for r in renders),
        "the re-adopted renders finish",
    )
    for record in renders:
        job = engine.ctx.jobs.get(record.job.id)
        assert job is not None
        assert job.output is not None
        assert Path(job.output).is_file()
    press(again.window, "ctrl+q")
    _assert_clean_exit(again)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_ctrl_c_in_the_terminal_or_kill_quits_cleanly_and_leaves_renders_running(
    start_app: Callable[[Path], App],
    engine: Engine,
    fake_env: pytest.MonkeyPatch,
    signum: signal.Signals,
) -> None:
    # Nobody may be there to answer the question: the renders carry on, as after "Leave".
    fake_env.setenv("FAKE_AERENDER_MODE", "hang")
    fake_env.setenv("FAKE_AERENDER_MAX_LIFETIME", "60")
    engine.submit(engine.job_body(), engine.job_body())
    app = start_app(engine.ctx.home)
    _wait_for(lambda: len(_rendering(engine)) == 2, "both renders run")
    renders = _rendering(engine)
    try:
        app.process.send_signal(signum)
        _assert_clean_exit(app)
        assert all(_alive(r) for r in renders), "the renders carry on without the window"
        assert {_status(engine, r) for r in renders} == {JobStatus.RENDERING}
    finally:
        for record in renders:
            assert record.pid is not None
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(record.pid).kill()
