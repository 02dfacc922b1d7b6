"""A data-driven batch made in the window's batch dialog, mapped to the project's text,
footage and effect properties, rendered on a stock aerender: each job renders its own
rewritten copy of the template."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit, QWidget

from render_manager.projects import LayerType, read_project
from render_manager.services.batch_submit import RowState
from render_manager.ui.jobs.columns import Column
from render_manager.ui.submit.dialog import DATA, PREVIEW, BatchDialog
from render_manager.ui.window.main_window import MainWindow
from tests.engine.fixtures import Engine
from tests.gui.promo_project import promo_project
from tests.gui.test_session import _run_session
from tests.unit.test_project_reader import _png

ROWS = 20


async def _until(condition: Callable[[], object], timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _active(widget: QWidget) -> None:
    """Make `widget` the active window: shortcuts reach the active window only."""
    widget.activateWindow()
    await _until(widget.isActiveWindow, 5)


def _ctrl_return(widget: QWidget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def _statuses(window: MainWindow) -> list[str]:
    model = window.model
    return [model.index(r, Column.STATUS).data() for r in range(model.rowCount())]


def versions(folder: Path, *, picked: bool = True) -> tuple[Path, list[dict[str, str]]]:
    """A CSV of ROWS versions (title, subtitle, a logo file, a brand colour; with `picked`
    also a card size and a show flag, whose columns the user points at by hand)."""
    rows = []
    for n in range(1, ROWS + 1):
        row = {
            "Title": f"Sale {n} «été» 日本",
            "Subtitle": f"-{n} % today",
            "Logo": f"logo_{n:02d}.png",
            "Brand Color": f"#{n * 12:02X}80{255 - n:02X}",
        }
        if picked:
            row |= {"Card size": str(n * 5), "Show": str(n % 2)}
        rows.append(row)
        _png(folder / row["Logo"])
    lines = [",".join([*rows[0], "Notes"])]
    lines += [",".join([*r.values(), "note"]) for r in rows]
    data = folder / "versions.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, rows


@pytest.fixture
def stock(engine: Engine, fake_env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A stock aerender (refuses -r) that records each project it renders in a file."""
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(tmp_path / "received.txt"))
    engine.configure(concurrency=2)
    assert not engine.connection.engine.script_injection
    return tmp_path / "received.txt"


async def _choose_data_file(dialog: BatchDialog, data: Path) -> None:
    """Alt+O on the data page, then the path typed into the file dialog and Return."""
    QTest.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    await _until(lambda: dialog.findChild(QFileDialog) is not None, 5)
    files = dialog.findChild(QFileDialog)
    assert isinstance(files, QFileDialog)
    await _until(files.isVisible, 5)
    name = files.findChild(QLineEdit, "fileNameEdit")
    assert isinstance(name, QLineEdit)
    name.setFocus()
    QTest.keyClicks(name, str(data))
    QTest.keyClick(name, Qt.Key.Key_Return)
    await _until(lambda: dialog.data_page.table is not None, 30)


async def _pick(combo: QComboBox, search: str) -> None:
    """Tab into a picker, type part of a name and take the first match offered."""
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    line, completer = combo.lineEdit(), combo.completer()
    assert line is not None
    assert completer is not None
    await _until(lambda: line.selectedText() == combo.currentText(), 5)
    QTest.keyClicks(line, search)
    popup = completer.popup()
    await _until(popup.isVisible, 5)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    QTest.keyClick(line, Qt.Key.Key_Tab)


def each_row_rendered_once(received_file: Path, rows: list[dict[str, str]], template: Path) -> None:
    """Each project aerender received is a copy of the template holding one row's values."""
    received = [Path(p) for p in received_file.read_text(encoding="utf-8").splitlines()]
    assert len(set(received)) == ROWS, "one rewritten copy per job"
    assert template not in received
    by_title = {row["Title"]: row for row in rows}
    seen = set()
    for project in received:
        (main,) = read_project(project).compositions
        texts = {layer.name: layer.text for layer in main.layers if layer.type is LayerType.TEXT}
        row = by_title[texts["Title"] or ""]
        assert texts["Subtitle"] == row["Subtitle"]
        (footage,) = [Path(layer.footage or "") for layer in main.layers if layer.footage]
        assert footage.name.endswith(row["Logo"])
        assert footage.is_file()
        (card,) = [layer for layer in main.layers if layer.name == "Card"]
        values = {prop.dotted: prop.value for prop in card.properties}
        assert values["Effects.Brand Color.Color"] == row["Brand Color"]
        assert values["Effects.Size.Slider"] == row.get("Card size", "10")
        assert values["Effects.Show.Checkbox"] == row.get("Show", "0")
        seen.add(row["Title"])
    assert seen == set(by_title), "every row rendered, each once"


# Twenty rewrites, read-backs and renders, two at a time: on a loaded 2-core machine this
# outlasts the suite's default two minutes.
@pytest.mark.timeout(400)
def test_twenty_versions_mapped_in_the_dialog_render_on_stock_aerender(
    qapp: QApplication, qloop: qasync.QEventLoop, engine: Engine, stock: Path, tmp_path: Path
) -> None:
    template = promo_project(tmp_path / "template")
    before = hashlib.sha256(template.read_bytes()).hexdigest()
    data, rows = versions(tmp_path / "rows")

    async def scenario(window: MainWindow) -> None:
        await _active(window)
        QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        await _until(lambda: isinstance(window.dialogs.current("batch"), BatchDialog), 5)
        dialog = window.dialogs.current("batch")
        assert isinstance(dialog, BatchDialog)
        source = dialog.source
        await _until(lambda: source.connection.findData("local") >= 0, 5)
        assert source.connection.currentData() == "local"
        await _active(dialog)
        source.aep.setFocus()
        QTest.keyClicks(source.aep, str(template))
        source.composition.setFocus()
        QTest.keyClicks(source.composition, "Main")
        _ctrl_return(dialog)
        assert dialog.pages.currentIndex() == DATA

        await _choose_data_file(dialog, data)
        panel = dialog.data_page.mapping_panel
        await _until(lambda: panel.combo("Title").currentText() == "Title ▸ Source Text", 10)
        assert panel.combo("Subtitle").currentText() == "Subtitle ▸ Source Text"
        assert panel.combo("Logo").currentText() == "logo.png ▸ footage"
        assert panel.combo("Brand Color").currentText() == "Card ▸ Effects ▸ Brand Color ▸ Color"
        await _active(dialog)
        await _pick(panel.combo("Card size"), "size")
        assert panel.combo("Card size").currentText() == "Card ▸ Effects ▸ Size ▸ Slider"
        await _pick(panel.combo("Show"), "show")
        assert panel.combo("Show").currentText() == "Card ▸ Effects ▸ Show ▸ Checkbox"
        assert engine.ctx.jobs.list() == []

        await _active(dialog)
        _ctrl_return(dialog)
        await _until(lambda: dialog.pages.currentIndex() == PREVIEW, 30)
        submission = dialog.submission
        assert submission is not None
        assert submission.count(RowState.READY) == ROWS, [r.error for r in submission.rows]
        assert engine.ctx.jobs.list() == [], "nothing is queued before Submit"
        _ctrl_return(dialog)
        await _until(lambda: submission.count(RowState.CREATED) == ROWS, 30)
        await _until(lambda: _statuses(window) == ["Finished"] * ROWS, 300)
        dialog.close()

    _run_session(qapp, qloop, engine.ctx, scenario).close()

    each_row_rendered_once(stock, rows, template)
    assert hashlib.sha256(template.read_bytes()).hexdigest() == before
