"""Qt fixtures: a qasync loop on the test QApplication, and a window over a real store."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext, open_context
from render_manager.ui.qt.main_thread_gc import MainThreadCollector
from render_manager.ui.window.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def main_thread_gc(qapp: QApplication) -> Iterator[MainThreadCollector]:
    """Garbage collection on the GUI thread, as the app does it (see ui/main_thread_gc.py)."""
    collector = MainThreadCollector()
    yield collector
    collector.release()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync event loop over the test application; tests drive it with run_until_complete."""
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    # close(), never stop(): on qasync stop() quits the QApplication shared by later tests,
    # while close() only joins the loop's worker threads.
    loop.close()
    asyncio.set_event_loop(None)
    # The closed loop's Qt objects are freed here, on the GUI thread.
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> None:
    """QSettings written under the test's tmp folder, never the user's real settings."""
    QCoreApplication.setOrganizationName("render-manager-tests")
    QCoreApplication.setApplicationName("render-manager-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> Iterator[AppContext]:
    """An opened home over the in-memory keyring."""
    context = open_context(home, keychain=keychain)
    yield context
    context.close()


def make_job(n: int, *, raw_status: str = "queued", **fields: object) -> Job:
    """A local job numbered n, created n minutes after a fixed time."""
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return Job.from_raw(
        kind=BackendKind.LOCAL,
        id=f"job-{n:05d}",
        name=f"promo_{n:05d}",
        raw_status=raw_status,
        created_at=base + timedelta(minutes=n),
        **{"connection": "local", **fields},
    )


def open_window(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, services: AppServices | None = None
) -> MainWindow:
    """A shown main window over `ctx` (or these services of it), its jobs loaded."""
    window = MainWindow(services or AppServices(ctx))
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(window.load())
    return window
