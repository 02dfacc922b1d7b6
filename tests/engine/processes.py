"""Running renderctl as a real separate process against a test home."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def renderctl_env(home: Path) -> dict[str, str]:
    """The environment for a renderctl child: this home, the fake's settings, Qt-free."""
    return {**os.environ, "RENDER_MANAGER_HOME": str(home), "PYTHONPATH": str(REPO)}


def renderctl(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run one renderctl command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "render_manager.cli.main", *args],
        capture_output=True,
        text=True,
        env=renderctl_env(home),
        timeout=timeout,
        check=False,
    )


def start_engine(home: Path, *args: str) -> subprocess.Popen[str]:
    """Start `renderctl engine` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "render_manager.cli.main", "engine", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=renderctl_env(home),
    )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Poll a condition until it holds, or fail after the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)
