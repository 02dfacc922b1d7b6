"""Where a Render Manager home lives: the database, logs and per-job work folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

HOME_ENV = "RENDER_MANAGER_HOME"
APP_NAME = "render-manager"


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The home folder: an explicit path, else $RENDER_MANAGER_HOME, else the user data dir."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(home: Path) -> Path:
    """The SQLite file inside a home."""
    return home / "render-manager.sqlite3"


def logs_dir(home: Path) -> Path:
    """The folder of rotating log files inside a home."""
    return home / "logs"


def ensure_home(home: Path) -> Path:
    """Create the home and its logs folder, private to the user."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    logs_dir(home).mkdir(exist_ok=True, mode=0o700)
    return home
