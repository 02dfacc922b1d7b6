"""One run of the window: the job table, the local engine and the remote refresh loops."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from render_manager import __version__
from render_manager.backends.errors import BackendError
from render_manager.services.app_services import AppServices
from render_manager.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from render_manager.services.job_service import RefreshReport


class _Session:
    """What the window's run starts and stops: the engine and the remote refresh loops."""

    def __init__(self, services: AppServices, window: MainWindow) -> None:
        self._services = services
        self._window = window

    async def start(self) -> None:
        services, window = self._services, self._window
        window.show_engine_states(await services.start_engines())
        services.start_refreshing(
            window.refresh_rate.cadence, on_report=self._on_report, on_error=self._on_error
        )
        window.refresh_rate.changed.connect(services.set_refresh_cadence)
        window.connections_changed.connect(self._on_connections_changed)
        await services.follow_connections()

    async def stop(self) -> None:
        # Close the network side inside the running loop, before it goes away.
        await self._services.aclose()
        # Renders are ended and go back to the queue, or left running to be re-adopted at
        # the next start, as the user chose: nothing is lost either way.
        await self._services.stop_engines(leave_running=self._window.quit_guard.leave_running)

    def _on_connections_changed(self) -> None:
        self._window.spawn(self._reconnect())

    async def _reconnect(self) -> None:
        # An edited address or token takes effect now: the old clients are dropped.
        await self._services.forget_connections()
        await self._services.follow_connections()
        # A new local connection gets its engine; existing ones keep rendering.
        self._window.show_engine_states(await self._services.start_engines())
        self._window.side_panel.set_health(self._services.job_service.health)

    def _on_report(self, report: RefreshReport) -> None:
        self._window.note_remote_refresh(report.connection, ok=True)
        self._window.side_panel.set_health(self._services.job_service.health)
        self._window.request_refresh()

    def _on_error(self, name: str, _error: BackendError) -> None:
        self._window.note_remote_refresh(name, ok=False)
        self._window.side_panel.set_health(self._services.job_service.health)


def _quit_on_signals(window: MainWindow) -> Callable[[], None]:
    """Ctrl+C in the launching terminal, `kill` or a logout quit the app as a close does.

    Nobody may be there to answer the quit question, so renders are left running: nothing
    is lost, and the next start takes them back. Returns what restores the previous
    handlers. Python runs a handler at its next step on this thread (the window's timers
    give it one at least every second); the close itself is queued on the event loop.
    """
    signals = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        QTimer.singleShot(0, lambda: window.quit_guard.quit_now(leave_running=True))

    for sig in signals:
        signal.signal(sig, on_signal)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


async def run_session(
    app: QApplication,
    services: AppServices,
    *,
    smoke: bool = False,
    closed: asyncio.Event | None = None,
    on_window: Callable[[MainWindow], None] | None = None,
) -> int:
    """Show the window until it closes (or `closed` is set); returns the exit code.

    The session outlives the window: once it closed, the refresh loops and the HTTP
    clients are closed and the engine is stopped or left running, as the user chose,
    all on the running loop. So the app does not quit when its last window closes: it
    ends when this coroutine returns (the loop stops then).
    With smoke, the window opens, loads the store and closes (install checks).
    """
    # Had Qt quit on the last window's close, the loop would stop under this coroutine
    # while it still closes the clients and the engine ("Event loop stopped before Future
    # completed", exit status 1).
    app.setQuitOnLastWindowClosed(False)
    ctx = services.ctx
    window = MainWindow(services)
    if closed is None:
        closed = asyncio.Event()
    # Connected first: a window closed while the engine still starts ends the session too.
    window.closed.connect(closed.set)
    if on_window is not None:
        on_window(window)
    restore_signals = _quit_on_signals(window)
    try:
        window.show()
        await window.load()
        if smoke:
            print(
                f"render-manager {__version__}: window opened, {window.model.rowCount()} "
                f"jobs loaded from {ctx.home}"
            )
            window.close()
            return 0
        session = _Session(services, window)
        await session.start()
        window.tray.show()
        await closed.wait()
        window.tray.hide()
        await session.stop()
    finally:
        restore_signals()
    return 0
