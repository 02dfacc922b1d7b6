"""How a job reads in each column of the table: text, sort key, tooltip, ETA and duration.

Pure Python (no Qt), so the formats are testable on their own; `JobTableModel` turns them
into roles.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from render_manager.domain.job import Job, progress_text
from render_manager.domain.status import JobStatus


class Column(IntEnum):
    """The table's columns, in their default order."""

    NAME = 0
    CONNECTION = 1
    STATUS = 2
    PROGRESS = 3
    ETA = 4
    FRAMES = 5
    BATCH = 6
    CREATED = 7
    STARTED = 8
    DURATION = 9
    OUTPUT = 10
    ERROR = 11


HEADERS = {
    Column.NAME: "Name",
    Column.CONNECTION: "Connection",
    Column.STATUS: "Status",
    Column.PROGRESS: "Progress",
    Column.ETA: "ETA",
    Column.FRAMES: "Frames",
    Column.BATCH: "Batch",
    Column.CREATED: "Created",
    Column.STARTED: "Started",
    Column.DURATION: "Duration",
    Column.OUTPUT: "Output",
    Column.ERROR: "Error",
}

BATCH_SHORT = 6
"""How many trailing characters of a batch id the Batch column shows until the batch's
name is known."""

SortKey = float | str
"""A sort key: one type per column, so keys of a column always compare."""

_STATUS_ORDER = {status: float(n) for n, status in enumerate(JobStatus)}
# Text columns sort by their whole value, casefolded (the Error column by its full text).
_TEXT_KEYS: dict[Column, Callable[[Job], str | None]] = {
    Column.NAME: lambda job: job.name,
    Column.CONNECTION: lambda job: job.connection,
    Column.OUTPUT: lambda job: job.output,
    Column.ERROR: lambda job: job.error,
}
# Unknown values sort after every known one in ascending order.
_UNKNOWN = float("inf")


