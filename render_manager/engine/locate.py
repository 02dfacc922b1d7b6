"""Finding aerender: an explicit path on the connection, else the newest After Effects install."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# After Effects installs by year since 2020 (older ones are "CC 2019" and before).
_FIRST_YEAR, _LAST_YEAR = 2019, 2032

AERENDER_ENV = "RENDER_MANAGER_AERENDER"
SET_ON_CONNECTION = "set on the connection"
"""`AerenderLookup.source` of the path the connection names itself."""


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


@dataclass(frozen=True, slots=True)
class AerenderLookup:
    """Where aerender was looked for and what was found.

    `path` is the aerender to run, or None; then `problem` says why none is usable (a path
    set but missing, or nothing found anywhere). `source` says where the path came from, in
    words that follow "found": SET_ON_CONNECTION, "on PATH", "in the After Effects install
    folder", "from $RENDER_MANAGER_AERENDER" (or "auto-detect" when nothing was found).
    """

    path: Path | None
    source: str
    problem: str | None = None

    @property
    def found(self) -> bool:
        """True when there is an aerender to run."""
        return self.path is not None


def how_to_set_aerender(connection_name: str) -> str:
    """The fix for a missing aerender, in the window's and renderctl's terms."""
    return (
        "set the path to aerender in Connections, or run "
        f"renderctl connection set {connection_name} --aerender PATH"
    )


def locate_aerender(
    explicit: str | None, *, candidates: Iterable[Path] | None = None
) -> AerenderLookup:
    """Look for aerender without raising: what `find_aerender` would run, or why nothing.

    Order: the connection's explicit path, $RENDER_MANAGER_AERENDER, `aerender` on PATH,
    then the known install locations (newest After Effects first). Touches the disk.
    """
    if explicit:
        path = Path(explicit).expanduser()
        if _is_executable(path):
            return AerenderLookup(path, SET_ON_CONNECTION)
        return AerenderLookup(
            None,
            SET_ON_CONNECTION,
            f"the aerender set on the connection ({path}) does not exist or is not executable",
        )
    env = os.environ.get(AERENDER_ENV)
    if env:
        path = Path(env).expanduser()
        if _is_executable(path):
            return AerenderLookup(path, f"from ${AERENDER_ENV}")
        return AerenderLookup(
            None,
            f"from ${AERENDER_ENV}",
            f"${AERENDER_ENV} names {path}, which does not exist or is not executable",
        )
    on_path = shutil.which("aerender")
    if on_path:
        return AerenderLookup(Path(on_path), "on PATH")
    for path in candidate_paths() if candidates is None else candidates:
        if _is_executable(path):
            return AerenderLookup(path, "in the After Effects install folder")
    return AerenderLookup(
        None,
        "auto-detect",
        "no aerender on PATH or in the usual After Effects install folders",
    )


def find_aerender(
    explicit: str | None,
    *,
    candidates: Iterable[Path] | None = None,
    connection_name: str = "local",
) -> Path:
    """The aerender to run, or AerenderNotFound saying why and what to do about it.

    Looks where `locate_aerender` does.
    """
    lookup = locate_aerender(explicit, candidates=candidates)
    if lookup.path is None:
        raise AerenderNotFound(
            f"After Effects not found: {lookup.problem}; {how_to_set_aerender(connection_name)}"
        )
    return lookup.path


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
