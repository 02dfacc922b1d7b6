"""One run of the window: the job table, the local engine and the remote refresh timer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from render_manager import __version__
from render_manager.services.context import AppContext
from render_manager.services.engine_host import EngineHost
from render_manager.services.refresh import RefreshScheduler
from render_manager.services.remote import RemoteService
from render_manager.ui.main_window import MainWindow


async def run_session(
    app: QApplication,
    ctx: AppContext,
    *,
    smoke: bool = False,
    closed: asyncio.Event | None = None,
    on_window: Callable[[MainWindow], None] | None = None,
) -> int:
    """Show the window until the app quits (or `closed` is set); returns the exit code.

    With smoke, the window opens, loads the store and closes (install checks).
    """
    window = MainWindow(ctx)
    if on_window is not None:
        on_window(window)
    window.show()
    await window.load()
    if smoke:
        print(
            f"render-manager {__version__}: window opened, {window.model.rowCount()} "
            f"jobs loaded from {ctx.home}"
        )
        window.close()
        return 0
    engines = EngineHost(ctx, command="render-manager", on_change=window.request_refresh)
    window.show_engine_states(await engines.start())
    remote = RemoteService(ctx.connections, ctx.jobs, ctx.keychain)
    refresher = RefreshScheduler(remote, on_report=lambda _report: window.request_refresh())
    refresher.start([c.name for c in ctx.connections.list() if c.kind.needs_token])
    window.force_remote_refresh = refresher.force
    window.cancel_flow.remote = remote
    window.cancel_flow.wake_engine = engines.wake
    if closed is None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
    await closed.wait()
    # Close the network side inside the running loop, before it goes away.
    await refresher.stop()
    await remote.aclose()
    # Renders this window started are ended and go back to the queue: nothing is lost.
    await engines.stop()
    return 0