def format_clock(seconds: float) -> str:
    """Seconds as `1:23:45`, or `4:05` under an hour."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_duration(seconds: float) -> str:
    """Seconds as `h:mm:ss` (hours always shown)."""
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_frames(job: Job) -> str:
    """`12 / 250`; `? / 250` before the first frame count; the count alone without a total."""
    done, total = job.frames_done, job.total_frames
    if total is not None:
        return f"{'?' if done is None else done} / {total}"
    return "" if done is None else str(done)


def format_when(value: datetime | None) -> str:
    """A time in the local zone, to the second; empty for None."""
    return "" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


Sample = tuple[float, float]
"""(monotonic time, progress) of one observation."""


@dataclass(frozen=True, slots=True)
class RateUpdate:
    """A planned observation: samples to append to existing windows (`samples[i]` to
    `windows[i]`: two flat lists, not 10,000 pairs, which the collector would walk), new
    windows (`fresh`: a job's first sample, or a render that started over) and jobs no
    longer sampled (`gone`). `replaced` holds the windows it drops, so that they are
    freed with the plan (off the GUI thread, see `UpsertPlan.release`)."""

    windows: list[deque[Sample]]
    samples: list[Sample]
    fresh: dict[str, deque[Sample]]
    gone: list[str]
    replaced: list[object]


class RateSamples:
    """(time, progress) samples of rendering jobs, for an ETA where the back-end gives none.

    A sample is taken when a job's progress changes; the rate is measured over the last
    `window` samples, so it follows a render that speeds up or slows down.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: int = 30) -> None:
        self._clock = clock
        self._window = window
        self._samples: dict[str, deque[Sample]] = {}

    def observe(self, job: Job) -> None:
        """Record a job's progress now (only rendering jobs are tracked)."""
        self.observe_many((job,))

    def observe_many(self, jobs: Iterable[Job]) -> None:
        """Record the progress of many jobs, all at one time (one clock read)."""
        self.apply(self.planned(jobs))

    def planned(self, jobs: Iterable[Job]) -> RateUpdate:
        """What `observe_many(jobs)` would change, worked out without changing anything.

        Safe on a worker thread: it only reads the windows. `apply`, on the GUI thread,
        appends to the windows in place (~0.1 µs a job), so a refresh makes no new
        window per job: a deque is walked element by element at every collection it is
        young for, and 10,000 copies of 30 samples cost the GUI-thread collector more
        than the appends. A refresh brings up to 10,000 jobs: everything bound to locals.
        """
        now = self._clock()
        samples_of = self._samples
        rendering = JobStatus.RENDERING
        window = self._window
        windows: list[deque[Sample]] = []
        samples_to_add: list[Sample] = []
        fresh: dict[str, deque[Sample]] = {}
        gone: set[str] = set()
        replaced: list[object] = []
        last_seen: dict[str, float] = {}  # progress planned per job, for repeated jobs
        for job in jobs:
            progress = job.progress
            job_id = job.id
            if job.status is not rendering or progress is None:
                gone.add(job_id)  # not rendering, or no share to measure a rate by
                replaced.append(samples_of.get(job_id))
                fresh.pop(job_id, None)
                last_seen.pop(job_id, None)
                continue
            last = last_seen.get(job_id)
            samples = fresh.get(job_id)
            if last is None and samples is None and job_id not in gone:
                samples = samples_of.get(job_id)
                if samples:
                    last = samples[-1][1]
            if last is not None and progress == last:
                continue
            last_seen[job_id] = progress
            if last is None or progress < last:
                # A first sample, or the render started over (a retry): the old rate is void.
                if job_id in samples_of:
                    replaced.append(samples_of[job_id])
                fresh[job_id] = deque(((now, progress),), maxlen=window)
            elif job_id in fresh:
                fresh[job_id].append((now, progress))
            else:
                windows.append(samples_of[job_id])
                samples_to_add.append((now, progress))
        gone_now = [i for i in gone if i not in fresh]
        return RateUpdate(windows, samples_to_add, fresh, gone_now, replaced)

    def apply(self, update: RateUpdate) -> None:
        """Take a `planned` update (on the thread that reads the samples)."""
        samples_of = self._samples
        for job_id in update.gone:
            samples_of.pop(job_id, None)
        samples_of.update(update.fresh)
        for window, sample in zip(update.windows, update.samples, strict=True):
            window.append(sample)

    def forget(self, job_id: str) -> None:
        """Drop a job's samples."""
        self._samples.pop(job_id, None)

    def clear(self) -> None:
        """Drop every sample."""
        self._samples.clear()

    def eta(self, job_id: str) -> float | None:
        """Seconds left at the rate seen over the window, as of the last sample; or None."""
        samples = self._samples.get(job_id)
        if samples is None or len(samples) < 2:
            return None
        (t0, p0), (t1, p1) = samples[0], samples[-1]
        if t1 <= t0 or p1 <= p0:
            return None
        return max(0.0, (100.0 - p1) * (t1 - t0) / (p1 - p0))


