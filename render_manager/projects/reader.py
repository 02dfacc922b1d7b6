"""`read_project`: an .aep file in, a `ProjectInfo` out, or one `ProjectUnreadable`."""

from __future__ import annotations

import logging
from pathlib import Path

from render_manager.projects.errors import ProjectUnreadable
from render_manager.projects.header import AepHeader, read_header
from render_manager.projects.model import ProjectInfo

log = logging.getLogger(__name__)

# After Effects 11 is CS6: the parser reads CC 2014 (13.0) and newer; CS6 files fail
# inside it with messages about chunk sizes that would tell a user nothing.
_NEWEST_UNREADABLE_MAJOR = 11


def read_project(path: Path | str) -> ProjectInfo:
    """Read the .aep at `path`.

    A pure function of the file (no global state), safe off the GUI thread. Raises
    `ProjectUnreadable` (one line: the file and what is wrong) for a missing file, a
    file that is not an .aep or is truncated, a project saved by an After Effects the
    parser does not read (CS6 and older, or newer than it knows), and any failure of
    the parser on the file; never lets a parser exception through.
    """
    path = Path(path)
    header = read_header(path)
    # py-aep costs about 0.3 s to import: load it only when a project is read, so that
    # every other renderctl command and the window's start stay as fast as before.
    from render_manager.projects import _from_py_aep  # noqa: PLC0415

    _check_supported(path, header, _from_py_aep.newest_known())
    try:
        return _from_py_aep.read(path, header.ae_version)
    except ProjectUnreadable:
        raise
    except Exception as exc:
        # Parsers fail on damaged files with whatever Python raises (OSError, ValueError,
        # struct.error, IndexError...): all of it means this file cannot be read.
        log.warning("py-aep could not read %s", path, exc_info=True)
        raise ProjectUnreadable(
            path,
            f"the After Effects {header.ae_version} project could not be read "
            f"(damaged, or a part the project reader does not know): "
            f"{type(exc).__name__}: {exc}",
        ) from exc


def _check_supported(path: Path, header: AepHeader, newest: tuple[int, int]) -> None:
    """Refuse what the parser cannot read; `newest` is its newest (major, file format)."""
    if header.ae_major <= _NEWEST_UNREADABLE_MAJOR:
        raise ProjectUnreadable(
            path,
            f"was saved by After Effects {header.ae_version} (CS6 or older); projects of "
            "After Effects CC 2014 (13.0) and newer can be read: open it in a newer "
            "After Effects and save it again",
        )
    newest_major, newest_format = newest
    if header.file_format > newest_format:
        raise ProjectUnreadable(
            path,
            f"was saved by After Effects {header.ae_version}, newer than the project "
            f"reader knows (After Effects {newest_major} and older, file format "
            f"{newest_format}; this file is format {header.file_format})",
        )
