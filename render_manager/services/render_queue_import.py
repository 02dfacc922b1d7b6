"""A project's render queue turned into local jobs: one job per output module of each item.

What After Effects would render now is every item whose status is Queued; the others
(done, stopped, unqueued, needing an output) are listed so a person can add them by hand.

Decisions:

* An item with several output modules gives one job per module. aerender's ``-rqindex``
  would render them all in one pass, but it renders the project's own queue as saved,
  outside the job's folder and without a frame range the engine can follow; a job per
  module writes every file After Effects would write, each one checked and cancellable.
* The job renders into its own folder, as every local job does. An output path that is
  absolute, names a single file and whose folder exists on this computer gets the render
  copied there afterwards (nexrender's ``@nexrender/action-copy``). A relative or missing
  path, an image sequence, or a folder this computer does not have (a project saved on
  another machine) leaves the render in the job folder, and the job's note says so.
* The output file's extension becomes ``outputExt``, so the job folder's file is named
  as the module writes it; the render-settings template goes as ``settingsTemplate``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.results import SubmitResult
from render_manager.projects import OutputModule, ProjectInfo, RenderQueueItem, RenderStatus
from render_manager.services.batch_data import PreparedRow

if TYPE_CHECKING:
    from render_manager.services.app_services import AppServices

COPY_ACTION = "@nexrender/action-copy"

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")
_SEQUENCE_PATTERN = re.compile(r"\[#+\]")
_EXTENSION = re.compile(r"[A-Za-z0-9]+")

# How each status reads in a count ("3 done, 1 unqueued"), in After Effects' words.
_STATUS_WORDS = {
    RenderStatus.QUEUED: "queued",
    RenderStatus.UNQUEUED: "unqueued",
    RenderStatus.NEEDS_OUTPUT: "needing an output",
    RenderStatus.WILL_CONTINUE: "will continue",
    RenderStatus.RENDERING: "rendering",
    RenderStatus.USER_STOPPED: "stopped",
    RenderStatus.ERR_STOPPED: "failed",
    RenderStatus.DONE: "done",
}


class NoQueuedItem(Exception):
    """The project's render queue has no item After Effects would render now."""


@dataclass(frozen=True, slots=True)
class ImportedJob:
    """One job made from one output module of one render-queue item.

    `body` is the local job document (nexrender's format); `note` says where the render
    lands when it is not the output path the project names.
    """

    item: RenderQueueItem
    module: int
    body: dict[str, Any]
    note: str | None = None

    @property
    def output(self) -> str | None:
        """The output path as the project names it (None if unset)."""
        modules = self.item.output_modules
        return modules[self.module - 1].output if modules else None


def import_refusal(connection: Connection) -> str | None:
    """Why a render queue cannot be imported to `connection`; None when it can.

    A render-queue job names a project file on this computer: only a service that opens
    this computer's files by path (the local engine) can render it. A remote service
    renders templates uploaded to it, where this path means nothing.
    """
    if rules_for(connection.kind).opens_local_projects:
        return None
    return (
        f"connection {connection.name!r} ({connection.kind.value}) renders the templates "
        "uploaded to it, not a project file on this computer: import the render queue "
        "on a local connection"
    )


async def submit_imported(
    services: AppServices, connection: Connection, project: Path, jobs: Sequence[ImportedJob]
) -> SubmitResult:
    """Queue the jobs as one batch named after the project (all or nothing, locally).

    Rows are numbered by position in `jobs`.
    """
    prepared = [PreparedRow(i, {}, job.body) for i, job in enumerate(jobs)]
    submission = services.submission(
        connection, prepared, base_dir=project.resolve().parent, batch_name=project.name,
        stamp=False,
    )  # fmt: skip
    return await submission.submit(skip_invalid=False)


def status_text(status: RenderStatus) -> str:
    """A status as the preview and messages show it: "done", "stopped", "queued"..."""
    return _STATUS_WORDS[status]


def status_counts(items: Iterable[RenderQueueItem]) -> str:
    """The items counted by status, most first: "3 done, 1 unqueued" ("empty" if none)."""
    counts = Counter(item.status for item in items)
    if not counts:
        return "the render queue is empty"
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], list(RenderStatus).index(pair[0])))
    return ", ".join(f"{n} {status_text(status)}" for status, n in ranked)


def queued(info: ProjectInfo) -> list[RenderQueueItem]:
    """The items After Effects would render now (status Queued)."""
    return [item for item in info.render_queue if item.status is RenderStatus.QUEUED]


def import_queued(project: Path, info: ProjectInfo) -> list[ImportedJob]:
    """The jobs of every queued item; raises `NoQueuedItem` with the statuses counted."""
    if not info.render_queue:
        raise NoQueuedItem(f"{project}: the render queue is empty: nothing to render")
    items = queued(info)
    if not items:
        raise NoQueuedItem(f"{project}: no queued item in the render queue: "
                           f"{status_counts(info.render_queue)}")  # fmt: skip
    return jobs_for(project, items)


def jobs_for(project: Path, items: Sequence[RenderQueueItem]) -> list[ImportedJob]:
    """The jobs of the chosen items, whatever their status: one per output module."""
    jobs: list[ImportedJob] = []
    for item in items:
        modules = item.output_modules or (OutputModule(template="", output=None),)
        several = len(modules) > 1
        for number, module in enumerate(modules, 1):
            jobs.append(_job(project, item, number if several else None, module))
    return jobs


def _job(
    project: Path, item: RenderQueueItem, number: int | None, module: OutputModule
) -> ImportedJob:
    template: dict[str, Any] = {
        "src": str(project.resolve()),
        "composition": item.comp,
        "frameStart": item.frame_start,
        "frameEnd": item.frame_end,
    }
    if module.template:
        template["outputModule"] = module.template
    if item.render_settings:
        template["settingsTemplate"] = item.render_settings
    ext = _extension(module.output)
    if ext is not None:
        template["outputExt"] = ext
    where = f"render queue #{item.index}" + (f", output {number}" if number else "")
    body: dict[str, Any] = {"template": template, "name": f"{item.comp} ({where})"}
    destination, note = _destination(module.output)
    if destination is not None:
        body["actions"] = {"postrender": [{"module": COPY_ACTION, "output": destination}]}
    return ImportedJob(item=item, module=number or 1, body=body, note=note)


def _extension(output: str | None) -> str | None:
    if not output:
        return None
    suffix = _pure(output).suffix.removeprefix(".")
    return suffix.lower() if _EXTENSION.fullmatch(suffix) else None


def _destination(output: str | None) -> tuple[str | None, str | None]:
    """Where the render is copied to after it finished (None: it stays in the job folder),
    and a note when the project's path is not followed."""
    if not output:
        return None, "no output path in the project: rendered into the job folder"
    path = _pure(output)
    if not path.is_absolute():
        return None, f"relative output path {output!r}: rendered into the job folder"
    if _SEQUENCE_PATTERN.search(path.name):
        return None, f"image sequence {output!r}: its frames are rendered into the job folder"
    folder = Path(str(path.parent))
    if type(path) is not type(PurePath()) or not folder.is_dir():
        return (
            None,
            f"folder {path.parent} not found on this computer: rendered into the job folder",
        )
    return str(path), None


def _pure(output: str) -> PurePosixPath | PureWindowsPath:
    # A project saved on Windows names C:\... paths; read them as Windows paths anywhere.
    if _WINDOWS_ABSOLUTE.match(output) or ("\\" in output and "/" not in output):
        return PureWindowsPath(output)
    return PurePosixPath(output)
