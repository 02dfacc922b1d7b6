"""One batch's jobs are listed in its rows' order under the default sort (newest first)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import qasync
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Batch, Job
from render_manager.services.context import AppContext
from render_manager.ui.jobs.columns import Column
from render_manager.ui.window.main_window import MainWindow
from tests.gui.conftest import make_job, open_window

_LANGUAGES = ("EN", "ES", "FR", "DE", "IT")
# Ids that sort against the rows' order, as random ids (ULIDs of one millisecond) do.
_IDS = ("job-q7", "job-c2", "job-x9", "job-a1", "job-m5")


def _batch(batch_id: str, first: int, *, spread_s: float) -> tuple[Batch, list[Job]]:
    base = make_job(first).created_at
    jobs = [
        make_job(first, batch_id=batch_id).with_changes(
            id=f"{_IDS[k]}-{batch_id}",
            name=f"{batch_id} {lang}",
            created_at=base + timedelta(seconds=k * spread_s),
        )
        for k, lang in enumerate(_LANGUAGES)
    ]
    return Batch(batch_id, "local", f"{batch_id}.csv", base), jobs


def _names(window: MainWindow) -> list[str]:
    proxy = window.proxy
    return [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]


@pytest.mark.parametrize(
    "spread_s", [0.0, 0.004], ids=["one creation time", "created a few ms apart"]
)
def test_a_batch_keeps_its_rows_order_at_start_and_after_a_refresh(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, spread_s: float
) -> None:
    ctx.jobs.upsert_many([make_job(1)])
    batch, jobs = _batch("spring", 10, spread_s=spread_s)
    ctx.jobs.add_batch(batch, jobs)
    ctx.jobs.upsert_many([make_job(20)])
    # Rendered out of order: FR, then EN, were written last.
    ctx.jobs.upsert_many([jobs[2].with_changes(progress=50.0)])
    ctx.jobs.upsert_many([jobs[0].with_changes(progress=20.0)])
    window = open_window(qtbot, qloop, ctx)
    assert _names(window) == [
        "promo_00020",
        *(f"spring {lang}" for lang in _LANGUAGES),
        "promo_00001",
    ]

    later, more = _batch("summer", 30, spread_s=spread_s)
    ctx.jobs.add_batch(later, more)
    qloop.run_until_complete(window.refresh())
    assert _names(window)[:5] == [f"summer {lang}" for lang in _LANGUAGES]
