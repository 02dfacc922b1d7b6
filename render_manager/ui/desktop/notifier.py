"""What to tell the user when renders end: jobs finished or failed, and batches done.

The window feeds `observe()` with the jobs of every refresh (and `prime()` with the first
load). Only a job seen running or waiting that then reaches finished or failed counts: jobs
already ended when they are first seen (at load time, or found ended on a remote) never
raise a notice. Everything that happens within one coalescing interval becomes a single
notice, so a refresh in which 500 jobs finish shows one pop-up, not 500.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction

from render_manager.domain.job import BatchCounts, Job
from render_manager.domain.status import JobStatus

# Long enough to merge the refreshes the engine triggers as renders end one after another
# (the window polls the store every 2 s), short enough to still feel immediate.
COALESCE_MS = 2500

# Names listed in a notice before the rest is summed up as "and N more".
_MAX_NAMES = 3
_MAX_BATCH_LINES = 3
_MAX_ERROR_CHARS = 120


class NoticeKind(StrEnum):
    """How a notice should look: a failure is shown as a warning."""

    FINISHED = "finished"
    FAILED = "failed"


class NoticeSetting(StrEnum):
    """The notices a user can turn on or off; the value is the QSettings key's last part."""

    JOB_FINISHED = "job-finished"
    JOB_FAILED = "job-failed"
    BATCH_DONE = "batch-done"


SETTING_LABELS: dict[NoticeSetting, str] = {
    NoticeSetting.JOB_FINISHED: "When a job &finishes",
    NoticeSetting.JOB_FAILED: "When a job f&ails",
    NoticeSetting.BATCH_DONE: "When a &batch is done",
}

_SETTINGS_GROUP = "notifications"


@dataclass(frozen=True, slots=True)
class Notice:
    """One pop-up: its title, its text and how it should look."""

    title: str
    message: str
    kind: NoticeKind


