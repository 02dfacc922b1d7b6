"""The batch dialog's column mapping over a real-looking spring-promo project, grabbed to
docs/batch-mapping.png for the README."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import py_aep
import pytest
import qasync
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.services.app_services import AppServices
from render_manager.ui.submit.dialog import BatchDialog
from render_manager.ui.submit.mapping_page import NOT_USED
from tests.engine.fixtures import Engine
from tests.unit.helpers.aep_make import add_effect
from tests.unit.test_project_reader import _png

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "batch-mapping.png"

_MARKETS = [
    ("Spring into savings", "From €9.90", "Offer ends 30 April", "packshots/fr.png", "#E4572E"),
    ("Frühlingsangebote", "Ab 9,90 €", "Nur bis 30. April", "packshots/de.png", "#2E86AB"),
    ("Ofertas de primavera", "Desde 9,90 €", "Hasta el 30 de abril", "packshots/es.png", "#F6AE2D"),
]


def _spring_promo(folder: Path) -> Path:
    """A 16x9 promo: headline, price and legal text, a packshot, a brand card with its colour,
    a badge size slider and a badge checkbox."""
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Promo 16x9", 1920, 1080, 1.0, 15.0, 25.0)
    card = main.add_solid([0.1, 0.1, 0.1], "Brand card", 1920, 1080)
    add_effect(card, "ADBE Color Control", "Brand Color", [0.89, 0.34, 0.18, 1.0])
    add_effect(card, "ADBE Slider Control", "Badge size", 120.0)
    add_effect(card, "ADBE Checkbox Control", "Show badge")
    main.add(app.project.import_file(py_aep.ImportOptions(_png(folder / "Packshot.png"))))
    main.add_text("Legal").name = "Legal line"
    main.add_text("From €9.90").name = "Price"
    main.add_text("Spring into savings").name = "Headline"
    path = folder / "Spring promo 2027.aep"
    app.project.save(path)
    return path


@pytest.mark.gui
def test_batch_mapping_screenshot(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    assert QGuiApplication.platformName() == "xcb", "run the gui tests under Xvfb"
    project = _spring_promo(tmp_path / "Spring promo")
    data = tmp_path / "markets.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Headline", "Price", "Legal", "Packshot", "Brand colour", "Badge", "Market"])
        out.writerows([*row, str(n * 40 + 80), f"M{n}"] for n, row in enumerate(_MARKETS))
    dialog = BatchDialog(AppServices(engine.ctx), connections=engine.ctx.connections.list())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.source.connection.setCurrentIndex(dialog.source.connection.findData("local"))
    dialog.source.aep.setText(str(project))
    dialog.source.composition.setText("Promo 16x9")
    dialog.next.click()
    qloop.run_until_complete(dialog.load_data(data))
    panel = dialog.data_page.mapping_panel
    qtbot.waitUntil(lambda: panel.project_status.text().startswith("Spring promo 2027.aep"))
    assert dialog.data_page.summary.text().startswith("3 rows, 7 columns (read as")
    # What the user picks by hand: the legal line, the colour (spelt otherwise), the badge.
    for column, label in (
        ("Legal", "Legal line ▸ Source Text"),
        ("Brand colour", "Brand card ▸ Effects ▸ Brand Color ▸ Color"),
        ("Badge", "Brand card ▸ Effects ▸ Badge size ▸ Slider"),
    ):
        combo = panel.combo(column)
        combo.setCurrentIndex(combo.findText(label))
    qloop.run_until_complete(asyncio.sleep(0.3))

    image = dialog.grab().toImage()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert image.save(str(SCREENSHOT))
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, "the dialog rendered as a flat image"
    picked = {c: panel.combo(c).currentText() for c in ("Headline", "Packshot", "Market")}
    assert picked == {
        "Headline": "Headline ▸ Source Text",
        "Packshot": "Packshot.png ▸ footage",
        "Market": NOT_USED,
    }
    assert panel.hint("Brand colour").text() == "a colour #RRGGBB"
    # Every picker shows its whole choice: nothing is cut.
    for column in ("Headline", "Legal", "Badge", "Brand colour"):
        combo = panel.combo(column)
        shown = combo.fontMetrics().horizontalAdvance(combo.currentText())
        assert combo.lineEdit().width() >= shown, column  # type: ignore[union-attr]
