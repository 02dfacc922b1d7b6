"""Submitting a batch row by row: every row's outcome kept, and a retry that never duplicates.

`BatchSubmission` holds the rows of one submission (from `batch_data.prepare_rows`) and what
happened to each. Sending goes chunk by chunk, so a front end can show progress and stop
between chunks. A row ends CREATED (with its job id), FAILED (certainly not created: refused,
or never sent), NOT_SENT (stopped before its turn) or UNKNOWN (a request whose answer was
lost, which the back-end could not settle).

Retrying sends FAILED and NOT_SENT rows again, never a CREATED one. An UNKNOWN row is looked
up first, by a key stamped on its body when it was first built (a row tag on Nexrender Cloud,
the job uid on a nexrender server): found, it becomes CREATED; not found, it is sent. A
back-end that cannot be asked (Rendley) leaves the row UNKNOWN unless the caller passes
`include_unknown=True`, which a front end does only after the user said they checked.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from render_manager.backends.errors import BackendError
from render_manager.backends.protocol import ServiceRules
from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.ids import new_ulid
from render_manager.domain.results import SubmitResult
from render_manager.services.batch_data import PreparedRow
from render_manager.services.job_service import CannotCheck

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices

log = logging.getLogger(__name__)

# Why a valid local row was not queued: another row of the same submission was refused.
ALL_OR_NOTHING = (
    "not queued: other rows of this submission are invalid, and a local submission is "
    "queued whole or not at all"
)


class RowState(StrEnum):
    """Where one row stands."""

    READY = "ready"
    INVALID = "invalid"
    CREATED = "created"
    FAILED = "failed"
    NOT_SENT = "not sent"
    UNKNOWN = "unknown"


RETRYABLE = frozenset({RowState.FAILED, RowState.NOT_SENT, RowState.UNKNOWN})


@dataclass(slots=True)
class RowOutcome:
    """One row of a submission: its body, state, job id or error, and its lookup key."""

    index: int
    values: Mapping[str, str]
    body: Any
    state: RowState
    job_id: str | None = None
    error: str | None = None
    key: str | None = None
    # What could not be checked in a row that is sent all the same (a project the reader
    # cannot read): shown beside the row, never a reason to hold it back.
    warnings: list[str] = field(default_factory=list)


# Called after each chunk: rows settled so far, rows to send, positions that changed.
ProgressCallback = Callable[[int, int, list[int]], None]


class BatchSubmission:
    """One submission of many rows to one connection, retried as often as needed.

    Made by `AppServices.submission`, whose back-ends and store it sends through.
    """

    def __init__(
        self,
        services: AppServices,
        connection: Connection,
        prepared: Sequence[PreparedRow],
        *,
        base_dir: Path,
        batch_name: str,
        stamp: bool = True,
        chunk_size: int | None = None,
        batch_id: str | None = None,
        retry_of: Mapping[int, str] | None = None,
    ) -> None:
        self._services = services
        self._ctx = services.ctx
        self.connection = connection
        self._base_dir = base_dir
        self.batch_name = batch_name
        rules = self._rules = rules_for(connection.kind)
        # Rows per chunk, as the back-end's rules say (progress and stopping are between them).
        self._chunk = chunk_size or rules.chunk_size
        # The jobs are grouped under one id (the caller's: a retry joins the batch of the
        # jobs it retries), unless the back-end makes batches of its own.
        self._batch_id = batch_id or (new_ulid() if len(prepared) > 1 else None)
        self.stopped: str | None = None
        # Rows sent as the retry of an earlier job (position → that job's id, Edit and
        # resubmit): each new job is linked to the one it retries once it is created.
        self._retry_of = dict(retry_of or {})
        self._linked: set[int] = set()
        # The batches jobs were filed under, first one first (Nexrender Cloud: one per chunk).
        self.batch_ids: list[str] = []
        tag = f"rm-b{uuid.uuid4().hex[:12]}"
        self.rows: list[RowOutcome] = []
        for row in prepared:
            state = RowState.INVALID if row.error is not None else RowState.READY
            outcome = RowOutcome(row.index, row.values, row.body, state, error=row.error)
            if stamp and state is RowState.READY:
                outcome.body, outcome.key = _stamped(rules, row.body, f"{tag}-{row.index}")
            self.rows.append(outcome)

    # -- reading ----------------------------------------------------------------------------

    def count(self, *states: RowState) -> int:
        """How many rows are in any of these states."""
        return sum(1 for r in self.rows if r.state in states)

    def result(self) -> SubmitResult:
        """Every row's outcome in the `renderctl submit --json` shape (data-file row numbers)."""
        jobs = [(r.index, r.job_id) for r in self.rows if r.job_id is not None]
        errors = [
            (r.index, r.error or r.state.value)
            for r in self.rows
            # Rows never tried, or held back by another row's error: the refused rows say why.
            if r.job_id is None and r.state is not RowState.READY and r.error != ALL_OR_NOTHING
        ]
        status = "created" if not errors else "partial" if jobs else "error"
        batch_id = self.batch_ids[0] if jobs and self.batch_ids else None
        warnings = [(r.index, w) for r in self.rows for w in r.warnings]
        return SubmitResult(batch_id, status, sorted(jobs), sorted(errors), warnings=warnings)

    # -- checking ---------------------------------------------------------------------------

    async def check_files(self) -> list[int]:
        """What the back-end would refuse that only this computer's disk tells, found
        before sending by the checks its rules name (the local engine: the validator its
        submission uses, so a job it cannot read, missing project, asset or encode input
        files, layer data without script injection, no aerender). Those rows become
        INVALID (the disk is read off the calling thread), and what could not be checked
        in the others becomes their warnings; returns the positions that became INVALID."""
        check = self._rules.check_files
        if check is None:
            return []
        ready = [(i, r.body) for i, r in enumerate(self.rows) if r.state is RowState.READY]
        # Job folders are named at submission; any folder of the home stands in for them.
        work_dir = self._ctx.home / "jobs"
        found = await asyncio.to_thread(check, self.connection, self._base_dir, work_dir, ready)
        for i, problem in found.problems:
            self.rows[i].state, self.rows[i].error = RowState.INVALID, problem
        for i, _body in ready:
            self.rows[i].warnings = [w for row, w in found.warnings if row == i]
        return [i for i, _problem in found.problems]

    # -- sending ----------------------------------------------------------------------------

    async def submit(
        self,
        *,
        skip_invalid: bool = True,
        on_progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> SubmitResult:
        """Send every READY row. With invalid rows and `skip_invalid` False, nothing is sent."""
        if not skip_invalid and self.count(RowState.INVALID):
            return self.result()
        todo = [i for i, r in enumerate(self.rows) if r.state is RowState.READY]
        await self._send(todo, on_progress, should_stop)
        await self._record_retries()
        return self.result()

    async def retry_failed(
        self,
        *,
        include_unknown: bool = False,
        on_progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> SubmitResult:
        """Send the rows that were not created again; rows of unknown outcome are looked up
        first and sent only if the back-end does not have them (see the module docstring)."""
        todo = [
            i for i, r in enumerate(self.rows) if r.state in (RowState.FAILED, RowState.NOT_SENT)
        ]
        unknown = [i for i, r in enumerate(self.rows) if r.state is RowState.UNKNOWN]
        changed: list[int] = []
        for i in unknown:
            if should_stop is not None and should_stop():
                break
            changed.append(i)
            if await self._settle(self.rows[i], include_unknown):
                todo.append(i)
        if on_progress is not None and changed:
            on_progress(0, len(todo), changed)
        self.stopped = None
        await self._send(sorted(todo), on_progress, should_stop)
        await self._record_retries()
        return self.result()

    async def _settle(self, row: RowOutcome, include_unknown: bool) -> bool:
        """Whether an UNKNOWN row may be sent again; a job found for it makes it CREATED."""
        if row.key is None:
            return include_unknown
        try:
            job = await self._services.job_service.find_created(
                self.connection.name, row.key, job_name=_display_name(row.body)
            )
        except CannotCheck:
            return include_unknown
        except BackendError as exc:
            row.error = f"still unknown: looking it up failed ({exc})"
            return False
        if job is None:
            return True
        row.state, row.job_id, row.error = RowState.CREATED, job.id, None
        # Kept as for a job whose answer came: it can be retried from its body later.
        await asyncio.to_thread(self._ctx.requests.save_bodies, [(job.id, row.body)])
        return False

    async def _send(
        self,
        todo: list[int],
        on_progress: ProgressCallback | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        total, done = len(todo), 0
        # All or nothing: one bad row holds back the rest, so the rows go in one request.
        chunk = len(todo) if self._rules.all_or_nothing else self._chunk
        for start in range(0, len(todo), max(chunk, 1)):
            part = todo[start : start + chunk]
            if self.stopped is None and should_stop is not None and should_stop():
                self.stopped = "you stopped the submission before these rows were sent"
            if self.stopped is not None:
                for i in part:
                    self.rows[i].state, self.rows[i].error = (
                        RowState.NOT_SENT,
                        f"not sent: {self.stopped}",
                    )
            else:
                await self._send_part(part)
            done += len(part)
            if on_progress is not None:
                on_progress(done, total, part)

    async def _send_part(self, part: list[int]) -> None:
        bodies = [self.rows[i].body for i in part]
        try:
            result = await self._services.job_service.submit(
                self.connection.name,
                bodies,
                batch_id=self._batch_id,
                batch_name=self.batch_name,
                base_dir=self._base_dir,
            )
        except BackendError as exc:
            # Raised only when the request certainly created nothing (token, credits, plan).
            self.stopped = str(exc)
            for i in part:
                self.rows[i].state, self.rows[i].error = RowState.FAILED, f"not created: {exc}"
            return
        except asyncio.CancelledError:
            self._mark_unknown(part, "sending was interrupted before the answer came")
            raise
        except Exception as exc:  # the answer is lost: the rows may exist, so stop here
            log.exception("%s: submitting a chunk failed", self.connection.name)
            self.stopped = f"an unexpected error ({exc})"
            self._mark_unknown(part, f"an unexpected error while sending ({exc})")
            return
        self._note_batch(result.batch_id)
        if result.warnings:
            # The back-end's own check is the last word: it may differ from the preview's.
            for n, i in enumerate(part):
                self.rows[i].warnings = [w for position, w in result.warnings if position == n]
        settled = set()
        for position, job_id in result.jobs:
            row = self.rows[part[position]]
            row.state, row.job_id, row.error = RowState.CREATED, job_id, None
            settled.add(position)
        for position, error in result.errors:
            if position in settled:
                continue
            unknown = position in result.unknown
            row = self.rows[part[position]]
            row.state, row.error = (RowState.UNKNOWN if unknown else RowState.FAILED), error
            settled.add(position)
        if result.errors and self._rules.all_or_nothing:
            # Nothing was created: the rows held back with the refused ones may be retried.
            for n, i in enumerate(part):
                if n not in settled:
                    self.rows[i].state, self.rows[i].error = RowState.FAILED, ALL_OR_NOTHING
            return
        self._mark_unknown(
            [i for n, i in enumerate(part) if n not in settled],
            "the back-end's answer did not mention this row",
        )

    async def _record_retries(self) -> None:
        """Link each new job to the job it retries; a retry whose answer was lost marks
        that job, so a later retry of it waits for the user's word (see retry.py)."""
        links: list[tuple[str, str, Any]] = []
        unknown: list[str] = []
        for i, old_id in self._retry_of.items():
            row = self.rows[i]
            if i in self._linked:
                continue
            if row.state is RowState.CREATED and row.job_id is not None:
                links.append((row.job_id, old_id, row.body))
                self._linked.add(i)
            elif row.state is RowState.UNKNOWN:
                unknown.append(old_id)
        requests = self._ctx.requests
        if links:
            await asyncio.to_thread(requests.link_retries, links)
        if unknown:
            await asyncio.to_thread(requests.mark_retry_unknown, unknown)

    def _note_batch(self, batch_id: str | None) -> None:
        if batch_id is not None and batch_id not in self.batch_ids:
            self.batch_ids.append(batch_id)

    def _mark_unknown(self, rows: list[int], why: str) -> None:
        for i in rows:
            row = self.rows[i]
            row.state = RowState.UNKNOWN
            row.error = f"{why}; whether it was created is unknown"


def _stamped(rules: ServiceRules, body: Any, key: str) -> tuple[Any, str | None]:
    """The body with a key the back-end keeps, to find the job later; and that key."""
    if not isinstance(body, dict):
        return body, None
    return rules.stamp(body, key)


def _display_name(body: Any) -> str | None:
    name = body.get("name") if isinstance(body, dict) else None
    return name if isinstance(name, str) and name.strip() else None
