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
from render_manager.services.context import AppContext
from render_manager.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from render_manager.services.remote import RefreshReport


class _Services:
    """The window's services: the engine, the remote back-ends and their refresh loops."""

    def __init__(self, ctx: AppContext, window: MainWindow) -> None:
        # Imported here, once the window is on screen: the engine and the HTTP stack take a
        # good part of a second to load, and the user sees the jobs meanwhile.
        from render_manager.services.engine_host import EngineHost  # noqa: PLC0415
        from render_manager.services.refresh import RefreshScheduler  # noqa: PLC0415
        from render_manager.services.remote import RemoteService  # noqa: PLC0415

        self._ctx = ctx
        self._window = window
        self.engines = EngineHost(ctx, command="render-manager", on_change=window.request_refresh)
        self.remote = RemoteService(ctx.connections, ctx.jobs, ctx.keychain)
        self.refresher = RefreshScheduler(
            self.remote,
            cadence=window.refresh_rate.cadence,
            on_report=self._on_report,
            on_error=self._on_error,
        )
        window.refresh_rate.changed.connect(self.refresher.set_cadence)

    async def start(self) -> None:
        window = self._window
        window.show_engine_states(await self.engines.start())
        window.running_renders = self.engines.running_count
        window.force_remote_refresh = self.refresher.force
        window.cancel_flow.remote = self.remote
        window.cancel_flow.wake_engine = self.engines.wake
        window.details.remote = self.remote
        window.dialogs.remote = self.remote
        window.dialogs.wake_engine = self.engines.wake
        window.connections_changed.connect(self._on_connections_changed)
        await self._follow_connections()

    async def stop(self) -> None:
        # Close the network side inside the running loop, before it goes away.
        await self.refresher.stop()
        await self.remote.aclose()
        # Renders are ended and go back to the queue, or left running to be re-adopted at
        # the next start, as the user chose: nothing is lost either way.
        await self.engines.stop(leave_running=self._window.quit_guard.leave_running)

    async def _follow_connections(self) -> None:
        connections = await asyncio.to_thread(self._ctx.connections.list)
        self.refresher.sync([c.name for c in connections if c.kind.needs_token])

    def _on_connections_changed(self) -> None:
        self._window.spawn(self._reconnect())

    async def _reconnect(self) -> None:
        # An edited address or token takes effect now: the old clients are dropped.
        await self.remote.forget_all()
        await self._follow_connections()
        # A new local connection gets its engine; existing ones keep rendering.
        self._window.show_engine_states(await self.engines.start())
        self._window.side_panel.set_health(self.remote.health)

    def _on_report(self, report: RefreshReport) -> None:
        self._window.note_remote_refresh(report.connection, ok=True)
        self._window.side_panel.set_health(self.remote.health)
        self._window.request_refresh()

    def _on_error(self, name: str, _error: BackendError) -> None:
        self._window.note_remote_refresh(name, ok=False)
        self._window.side_panel.set_health(self.remote.health)


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
    ctx: AppContext,
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
    window = MainWindow(ctx)
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
        services = _Services(ctx, window)
        await services.start()
        window.tray.show()
        await closed.wait()
        window.tray.hide()
        await services.stop()
    finally:
        restore_signals()
    return 0
