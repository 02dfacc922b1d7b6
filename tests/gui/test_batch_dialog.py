"""The batch dialog: templates from the back-end, data mapped to placeholders, a preview that
checks every row, and a send whose failed rows can be retried without duplicates."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import qasync
from openpyxl import Workbook
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.services.app_services import AppServices
from render_manager.services.batch_data import prepare_rows
from render_manager.services.batch_submit import RowState
from render_manager.services.context import AppContext
from render_manager.services.job_templates import Row
from render_manager.ui.submit.dialog import DATA, PREVIEW, SOURCE, BatchDialog
from render_manager.ui.submit.preview_model import STATE_ROLE, PreviewColumn, PreviewModel
from tests.engine.fixtures import Engine
from tests.fakes import nexrender_cloud, rendley
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley
from tests.unit.helpers.comp_projects import Comp, make_comp_project

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _service(ctx: AppContext, fake: object) -> AppServices:
    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(fake)  # type: ignore[arg-type]

    return AppServices(ctx, transport_for=transport_for)


class _Woken(AppServices):
    """Services whose engine records each wake-up call."""

    def __init__(self, ctx: AppContext, woken: list[bool]) -> None:
        super().__init__(ctx)
        self._woken = woken

    def wake_engine(self) -> None:
        self._woken.append(True)


def _dialog(qtbot: QtBot, services: AppServices, **kw: object) -> BatchDialog:
    connections = services.ctx.connections.list()
    dialog = BatchDialog(services, connections=connections, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _choose(dialog: BatchDialog, name: str) -> None:
    combo = dialog.source.connection
    combo.setCurrentIndex(combo.findData(name))


def test_the_preview_model_is_a_sound_qt_model(qtmodeltester: ModelTester, ctx: AppContext) -> None:
    template = '{"template": {"src": "{{project}}", "composition": "Main"}}'
    rows = [Row(0, {"project": "/p/a.aep"}), Row(1, {}, "line 3: 1 values for 2 columns")]
    prepared = prepare_rows(template, rows, {"project": "project"}, BackendKind.LOCAL)
    submission = AppServices(ctx).submission(
        ctx.connections.get("local"), prepared, base_dir=ctx.home, batch_name="b"
    )
    model = PreviewModel()
    model.set_rows(submission.rows, ("project",))
    qtmodeltester.check(model)
    assert model.index(1, PreviewColumn.ROW).data() == "2"
    assert model.index(1, PreviewColumn.STATE).data() == "Invalid"
    assert model.index(1, PreviewColumn.MESSAGE).data() == "line 3: 1 values for 2 columns"
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.headerData(3, Qt.Orientation.Horizontal) == "project"
    submission.rows[0].state, submission.rows[0].job_id = RowState.CREATED, "JOB1"
    model.rows_changed([0])
    assert model.index(0, PreviewColumn.MESSAGE).data() == "JOB1"
    assert model.index(0, 0).data(STATE_ROLE) == RowState.CREATED


# -- Rendley: price first, partial success, retry only the failed row ---------------------------


@pytest.fixture
def rendley_ctx(ctx: AppContext) -> AppContext:
    ctx.connections.add(Connection(name="rendley", kind=BackendKind.RENDLEY))
    ctx.keychain.set("rendley", rendley.TOKEN)
    return ctx


def test_a_batch_is_priced_checked_sent_and_its_failed_row_retried(
    qtbot: QtBot, qloop: qasync.QEventLoop, rendley_ctx: AppContext, tmp_path: Path
) -> None:
    fake = FakeRendley(export_price=10)
    services = _service(rendley_ctx, fake)
    dialog = _dialog(qtbot, services)
    _choose(dialog, "rendley")
    assert '"project_id": "{{project_id}}"' in dialog.source.template_text()
    data = tmp_path / "exports.csv"
    data.write_text("project_id,title\nprj_1,One\nprj_2,Two\nprj_3\nprj_4,Four\n")
    created: list[list[str]] = []
    dialog.submitted.connect(created.append)

    async def scenario() -> None:
        dialog.next.click()
        assert dialog.pages.currentIndex() == DATA
        await dialog.load_data(data)
        assert dialog.data_page.combo("project_id").currentText() == "project_id"
        await dialog.build_preview()
        assert dialog.pages.currentIndex() == PREVIEW
        page = dialog.result_page
        assert page.cost.text() == "Cost: 30 credits for 3 exports."
        assert fake.jobs == {}, "nothing is sent before Submit"
        model = page.model
        assert model.index(2, PreviewColumn.STATE).data() == "Invalid"
        assert "1 value for 2 columns" in model.index(2, PreviewColumn.MESSAGE).data()
        assert page.summary.text().startswith("4 rows: 3 ready to send, 1 invalid")

        await dialog.send()  # invalid rows are not skipped without the user saying so
        assert fake.jobs == {}
        assert "Skip invalid rows" in dialog.status.text()

        page.skip_invalid.setChecked(True)
        fake.fail("POST", "/v1/export", 400, after=1, message="settings.codec is not allowed")
        await dialog.send()
        states = [model.index(r, PreviewColumn.STATE).data() for r in range(4)]
        assert states == ["Created", "Failed", "Invalid", "Created"]
        assert "codec is not allowed" in model.index(1, PreviewColumn.MESSAGE).data()
        assert page.retry.isVisible()
        assert len(fake.jobs) == 2
        assert not dialog.submit_button.isEnabled(), "a batch is sent once"
        assert not dialog.back.isEnabled(), "a new preview would send the rows again"

        page.retry.click()
        await _until(lambda: not dialog.sending and len(created) == 2)
        assert model.index(1, PreviewColumn.STATE).data() == "Created"
        assert len(fake.jobs) == 3, "only the failed row was sent again"
        assert not page.retry.isVisible()
        assert page.summary.text() == "4 rows: 3 created, 1 invalid, not sent."
        await services.aclose()

    qloop.run_until_complete(scenario())
    assert [len(ids) for ids in created] == [2, 1]
    stored = {j.id for j in rendley_ctx.jobs.list(connection="rendley")}
    assert stored == set(fake.jobs)


# -- Nexrender Cloud: templates, compositions and layers from the API ----------------------------


def test_cloud_templates_offer_compositions_and_layers_that_take_columns(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, tmp_path: Path
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    ctx.keychain.set("cloud", nexrender_cloud.TOKEN)
    fake = FakeNexrenderCloud()
    fake.add_template(
        "Promo",
        compositions=["Main", "Square"],
        layers=[{"name": "Title", "type": "text"}, {"name": "Hero", "type": "image"}],
    )
    services = _service(ctx, fake)
    dialog = _dialog(qtbot, services)
    data = tmp_path / "promo.json"
    data.write_text('[{"title": "Spring", "hero": "https://cdn.example/a.png"}]')

    async def scenario() -> None:
        _choose(dialog, "cloud")
        await _until(lambda: dialog.source.layers.count() == 2)
        assert dialog.source.cloud_template.currentText() == "Promo"
        dialog.source.cloud_composition.setCurrentText("Square")
        for n in range(2):
            dialog.source.layers.item(n).setCheckState(Qt.CheckState.Checked)
        text = dialog.source.template_text()
        assert '"composition": "Square"' in text
        assert '"value": "{{Title}}"' in text
        assert '"src": "{{Hero}}"' in text
        dialog.next.click()
        await dialog.load_data(data)
        assert dialog.data_page.mapping() == {"Title": "title", "Hero": "hero"}
        await dialog.build_preview()
        assert dialog.result_page.model.index(0, PreviewColumn.STATE).data() == "Ready"
        await dialog.send()
        assert len(fake.jobs) == 1
        (job,) = fake.jobs.values()
        assert job.body["assets"][0]["value"] == "Spring"
        assert job.body["template"]["composition"] == "Square"
        await services.aclose()

    qloop.run_until_complete(scenario())


# -- local engine: New render with one typed row ---------------------------------------------------


def test_new_render_queues_one_local_job_and_wakes_the_engine(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    woken: list[bool] = []

    def fill_in(dialog: BatchDialog) -> None:
        _choose(dialog, "local")
        dialog.source.aep.setText(str(engine.project))
        dialog.source.composition.setText("Main")
        dialog.source.text_layers.setText("Title")
        dialog.next.click()
        dialog.data_page.edit("Title").setText("Hello")

    # Layer data needs a script inside After Effects: the preview says so before sending.
    refused = _dialog(qtbot, AppServices(engine.ctx), single=True)
    fill_in(refused)
    qloop.run_until_complete(refused.build_preview())
    assert "--script-injection" in refused.result_page.model.index(0, PreviewColumn.MESSAGE).data()
    assert not refused.submit_button.isEnabled()

    engine.configure(script_injection=True)
    dialog = _dialog(qtbot, _Woken(engine.ctx, woken), single=True)
    assert dialog.windowTitle() == "New render"
    fill_in(dialog)
    dialog.back.click()
    dialog.next.click()
    assert dialog.data_page.edit("Title").text() == "Hello", "typed values survive Back"

    async def scenario() -> None:
        await dialog.build_preview()
        await dialog.send()

    qloop.run_until_complete(scenario())
    (job,) = engine.ctx.jobs.list()
    assert job.name == "Main"
    assert woken == [True]
    assert dialog.result_page.model.index(0, PreviewColumn.MESSAGE).data() == job.id
    assert dialog.close_button.text() == "Close"


def test_a_missing_project_file_is_caught_in_the_preview(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, AppServices(engine.ctx), single=True)
    _choose(dialog, "local")
    dialog.source.aep.setText(str(tmp_path / "moved.aep"))
    dialog.source.composition.setText("Main")
    dialog.next.click()
    qloop.run_until_complete(dialog.build_preview())
    message = dialog.result_page.model.index(0, PreviewColumn.MESSAGE).data()
    assert "moved.aep does not exist" in message
    assert not dialog.submit_button.isEnabled()


def test_the_preview_checks_an_encode_input_as_the_engine_reads_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    shutil.copytree(SAMPLES / "sequence", tmp_path / "sequence")
    (tmp_path / "empty.mov").touch()
    dialog = _dialog(qtbot, AppServices(engine.ctx), single=True)
    _choose(dialog, "local")
    encode = {"type": "encode", "input": "{{input}}", "preset": "mp4"}
    dialog.source.template.setPlainText(json.dumps(encode))
    dialog.next.click()
    model = dialog.result_page.model

    # A rendered image sequence is what an encode reads: the row is ready to send.
    dialog.data_page.edit("input").setText(str(tmp_path / "sequence" / "result_[#####].png"))
    qloop.run_until_complete(dialog.build_preview())
    assert model.index(0, PreviewColumn.STATE).data() == "Ready", model.index(0, 1).data()
    assert dialog.submit_button.isEnabled()

    # An empty movie is refused here, not only once the row is sent.
    dialog.back.click()
    dialog.data_page.edit("input").setText(str(tmp_path / "empty.mov"))
    qloop.run_until_complete(dialog.build_preview())
    assert model.index(0, PreviewColumn.STATE).data() == "Invalid"
    assert "empty.mov is empty (0 bytes)" in model.index(0, PreviewColumn.MESSAGE).data()
    assert not dialog.submit_button.isEnabled()


# -- keyboard, drop and closing --------------------------------------------------------------------


def test_a_dropped_data_file_is_read_and_escape_asks_before_discarding_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, AppServices(ctx))
    _choose(dialog, "local")
    dialog.source.aep.setText("/projects/promo.aep")
    dialog.source.composition.setText("Main")
    dialog.source.text_layers.setText("Title")
    data = tmp_path / "titles.tsv"
    data.write_text("Title\tCity\nSpring\tParis\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(data))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.dropEvent(drop)
    qloop.run_until_complete(_until(lambda: dialog.data_page.table is not None))
    assert dialog.pages.currentIndex() == DATA
    assert dialog.data_page.summary.text() == "1 row, 2 columns (read as UTF-8, tab-separated)"
    assert dialog.data_page.mapping() == {"Title": "Title"}

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.confirmation
    assert box.isVisible()
    assert dialog.isVisible(), "nothing is discarded before the user agrees"
    box.button(QMessageBox.StandardButton.No).click()
    assert dialog.isVisible()
    dialog.reject()
    dialog.confirmation.button(QMessageBox.StandardButton.Yes).click()
    assert not dialog.isVisible()


def test_ctrl_return_walks_to_the_preview_and_next_says_what_is_missing(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, AppServices(ctx))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts reach the active window only
    _choose(dialog, "local")
    dialog.source.composition.setText("Main")
    dialog.source.template.setPlainText("")
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == SOURCE
    assert dialog.status.text() == "The job template is empty."
    dialog.source.regenerate(force=True)
    dialog.source.text_layers.setText("Title")  # the user's own edits were replaced above
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == DATA
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.pages.currentIndex() == DATA
    assert dialog.status.text() == "Choose a data file (or drop one on this window)."


# -- data files as spreadsheets write them ---------------------------------------------------------


def _real_project(engine: Engine) -> None:
    """Make the engine's project a real one holding "Main" with a "Title" text layer: its
    composition and the layer a row fills are checked."""
    engine.project.unlink()
    make_comp_project(engine.project, [Comp("Main", text_layers=("Title",))])


def _local_batch(qtbot: QtBot, engine: Engine, **kw: object) -> BatchDialog:
    engine.configure(script_injection=True)
    dialog = _dialog(qtbot, AppServices(engine.ctx), **kw)
    _choose(dialog, "local")
    dialog.source.aep.setText(str(engine.project))
    dialog.source.composition.setText("{{comp}}")
    dialog.source.text_layers.setText("Title")
    dialog.next.click()
    return dialog


def test_excel_unicode_text_previews_every_row_and_says_how_it_was_read(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    data = tmp_path / "versions.txt"
    # Excel's "Unicode Text": UTF-16 with a BOM, tabs, CRLF; a typed quote opens on line 3.
    lines = ["comp\tTitle", "Main\tÉté", 'Main\t"Hiver', "Main\tPrintemps", "Main\tAutomne"]
    data.write_bytes("\r\n".join(lines).encode("utf-16") + "\r\n".encode("utf-16-le"))
    dialog = _local_batch(qtbot, engine)

    async def scenario() -> None:
        await dialog.load_data(data)
        summary = dialog.data_page.summary.text()
        assert summary == "4 rows, 2 columns; 1 row cannot be read (read as UTF-16, tab-separated)"
        await dialog.build_preview()

    qloop.run_until_complete(scenario())
    page = dialog.result_page
    assert page.read_as.isVisible()
    assert page.read_as.text() == "versions.txt, read as UTF-16, tab-separated"
    assert page.model.rowCount() == 4, "every data line is a row: none vanished into the quote"
    assert page.summary.text().startswith("4 rows: 3 ready to send, 1 invalid")
    message = page.model.index(1, PreviewColumn.MESSAGE).data()
    assert message == 'line 3: a quote (") opens a cell here and is never closed'
    titles = [page.model.index(r, len(PreviewColumn) + 1).data() for r in range(4)]
    assert titles == ["Été", '"Hiver', "Printemps", "Automne"]


def test_a_workbook_of_several_sheets_offers_the_sheet_to_read(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Versions"
    first.append(["comp", "Title"])
    first.append(["Main", "Spring"])
    social = book.create_sheet("Social")
    social.append(["comp", "Title", "Ratio"])
    social.append(["Vertical", "Story EN", "9:16"])
    social.append(["Vertical", "Story DE", "9:16"])
    data = tmp_path / "versions.xlsx"
    book.save(data)
    dialog = _local_batch(qtbot, engine)
    page = dialog.data_page

    qloop.run_until_complete(dialog.load_data(data))
    assert page.sheet.isVisible()
    assert [page.sheet.itemText(n) for n in range(page.sheet.count())] == ["Versions", "Social"]
    assert page.summary.text() == "1 row, 2 columns (read as sheet 'Versions')"

    page.sheet.setFocus()
    qtbot.keyClick(page.sheet, Qt.Key.Key_Down)  # a closed combo box moves to the next item
    qloop.run_until_complete(
        _until(lambda: page.table is not None and page.table.sheet == "Social")
    )
    assert page.summary.text() == "2 rows, 3 columns (read as sheet 'Social')"
    assert page.mapping() == {"comp": "comp", "Title": "Title"}
    qloop.run_until_complete(dialog.build_preview())
    assert dialog.result_page.read_as.text() == "versions.xlsx, read as sheet 'Social'"
    assert dialog.result_page.model.rowCount() == 2

    del book["Social"]
    book.save(data)
    qloop.run_until_complete(dialog.load_data(data))
    assert not page.sheet.isVisible(), "one sheet: nothing to choose"


def test_the_preview_shows_names_whole_and_no_wide_empty_problem_column(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, tmp_path: Path
) -> None:
    names = ["Spring campaign 16x9 — Deutschland (30 s)", "Spring campaign 9x16 — Italia"]
    data = tmp_path / "versions.csv"
    data.write_text("comp,Title\n" + "".join(f"Main,{n}\n" for n in names))
    _real_project(engine)  # no warning to show: the problem column stays narrow
    dialog = _local_batch(qtbot, engine)
    qloop.run_until_complete(dialog.load_data(data))
    qloop.run_until_complete(dialog.build_preview())
    table = dialog.result_page.table
    title = len(PreviewColumn) + 1
    assert dialog.result_page.model.headerData(title, Qt.Orientation.Horizontal) == "Title"
    widest = max(table.fontMetrics().horizontalAdvance(n) for n in names)
    assert table.columnWidth(title) >= widest, "names are read whole"
    header = table.horizontalHeader()
    empty = table.columnWidth(PreviewColumn.MESSAGE)
    assert empty <= header.sectionSizeFromContents(PreviewColumn.MESSAGE).width() + 8
    assert empty < table.columnWidth(title)


# -- the composition field, and New render's words ------------------------------------------------


def test_an_empty_composition_is_asked_for_not_taken_from_a_placeholder(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, AppServices(ctx))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    _choose(dialog, "local")
    dialog.source.aep.setText("/projects/promo.aep")
    holder = dialog.source.composition.parentWidget()
    assert holder is not None
    form = holder.layout()
    assert isinstance(form, QFormLayout)
    label = form.labelForField(dialog.source.composition)
    assert isinstance(label, QLabel)
    assert label.text() == "Co&mposition (required):"
    assert '"composition": ""' in dialog.source.template_text(), "no made-up composition"
    dialog.next.click()
    assert dialog.pages.currentIndex() == SOURCE
    assert dialog.status.text() == (
        "Enter the composition to render: its name in the After Effects project."
    )
    assert dialog.source.composition.hasFocus()
    qtbot.keyClicks(dialog.source.composition, "Main")
    assert '"composition": "Main"' in dialog.source.template_text()
    dialog.next.click()
    assert dialog.pages.currentIndex() == DATA


def test_new_render_speaks_of_one_job_not_of_rows(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    _real_project(engine)
    dialog = _dialog(qtbot, AppServices(engine.ctx), single=True)
    _choose(dialog, "local")
    dialog.source.aep.setText(str(engine.project))
    dialog.source.composition.setText("Main")
    shown = [w.text() for w in dialog.source.findChildren(QLabel) if w.isVisible()]
    shown += [dialog.source.text_layers.placeholderText()]
    assert not [t for t in shown if "data" in t or "column" in t], shown
    dialog.next.click()
    heading = dialog.data_page.heading.text()
    assert heading == "The job template has no {{placeholders}}: there is nothing to fill in."
    qloop.run_until_complete(dialog.build_preview())
    page = dialog.result_page
    assert page.summary.text() == "The job is checked and ready to send."
    assert page.table.isColumnHidden(PreviewColumn.ROW), "one job has no row number"
    assert dialog.submit_button.toolTip() == "Send the job (Ctrl+Return)"
    qloop.run_until_complete(dialog.send())
    (job,) = engine.ctx.jobs.list()
    assert page.summary.text() == f"The job was created: {job.id}."
    width = page.table.columnWidth(PreviewColumn.MESSAGE)
    assert width >= page.table.fontMetrics().horizontalAdvance(job.id), "the job id reads whole"
    everything = " ".join(w.text() for w in dialog.findChildren(QLabel) if w.isVisible())
    assert "row" not in everything.lower(), everything
