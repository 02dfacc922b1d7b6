"""The health of a connection: whether the last exchange with it worked, and whether a
local one has an aerender to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from render_manager.domain.connection import Connection
from render_manager.engine.locate import AerenderLookup, how_to_set_aerender, locate_aerender


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the last exchange with a connection worked, and if not, why."""

    ok: bool
    error: str | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LocalReadiness:
    """Whether a local connection can run After Effects (aerender) renders, and if not, why.

    Encode jobs need no aerender: "not ready" is about aerender renders only, and every
    text here says so.
    """

    connection: str
    lookup: AerenderLookup

    @property
    def ready(self) -> bool:
        """True when an aerender was found to run."""
        return self.lookup.found

    @property
    def path(self) -> Path | None:
        """The aerender that would run, or None."""
        return self.lookup.path

    @property
    def found_text(self) -> str:
        """What was found: ``aerender found: PATH`` or ``aerender not found``."""
        if self.lookup.path is not None:
            return f"aerender found: {self.lookup.path}"
        return "aerender not found"

    @property
    def reason(self) -> str | None:
        """Why aerender renders cannot run (None when they can)."""
        if self.ready:
            return None
        return f"{self.lookup.problem}. After Effects renders cannot run; encode jobs still do"

    @property
    def fix(self) -> str | None:
        """What to do about it (None when nothing needs doing)."""
        if self.ready:
            return None
        fix = how_to_set_aerender(self.connection)
        return fix[0].upper() + fix[1:]

    def describe(self) -> str:
        """The whole story in one paragraph: what was found, or why not and the fix."""
        if self.ready:
            return f"{self.found_text} ({self.lookup.source})"
        return f"{self.connection}: {self.found_text}: {self.reason}. {self.fix}."


def local_readiness(connection: Connection) -> LocalReadiness:
    """Look for the connection's aerender now (touches the disk: not on a GUI thread)."""
    return LocalReadiness(connection.name, locate_aerender(connection.aerender))
