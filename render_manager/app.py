"""The `render-manager` entry point: the Qt application on a qasync event loop."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from types import TracebackType

from render_manager import __version__
from render_manager.store import StoreError

log = logging.getLogger(__name__)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="render-manager", description="Render Manager")
    parser.add_argument("--version", action="version", version=f"render-manager {__version__}")
    parser.add_argument("--home", metavar="DIR", help="the Render Manager home folder")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the window offscreen, load the store, and exit 0 (for install checks)",
    )
    return parser.parse_args(argv)


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    # Exceptions raised in Qt slots and async callbacks would otherwise vanish.
    log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
    sys.__excepthook__(kind, exc, tb)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the main window; returns the process exit code."""
    args = _parse(argv)
    if args.smoke and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    # Qt is imported only now, so `--version` and `--help` answer without a display.
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from render_manager.services.app_services import AppServices
    from render_manager.services.context import open_context
    from render_manager.ui.qt.appearance import apply_appearance
    from render_manager.ui.qt.icons import app_icon
    from render_manager.ui.qt.main_thread_gc import MainThreadCollector
    from render_manager.ui.window.session import run_session

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Render Manager")
    app.setApplicationDisplayName("Render Manager")
    app.setOrganizationName("render-manager")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("render-manager")
    app.setWindowIcon(app_icon())
    # Light or dark, as the desktop is, now and when it changes (parented to the app).
    apply_appearance(app)
    sys.excepthook = _excepthook
    # Cycles holding Qt objects must be freed on this thread, never by a worker thread.
    collector = MainThreadCollector(app)

    try:
        ctx = open_context(args.home)
    except (StoreError, OSError) as exc:
        if args.smoke:
            print(f"render-manager: error: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Render Manager cannot start", str(exc))
        return 1

    # Built once, before the window: every part of the window is handed these services.
    services = AppServices(ctx)
    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(run_session(app, services, smoke=args.smoke))
    finally:
        collector.release()
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
