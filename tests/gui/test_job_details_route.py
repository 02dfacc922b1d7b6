"""The job details say which route a local render took to aerender."""

from __future__ import annotations

import asyncio
from pathlib import Path

import py_aep
import pytest
import qasync
from pytestqt.qtbot import QtBot

from render_manager.domain.status import JobStatus
from tests.engine.fixtures import Engine
from tests.gui.test_job_details import _panel, _pool, _until


def test_a_rewritten_project_is_named_as_the_route_in_the_details(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    engine: Engine,
    fake_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    app = py_aep.new()
    main = app.project.root_folder.add_comp("Main", 640, 360, 1.0, 2.0, 25.0)
    main.add_text("Hello").name = "Title"
    project = tmp_path / "template" / "promo.aep"
    project.parent.mkdir()
    app.project.save(project)
    fake_env.setenv("FAKE_AERENDER_STOCK", "1")
    text = {"type": "data", "layerName": "Title", "property": "Source Text", "value": "Hi"}
    body = {"template": {"src": str(project), "composition": "Main"}, "assets": [text]}
    plain = {"template": {"src": str(project), "composition": "Main"}}
    (_, rewritten), (_, as_is) = engine.submit(body, plain).jobs
    details = _panel(qtbot, engine.ctx)

    async def shown(job_id: str) -> str:
        job = await asyncio.to_thread(engine.ctx.jobs.get, job_id)
        assert job is not None
        assert job.status is JobStatus.FINISHED, job.error
        details.show_job(job)
        # The local record (and with it the route) is read off the GUI thread.
        await _until(lambda: details._record is not None and details._record.job.id == job_id)
        return details.values["Render route"].text()

    async def scenario() -> tuple[str, str]:
        await _pool(engine).run(until_idle=True)
        return await shown(rewritten), await shown(as_is)

    assert qloop.run_until_complete(scenario()) == (
        "project rewrite (its own rewritten copy)",
        "plain (the project as submitted)",
    )