class JobColumns:
    """The text, sort key and tooltip of each column of a job.

    `rates` supplies estimated ETAs; `now` ends the Duration of running jobs.
    """

    def __init__(self, rates: RateSamples, now: Callable[[], datetime] = utc_now) -> None:
        self.rates = rates
        self._now = now
        #: Batch names by batch id, as the store has them (filled once they are read).
        self.batch_names: dict[str, str] = {}
        #: When each batch was created, as the Created column sorts its jobs: the time of
        #: its first job seen, so that a batch's jobs tie and keep their rows' order.
        self.batch_created: dict[str, float] = {}

    def batch_label(self, job: Job) -> str:
        """The batch's name; the tail of its id until the name is known; empty if none."""
        if job.batch_id is None:
            return ""
        return self.batch_names.get(job.batch_id) or job.batch_id[-BATCH_SHORT:]

    def eta_seconds(self, job: Job) -> float | None:
        """Seconds left: the back-end's ETA, else the estimate; None if unknown or ended."""
        if job.is_terminal:
            return None
        if job.eta_seconds is not None:
            return job.eta_seconds
        return self.rates.eta(job.id)

    def duration_seconds(self, job: Job) -> float | None:
        """Start to finish, or to now while the job runs; None if it never started."""
        if job.started_at is None:
            return None
        end = job.finished_at
        if end is None:
            if job.is_terminal:
                return None
            end = self._now()
        return max(0.0, (end - job.started_at).total_seconds())

    def display(self, job: Job, column: Column) -> str:
        """The cell's text."""
        match column:
            case Column.NAME:
                return job.name
            case Column.CONNECTION:
                return job.connection
            case Column.STATUS:
                return job.status.value.capitalize()
            case Column.PROGRESS:
                # Whole percents rounded down; the frames so far where the share is unknown.
                return progress_text(job)
            case Column.ETA:
                eta = self.eta_seconds(job)
                return "" if eta is None else format_clock(eta)
            case Column.FRAMES:
                return format_frames(job)
            case Column.BATCH:
                return self.batch_label(job)
            case Column.CREATED:
                return format_when(job.created_at)
            case Column.STARTED:
                return format_when(job.started_at)
            case Column.DURATION:
                duration = self.duration_seconds(job)
                return "" if duration is None else format_duration(duration)
            case Column.OUTPUT:
                return job.output or ""
            case Column.ERROR:
                return job.error.splitlines()[0] if job.error else ""

    def sort_key(self, job: Job, column: Column) -> SortKey:
        """The cell's sort key (unknown ETAs and frame counts sort apart from known ones)."""
        text = _TEXT_KEYS.get(column)
        if text is not None:
            return (text(job) or "").casefold()
        match column:
            case Column.BATCH:
                # By the name shown; a batch's jobs stay together under a shared name.
                return f"{self.batch_label(job)}\0{job.batch_id or ''}".casefold()
            case Column.STATUS:
                return _STATUS_ORDER[job.status]
            case Column.PROGRESS:
                # An unknown share sorts before 0 %: it is at least under way.
                return -1.0 if job.progress is None else job.progress
            case Column.ETA:
                eta = self.eta_seconds(job)
                return _UNKNOWN if eta is None else eta
            case Column.FRAMES:
                total, done = job.total_frames, job.frames_done
                if total is None:
                    return -1.0
                # By length, then by how far along: done / (total + 1) stays below 1.
                return total + (done or 0) / (total + 1)
            case Column.CREATED:
                created = job.created_at.timestamp()
                batch = job.batch_id
                return created if batch is None else self.batch_created.get(batch, created)
            case Column.STARTED:
                return job.started_at.timestamp() if job.started_at else 0.0
            case Column.DURATION:
                duration = self.duration_seconds(job)
                return -1.0 if duration is None else duration
            case _:
                raise ValueError(f"no sort key for column {column!r}")

    def tooltip(self, job: Job, column: Column) -> str | None:
        """What a cell says on hover: whole values the cell shortens, and where numbers
        come from."""
        match column:
            case Column.ERROR:
                return job.error
            case Column.OUTPUT:
                return job.output
            case Column.BATCH if job.batch_id is not None:
                name = self.batch_names.get(job.batch_id)
                return job.batch_id if name is None else f"{name}\nBatch id: {job.batch_id}"
            case Column.STATUS if job.raw_status != job.status.value:
                return f"{job.status.value.capitalize()} ({job.connection}: {job.raw_status})"
            case Column.ETA if not job.is_terminal and job.eta_seconds is not None:
                return "Time left, as the render engine reports it"
            case Column.ETA if not job.is_terminal and self.rates.eta(job.id) is not None:
                return "Time left, estimated from the progress seen so far"
            case Column.PROGRESS if job.progress is None:
                return "Frames rendered so far: the render's length is unknown, so no percentage"
            case Column.DURATION if job.finished_at is not None:
                return f"Finished {format_when(job.finished_at)}"
            case _:
                return None


def less(a: SortKey, b: SortKey) -> bool:
    """a < b for two keys of one column (the same type by construction)."""
    return a < b  # type: ignore[operator]
