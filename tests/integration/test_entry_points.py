"""The installed commands start, answer --version, and open the window offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from render_manager import __version__


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENDER_MANAGER_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=90, check=False
    )


def test_both_commands_answer_version(home: Path) -> None:
    gui = _run(["-m", "render_manager", "--version"], home)
    cli = _run(["-m", "render_manager.cli.main", "--version"], home)
    assert (gui.returncode, gui.stdout.strip()) == (0, f"render-manager {__version__}")
    assert (cli.returncode, cli.stdout.strip()) == (0, f"renderctl {__version__}")
    assert not home.exists(), "--version must not create a home"


def test_smoke_start_opens_the_window_and_loads_the_store(home: Path) -> None:
    result = _run(["-m", "render_manager", "--smoke"], home)
    assert result.returncode == 0, result.stderr
    assert "window opened, 0 jobs loaded" in result.stdout
    assert (home / "render-manager.sqlite3").is_file()


def test_smoke_start_fails_clearly_on_a_damaged_database(home: Path) -> None:
    home.mkdir(parents=True)
    damaged = home / "render-manager.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    result = _run(["-m", "render_manager", "--smoke"], home)
    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert str(damaged) in result.stderr
    assert damaged.read_bytes() == b"this is not a database" * 100
