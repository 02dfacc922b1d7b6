"""After a large refresh the job table repaints the visible rows that changed, and only those."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from typing_extensions import override

from render_manager.domain.job import Job
from render_manager.ui.jobs.filter_model import JobFilterModel
from render_manager.ui.jobs.table_model import JobTableModel
from render_manager.ui.jobs.table_view import job_table_view
from tests.gui.conftest import make_job

ROWS = 2_000


class _PaintRecorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.rects: list[QRect] = []

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            assert isinstance(event, QPaintEvent)
            self.rects.extend(event.region())
        return False


def _jobs(progress_of_changed: float) -> list[Job]:
    # Every tenth job renders; the rest are finished and never change.
    return [
        make_job(n, raw_status="rendering", progress=progress_of_changed)
        if n % 10 == 0
        else make_job(n, raw_status="finished", progress=100.0)
        for n in range(ROWS)
    ]


def test_a_scattered_refresh_repaints_only_the_visible_rows_that_changed(
    qtbot: QtBot,
) -> None:
    model = JobTableModel()
    proxy = JobFilterModel()
    proxy.setSourceModel(model)
    parent = QWidget()
    qtbot.addWidget(parent)
    view = job_table_view(proxy, parent)
    view.resize(900, 400)
    model.set_jobs(_jobs(10.0))
    parent.show()
    qtbot.waitExposed(parent)
    QApplication.processEvents()
    recorder = _PaintRecorder()
    view.viewport().installEventFilter(recorder)

    # 200 changed rows, spread over the whole table: one range over their span.
    model.upsert([job for job in _jobs(20.0) if job.progress < 100.0])
    QApplication.processEvents()

    row_height = view.rowHeight(0)
    visible_rows = view.viewport().height() // row_height
    painted = sum(rect.height() for rect in recorder.rects) // row_height
    changed_on_screen = sum(1 for r in range(visible_rows) if proxy.job_at(r).progress < 100.0)
    assert 0 < changed_on_screen < visible_rows
    assert painted == changed_on_screen, "unchanged rows were repainted"
