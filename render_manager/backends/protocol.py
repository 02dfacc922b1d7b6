"""The one protocol every back-end implements, and the optional abilities some have.

Services and the CLI speak only these. `Backend` is what every connection can do: submit
many, refresh, get, cancel many, check access. What only some services can do is a small
`runtime_checkable` protocol of its own (`FindsByKey`, `CancelsBatches`, `HasTemplates`,
`Prices`, `RefreshesLinks`, `ListsTeamJobs`, `RetriesInPlace`, `Pauses`,
`Reprioritises`): a service asks `isinstance(backend, Prices)`, never for a class, and the
window offers an action only where the answer is yes.

What is known of a service before any connection is opened (how its bodies are checked and
stamped, its chunk size, whether its links expire or its cancels cascade) is its
`ServiceRules`, looked up by kind with `backends.rules.rules_for`.

The local engine is one more `Backend` (local.py): submit many is one store transaction,
cancel many stops renders or takes jobs off the queue, refresh reads the store's changes
since the last look, get reads one job, check access looks for aerender. Nothing here is
about HTTP, so it has none of the remote abilities; what sets it apart (all or nothing,
its own store, files checked on this computer) is in its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.results import PauseSummary
from render_manager.domain.status import BackendKind

SubmitStatus = Literal["created", "partial", "error"]


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """Per-row result of a submission; row numbers are the caller's (0-based)."""

    status: SubmitStatus
    batch_id: str | None = None
    jobs: list[tuple[int, Job]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Rows among `errors` that may have been created all the same (see OutcomeUnknown).
    unknown: frozenset[int] = frozenset()
    # (row, warning): what was not checked in a row that was sent all the same.
    warnings: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    """Every job a cancel changed (cascades included), and those it could not cancel."""

    cancelled: list[Job] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """Jobs whose state changed since the caller's last look, and what it cost."""

    changed: list[Job] = field(default_factory=list)
    requests: int = 0
    # Records the back-end sent that could not be read; the rest still parsed.
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class JobList:
    """Jobs a listing returned, records it could not read, and what it cost."""

    jobs: list[Job] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0


@dataclass(frozen=True, slots=True)
class TemplateLayer:
    """A layer of a template that a job's assets can target."""

    name: str
    composition: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """An uploaded After Effects template: what a batch dialog can offer."""

    id: str
    name: str
    raw_status: str | None
    type: str | None = None
    compositions: tuple[str, ...] = ()
    layers: tuple[TemplateLayer, ...] = ()

    @property
    def ready(self) -> bool:
        """True once the template is uploaded and processed, so jobs can use it."""
        return self.raw_status == "uploaded"


# A body with the key a back-end keeps to find the job later, and that key (None: it keeps
# none, so a job of unknown outcome cannot be looked up).
Stamp = Callable[[dict[str, Any], str], tuple[dict[str, Any], str | None]]


def _unstamped(body: dict[str, Any], key: str) -> tuple[dict[str, Any], str | None]:
    del key
    return body, None


@dataclass(frozen=True, slots=True)
class FileChecks:
    """What reading this computer's disk found in ready rows: (row, problem) pairs for
    the rows the back-end would refuse, and (row, warning) pairs for what it could not
    check but will send all the same (a project the reader cannot read)."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def _unchanged(body: dict[str, Any]) -> dict[str, Any]:
    return body


# Problems with ready bodies that only reading this computer's disk finds (a local job's
# project and inputs): the connection, the folder relative paths are read from, a folder
# standing in for the jobs' work folders, and (row, body) pairs.
CheckFiles = Callable[[Connection, Path, Path, Sequence[tuple[int, Any]]], FileChecks]


@dataclass(frozen=True, slots=True)
class ServiceRules:
    """What is known of one service before connecting: each back-end module has one."""

    # What the service would refuse in a body (a JSON object), found before sending.
    check_body: Callable[[Mapping[str, Any]], str | None]
    # Rows per submit request group: progress is shown, and stopping happens, between them.
    chunk_size: int = 10
    stamp: Stamp = _unstamped
    # Output links signed for a while only: read afresh before each use (RefreshesLinks).
    links_expire: bool = False
    # Cancelling a job also cancels the jobs linked to it (nested ones, a waiting parent).
    cancel_cascades: bool = False
    # One bad body and nothing is created: a submission is sent whole, and its good rows
    # are held back with the bad ones (the local engine). Otherwise bad rows are reported
    # and the rest created.
    all_or_nothing: bool = False
    # The back-end writes its jobs into this home's store itself, in its own transactions
    # (the local engine): what it reports is stored already.
    stores_jobs: bool = False
    check_files: CheckFiles | None = None
    # Cancelling a running job kills its render part-way (the local engine): the plan says
    # so apart from the queued jobs that are merely dropped.
    stops_running: bool = False
    # Renders a project file of this computer by its path (the local engine): a project's
    # render queue can be imported as jobs. A remote service renders what it was sent.
    opens_local_projects: bool = False

    # A retry puts the job back in its own queue under the same id (the local engine,
    # `RetriesInPlace`); otherwise a retry is a new job made from the stored body.
    retries_in_place: bool = False
    # The body as the user wrote it, without the key `stamp` added, so that a retry is
    # stamped afresh rather than sent under the key of the job it retries.
    unstamp: Callable[[dict[str, Any]], dict[str, Any]] = _unchanged
    # Holds jobs, and its whole queue, until resumed (the local engine, `Pauses`); else
    # why not, in the words `renderctl pause` and the window's tooltips use.
    pauses: bool = False
    no_pause: str = "it has no pause"

    # A job body takes a whole-number `priority` (higher renders first): `--priority` and
    # the submit dialogs' Priority field are offered.
    takes_priority: bool = False
    # A queued job's priority can be changed after it was sent (`Reprioritises`); where
    # not, `no_reprioritise` says why, in words a user reads.
    reprioritises: bool = False
    no_reprioritise: str = "this service keeps the priority a job was sent with"
    # Jobs can wait in the queue for a start time (a body's `startAt`, the local engine).
    starts_later: bool = False


class Backend(Protocol):
    """A render service behind one connection."""

    @property
    def kind(self) -> BackendKind:
        """Which service this is."""
        ...

    async def submit_many(
        self,
        bodies: Sequence[Mapping[str, Any]],
        *,
        batch_name: str | None = None,
        base_dir: Path | None = None,
    ) -> SubmitOutcome:
        """Create jobs from bodies in the back-end's own format; never creates one twice.

        Relative paths in a body are read from `base_dir` (the job file's folder) by a
        back-end that reads this computer's files; the others ignore it.
        """
        ...

    async def refresh(self, known: Sequence[Job]) -> RefreshOutcome:
        """What changed, given the jobs of this connection not yet terminal in the store."""
        ...

    async def get(self, job_id: str) -> Job:
        """One job, fresh from the back-end."""
        ...

    async def cancel_many(self, jobs: Sequence[Job]) -> CancelOutcome:
        """Cancel jobs; cascaded cancellations are reported too."""
        ...

    async def check_access(self) -> None:
        """The cheapest request answered only when the address and the token are right;
        raises the BackendError that says what is wrong. Touches and creates no job."""
        ...

    async def aclose(self) -> None:
        """Let go of what the connection holds open (an HTTP client)."""
        ...


@runtime_checkable
class FindsByKey(Protocol):
    """Finds the job a request created by the key its rules stamped on the body."""

    async def find_by_key(self, key: str) -> Job | None:
        """The row's own job created with this key, or None if there is none."""
        ...


@runtime_checkable
class CancelsBatches(Protocol):
    """Cancels a whole batch in one request."""

    async def cancel_batch(self, batch_id: str, known: Sequence[Job] = ()) -> CancelOutcome:
        """Cancel every cancellable job of the batch; JobGone if the service has no such
        batch. `known` are the stored jobs of it, for the outcome's details."""
        ...


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """Jobs put back in their queue, each with its new attempt number, and those not."""

    requeued: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@runtime_checkable
class RetriesInPlace(Protocol):
    """Puts a failed or cancelled job back in its queue under the same id."""

    async def retry_in_place(self, jobs: Sequence[Job]) -> RetryOutcome:
        """Requeue each job that ended failed or cancelled; the log of its earlier
        attempt is kept beside the next one's."""
        ...


@dataclass(frozen=True, slots=True)
class PriorityOutcome:
    """Jobs whose priority changed, and those left as they were, with why."""

    changed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@runtime_checkable
class Reprioritises(Protocol):
    """Changes the priority of jobs still waiting in its queue."""

    async def set_priorities(self, priorities: Mapping[str, int]) -> PriorityOutcome:
        """Give each job by id its new priority; a job no longer waiting is skipped."""
        ...


@runtime_checkable
class Pauses(Protocol):
    """Holds queued jobs, and its whole queue, until resumed."""

    async def pause_jobs(self, jobs: Sequence[Job], *, stop_running: bool) -> PauseSummary:
        """Hold queued jobs (never started until resumed); with `stop_running`, running
        ones are stopped and held too, the run not counted."""
        ...

    async def resume_jobs(self, jobs: Sequence[Job]) -> PauseSummary:
        """Put paused jobs back in the queue, each in its old place."""
        ...

    async def pause_queue(self, *, stop_running: bool) -> PauseSummary:
        """Start no new job; with `stop_running`, running ones go back to the queue."""
        ...

    async def resume_queue(self) -> PauseSummary:
        """Start jobs again."""
        ...


@runtime_checkable
class HasTemplates(Protocol):
    """Keeps uploaded templates a job can name."""

    async def templates(self) -> list[Template]:
        """Every template of the account."""
        ...

    async def template(self, template_id: str) -> Template:
        """One template with its compositions and layers."""
        ...


@runtime_checkable
class Prices(Protocol):
    """Tells what jobs cost before any starts."""

    async def cost(self, bodies: Sequence[Mapping[str, Any]]) -> list[tuple[int, object | str]]:
        """Per row, the service's price, or a text saying why it has none."""
        ...


@runtime_checkable
class RefreshesLinks(Protocol):
    """Signs output links for a while only, and signs them afresh on request."""

    async def fresh_output_url(self, job_id: str) -> str | None:
        """The finished output's link, valid now; None while there is no output."""
        ...


@runtime_checkable
class ListsTeamJobs(Protocol):
    """Lists the jobs created on the account by anyone, for the team view."""

    async def team_jobs(self, since: datetime) -> JobList:
        """Every job created since `since`, oldest first."""
        ...
