"""A job's output and log for the details panel: a file that exists, a link that works now,
and the end of a local render's log.

Every failure is a `JobOutputError` whose `str()` tells the user what is wrong and why, so
the window can show it as is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import RefreshesLinks
from render_manager.backends.rules import rules_for
from render_manager.domain.job import Job, progress_text
from render_manager.domain.local_job_rules import LocalJobType
from render_manager.domain.status import JobStatus
from render_manager.engine.aerender_output import LineSplitter
from render_manager.engine.log_tail import LogTail
from render_manager.engine.outputs import find_output, is_sequence, sequence_frames
from render_manager.services.job_history import JobHistory, job_history
from render_manager.store.errors import UnknownConnection
from render_manager.store.local_records import LocalJobRecord

if TYPE_CHECKING:
    # Types only: the HTTP stack loads on first use, after the window is on screen.
    from render_manager.services.app_services import AppServices
    from render_manager.services.job_service import JobService

# How much of a log is shown at first: the end of a long render, not all of it.
LOG_TAIL_BYTES = 256 * 1024


class JobOutputError(Exception):
    """The output or log cannot be reached; `str()` says why, for the user."""


class NoOutputYet(JobOutputError):
    """The job has not written (or reported) an output."""


class OutputMissing(JobOutputError):
    """The job wrote an output, but it is not on disk any more."""


class NotALink(JobOutputError):
    """The output is a file on this computer, not a web link (or the other way round)."""


class LinkUnavailable(JobOutputError):
    """A link that expires could not be read afresh; the stored one is not trusted."""


class NoLog(JobOutputError):
    """The job has no log this computer can read."""


@dataclass(frozen=True, slots=True)
class LocalOutput:
    """An output on disk: `path` exists (a sequence's first frame); `recorded` is the job's."""

    path: Path
    recorded: str
    is_sequence: bool

    @property
    def folder(self) -> Path:
        """The folder holding it."""
        return self.path.parent


def is_link(output: str) -> bool:
    """True for a web link (http or https) rather than a file path."""
    return urlsplit(output).scheme.lower() in {"http", "https"}


def output_path(output: str) -> Path:
    """A recorded output as a path (`file://` links included)."""
    parts = urlsplit(output)
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    return Path(output)


def why_no_output(job: Job) -> str:
    """Why a job has no output to show, in the user's terms."""
    name = job.name
    match job.status:
        case JobStatus.QUEUED | JobStatus.PENDING:
            return f"{name} has no output yet: it has not started rendering."
        case JobStatus.PAUSED:
            return f"{name} has no output yet: it is paused (resume it to render it)."
        case JobStatus.RENDERING:
            return f"{name} has no output yet: it is still rendering ({progress_text(job)})."
        case JobStatus.FAILED:
            reason = job.error.splitlines()[0] if job.error else "no reason was given"
            return f"{name} failed, so it has no output: {reason}"
        case JobStatus.CANCELLED:
            # The engine's reason says what a stopped render left (a partial output, kept).
            reason = job.error.splitlines()[0] if job.error else ""
            return f"{name} was cancelled, so it has no output" + (
                f": {reason}." if reason else "."
            )
        case JobStatus.FINISHED:
            return f"{name} finished, but {job.connection} reported no output for it."


def resolve_local_output(job: Job) -> LocalOutput:
    """The job's output on this computer, checked on disk (call it off the GUI thread)."""
    if job.output is None:
        raise NoOutputYet(why_no_output(job))
    if is_link(job.output):
        raise NotALink(f"The output of {job.name} is a web link, not a file on this computer.")
    recorded = output_path(job.output)
    found = find_output(recorded)
    if found is None:
        what = "No frame of" if is_sequence(recorded) else "The output"
        raise OutputMissing(
            f"{what} {recorded} is no longer there: it was moved or deleted"
            f"{'' if job.is_terminal else ', or is still being written'}."
        )
    if is_sequence(found):
        frames = sequence_frames(found)
        if not frames:
            raise OutputMissing(f"No frame of {recorded} is there any more.")
        return LocalOutput(frames[0], job.output, is_sequence=True)
    return LocalOutput(found, job.output, is_sequence=False)


class LogFollower:
    """The end of a log, then the lines appended to it, read as the render writes them.

    Call `read` off the GUI thread. Only whole lines come back, except with `final` (the
    render has ended), which also returns an unterminated last line.
    """

    def __init__(self, path: Path, tail_bytes: int = LOG_TAIL_BYTES) -> None:
        self.path = path
        self._tail_bytes = tail_bytes
        self._tail: LogTail | None = None
        self._splitter = LineSplitter()
        # Set when the first read started mid-file: its first line is a fragment.
        self._skip_fragment = False

    def read(self, *, final: bool = False) -> tuple[list[str], bool]:
        """New lines, and whether they start over (the first read, or a log rewritten)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            raise NoLog(f"The log {self.path} is not there any more.") from None
        except OSError as exc:
            raise NoLog(f"The log {self.path} cannot be read: {exc.strerror or exc}") from None
        restart = self._tail is None or size < self._tail.offset
        tail = self._tail
        if tail is None or restart or size - tail.offset > self._tail_bytes:
            # A first look, a shorter file, or more new text than is ever shown: read its end.
            start = max(0, size - self._tail_bytes)
            tail = self._tail = LogTail(self.path, start)
            self._splitter = LineSplitter()
            self._skip_fragment = start > 0
            restart = True
        lines = self._splitter.feed(tail.read_new(limit=self._tail_bytes))
        if final:
            lines += self._splitter.flush()
        if self._skip_fragment and lines:
            lines = lines[1:]
            self._skip_fragment = False
        return lines, restart


class JobOutputs:
    """Outputs, links and logs of a home's jobs, for the window's details panel.

    Made by `AppServices.outputs`: fresh links come from its back-ends.
    """

    def __init__(self, services: AppServices) -> None:
        self._services = services
        self._ctx = services.ctx
        self._local = services.local_jobs

    def local_record(self, job_id: str) -> LocalJobRecord | None:
        """The local engine's record of a job, or None for a remote job (reads the store)."""
        return self._local.get(job_id)

    def history(self, job: Job) -> JobHistory:
        """Every attempt of a local job and the retry links of any job (reads the store)."""
        return job_history(self._ctx, self._local, job)

    def log_follower(self, job: Job) -> LogFollower:
        """A reader of the job's log (reads the store); NoLog says why there is none."""
        record = self._local.get(job.id)
        if record is None:
            raise NoLog(
                f"{job.connection} keeps the log of {job.name} on its own servers; "
                "its status and error are shown here."
            )
        if record.log_path is None:
            if record.job_type is LocalJobType.ENCODE:
                raise NoLog("An encode job keeps no log file; its error says what went wrong.")
            if job.status is JobStatus.QUEUED:
                raise NoLog(f"{job.name} has not started: it has no log yet.")
            raise NoLog(f"{job.name} has no log: the render never started.")
        return LogFollower(Path(record.log_path))

    async def link(self, job: Job) -> str:
        """The output's web link, read afresh from back-ends whose links expire."""
        if job.output is not None and not is_link(job.output):
            raise NotALink(f"The output of {job.name} is a file on this computer, not a link.")
        try:
            connection = await asyncio.to_thread(self._ctx.connections.get, job.connection)
        except UnknownConnection:
            connection = None
        if connection is None or not rules_for(connection.kind).links_expire:
            if job.output is None:
                raise NoOutputYet(why_no_output(job))
            return job.output
        return await self._fresh_link(job, self._services.job_service)

    async def _fresh_link(self, job: Job, remote: JobService) -> str:
        try:
            backend = await remote.backend(job.connection)
            if not isinstance(backend, RefreshesLinks):
                raise BackendError(f"{job.connection} cannot sign its output links afresh")
            url = await backend.fresh_output_url(job.id)
        except BackendError as exc:
            raise LinkUnavailable(
                f"The output link of {job.name} could not be refreshed: {exc}. "
                f"{job.connection} links expire, so the stored one was not used."
            ) from None
        if url is None:
            raise LinkUnavailable(
                f"{job.connection} has no finished output for {job.name} now, so there is "
                "no link to open."
            )
        return url
