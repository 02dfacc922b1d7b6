"""Recovery finds an unrecorded render by its job folder, and nothing else that sits there."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from render_manager.engine.processes import find_render_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX sessions")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "jobs" / "job-1"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.wait(timeout=10)


def _start(
    started: list[subprocess.Popen[bytes]], args: list[str], cwd: Path, *, session: bool
) -> int:
    """A shell that stays (`; :` keeps it from exec'ing sleep) with `args` as its arguments."""
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 30; :", "sh", *args], cwd=cwd, start_new_session=session
    )
    started.append(proc)
    deadline = time.monotonic() + 10
    while psutil.Process(proc.pid).cmdline()[:1] != ["sh"]:  # until it has exec'd
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc.pid


def test_the_render_in_the_folder_is_found(
    work: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    since = time.time()
    pid = _start(started, [str(work / "result.mov")], work, session=True)

    identity = find_render_in(work, started_after=since)

    assert identity is not None
    assert identity.pid == pid


def test_a_shell_open_in_the_folder_or_an_older_process_is_not_taken_for_it(
    work: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    _start(started, [], work, session=True)  # names nothing in the folder
    _start(started, [str(work / "x.mov")], work, session=False)  # leads no session
    older = _start(started, [str(work / "result.mov")], work, session=True)

    assert find_render_in(work, started_after=time.time() + 60) is None, "started before the job"
    assert (found := find_render_in(work, started_after=0)) is not None
    assert found.pid == older
