"""Settings of a local engine connection: how it runs, watches and retries renders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from render_manager.domain.job import DomainError


class OnInterrupted(StrEnum):
    """What happens to a render whose process vanished while the engine was not watching."""

    FAIL = "fail"
    REQUEUE = "requeue"


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Per-connection engine behaviour; every field has a sensible default."""

    # aerender prints a line per frame; a frame taking longer than this means a hang
    # (a crash dialog, a stuck aerendercore) rather than a slow frame.
    stall_timeout_s: float = 600.0
    max_render_time_s: float | None = None
    retries: int = 0
    on_interrupted: OnInterrupted = OnInterrupted.FAIL
    # The user agreed to patch After Effects' commandLineRenderer.jsx so aerender accepts
    # `-r script.jsx` (needed by jobs with data or script assets).
    script_injection: bool = False
    # aerender has printed "Finished composition" but not exited: its aerendercore child may
    # hold it open for good. After this long the process tree is ended.
    exit_grace_s: float = 30.0

    def __post_init__(self) -> None:
        if self.stall_timeout_s <= 0:
            raise DomainError("the stall timeout must be positive")
        if self.max_render_time_s is not None and self.max_render_time_s <= 0:
            raise DomainError("the maximum render time must be positive")
        if not 0 <= self.retries <= 10:
            raise DomainError(f"retries must be between 0 and 10, got {self.retries}")
        if self.exit_grace_s < 0:
            raise DomainError("the exit grace period cannot be negative")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values."""
        data = asdict(self)
        data["on_interrupted"] = self.on_interrupted.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EngineSettings:
        """Settings from `to_json` output; unknown keys (from newer versions) are ignored."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "on_interrupted" in values:
            values["on_interrupted"] = OnInterrupted(values["on_interrupted"])
        return cls(**values)
