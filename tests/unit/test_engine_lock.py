"""One local engine per home: the lock names its holder and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from render_manager.home import ensure_home
from render_manager.store.engine_lock import EngineBusy, EngineLock, read_holder

HOLDER = Path(__file__).parent / "helpers" / "hold_engine_lock.py"
CHILD_COMMAND = "render-manager --engine (test child)"


@pytest.fixture
def holder(home: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process that holds the home's engine lock until its stdin closes."""
    ensure_home(home)
    proc = subprocess.Popen(
        [sys.executable, str(HOLDER), str(home), CHILD_COMMAND],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line != "locked\n":
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the child did not take the lock: {line!r} {err}")
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def test_busy_lock_names_the_holding_process(home: Path, holder: subprocess.Popen[str]) -> None:
    lock = EngineLock(home, "renderctl engine")
    with pytest.raises(EngineBusy) as busy:
        lock.acquire()
    message = str(busy.value)
    assert f"process {holder.pid} " in message
    assert CHILD_COMMAND in message
    assert str(home) in message
    assert busy.value.holder is not None
    assert (busy.value.holder.pid, busy.value.holder.command) == (holder.pid, CHILD_COMMAND)
    assert not lock.held


def test_lock_of_a_killed_process_is_free_again(home: Path, holder: subprocess.Popen[str]) -> None:
    lock = EngineLock(home, "renderctl engine")
    with pytest.raises(EngineBusy):
        lock.acquire()

    holder.kill()
    assert holder.wait() == -signal.SIGKILL

    lock.acquire()
    try:
        assert lock.held
        found = read_holder(home)
        assert found is not None
        assert (found.pid, found.command) == (os.getpid(), "renderctl engine")
    finally:
        lock.release()
    assert not lock.held


def test_lock_released_by_its_holder_can_be_taken(
    home: Path, holder: subprocess.Popen[str]
) -> None:
    out, err = holder.communicate("")  # end of input: the child releases and exits
    assert holder.returncode == 0, err
    assert out == "released\n"
    with EngineLock(home, "renderctl engine") as lock:
        assert lock.held


def _held_by_this_process(home: Path, lock: EngineLock) -> bool:
    """Whether the lock says it is held, checked against who the lock file names."""
    holder = read_holder(home)
    named = holder is not None and holder.pid == os.getpid()
    assert lock.held == named
    return lock.held


def test_release_then_acquire_again_in_one_process(home: Path) -> None:
    ensure_home(home)
    lock = EngineLock(home, "render-manager")
    lock.acquire()
    lock.acquire()  # taking a held lock again is a no-op
    assert _held_by_this_process(home, lock)
    rival = EngineLock(home, "renderctl engine")
    with pytest.raises(EngineBusy, match=f"process {os.getpid()} \\(render-manager\\)"):
        rival.acquire()

    lock.release()
    assert not _held_by_this_process(home, lock)

    lock.acquire()
    try:
        assert _held_by_this_process(home, lock)
        with pytest.raises(EngineBusy):
            rival.acquire()
    finally:
        lock.release()
    rival.acquire()
    try:
        assert _held_by_this_process(home, rival)
        assert not lock.held
    finally:
        rival.release()
