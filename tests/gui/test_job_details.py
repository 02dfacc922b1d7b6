"""The job details panel: every field, a render's log followed live, and output actions that
open what exists (and a fresh link for Rendley) or say why they cannot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import qasync
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.engine.pool import RenderPool
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService
from render_manager.ui.details import output_actions
from render_manager.ui.details.panel import NO_JOB, JobDetails
from tests.engine.fixtures import Engine
from tests.fakes import rendley
from tests.fakes.rendley import FakeRendley, export_body
from tests.gui.conftest import make_job


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What the panel asked the desktop to open, instead of launching anything."""
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(QUrl(url))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return urls


@pytest.fixture
def no_file_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """No freedesktop file manager answers, whatever this machine's session bus offers."""
    monkeypatch.setattr(output_actions, "_show_items_over_dbus", lambda *_args: False)


def _panel(qtbot: QtBot, ctx: AppContext, services: AppServices | None = None) -> JobDetails:
    details = JobDetails(services or AppServices(ctx))
    qtbot.addWidget(details)
    details.resize(520, 700)
    details.show()
    return details


def _pool(engine: Engine) -> RenderPool:
    return RenderPool(
        engine.ctx.db, engine.ctx.home, engine.connection, command="test", poll_interval=0.05
    )


async def _rendered(engine: Engine) -> Job:
    ((_, job_id),) = engine.submit(engine.job_body(outputExt="mov")).jobs
    await _pool(engine).run(until_idle=True)
    job = await asyncio.to_thread(engine.ctx.jobs.get, job_id)
    assert job is not None
    assert job.status is JobStatus.FINISHED, job.error
    return job


# -- local jobs ------------------------------------------------------------------------------


