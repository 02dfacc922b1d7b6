"""The batch dialog's preview of a European Excel CSV, grabbed to docs/batch-preview.png."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.ui.submit.dialog import BatchDialog
from render_manager.ui.submit.preview_model import PreviewColumn
from tests.engine.fixtures import Engine

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "batch-preview.png"

# A producer's version list as Excel saves "CSV" in France: cp1252, `;`, CRLF; one cell
# has a quote typed into it and never closed.
_ROWS = [
    ("Main", "Printemps 16x9 — Île-de-France", "Offre spéciale"),
    ("Main", "Printemps 16x9 — Provence-Alpes-Côte d'Azur", "Dès 9,90 €"),
    ("Square", "Printemps 1x1 — Bretagne", "Nouveautés"),
    ("Square", '"Printemps 1x1 — Hauts-de-France', "Jusqu'à -30 %"),
    ("Vertical", "Printemps 9x16 — Occitanie", "Été en avance"),
    ("Vertical", "Printemps 9x16 — Auvergne-Rhône-Alpes", "Découvrez"),
]


@pytest.mark.gui
def test_batch_preview_screenshot(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    engine.configure(script_injection=True)
    data = tmp_path / "printemps.csv"
    lines = ["comp;Title;Tagline", *(";".join(r) for r in _ROWS)]
    data.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    dialog = BatchDialog(AppServices(engine.ctx), connections=engine.ctx.connections.list())
    qtbot.addWidget(dialog)
    dialog.resize(1100, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData("local"))
    dialog.source.aep.setText(str(engine.project))
    dialog.source.composition.setText("{{comp}}")
    dialog.source.text_layers.setText("Title, Tagline")
    dialog.next.click()
    qloop.run_until_complete(dialog.load_data(data))
    qloop.run_until_complete(dialog.build_preview())
    page = dialog.result_page
    assert (
        page.read_as.text() == "printemps.csv, read as Windows-1252 (Western), semicolon-separated"
    )
    assert page.model.rowCount() == len(_ROWS)
    title = len(PreviewColumn) + 1
    read = [r[1] for r in _ROWS if not r[1].startswith('"')]
    widest = max(page.table.fontMetrics().horizontalAdvance(name) for name in read)
    assert page.table.columnWidth(title) >= widest

    image = dialog.grab().toImage()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert image.save(str(SCREENSHOT))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, "the dialog rendered as a flat image"
