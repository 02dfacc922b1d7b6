"""The batch dialog maps data columns to what the project has: text layers, footage layers
and properties picked from lists; every row is checked against the project in the preview
and nothing is queued before Submit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import py_aep
import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from render_manager.projects import read_project
from render_manager.services.app_services import AppServices
from render_manager.services.batch_submit import BatchSubmission, RowState
from render_manager.ui.submit.dialog import DATA, PREVIEW, BatchDialog
from render_manager.ui.submit.mapping_page import NOT_USED
from render_manager.ui.submit.preview_model import PreviewColumn
from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.gui.promo_project import promo_project
from tests.unit.helpers.aep_damage import CORRUPT_SAYS, NEWER_SAYS, corrupt_copy, newer_copy
from tests.unit.helpers.aep_make import branded_project
from tests.unit.test_project_reader import _png


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.fixture
def promo(engine: Engine, tmp_path: Path, fake_env: pytest.MonkeyPatch) -> Path:
    """The promo project, on a stock aerender (no script can run)."""
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    assert not engine.connection.engine.script_injection
    return promo_project(tmp_path / "template")


def _on_data_page(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    project: Path,
    data: Path,
    *,
    text_layers: str = "",
) -> BatchDialog:
    """The dialog on its data page, `data` read and `project` read for the mapping."""
    dialog = BatchDialog(AppServices(engine.ctx), connections=engine.ctx.connections.list())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.source.connection.setCurrentIndex(dialog.source.connection.findData("local"))
    dialog.source.aep.setText(str(project))
    dialog.source.composition.setText("Main")
    dialog.source.text_layers.setText(text_layers)
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA
    status = dialog.data_page.mapping_panel.project_status

    async def read() -> None:
        await dialog.load_data(data)
        await _until(lambda: bool(status.text()) and not status.text().startswith("Reading"))

    qloop.run_until_complete(read())
    return dialog


def _preview(qloop: qasync.QEventLoop, dialog: BatchDialog) -> list[tuple[str, str]]:
    """Go to the preview; each row's status and job-or-problem text."""
    dialog.next.click()
    qloop.run_until_complete(_until(lambda: dialog.pages.currentIndex() == PREVIEW))
    model = dialog.result_page.model
    return [
        (
            model.index(r, PreviewColumn.STATE).data(),
            model.index(r, PreviewColumn.MESSAGE).data(),
        )
        for r in range(model.rowCount())
    ]


def _csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_named_as_layers_drive_them_and_every_row_is_checked_before_queueing(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    rows = tmp_path / "rows"
    _png(rows / "logo_fr.png")
    _png(rows / "logo_de.png")
    data = _csv(
        rows / "versions.csv",
        "Title,subtitle,Logo,Notes\n"
        "Soldes,Jusqu'à -50 %,logo_fr.png,x\n"
        "Sale,Bis -50 %,logo_de.png,y\n",
    )
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    panel = dialog.data_page.mapping_panel
    assert panel.project_status.text() == (
        "promo.aep (After Effects 26.0x67) · composition 'Main', 1920\u00d71080, 25 fps · 4 layers"
    )
    # Matched by name: exactly, but for case, and a footage layer without its extension.
    assert panel.combo("Title").currentText() == "Title ▸ Source Text"
    assert panel.combo("subtitle").currentText() == "Subtitle ▸ Source Text"
    assert panel.combo("Logo").currentText() == "logo.png ▸ footage"
    assert panel.combo("Notes").currentText() == NOT_USED
    assert panel.hint("Logo").text() == "a file or an http(s) URL"
    assert not dialog.data_page.heading.isVisibleTo(dialog), "no empty placeholder list"

    assert _preview(qloop, dialog) == [("Ready", ""), ("Ready", "")]
    assert engine.ctx.jobs.list() == [], "nothing is queued before Submit"
    first = dialog.submission.rows[0].body  # type: ignore[union-attr]
    assert {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Soldes",
            "composition": "Main"} in first["assets"]  # fmt: skip
    assert {"type": "image", "layerName": "logo.png", "src": "logo_fr.png",
            "composition": "Main"} in first["assets"]  # fmt: skip


def test_a_property_is_picked_by_typing_part_of_its_name(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Card size,Tint\n12,#00FF00\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    panel = dialog.data_page.mapping_panel
    combo = panel.combo("Card size")
    assert combo.currentText() == NOT_USED
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered[:4] == [NOT_USED, "Title ▸ Source Text", "Subtitle ▸ Source Text",
                           "logo.png ▸ footage"]  # fmt: skip
    assert "Card ▸ Effects ▸ Brand Color ▸ Color" in offered
    assert "Title ▸ Transform ▸ Position" in offered

    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: combo.lineEdit().selectedText() == NOT_USED)  # type: ignore[union-attr]
    qtbot.keyClicks(combo.lineEdit(), "size")
    popup = combo.completer().popup()  # type: ignore[union-attr]
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    assert combo.currentText() == "Card ▸ Effects ▸ Size ▸ Slider"
    assert panel.hint("Card size").text() == "a number"
    assert "In the project: 10" in combo.toolTip()

    # A half-typed search that matches nothing goes back to the choice made.
    tint = panel.combo("Tint")
    tint.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: tint.lineEdit().selectedText() == NOT_USED)  # type: ignore[union-attr]
    qtbot.keyClicks(tint.lineEdit(), "zzz")
    qtbot.keyClick(tint, Qt.Key.Key_Tab)
    assert tint.currentText() == NOT_USED
    assert set(panel.choices()) == {"Card size"}


