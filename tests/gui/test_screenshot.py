"""A real window under Xvfb, grabbed to docs/screenshot.png for the README."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qasync
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Batch, Job
from render_manager.domain.status import BackendKind
from render_manager.engine.locate import AERENDER_ENV
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.ui.window.main_window import MainWindow

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"

# Dated from now, so running jobs show believable durations.
_NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)

_BATCH = "01JD8S7Q2M4X"

_JOBS = [
    ("Spring promo 16x9 (EN)", "finished", 100.0, "/renders/spring_promo/en/result.mp4", None),
    ("Spring promo 16x9 (DE)", "finished", 100.0, "/renders/spring_promo/de/result.mp4", None),
    ("Spring promo 9x16 (EN)", "rendering", 62.0, None, None),
    ("Spring promo 9x16 (DE)", "rendering", 18.0, None, None),
    ("Lower third: Dr. Anna Weber", "queued", 0.0, None, None),
    ("Lower third: Marc Dubois", "queued", 0.0, None, None),
    (
        "Sports bumper v3",
        "failed",
        41.0,
        None,
        "aerender ERROR: No output module template was found with the given name.",
    ),
    ("Title card (old comp)", "cancelled", 0.0, None, None),
]


def _jobs() -> list[Job]:
    jobs = []
    for n, (name, raw, progress, output, error) in enumerate(_JOBS):
        created = _NOW + timedelta(minutes=n)
        started = created + timedelta(minutes=1) if raw not in ("queued", "cancelled") else None
        done = raw in ("finished", "failed")
        rendering = raw == "rendering"
        jobs.append(
            Job.from_raw(
                kind=BackendKind.LOCAL,
                id=f"local-{n:03d}",
                connection="local",
                name=name,
                raw_status=raw,
                created_at=created,
                started_at=started,
                finished_at=started + timedelta(minutes=4) if started and done else None,
                progress=progress,
                output=output,
                error=error,
                batch_id=_BATCH if name.startswith("Spring") else None,
                frames_done=round(progress * 3) if rendering else None,
                total_frames=300 if rendering else None,
                eta_seconds=(100 - progress) * 4 if rendering else None,
            )
        )
    return jobs


@pytest.mark.gui
def test_main_window_screenshot(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    # A workstation with After Effects, as the jobs rendering on `local` say it is.
    aerender = tmp_path / "aerender"
    aerender.write_text("#!/bin/sh\n")
    aerender.chmod(0o755)
    monkeypatch.setenv(AERENDER_ENV, str(aerender))
    jobs = _jobs()
    ctx.jobs.add_batch(Batch(_BATCH, "local", "spring_promo.csv", _NOW), jobs)
    window = MainWindow(AppServices(ctx))
    qtbot.addWidget(window)
    window.resize(1440, 640)
    window.show()
    qtbot.waitExposed(window)
    qloop.run_until_complete(window.load())
    # Frames and ETA arrive from the engine's progress, not from the jobs table.
    window.model.upsert([job for job in jobs if job.frames_done is not None])
    window.table.selectRow(4)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == len(_JOBS))
    # Let the details dock lay out the selected job's fields before the grab.
    qloop.run_until_complete(asyncio.sleep(0.3))

    image = window.grab().toImage()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert image.save(str(SCREENSHOT))

    assert (image.width(), image.height()) == (window.width(), window.height())
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, "the window rendered as a flat image"
    assert "Failed: 1" in window.counts_label.text()
    assert window.side_panel.connections.index(0).data() == "local\nLocal engine"
