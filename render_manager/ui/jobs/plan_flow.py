"""What every queue action's flow (retry, pause and resume, priority) holds: the window's
services, where to report, how to run work on the loop, and the connections it plans for."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.ui.jobs.outcome_panel import OutcomePanel
from render_manager.ui.jobs.plan_dialog import PlanDialog


class PlanFlow:
    """Plans an action on a selection, asks through a `PlanDialog`, reports to the panel."""

    def __init__(
        self,
        parent: QWidget,
        services: AppServices,
        panel: OutcomePanel,
        *,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        on_done: Callable[[], None],
    ) -> None:
        self._parent = parent
        self._services = services
        self._panel = panel
        self._spawn = spawn
        self._on_done = on_done
        self.kinds: dict[str, BackendKind] = {}
        self.dialog: PlanDialog | None = None

    def set_connections(self, connections: Sequence[Connection]) -> None:
        """Plan for these connections' kinds (as the window last read them)."""
        self.kinds = {c.name: c.kind for c in connections}
