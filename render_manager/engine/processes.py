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
from pathlib import Path

import psutil

# Seconds between a polite terminate and a kill.
TERMINATE_GRACE_S = 3.0
# psutil reports create times as floats; a recycled PID starts at a clearly different time.
_START_TIME_TOLERANCE_S = 1.0
# psutil derives start times from the boot time, which can be off by about a second from
# time.time(): how much earlier than the job's claim its render may seem to have started.
_CLOCK_SLACK_S = 5.0


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


def find_render_in(work_dir: Path, *, started_after: float) -> ProcessIdentity | None:
    """The render a killed engine started in `work_dir` but had not recorded yet, if it runs.

    A render runs with the job's folder as its working directory, names files inside it on
    its command line and (POSIX) leads its own session; a shell merely open in the folder
    does none of the latter. Walks every process: for recovery only.
    """
    folder = os.path.realpath(work_dir)
    found: list[psutil.Process] = []
    for proc in psutil.process_iter(["pid", "cwd", "cmdline", "create_time"]):
        info = proc.info
        try:
            if info["cwd"] is None or os.path.realpath(info["cwd"]) != folder:
                continue
            if info["create_time"] is None or info["create_time"] < started_after - _CLOCK_SLACK_S:
                continue
            args = info["cmdline"] or []
            if not any(os.path.realpath(a).startswith(folder + os.sep) for a in args[1:] if a):
                continue
            if sys.platform != "win32" and os.getsid(proc.pid) != proc.pid:
                continue  # an aerendercore child, not the render itself
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
        found.append(proc)
    if len(found) != 1:
        return None  # none, or more than one candidate: do not guess
    return ProcessIdentity(found[0].pid, found[0].info["create_time"])


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