class NoticeCollector:
    """Tracks job statuses and collects the transitions worth telling (no Qt, no timers).

    A batch is done when its last job still running or waiting reaches a terminal status.
    A batch job that finishes is told in its batch's notice, not on its own, while batch
    notices are on; failures are told as they happen. Nested jobs (with a parent) are
    counted in their batch but never told on their own: their parent tells the story.
    """

    def __init__(self) -> None:
        self._status: dict[str, JobStatus] = {}
        self._batch_of: dict[str, str] = {}
        self._batch_counts: dict[str, Counter[JobStatus]] = {}
        self._finished: dict[str, Job] = {}
        self._failed: dict[str, Job] = {}
        self._batches: set[str] = set()
        self.batch_names: dict[str, str] = {}

    @property
    def has_pending(self) -> bool:
        """True when something has happened since the last `take()`."""
        return bool(self._finished or self._failed or self._batches)

    def prime(self, jobs: Iterable[Job]) -> None:
        """Start from these jobs (the first load): remember them, tell nothing."""
        self._status.clear()
        self._batch_of.clear()
        self._batch_counts.clear()
        self._finished.clear()
        self._failed.clear()
        self._batches.clear()
        for job in jobs:
            self._record(job)

    def observe(self, jobs: Iterable[Job]) -> None:
        """Note the jobs of a refresh; transitions wait for `take()`."""
        ended_in: set[str] = set()
        for job in jobs:
            before = self._status.get(job.id)
            self._record(job)
            if before is None or before.is_terminal:
                if not job.is_terminal:
                    self._forget_pending(job.id)
                continue
            if not job.is_terminal:
                continue
            if job.status is JobStatus.FINISHED and job.parent_id is None:
                self._finished[job.id] = job
            elif job.status is JobStatus.FAILED and job.parent_id is None:
                self._failed[job.id] = job
            if job.batch_id is not None:
                ended_in.add(job.batch_id)
        self._batches.update(b for b in ended_in if self._batch_done(b))

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop jobs removed from the window."""
        for job_id in job_ids:
            status = self._status.pop(job_id, None)
            batch = self._batch_of.pop(job_id, None)
            if status is not None and batch is not None:
                self._batch_counts[batch][status] -= 1
            self._forget_pending(job_id)

    def take(self, enabled: Mapping[NoticeSetting, bool]) -> Notice | None:
        """The one notice for everything collected since the last call, or None."""
        batches = sorted(b for b in self._batches if self._batch_done(b))
        finished = list(self._finished.values())
        failed = list(self._failed.values())
        self._finished.clear()
        self._failed.clear()
        self._batches.clear()
        if not enabled.get(NoticeSetting.BATCH_DONE, True):
            batches = []
        else:
            # The batch's notice, now or when it ends, counts its finished jobs.
            finished = [j for j in finished if j.batch_id is None]
        told = set(batches)
        # A failure whose batch is told in this same notice is counted in the batch's line.
        failed = [j for j in failed if j.batch_id not in told]
        if not enabled.get(NoticeSetting.JOB_FINISHED, True):
            finished = []
        if not enabled.get(NoticeSetting.JOB_FAILED, True):
            failed = []
        counts = {b: self._counts(b) for b in batches}
        # A batch that ended only because the user cancelled it has nothing to tell.
        counts = {b: c for b, c in counts.items() if c.finished or c.failed}
        return compose_notice(counts, finished, failed, self.batch_names)

    def _record(self, job: Job) -> None:
        previous = self._status.get(job.id)
        previous_batch = self._batch_of.get(job.id)
        if previous is not None and previous_batch is not None:
            self._batch_counts[previous_batch][previous] -= 1
        self._status[job.id] = job.status
        if job.batch_id is None:
            self._batch_of.pop(job.id, None)
        else:
            self._batch_of[job.id] = job.batch_id
            self._batch_counts.setdefault(job.batch_id, Counter())[job.status] += 1

    def _forget_pending(self, job_id: str) -> None:
        # A job retried before the notice went out is not told as ended.
        self._finished.pop(job_id, None)
        self._failed.pop(job_id, None)

    def _batch_done(self, batch_id: str) -> bool:
        counts = self._batch_counts.get(batch_id)
        if counts is None:
            return False
        return sum(counts.values()) > 0 and not any(
            n for status, n in counts.items() if not status.is_terminal
        )

    def _counts(self, batch_id: str) -> BatchCounts:
        counts = self._batch_counts.get(batch_id, Counter())
        total = sum(counts.values())
        finished, failed = counts[JobStatus.FINISHED], counts[JobStatus.FAILED]
        cancelled = counts[JobStatus.CANCELLED]
        return BatchCounts(
            total, finished, failed, cancelled, total - finished - failed - cancelled
        )


def compose_notice(
    batches: Mapping[str, BatchCounts],
    finished: list[Job],
    failed: list[Job],
    batch_names: Mapping[str, str],
) -> Notice | None:
    """Word one notice for batches done and jobs finished or failed; None if nothing."""
    if not (batches or finished or failed):
        return None
    any_failure = bool(failed) or any(c.failed for c in batches.values())
    kind = NoticeKind.FAILED if any_failure else NoticeKind.FINISHED
    names = {b: batch_names.get(b) or b for b in batches}

    if len(batches) + len(finished) + len(failed) == 1:
        if batches:
            ((batch_id, counts),) = batches.items()
            return Notice(f"Batch {names[batch_id]} finished", _batch_counts_text(counts), kind)
        if failed:
            return Notice("Render failed", _failure_text(failed[0]), kind)
        return Notice("Render finished", finished[0].name, kind)

    title_parts: list[str] = []
    if len(batches) == 1:
        title_parts.append(f"Batch {next(iter(names.values()))} finished")
    elif batches:
        title_parts.append(f"{len(batches)} batches finished")
    if failed:
        title_parts.append(_plural(len(failed), "render") + " failed")
    if finished:
        title_parts.append(_plural(len(finished), "render") + " finished")
    return Notice(", ".join(title_parts), _detail(batches, names, finished, failed), kind)


def _detail(
    batches: Mapping[str, BatchCounts],
    names: Mapping[str, str],
    finished: list[Job],
    failed: list[Job],
) -> str:
    lines = [
        f"Batch {names[b]}: {_batch_counts_text(batches[b])}"
        for b in list(batches)[:_MAX_BATCH_LINES]
    ]
    if len(batches) > _MAX_BATCH_LINES:
        lines.append(f"and {len(batches) - _MAX_BATCH_LINES} more batches")
    if len(failed) == 1:
        lines.append(f"Failed: {_failure_text(failed[0])}")
    elif failed:
        lines.append(f"Failed: {_names(failed)}")
    if finished:
        lines.append(f"Finished: {_names(finished)}")
    return "\n".join(lines)


def _batch_counts_text(counts: BatchCounts) -> str:
    parts = [f"{counts.finished} finished"]
    if counts.failed:
        parts.append(f"{counts.failed} failed")
    if counts.cancelled:
        parts.append(f"{counts.cancelled} cancelled")
    return ", ".join(parts)


def _failure_text(job: Job) -> str:
    if not job.error:
        return job.name
    first_line = job.error.strip().splitlines()[0] if job.error.strip() else ""
    if len(first_line) > _MAX_ERROR_CHARS:
        first_line = first_line[: _MAX_ERROR_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return f"{job.name}: {first_line}" if first_line else job.name


def _names(jobs: list[Job]) -> str:
    shown = ", ".join(j.name for j in jobs[:_MAX_NAMES])
    rest = len(jobs) - _MAX_NAMES
    return f"{shown} and {rest} more" if rest > 0 else shown


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Notifier(QObject):
    """Turns job refreshes into at most one `notify(title, message, kind)` per interval.

    `kind` is a NoticeKind value ("finished" or "failed"). The three NoticeSetting
    switches live in QSettings under `notifications/`, all on by default.
    """

    notify = Signal(str, str, str)
    settings_changed = Signal()

    def __init__(self, parent: QObject | None = None, *, coalesce_ms: int = COALESCE_MS) -> None:
        super().__init__(parent)
        self._collector = NoticeCollector()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self.flush)
        settings = QSettings()
        self._enabled = {
            s: bool(settings.value(f"{_SETTINGS_GROUP}/{s.value}", True, type=bool))
            for s in NoticeSetting
        }

    def prime(self, jobs: Iterable[Job]) -> None:
        """Start from the first load: nothing in it is ever told."""
        self._timer.stop()
        self._collector.prime(jobs)

    def observe(self, jobs: Iterable[Job]) -> None:
        """Note a refresh's jobs; a notice follows within the coalescing interval."""
        self._collector.observe(jobs)
        # Started once, not restarted: a steady stream still gets a notice per interval.
        if self._collector.has_pending and not self._timer.isActive():
            self._timer.start()

    def forget(self, job_ids: Iterable[str]) -> None:
        """Drop jobs removed from the window."""
        self._collector.forget(job_ids)

    def set_batch_names(self, names: Mapping[str, str]) -> None:
        """Name batches in notices (by default a batch is named by its id)."""
        self._collector.batch_names.update(names)

    def flush(self) -> None:
        """Emit the pending notice now, if there is one."""
        self._timer.stop()
        notice = self._collector.take(self._enabled)
        if notice is not None:
            self.notify.emit(notice.title, notice.message, notice.kind.value)

    def is_enabled(self, setting: NoticeSetting) -> bool:
        """Whether this kind of notice is shown."""
        return self._enabled[setting]

    def set_enabled(self, setting: NoticeSetting, enabled: bool) -> None:
        """Turn a kind of notice on or off, and remember it across runs."""
        if self._enabled[setting] == enabled:
            return
        self._enabled[setting] = enabled
        QSettings().setValue(f"{_SETTINGS_GROUP}/{setting.value}", enabled)
        self.settings_changed.emit()


def notification_actions(notifier: Notifier, parent: QObject) -> list[QAction]:
    """Checkable actions, one per NoticeSetting, for a "Notifications" submenu.

    They stay in step with the notifier both ways. No shortcuts: they are reached with the
    menu's keyboard navigation (each label has a mnemonic).
    """
    sync = _ActionSync(notifier, parent)
    for setting in NoticeSetting:
        action = QAction(SETTING_LABELS[setting], parent)
        action.setObjectName(f"notify-{setting.value}")
        action.setCheckable(True)
        action.setChecked(notifier.is_enabled(setting))
        action.toggled.connect(lambda on, s=setting: notifier.set_enabled(s, on))
        sync.actions[setting] = action
    return list(sync.actions.values())


class _ActionSync(QObject):
    # A QObject owned with the actions, so the connection ends when they are deleted.
    def __init__(self, notifier: Notifier, parent: QObject) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self.actions: dict[NoticeSetting, QAction] = {}
        notifier.settings_changed.connect(self._on_settings_changed)

    def _on_settings_changed(self) -> None:
        for setting, action in self.actions.items():
            action.setChecked(self._notifier.is_enabled(setting))
