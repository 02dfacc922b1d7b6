"""Normalized job statuses and the tables that map every back-end's raw statuses onto them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class JobStatus(StrEnum):
    """The one status vocabulary the window, the CLI and the store speak."""

    QUEUED = "queued"
    PENDING = "pending"
    # Held by the user: never started until resumed (the local engine only).
    PAUSED = "paused"
    RENDERING = "rendering"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """True once the job can change no more."""
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED})


class BackendKind(StrEnum):
    """The kinds of connection a job can run on."""

    LOCAL = "local"
    NEXRENDER_CLOUD = "nexrender-cloud"
    NEXRENDER_SERVER = "nexrender-server"
    RENDLEY = "rendley"

    @property
    def needs_token(self) -> bool:
        """Remote back-ends authenticate; the local engine does not."""
        return self is not BackendKind.LOCAL

    @property
    def token_optional(self) -> bool:
        """A self-hosted server may run without a secret; the cloud services never do."""
        return self is BackendKind.NEXRENDER_SERVER

    @property
    def token_field(self) -> str:
        """What the token is called where the user types it."""
        return "Server secret" if self.token_optional else "API token"

    @property
    def needs_url(self) -> bool:
        """A self-hosted server has no default address."""
        return self is BackendKind.NEXRENDER_SERVER


class LocalStatus(StrEnum):
    """Raw statuses of the local aerender engine."""

    QUEUED = "queued"
    # Held in the queue by the user; resuming puts it back to queued in its old place.
    PAUSED = "paused"
    STAGING = "staging"
    RENDERING = "rendering"
    ENCODING = "encoding"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"


class CancelRequest(StrEnum):
    """What asking the local queue to cancel one job did."""

    CANCELLED = "cancelled"
    """It was queued and is cancelled now."""
    REQUESTED = "requested"
    """It runs: the engine running it was asked to stop it."""
    ENDED = "ended"
    """It had ended already: too late to cancel."""
    UNKNOWN = "unknown"
    """There is no such job."""


_S = JobStatus

_EXACT: Mapping[BackendKind, Mapping[str, JobStatus]] = {
    BackendKind.NEXRENDER_CLOUD: {
        "queued": _S.QUEUED,
        # The cloud holds a parent job in `pending` while its nested children render.
        "pending": _S.PENDING,
        "finished": _S.FINISHED,
        "error": _S.FAILED,
        "manually_cancelled": _S.CANCELLED,
    },
    BackendKind.RENDLEY: {
        "queued": _S.QUEUED,
        "processing": _S.RENDERING,
        "completed": _S.FINISHED,
        "failed": _S.FAILED,
        "canceled": _S.CANCELLED,
    },
    BackendKind.NEXRENDER_SERVER: {
        "created": _S.QUEUED,
        "queued": _S.QUEUED,
        # A worker owns the job from `picked` on, so it is as good as rendering.
        "picked": _S.RENDERING,
        "started": _S.RENDERING,
        "finished": _S.FINISHED,
        "error": _S.FAILED,
        # The server has no cancelled state: a cancelled job is removed, and says so.
        "removed": _S.CANCELLED,
    },
    BackendKind.LOCAL: {
        LocalStatus.QUEUED: _S.QUEUED,
        LocalStatus.PAUSED: _S.PAUSED,
        LocalStatus.STAGING: _S.RENDERING,
        LocalStatus.RENDERING: _S.RENDERING,
        LocalStatus.ENCODING: _S.RENDERING,
        LocalStatus.FINISHED: _S.FINISHED,
        LocalStatus.FAILED: _S.FAILED,
        LocalStatus.INTERRUPTED: _S.FAILED,
        LocalStatus.CANCELLED: _S.CANCELLED,
    },
}

# Back-ends whose render steps arrive as `render:<step>` (render:dorender, render:setup, ...).
_RENDER_STEP_KINDS = frozenset({BackendKind.NEXRENDER_CLOUD, BackendKind.NEXRENDER_SERVER})

# An unknown status is treated as still running: the job keeps being refreshed (so a new
# terminal status is eventually seen) and it is never offered for cancellation.
UNKNOWN_STATUS_FALLBACK = JobStatus.PENDING

_CANCELLABLE_RAW: Mapping[BackendKind, frozenset[str]] = {
    BackendKind.NEXRENDER_CLOUD: frozenset({"queued", "pending"}),
    BackendKind.RENDLEY: frozenset({"queued", "processing"}),
    # Deleting a job a worker has picked breaks the worker: only unclaimed jobs go.
    BackendKind.NEXRENDER_SERVER: frozenset({"created", "queued"}),
    # The engine can stop its own renders at any point before they end.
    BackendKind.LOCAL: frozenset(
        {
            LocalStatus.QUEUED,
            LocalStatus.PAUSED,
            LocalStatus.STAGING,
            LocalStatus.RENDERING,
            LocalStatus.ENCODING,
        }
    ),
}


def normalize_status(kind: BackendKind, raw_status: str) -> JobStatus:
    """Map a back-end's raw status to a JobStatus; unknown values map to a safe non-terminal one."""
    exact = _EXACT[kind].get(raw_status)
    if exact is not None:
        return exact
    if kind in _RENDER_STEP_KINDS and raw_status.startswith("render:"):
        return JobStatus.RENDERING
    return UNKNOWN_STATUS_FALLBACK