def test_a_footage_file_that_does_not_exist_is_an_error_of_its_row(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    _png(tmp_path / "rows" / "logo_fr.png")
    data = _csv(tmp_path / "rows" / "rows.csv", "Title,logo\nA,logo_fr.png\nB,logo_xx.png\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    (first, second) = _preview(qloop, dialog)
    assert first == ("Ready", "")
    missing = tmp_path / "rows" / "logo_xx.png"
    assert second == ("Invalid", f"column 'logo' (assets[1].src): {missing} does not exist")
    qloop.run_until_complete(dialog.send())
    assert dialog.status.text().startswith("Some rows are invalid")
    assert engine.ctx.jobs.list() == [], "an invalid row stops the batch until the user decides"


def test_a_layer_renamed_in_the_project_after_mapping_is_caught_with_the_closest_names(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Title\nA\nB\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    assert dialog.data_page.mapping_panel.combo("Title").currentText() == "Title ▸ Source Text"
    # The designer renames the layer in After Effects and saves, the dialog still open.
    app = py_aep.parse(promo)
    [title] = [layer for layer in app.project.compositions[0].layers if layer.name == "Title"]
    title.name = "Titles"
    saved = promo.with_name("saved.aep")
    app.project.save(saved)
    saved.replace(promo)
    problems = {message for _state, message in _preview(qloop, dialog)}
    assert len(problems) == 1
    (problem,) = problems
    assert problem.startswith(
        "column 'Title' (assets[0]): no text layer named 'Title' in 'Main'; closest: Titles"
    )
    assert dialog.submission is not None
    assert dialog.submission.count(RowState.INVALID) == 2
    assert not dialog.submit_button.isEnabled()
    assert engine.ctx.jobs.list() == []


def test_a_text_layer_typed_by_hand_that_is_not_in_the_project_offers_the_closest(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Titel\nA\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data, text_layers="Titel")
    [(state, message)] = _preview(qloop, dialog)
    assert state == "Invalid"
    assert message.startswith("assets[0]: no text layer named 'Titel'; closest: Title")
    assert engine.ctx.jobs.list() == []


@pytest.mark.parametrize(
    "case",
    [
        (corrupt_copy, CORRUPT_SAYS),
        (newer_copy, NEWER_SAYS),
    ],
    ids=["corrupt", "newer-after-effects"],
)
def test_a_project_the_reader_cannot_read_is_said_and_its_rows_refused(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    promo: Path,
    case: tuple[Callable[[Path, Path], Path], str],
) -> None:
    damage, says = case
    project = damage(promo, promo.with_name("damaged.aep"))
    data = _csv(promo.with_name("rows.csv"), "Title\nA\nB\n")
    dialog = _on_data_page(qtbot, qloop, engine, project, data)
    panel = dialog.data_page.mapping_panel
    assert str(project) in panel.project_status.text()
    assert says in panel.project_status.text()
    assert "type each text layer's name" in panel.project_status.text()
    combo = panel.combo("Title")
    assert combo.count() == 1, "no layer can be offered"
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: combo.lineEdit().selectedText() == NOT_USED)  # type: ignore[union-attr]
    qtbot.keyClicks(combo.lineEdit(), "Title")
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    assert combo.currentText() == "Title"
    rows = _preview(qloop, dialog)
    assert [state for state, _message in rows] == ["Invalid", "Invalid"]
    message = rows[0][1]
    assert message.startswith(f"template.src: {project}: ")
    assert says in message
    assert engine.ctx.jobs.list() == []


def test_values_a_property_does_not_take_are_errors_of_their_rows(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(
        tmp_path / "rows.csv",
        "Brand Color,Size,Show,logo\n"
        "#00FF00,12,1,https://cdn.example.com/logo.png\n"
        "#GG0000,12,1,logo.png\n"
        "#0000FF,large,1,logo.png\n"
        "#0000FF,12,maybe,logo.png\n"
        "#0000FF,12,1,ftp://cdn.example.com/logo.png\n",
    )
    _png(tmp_path / "logo.png")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    panel = dialog.data_page.mapping_panel
    assert panel.combo("Size").currentText() == "Card ▸ Effects ▸ Size ▸ Slider"
    assert panel.combo("Show").currentText() == "Card ▸ Effects ▸ Show ▸ Checkbox"
    rows = _preview(qloop, dialog)
    assert rows[0] == ("Ready", "")
    assert [state for state, _message in rows[1:]] == ["Invalid"] * 4
    assert rows[1][1] == (
        "column 'Brand Color' (assets[0]): Effects.Brand Color.Color takes a colour #RRGGBB; "
        "got '#GG0000'"
    )
    assert (
        rows[2][1] == "column 'Size' (assets[1]): Effects.Size.Slider takes a number; got 'large'"
    )
    assert rows[3][1].startswith(
        "column 'Show' (assets[2]): Effects.Show.Checkbox takes a checkbox"
    )
    assert "'maybe'" in rows[3][1]
    assert (
        "column 'logo' (assets[3].src): 'ftp://cdn.example.com/logo.png' uses ftp://" in rows[4][1]
    )
    qloop.run_until_complete(dialog.send())
    assert engine.ctx.jobs.list() == []


def test_picks_are_kept_back_and_forth_and_another_project_is_matched_afresh(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Headline,Card\nA,#FF8000\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    panel = dialog.data_page.mapping_panel
    headline = panel.combo("Headline")
    headline.setCurrentIndex(headline.findText("Subtitle ▸ Source Text"))
    headline.activated.emit(headline.currentIndex())  # as a user's pick is signalled

    def back_and_next() -> None:
        dialog.back.click()
        dialog.next.click()
        status = panel.project_status
        qloop.run_until_complete(_until(lambda: not panel.reading and bool(status.text())))

    back_and_next()
    assert panel.combo("Headline").currentText() == "Subtitle ▸ Source Text", "kept"
    # Another project, whose layers are named otherwise: the pick it lacks gives way.
    other = py_aep.new()
    main = other.project.root_folder.add_comp("Main", 640, 360, 1.0, 2.0, 25.0)
    main.add_text("News").name = "Headline"
    other.project.save(tmp_path / "news.aep")
    dialog.source.aep.setText(str(tmp_path / "news.aep"))
    back_and_next()
    assert panel.combo("Headline").currentText() == "Headline ▸ Source Text"


def test_next_waits_for_the_project_and_refuses_a_batch_of_identical_jobs(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Market,Notes\nFR,x\nDE,y\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    assert dialog.data_page.mapping_panel.combo("Market").currentText() == NOT_USED
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA
    assert dialog.status.text() == (
        "No column drives anything in the project, so every row would render the same job: "
        "pick what each column drives."
    )
    dialog.data_page.mapping_panel.set_reading("promo.aep")
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA
    assert dialog.status.text() == "The project is still being read: a moment."
    assert engine.ctx.jobs.list() == []


class _CountingServices(AppServices):
    """Services that count the previews built (one submission each)."""

    built = 0

    def submission(self, *args: Any, **kw: Any) -> BatchSubmission:
        _CountingServices.built += 1
        return super().submission(*args, **kw)


def test_ctrl_return_pressed_twice_checks_the_rows_once_and_queues_each_row_once(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, promo: Path, tmp_path: Path
) -> None:
    data = _csv(tmp_path / "rows.csv", "Title\nA\nB\n")
    dialog = _on_data_page(qtbot, qloop, engine, promo, data)
    dialog._services = services = _CountingServices(engine.ctx)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    _CountingServices.built = 0
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(_until(lambda: dialog.pages.currentIndex() == PREVIEW))
    qloop.run_until_complete(dialog._tasks.wait_idle())
    assert services.built == 1
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qloop.run_until_complete(_until(lambda: dialog.sent))
    assert len(engine.ctx.jobs.list()) == 2


def test_a_layer_inside_a_precomp_is_picked_and_rendered_on_stock_aerender(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    promo: Path,
    fake_env: pytest.MonkeyPatch,
) -> None:
    tmp_path = promo.parent.parent
    project = branded_project(tmp_path / "brand" / "brand.aep")
    received = tmp_path / "received.txt"
    fake_env.setenv("FAKE_AERENDER_RECEIVED", str(received))
    data = _csv(tmp_path / "rows.csv", "Title,Bar colour\nHola,#123456\n")
    dialog = _on_data_page(qtbot, qloop, engine, project, data)
    combo = dialog.data_page.mapping_panel.combo("Bar colour")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: combo.lineEdit().selectedText() == NOT_USED)  # type: ignore[union-attr]
    qtbot.keyClicks(combo.lineEdit(), "bar")
    popup = combo.completer().popup()  # type: ignore[union-attr]
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    assert combo.currentText() == "Bar ▸ Effects ▸ Brand Color ▸ Color — in Lower Third"
    assert _preview(qloop, dialog) == [("Ready", "")]
    qloop.run_until_complete(dialog.send())
    assert len(engine.ctx.jobs.list()) == 1
    done = renderctl(engine.ctx.home, "engine", "--until-idle")
    assert done.returncode == 0, done.stdout + done.stderr
    [job] = engine.ctx.jobs.list()
    assert job.status.value == "finished", job
    [copy] = received.read_text(encoding="utf-8").splitlines()
    comps = {c.name: c for c in read_project(copy).compositions}
    [bar] = comps["Lower Third"].layers
    assert {p.dotted: p.value for p in bar.properties}["Effects.Brand Color.Color"] == "#123456"
    assert {layer.name: layer.text for layer in comps["Main"].layers}["Title"] == "Hola"
