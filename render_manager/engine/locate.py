"""Finding aerender: an explicit path on the connection, else the newest After Effects install."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

# After Effects installs by year since 2020 (older ones are "CC 2019" and before).
_FIRST_YEAR, _LAST_YEAR = 2019, 2032

AERENDER_ENV = "RENDER_MANAGER_AERENDER"


class AerenderNotFound(Exception):
    """No usable aerender: the message tells the user where to set it."""


def candidate_paths(platform: str = sys.platform) -> list[Path]:
    """Known install locations, newest After Effects first."""
    years = range(_LAST_YEAR, _FIRST_YEAR - 1, -1)
    if platform == "darwin":
        paths = [Path(f"/Applications/Adobe After Effects {y}/aerender") for y in years]
        paths += [Path("/Applications/Adobe After Effects (Beta)/aerender")]
        return paths
    if platform == "win32":
        roots = [os.environ.get("PROGRAMFILES", r"C:\Program Files")]
        paths = []
        for root in roots:
            base = Path(root) / "Adobe"
            paths += [
                base / f"Adobe After Effects {y}" / "Support Files" / "aerender.exe" for y in years
            ]
            paths += [base / "Adobe After Effects CC 2019" / "Support Files" / "aerender.exe"]
        return paths
    return []


def find_aerender(explicit: str | None, *, candidates: Iterable[Path] | None = None) -> Path:
    """The aerender to run, or AerenderNotFound with what to do about it.

    Order: the connection's explicit path, $RENDER_MANAGER_AERENDER, `aerender` on PATH,
    then the known install locations.
    """
    if explicit:
        path = Path(explicit).expanduser()
        if not _is_executable(path):
            raise AerenderNotFound(
                f"After Effects not found: the aerender set on the connection ({path}) "
                "does not exist or is not executable; fix the path in Connections"
            )
        return path
    env = os.environ.get(AERENDER_ENV)
    if env:
        return find_aerender(env, candidates=())
    on_path = shutil.which("aerender")
    if on_path:
        return Path(on_path)
    for path in candidate_paths() if candidates is None else candidates:
        if _is_executable(path):
            return path
    raise AerenderNotFound(
        "After Effects not found: set the path to aerender in Connections "
        "(renderctl connection add … --aerender PATH)"
    )


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