def is_known_status(kind: BackendKind, raw_status: str) -> bool:
    """True if the raw status is one the back-end documents."""
    return raw_status in _EXACT[kind] or (
        kind in _RENDER_STEP_KINDS and raw_status.startswith("render:")
    )


def is_cancellable(kind: BackendKind, raw_status: str) -> bool:
    """True if the back-end accepts a cancel for a job in this raw status."""
    return raw_status in _CANCELLABLE_RAW[kind]


def cancel_refusal_reason(kind: BackendKind, raw_status: str) -> str | None:
    """Why a job in this raw status cannot be cancelled, or None if it can."""
    if is_cancellable(kind, raw_status):
        return None
    status = normalize_status(kind, raw_status)
    if not is_known_status(kind, raw_status):
        return f"its status {raw_status!r} is not one this back-end documents"
    if status.is_terminal:
        return f"it has already {_TERMINAL_VERB[status]}"
    if kind is BackendKind.NEXRENDER_SERVER:
        return "a worker is rendering it, and removing it would break the worker"
    if kind is BackendKind.NEXRENDER_CLOUD:
        return "Nexrender Cloud cancels only queued and pending jobs"
    return f"{kind.value} does not cancel jobs that are {raw_status}"


_TERMINAL_VERB = {
    JobStatus.FINISHED: "finished",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "been cancelled",
}


# Why a job in a status that can still change, or has finished, is not sent again.
_NOT_RETRIED = {
    JobStatus.QUEUED: "still queued",
    JobStatus.PENDING: "still waiting to render",
    JobStatus.PAUSED: "paused: resume it instead",
    JobStatus.RENDERING: "still rendering",
    JobStatus.FINISHED: "already finished",
}


def retry_refusal_reason(kind: BackendKind, raw_status: str) -> str | None:
    """Why a job in this raw status cannot be retried, or None: only failed and cancelled
    jobs are sent again."""
    if not is_known_status(kind, raw_status):
        return f"its status {raw_status!r} is not one this back-end documents"
    status = normalize_status(kind, raw_status)
    if status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return None
    return _NOT_RETRIED[status]


# The local raw statuses of a render under way: pausing one stops it (when asked to).
_LOCAL_RUNNING = frozenset({LocalStatus.STAGING, LocalStatus.RENDERING, LocalStatus.ENCODING})


def is_local_running(raw_status: str) -> bool:
    """True if a local job in this raw status is being staged, rendered or encoded."""
    return raw_status in _LOCAL_RUNNING


def local_pause_refusal_reason(raw_status: str, *, stop_running: bool) -> str | None:
    """Why a local job in this raw status cannot be paused, or None if it can.

    A queued job is held; a running one only with `stop_running` (its render is stopped and
    the job held, the attempt not counted).
    """
    if raw_status == LocalStatus.QUEUED:
        return None
    if raw_status == LocalStatus.PAUSED:
        return "already paused"
    if raw_status in _LOCAL_RUNNING:
        if stop_running:
            return None
        return "it is rendering: stop running renders too to hold it (--stop-running)"
    if not is_known_status(BackendKind.LOCAL, raw_status):
        return f"its status {raw_status!r} is not one this back-end documents"
    return f"it has already {_TERMINAL_VERB[normalize_status(BackendKind.LOCAL, raw_status)]}"


def local_resume_refusal_reason(raw_status: str) -> str | None:
    """Why a local job in this raw status cannot be resumed, or None if it is paused."""
    if raw_status == LocalStatus.PAUSED:
        return None
    status = normalize_status(BackendKind.LOCAL, raw_status)
    if status.is_terminal:
        return f"not paused: it has already {_TERMINAL_VERB[status]}"
    return f"not paused: it is {status.value}"
