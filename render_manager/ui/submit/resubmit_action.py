"""Jobs → Edit and resubmit (Ctrl+E): offered only on one failed or cancelled job whose body
is kept, and its tooltip says why not otherwise.

Whether the body is kept is a store read, made off the GUI thread each time the selection
changes; a read overtaken by a newer selection is dropped. Triggered, the job is read
again (another process may have retried it meanwhile) before New render opens on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtGui import QAction, QKeySequence

from render_manager.domain.job import Job
from render_manager.services.app_services import AppServices
from render_manager.services.resubmit_source import ResubmitSource, load_source

TIP = "Open the selected failed or cancelled job in New render, to fix it and send it again"
SELECT_ONE = "Select one failed or cancelled job to edit and resubmit it"
CHECKING = "Looking for the job's stored body…"


class ResubmitAction:
    """Keeps the action's enabled state and tooltip, and opens New render on the job."""

    def __init__(
        self,
        action: QAction,
        services: AppServices,
        *,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        open_dialog: Callable[[ResubmitSource], None],
        say: Callable[[str], None],
    ) -> None:
        self.action = action
        self._services = services
        self._spawn = spawn
        self._open_dialog = open_dialog
        self._say = say
        self._generation = 0
        self.job: Job | None = None
        self.reason: str | None = SELECT_ONE
        self._show(SELECT_ONE)
        action.triggered.connect(self._on_triggered)

    def update(self, selected: Sequence[Job]) -> None:
        """The selection changed: enable the action only if its one job can be resubmitted."""
        self._generation += 1
        if len(selected) != 1:
            self.job = None
            self._show(SELECT_ONE)
            return
        (job,) = selected
        if self.job is None or self.job.id != job.id:
            self._show(CHECKING)
        # The same job read again (it may have changed, or been retried elsewhere) keeps
        # what was found until the read answers: the action does not flicker.
        self.job = job
        self._spawn(self._check(job, self._generation))

    async def check_now(self) -> None:
        """Read the selected job again (awaited by tests)."""
        if self.job is not None:
            self._generation += 1
            await self._check(self.job, self._generation)

    async def _check(self, job: Job, generation: int) -> None:
        found = await self._load(job)
        if generation != self._generation:
            return  # the user selected something else meanwhile
        self._show(found if isinstance(found, str) else None)

    async def _load(self, job: Job) -> ResubmitSource | str:
        services = self._services
        return await asyncio.to_thread(load_source, services.ctx, services.local_jobs, job)

    def _show(self, reason: str | None) -> None:
        self.reason = reason
        action = self.action
        action.setEnabled(reason is None)
        tip = reason or TIP
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)

    def _on_triggered(self) -> None:
        if self.job is not None:
            self._spawn(self._open(self.job))

    async def _open(self, job: Job) -> None:
        found = await self._load(job)
        if isinstance(found, str):
            self._show(found)
            self._say(f"{job.name} cannot be edited and resubmitted: {found}")
            return
        self._open_dialog(found)
