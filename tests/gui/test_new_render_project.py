"""New render knows the project: an .aep chosen or dropped is read off the event loop, its
compositions listed (filter, Down, Enter picks one), the work area becomes the frame range,
the render queue's templates are offered, and a name not in the project is refused before
Next, with the closest names. An unreadable project is said so, and still renders."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.projects import ProjectInfo, read_project
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.project_catalog import ProjectCatalog
from render_manager.ui.submit.composition_list import CompositionColumn, CompositionModel
from render_manager.ui.submit.dialog import DATA, PREVIEW, SOURCE, BatchDialog
from render_manager.ui.submit.preview_model import PreviewColumn
from tests.engine.fixtures import Engine
from tests.unit.helpers.comp_projects import Comp, make_comp_project

# Sizes read as After Effects writes them, with a multiplication sign.
X = "\u00d7"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aep-projects"
COMPS = [
    Comp("Main 16x9", 1920, 1080, 25.0, 10.0, work_area=(2.0, 4.0)),
    Comp("Main 9x16", 1080, 1920, 25.0, 10.0),
    Comp("Outro", 1920, 1080, 29.97, 6.0, work_area=(1.0, 2.0)),
    Comp("Lower third", 1920, 200, 50.0, 5.0),
]


def _dialog(qtbot: QtBot, services: AppServices) -> BatchDialog:
    dialog = BatchDialog(services, connections=services.ctx.connections.list(), single=True)
    qtbot.addWidget(dialog)
    dialog.show()
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData("local"))
    return dialog


def _shown(dialog: BatchDialog) -> list[list[str]]:
    model = dialog.source.project_form.comp_list.model()
    return [
        [model.index(row, column).data() for column in CompositionColumn]
        for row in range(model.rowCount())
    ]


def _run(qloop: qasync.QEventLoop, condition: Callable[[], object]) -> None:
    """Turn the loop until `condition` holds (background reads need it)."""

    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    qloop.run_until_complete(asyncio.wait_for(wait(), 20))


def test_the_composition_list_is_a_sound_qt_model(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    model = CompositionModel()
    model.set_compositions(read_project(make_comp_project(tmp_path / "p.aep", COMPS)).compositions)
    qtmodeltester.check(model)


def test_filter_down_enter_picks_a_comp_its_work_area_and_the_job_renders_those_frames(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(tmp_path / "promo.aep", COMPS, queued=["Main 16x9"])
    dialog = _dialog(qtbot, AppServices(engine.ctx))
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _run(qloop, lambda: form.project is not None)
    assert form.project_status.text() == (
        "promo.aep: 4 compositions, 1 render-queue item · After Effects "
        f"{form.project.ae_version if form.project else ''}"
    )
    assert sorted(_shown(dialog)) == [
        ["Lower third", f"1920{X}200", "50", "5.00 s · 250 frames"],
        ["Main 16x9", f"1920{X}1080", "25", "10.00 s · 250 frames"],
        ["Main 9x16", f"1080{X}1920", "25", "10.00 s · 250 frames"],
        ["Outro", f"1920{X}1080", "29.97", "6.01 s · 180 frames"],
    ]
    # The render queue's templates are offered; typing another stays possible.
    offered = [form.output_module.itemText(i) for i in range(form.output_module.count())]
    assert offered
    assert offered[0]
    assert [form.render_settings.itemText(i) for i in range(form.render_settings.count())] == [
        "Best Settings"
    ]

    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # F&ind
    assert form.comp_filter.hasFocus()
    qtbot.keyClicks(form.comp_filter, "16x9 main")  # words in any order
    assert _shown(dialog) == [["Main 16x9", f"1920{X}1080", "25", "10.00 s · 250 frames"]]
    qtbot.keyClick(form.comp_filter, Qt.Key.Key_Down)
    assert form.comp_list.hasFocus()
    qtbot.keyClick(form.comp_list, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == SOURCE, "Enter picks; it does not press Next"
    assert form.composition.text() == "Main 16x9"
    # Work area 2 s to 6 s at 25 fps: frames 50 to 149.
    assert (form.frame_start.text(), form.frame_end.text()) == ("50", "149")
    assert form.frame_start.hasFocus()
    qtbot.keyClicks(form.frame_start, "60")  # the field's text was selected: typed over
    text = dialog.source.template_text()
    assert '"frameStart": 60' in text
    assert '"frameEnd": 149' in text
    form.render_settings.setCurrentText("Draft Settings")
    assert '"settingsTemplate": "Draft Settings"' in dialog.source.template_text()

    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == DATA
    qloop.run_until_complete(dialog.build_preview())
    assert dialog.pages.currentIndex() == PREVIEW
    assert dialog.result_page.summary.text() == "The job is checked and ready to send."
    qloop.run_until_complete(dialog.send())
    (job,) = engine.ctx.jobs.list()
    record = engine.local.get(job.id)
    assert record is not None
    template = record.spec["template"]
    assert (template["composition"], template["frameStart"], template["frameEnd"]) == (
        "Main 16x9",
        60,
        149,
    )


def test_a_typed_name_not_in_the_project_is_refused_before_next_with_the_closest(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(tmp_path / "promo.aep", COMPS)
    dialog = _dialog(qtbot, AppServices(engine.ctx))
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _run(qloop, lambda: form.project is not None)
    qtbot.keyClicks(form.composition, "main 16x9")
    expected = "“main 16x9” is not a composition of promo.aep. Closest: “Main 16x9”, “Main 9x16”."
    assert form.composition_note.text() == expected
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == SOURCE
    assert dialog.status.text() == expected
    assert form.composition.hasFocus()

    # A {{column}} is each row's to fill: checked in the preview, not here.
    form.composition.setText("{{comp}}")
    assert form.composition_note.text() == ""
    form.composition.setText("Outro")
    assert form.composition_note.text() == ""
    # Typed whole, the comp is selected in the list and its work area fills the frames.
    assert form.comp_list.currentIndex().data() == "Outro"
    assert (form.frame_start.text(), form.frame_end.text()) == ("30", "89")
    assert form.frames_note.text() == "work area: 30 to 89 (the comp: 0 to 179)"
    form.frame_end.setText("60")  # typed by hand: kept when another comp is typed
    form.composition.setText("Lower third")
    assert (form.frame_start.text(), form.frame_end.text()) == ("30", "60")
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA


def test_a_real_project_lists_its_comps_and_its_queue_s_templates(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    project = Path(shutil.copy(FIXTURES / "20-ludumdare47-intro.aep", tmp_path / "intro.aep"))
    dialog = _dialog(qtbot, AppServices(engine.ctx))
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _run(qloop, lambda: form.project is not None)
    names = [row[0] for row in _shown(dialog)]
    assert sorted(names) == ["010a", "layer1", "main", "main 2", "outro"]
    assert [form.output_module.itemText(i) for i in range(form.output_module.count())] == [
        "Photoshop"
    ]
    assert form.render_settings.itemText(0) == "Aktuelle Einstellungen"
    qtbot.keyClicks(form.comp_filter, "main 2")
    qtbot.keyClick(form.comp_filter, Qt.Key.Key_Return)  # the one match, picked from the filter
    assert form.composition.text() == "main 2"
    # 3.53 s of work area at 60 fps from 0: frames 0 to 211.
    assert (form.frame_start.text(), form.frame_end.text()) == ("0", "211")


def test_an_aep_dropped_on_new_render_is_read(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(tmp_path / "dropped.aep", [Comp("Only comp", duration=2.0)])
    dialog = _dialog(qtbot, AppServices(engine.ctx))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(project))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.dropEvent(drop)
    form = dialog.source.project_form
    assert dialog.source.aep.text() == str(project)
    _run(qloop, lambda: form.project is not None)
    # A project of one composition: it is the one to render.
    assert form.composition.text() == "Only comp"
    assert (form.frame_start.text(), form.frame_end.text()) == ("0", "49")


class _HeldCatalog(AppServices):
    """Services whose project reader waits for the test to let it finish."""

    def __init__(self, ctx: AppContext, gate: threading.Event) -> None:
        super().__init__(ctx)

        def held(path: Path) -> ProjectInfo:
            assert gate.wait(20)
            return read_project(path)

        self._held = ProjectCatalog(read=held)

    @property
    def projects(self) -> ProjectCatalog:
        return self._held


def test_the_dialog_answers_while_a_large_project_is_read(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(tmp_path / "large.aep", COMPS)
    gate = threading.Event()
    dialog = _dialog(qtbot, _HeldCatalog(engine.ctx, gate))
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _run(qloop, lambda: form.project_status.text() == "Reading project… (large.aep)")
    # The reader is held in its thread; the window still takes typing meanwhile.
    qtbot.keyClicks(form.composition, "Outro")
    assert form.composition.text() == "Outro"
    assert form.project is None
    gate.set()
    _run(qloop, lambda: form.project is not None)
    assert form.project_status.text().startswith("large.aep: 4 compositions")
    assert form.comp_list.currentIndex().data() == "Outro", "the typed comp is selected"


def test_an_unreadable_project_says_why_and_still_renders_with_a_warning(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    cs6 = Path(shutil.copy(FIXTURES / "unreadable" / "01-lottieweb-helperproject.aep", tmp_path))
    dialog = _dialog(qtbot, AppServices(engine.ctx))
    form = dialog.source.project_form
    dialog.source.choose_project(cs6)
    _run(qloop, lambda: "cannot be read" in form.project_status.text())
    status = form.project_status.text()
    assert status.startswith(f"{cs6.name} cannot be read: was saved by After Effects ")
    assert "CS6 or older" in status
    assert _shown(dialog) == []
    form.composition.setText("Main")
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA
    qloop.run_until_complete(dialog.build_preview())
    page = dialog.result_page
    first, warning = page.summary.text().split("\n")
    assert first == "The job is checked and ready to send."
    assert warning.startswith("⚠ Warning: the composition was not checked, the project")
    message = page.model.index(0, PreviewColumn.MESSAGE).data()
    assert message.startswith("⚠ the composition was not checked")
    assert page.model.index(0, PreviewColumn.STATE).data() == "Ready"
    assert dialog.submit_button.isEnabled()
    qloop.run_until_complete(dialog.send())
    (job,) = engine.ctx.jobs.list()
    assert page.model.index(0, PreviewColumn.MESSAGE).data() == job.id


def _batch(qtbot: QtBot, engine: Engine, project: Path, data: Path) -> BatchDialog:
    dialog = BatchDialog(AppServices(engine.ctx), connections=engine.ctx.connections.list())
    qtbot.addWidget(dialog)
    dialog.show()
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData("local"))
    dialog.source.aep.setText(str(project))
    dialog.source.composition.setText("{{comp}}")
    dialog.next.click()
    return dialog


def test_the_batch_preview_refuses_a_row_s_unknown_comp_and_warns_of_an_unreadable_project(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    data = tmp_path / "versions.csv"
    data.write_text("comp\nOutro\nOutr0\nMain 9x16\n")
    project = make_comp_project(tmp_path / "promo.aep", COMPS)
    dialog = _batch(qtbot, engine, project, data)
    qloop.run_until_complete(dialog.load_data(data))
    qloop.run_until_complete(dialog.build_preview())
    model = dialog.result_page.model
    states = [model.index(row, PreviewColumn.STATE).data() for row in range(3)]
    assert states == ["Ready", "Invalid", "Ready"]
    assert model.index(1, PreviewColumn.MESSAGE).data() == (
        "template.composition: 'Outr0' is not a composition of promo.aep; closest: 'Outro'"
    )

    # A project the reader cannot read: every row is sent all the same, each with a warning.
    cs6 = Path(shutil.copy(FIXTURES / "unreadable" / "01-lottieweb-helperproject.aep", tmp_path))
    dialog = _batch(qtbot, engine, cs6, data)
    qloop.run_until_complete(dialog.load_data(data))
    qloop.run_until_complete(dialog.build_preview())
    model = dialog.result_page.model
    assert [model.index(row, PreviewColumn.STATE).data() for row in range(3)] == ["Ready"] * 3
    assert all(
        model.index(row, PreviewColumn.MESSAGE).data().startswith("⚠ the composition was not")
        for row in range(3)
    )
    summary = dialog.result_page.summary.text().split("\n")
    assert summary[0] == "3 rows: 3 ready to send."
    assert summary[1] == (
        "⚠ 3 ready rows with a warning (sent all the same; shown in yellow): the composition "
        f"was not checked, the project could not be read ({cs6}: was saved by After Effects "
        "11.0x122 (CS6 or older); projects of After Effects CC 2014 (13.0) and newer can be "
        "read: open it in a newer After Effects and save it again); the job is rendered as "
        "given, in case aerender reads it"
    )
    assert dialog.submit_button.isEnabled()


def test_closing_new_render_mid_read_leaves_no_error_and_the_read_is_kept(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    project = make_comp_project(tmp_path / "large.aep", COMPS)
    gate = threading.Event()
    services = _HeldCatalog(engine.ctx, gate)
    dialog = BatchDialog(services, connections=engine.ctx.connections.list(), single=True)
    dialog.show()
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData("local"))
    form = dialog.source.project_form
    dialog.source.choose_project(project)
    _run(qloop, lambda: form.project_status.text().startswith("Reading project…"))
    deleted: list[bool] = []
    dialog.destroyed.connect(lambda *_: deleted.append(True))
    dialog.deleteLater()
    _run(qloop, lambda: deleted)
    gate.set()
    _run(qloop, lambda: services.projects.kept(project) is not None)
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
