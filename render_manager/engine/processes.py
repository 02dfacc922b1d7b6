"""Starting renders in their own process group, recognising them later, and ending whole trees.

aerender leaves `aerendercore` children running (and holding its pipes open) when it is
killed alone, so a render is always stopped as a tree.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import psutil

# Seconds between a polite terminate and a kill.
TERMINATE_GRACE_S = 3.0
# psutil reports create times as floats; a recycled PID starts at a clearly different time.
_START_TIME_TOLERANCE_S = 1.0


@dataclass(frozen=True, slots=True)
class ProcessIdentity:
    """A PID plus its start time: together they name one process, even after a PID is reused."""

    pid: int
    started_at: float

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity | None:
        """The identity of a running process, or None if it is gone."""
        try:
            return cls(pid, psutil.Process(pid).create_time())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None

    def is_alive(self) -> bool:
        """True while this very process runs (a zombie counts as ended)."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.started_at) > _START_TIME_TOLERANCE_S:
                return False
            return proc.status() != psutil.STATUS_ZOMBIE
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False


def new_session_kwargs() -> dict[str, object]:
    """Keyword arguments that start a child in its own process group (or Windows job group)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


async def end_process_tree(identity: ProcessIdentity, grace_s: float = TERMINATE_GRACE_S) -> None:
    """Terminate a process, its group and all its descendants; kill what outlives the grace.

    Works after the leader itself has exited too: an `aerendercore` left behind still
    belongs to the render's process group. Returns once none of them runs any more.
    """
    procs = _tree(identity.pid) if identity.is_alive() else []
    group = sys.platform != "win32" and _group_exists(identity.pid)
    if not procs and not group:
        return
    if sys.platform == "win32":  # pragma: no cover - Windows only
        await asyncio.to_thread(
            subprocess.run,
            ["taskkill", "/PID", str(identity.pid), "/T", "/F"],
            capture_output=True,
            check=False,
        )
    else:
        _signal_group(identity.pid, signal.SIGTERM)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.terminate()
    if await _wait_gone(identity.pid, procs, grace_s):
        return
    _signal_group(identity.pid, signal.SIGKILL)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.kill()
    await _wait_gone(identity.pid, procs, grace_s)


async def _wait_gone(pgid: int, procs: list[psutil.Process], timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        alive = [p for p in procs if _running(p)]
        if not alive and not (sys.platform != "win32" and _group_exists(pgid)):
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.05)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _group_exists(pgid: int) -> bool:
    # Renders start as session leaders, so their PID names their process group; the group
    # lives on while any member (say, an orphaned aerendercore) does.
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _has_live_member(pgid)


def _has_live_member(pgid: int) -> bool:
    # killpg(…, 0) also succeeds for a group made only of zombies awaiting their parent.
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, psutil.NoSuchProcess, psutil.AccessDenied, PermissionError):
            continue
    return False


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
