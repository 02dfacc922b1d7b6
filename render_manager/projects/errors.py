"""The one error reading a project can end in."""

from __future__ import annotations

from pathlib import Path


class ProjectUnreadable(Exception):
    """The file is not a project this reader can read: missing, not an .aep, truncated,
    saved by an After Effects outside the supported range, or one the parser fails on.

    `str()` is one line naming the file and what is wrong.
    """

    def __init__(self, path: Path, reason: str) -> None:
        # Parser messages can span lines; the message is shown as one line on stderr.
        self.path = path
        self.reason = " ".join(reason.split())
        super().__init__(f"{path}: {self.reason}")