def test_a_finished_render_shows_every_field_and_its_log(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    details = _panel(qtbot, engine.ctx)

    async def scenario() -> Job:
        job = await _rendered(engine)
        details.show_job(job)
        await _until(lambda: "Finished composition" in details.log_view.toPlainText())
        return job

    job = qloop.run_until_complete(scenario())
    record = engine.local.get(job.id)
    assert record is not None
    values = {key: label.text() for key, label in details.values.items()}
    assert details.title.text() == job.name
    assert values["Status"] == "Finished"
    assert values["Connection"] == "local"
    assert values["ID"] == job.id
    assert values["Progress"] == "100 %"
    assert values["Output"] == job.output
    assert values["Error"] == "—"
    assert values["Work folder"] == record.work_dir
    assert values["Log file"] == record.log_path
    assert values["Attempts"] == "1"
    assert details.log_box.isVisible()
    assert str(record.log_path) in details.log_label.text()


def test_the_log_follows_a_running_render_on_its_own(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, fake_env: pytest.MonkeyPatch
) -> None:
    fake_env.setenv("FAKE_AERENDER_FRAME_DELAY", "0.05")
    fake_env.setenv("FAKE_AERENDER_COMP_FRAMES", "60")
    details = _panel(qtbot, engine.ctx)
    ((_, job_id),) = engine.submit(engine.job_body()).jobs

    def lines() -> int:
        return details.log_view.document().blockCount()

    async def scenario() -> None:
        pool = _pool(engine)
        running = asyncio.create_task(pool.run(until_idle=True))

        def started() -> bool:
            record = engine.local.get(job_id)
            return record is not None and record.log_path is not None and record.pid is not None

        await _until(started)
        job = await asyncio.to_thread(engine.ctx.jobs.get, job_id)
        assert job is not None
        assert job.status is JobStatus.RENDERING
        # Shown once: from here on the panel reads the growing log by itself.
        details.show_job(job)
        await _until(lambda: "Starting composition" in details.log_view.toPlainText())
        seen = lines()
        await _until(lambda: lines() > seen + 2)
        await running
        finished = await asyncio.to_thread(engine.ctx.jobs.get, job_id)
        assert finished is not None
        details.show_job(finished)
        await _until(lambda: "Finished composition" in details.log_view.toPlainText())

    qloop.run_until_complete(scenario())
    assert details.values["Status"].text() == "Finished"


def test_a_queued_job_says_it_has_no_log_yet(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine
) -> None:
    details = _panel(qtbot, engine.ctx)
    ((_, job_id),) = engine.submit(engine.job_body()).jobs
    job = engine.ctx.jobs.get(job_id)

    async def scenario() -> None:
        details.show_job(job)
        await _until(lambda: "has not started" in details.log_view.placeholderText())

    qloop.run_until_complete(scenario())
    assert details.values["Status"].text() == "Queued"
    assert details.values["Log file"].text() == "—"


def test_open_reveal_and_copy_act_on_the_rendered_file(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    opened: list[QUrl],
    no_file_manager: None,
) -> None:
    details = _panel(qtbot, engine.ctx)
    actions = details.output_actions

    async def scenario() -> Job:
        job = await _rendered(engine)
        details.show_job(job)
        actions.open_output.trigger()
        await _until(lambda: len(opened) == 1)
        actions.reveal.trigger()
        await _until(lambda: len(opened) == 2)
        actions.copy_link.trigger()
        await _until(lambda: "Copied" in details.message.text())
        return job

    job = qloop.run_until_complete(scenario())
    output = Path(str(job.output))
    assert opened[0] == QUrl.fromLocalFile(str(output))
    # No file manager to select the file: its folder opens instead.
    assert opened[1] == QUrl.fromLocalFile(str(output.parent))
    assert QGuiApplication.clipboard().text() == str(output)
    assert actions.copy_link.text() == "Copy output &path"


def test_an_output_that_is_gone_is_not_opened_and_the_user_is_told(
    qtbot: QtBot, qloop: qasync.QEventLoop, engine: Engine, opened: list[QUrl]
) -> None:
    details = _panel(qtbot, engine.ctx)

    async def scenario() -> Job:
        job = await _rendered(engine)
        Path(str(job.output)).unlink()
        details.show_job(job)
        details.output_actions.open_output.trigger()
        await _until(lambda: "no longer there" in details.message.text())
        return job

    job = qloop.run_until_complete(scenario())
    assert opened == []
    assert str(job.output) in details.message.text()


def test_a_render_still_running_has_no_output_to_open(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext, opened: list[QUrl]
) -> None:
    details = _panel(qtbot, ctx)
    job = make_job(1, raw_status="rendering", progress=37.5)

    async def scenario() -> None:
        details.show_job(job)
        details.output_actions.open_output.trigger()
        await _until(lambda: bool(details.message.text()))

    qloop.run_until_complete(scenario())
    assert opened == []
    assert details.message.text() == "promo_00001 has no output yet: it is still rendering (37 %)."


# -- remote jobs -----------------------------------------------------------------------------


@pytest.fixture
def rendley_remote(ctx: AppContext) -> tuple[AppServices, FakeRendley]:
    fake = FakeRendley()
    ctx.connections.add(Connection(name="rendley", kind=BackendKind.RENDLEY))
    ctx.keychain.set("rendley", rendley.TOKEN)

    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return fake.transport()

    return AppServices(ctx, transport_for=transport_for), fake


async def _finished_export(ctx: AppContext, remote: JobService, fake: FakeRendley) -> Job:
    ((_, job_id),) = (await remote.submit("rendley", [export_body()])).jobs
    fake.advance(job_id)
    fake.advance(job_id)
    await remote.refresh("rendley")
    job = await asyncio.to_thread(ctx.jobs.get, job_id)
    assert job is not None
    assert job.output is not None
    return job


def test_a_rendley_link_is_fetched_again_before_it_is_opened_or_copied(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    rendley_remote: tuple[AppServices, FakeRendley],
    opened: list[QUrl],
) -> None:
    services, fake = rendley_remote
    remote = services.job_service
    details = _panel(qtbot, ctx, services)
    actions = details.output_actions

    async def scenario() -> Job:
        job = await _finished_export(ctx, remote, fake)
        fake.expire_links()  # the stored link is dead by now
        details.show_job(job)
        actions.open_output.trigger()
        await _until(lambda: len(opened) == 1)
        fake.expire_links()
        actions.copy_link.trigger()
        await _until(lambda: "Copied" in details.message.text())
        await remote.aclose()
        return job

    job = qloop.run_until_complete(scenario())
    assert job.output is not None
    assert job.output.endswith("?expires=1")
    assert opened == [QUrl(f"https://storage.rendley.com/exports/{job.id}.mp4?expires=2")]
    assert QGuiApplication.clipboard().text().endswith("?expires=3")
    assert details.values["Output"].text() == job.output
    assert actions.open_output.text() == "&Open output link"
    assert not actions.reveal.isEnabled()  # a link has no folder
    assert not details.log_box.isVisible()


def test_a_rendley_link_that_cannot_be_refreshed_is_not_opened(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    ctx: AppContext,
    rendley_remote: tuple[AppServices, FakeRendley],
    opened: list[QUrl],
) -> None:
    services, fake = rendley_remote
    remote = services.job_service
    details = _panel(qtbot, ctx, services)

    async def scenario() -> None:
        job = await _finished_export(ctx, remote, fake)
        del fake.jobs[job.id]
        details.show_job(job)
        details.output_actions.open_output.trigger()
        await _until(lambda: "could not be refreshed" in details.message.text())
        await remote.aclose()

    qloop.run_until_complete(scenario())
    assert opened == []
    assert "stored one was not used" in details.message.text()


def test_a_failed_remote_job_shows_its_whole_error_verbatim(
    qtbot: QtBot, qloop: qasync.QEventLoop, ctx: AppContext
) -> None:
    details = _panel(qtbot, ctx)
    error = "render_failed: layer <Title> missing\nat frame 12 of 250"
    job = make_job(2, raw_status="failed", error=error).with_changes(connection="rendley")

    async def scenario() -> None:
        details.show_job(job)
        await asyncio.sleep(0)

    qloop.run_until_complete(scenario())
    assert details.values["Error"].text() == error
    assert details.values["Status"].text() == "Failed"


def test_nothing_selected_disables_the_actions(qtbot: QtBot, ctx: AppContext) -> None:
    details = _panel(qtbot, ctx)
    actions = details.output_actions

    assert details.title.text() == NO_JOB
    assert not any(action.isEnabled() for action in actions.actions())
    assert [a.shortcut().toString() for a in actions.actions()] == [
        "Ctrl+O",
        "Ctrl+Shift+R",
        "Ctrl+Shift+C",
    ]
