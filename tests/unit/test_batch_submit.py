"""Batch submission: rows checked before sending, per-row outcomes, and retries that never
create a job twice, against the fake Nexrender Cloud and Rendley APIs and the real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.batch_data import (
    auto_mapping,
    cloud_template,
    prepare_rows,
    rendley_template,
    total_cost,
)
from render_manager.services.batch_submit import BatchSubmission, RowState
from render_manager.services.context import AppContext
from render_manager.services.data_files import read_data, single_row
from render_manager.services.job_templates import DataFileError, Row
from tests.engine.fixtures import Engine
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> AppContext:
    return cloud_home(home, keychain)


def _service(ctx: AppContext, fake: object) -> AppServices:
    def transport_for(_connection: Connection) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(fake)  # type: ignore[arg-type]

    return AppServices(ctx, transport_for=transport_for)


def _rows(*values: dict[str, str]) -> list[Row]:
    return [Row(i, v) for i, v in enumerate(values)]


def _cloud_submission(
    ctx: AppContext, service: AppServices, titles: list[str], **kwargs: Any
) -> BatchSubmission:
    template = cloud_template("TPL1", "Main", [("Title", "text")])
    prepared = prepare_rows(
        template,
        _rows(*({"title": t} for t in titles)),
        {"Title": "title"},
        BackendKind.NEXRENDER_CLOUD,
    )
    return service.submission(
        ctx.connections.get("cloud"),
        prepared,
        base_dir=Path.cwd(),
        batch_name="promo",
        **kwargs,
    )


# -- before anything is sent ------------------------------------------------------------------


def test_every_row_is_checked_and_each_bad_row_says_why() -> None:
    template = rendley_template("{{project}}", codec="{{codec}}")
    rows = [*_rows({"project": "prj_1", "codec": "h264"}, {"project": " ", "codec": "h264"})]
    rows.append(Row(2, {}, "line 4: 1 values for 2 columns"))
    prepared = prepare_rows(
        template, rows, {"project": "project", "codec": "codec"}, BackendKind.RENDLEY
    )
    assert [p.error for p in prepared] == [
        None,
        "project_id is required (the Rendley project to export)",
        "line 4: 1 values for 2 columns",
    ]
    assert prepared[0].body == {
        "project_id": "prj_1",
        "settings": {"target_resolution": "1080p", "codec": "h264"},
    }
    unmapped = prepare_rows(template, rows[:1], {"project": "project", "codec": None})
    assert unmapped[0].error == "{{codec}}: no column chosen"


def test_placeholders_map_to_columns_of_the_same_name_whatever_the_case() -> None:
    mapping = auto_mapping(["Title", "hero_image", "city"], ["title", "Hero Image", "country"])
    assert mapping == {"Title": "title", "hero_image": "Hero Image", "city": None}


def test_a_json_data_file_gives_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"title": "A", "count": 3}, {"title": "B", "extra": True}, 5]))
    table = read_data(path)
    assert table.columns == ("title", "count", "extra")
    assert [r.values for r in table.rows[:2]] == [
        {"title": "A", "count": "3"},
        {"title": "B", "extra": "true"},
    ]
    assert table.rows[2].error == "item 3 is not an object"
    path.write_text("{}")
    with pytest.raises(DataFileError, match="non-empty array"):
        read_data(path)


def test_prices_sum_only_when_every_row_has_one() -> None:
    assert total_cost([{"credits": 10}, {"credits": 2.5}]) == 12.5
    assert total_cost([{"credits": 10}, "not priced: 402"]) is None


# -- Nexrender Cloud ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_refused_rows_fail_alone_and_a_retry_sends_only_them(ctx: AppContext) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, fake)
    template = json.dumps(
        {"template": {"id": "TPL1", "composition": "Main"}, "settings": {"quality": "{{q}}"}}
    )
    prepared = prepare_rows(
        template, _rows({"q": "full"}, {"q": "ultra"}, {"q": "draft"}), {"q": "q"}
    )
    submission = service.submission(
        ctx.connections.get("cloud"), prepared, base_dir=Path.cwd(),
        batch_name="promo",
    )  # fmt: skip
    result = await submission.submit()
    assert result.status == "partial"
    assert [r.state for r in submission.rows] == [
        RowState.CREATED,
        RowState.FAILED,
        RowState.CREATED,
    ]
    assert "quality" in (submission.rows[1].error or "")
    assert len(fake.jobs) == 2

    # The retry meets the same refusal for that row; the two created rows are not sent again.
    await submission.retry_failed()
    assert len(fake.jobs) == 2
    assert [r.state for r in submission.rows].count(RowState.CREATED) == 2
    await service.aclose()


@pytest.mark.asyncio
async def test_a_lost_answer_is_looked_up_on_retry_never_sent_twice(ctx: AppContext) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, fake)
    submission = _cloud_submission(ctx, service, ["One", "Two", "Three"])
    # The batch is created, its answer lost, and the server stops answering the check too.
    fake.timeout_after_next("POST", "/batches")
    fake.fail_next(503, method="GET", path="/jobs", times=4, retry_after="0")
    result = await submission.submit()
    assert result.status == "error"
    assert {r.state for r in submission.rows} == {RowState.UNKNOWN}
    assert "unknown" in (submission.rows[0].error or "")
    assert len(fake.jobs) == 3  # they do exist

    posts = fake.count("POST")
    await submission.retry_failed()
    assert fake.count("POST") == posts, "nothing was sent again"
    assert len(fake.jobs) == 3
    assert [r.state for r in submission.rows] == [RowState.CREATED] * 3
    assert {r.job_id for r in submission.rows} == set(fake.jobs)
    stored = {j.id: j for j in ctx.jobs.list(connection="cloud")}
    assert set(stored) == set(fake.jobs)
    assert all(not any(t.startswith("rm-") for t in j.tags) for j in stored.values())
    await service.aclose()


@pytest.mark.asyncio
async def test_a_request_that_failed_before_the_server_acted_is_sent_again(
    ctx: AppContext,
) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, fake)
    submission = _cloud_submission(ctx, service, ["One", "Two"])
    fake.fail_next(503, method="POST", path="/batches")
    await submission.submit()
    assert [r.state for r in submission.rows] == [RowState.FAILED] * 2
    assert "checked with the server" in (submission.rows[0].error or "")
    assert fake.jobs == {}

    result = await submission.retry_failed()
    assert result.status == "created"
    assert len(fake.jobs) == 2
    names = sorted(j.name for j in ctx.jobs.list(connection="cloud"))
    assert names == ["promo #1", "promo #2"]
    await service.aclose()


@pytest.mark.asyncio
async def test_stopping_between_chunks_leaves_the_rest_to_send_later(ctx: AppContext) -> None:
    fake = FakeNexrenderCloud()
    service = _service(ctx, fake)
    submission = _cloud_submission(ctx, service, ["A", "B", "C", "D", "E"], chunk_size=2)
    progress: list[tuple[int, int]] = []

    def on_progress(done: int, total: int, _changed: list[int]) -> None:
        progress.append((done, total))

    await submission.submit(on_progress=on_progress, should_stop=lambda: len(progress) >= 1)
    assert progress == [(2, 5), (4, 5), (5, 5)]
    states = [r.state for r in submission.rows]
    assert states == [RowState.CREATED] * 2 + [RowState.NOT_SENT] * 3
    assert len(fake.jobs) == 2

    result = await submission.retry_failed()
    assert result.status == "created"
    assert len(fake.jobs) == 5
    assert [i for i, _ in result.jobs] == [0, 1, 2, 3, 4]
    await service.aclose()


# -- Rendley ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_rendley_prices_first_and_holds_back_rows_it_cannot_check(
    ctx: AppContext,
) -> None:
    fake = FakeRendley(export_price=7)
    service = _service(ctx, fake)
    template = rendley_template("{{project}}")
    prepared = prepare_rows(
        template, _rows({"project": "prj_1"}, {"project": "prj_2"}), {"project": "project"}
    )
    prices = await service.job_service.cost("rendley", [p.body for p in prepared])
    assert prices is not None
    assert total_cost([price for _, price in prices]) == 14
    assert fake.jobs == {}, "pricing starts nothing"

    submission = service.submission(
        ctx.connections.get("rendley"), prepared, base_dir=Path.cwd(),
        batch_name="exports",
    )  # fmt: skip
    # The second export is created but its answer is lost, and the job list cannot be read.
    fake.timeout_after_create(after=1)
    fake.fail("GET", "/v1/jobs", 503, times=4, after=2, retry_after="0")
    await submission.submit()
    assert [r.state for r in submission.rows] == [RowState.CREATED, RowState.UNKNOWN]
    assert len(fake.jobs) == 2

    await submission.retry_failed()
    assert submission.rows[1].state is RowState.UNKNOWN, "Rendley cannot be asked: held back"
    assert len(fake.jobs) == 2

    await submission.retry_failed(include_unknown=True)  # the user checked and said resend
    assert submission.rows[1].state is RowState.CREATED
    assert len(fake.jobs) == 3
    (batch,) = {j.batch_id for j in ctx.jobs.list(connection="rendley")}
    assert batch is not None, "a retried row joins the same batch"
    await service.aclose()


# -- local engine --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_local_rows_with_missing_files_are_held_back_and_the_rest_queued(
    engine: Engine, tmp_path: Path
) -> None:
    template = json.dumps({"template": {"src": "{{project}}", "composition": "Main"}})
    rows = _rows({"project": str(engine.project)}, {"project": str(tmp_path / "gone.aep")})
    prepared = prepare_rows(template, rows, {"project": "project"}, BackendKind.LOCAL)
    submission = AppServices(engine.ctx).submission(
        engine.connection, prepared, base_dir=tmp_path, batch_name="local batch"
    )
    assert await submission.check_files() == [1]
    assert "gone.aep does not exist" in (submission.rows[1].error or "")

    held = await submission.submit(skip_invalid=False)
    assert held.status == "error"
    assert engine.ctx.jobs.list() == []

    result = await submission.submit(skip_invalid=True)
    assert result.status == "partial"
    assert [i for i, _ in result.jobs] == [0]
    assert [j.id for j in engine.ctx.jobs.list()] == [submission.rows[0].job_id]


@pytest.mark.asyncio
async def test_the_preview_checks_an_encode_input_as_submission_does(
    engine: Engine, tmp_path: Path
) -> None:
    shutil.copytree(SAMPLES / "sequence", tmp_path / "sequence")
    (tmp_path / "empty.mov").touch()
    template = json.dumps({"type": "encode", "input": "{{input}}", "preset": "mp4"})
    rows = _rows({"input": "sequence/result_[#####].png"}, {"input": "empty.mov"})
    prepared = prepare_rows(template, rows, {"input": "input"}, BackendKind.LOCAL)
    submission = AppServices(engine.ctx).submission(
        engine.connection, prepared, base_dir=tmp_path, batch_name="encodes"
    )
    # A rendered image sequence is a valid input; an empty movie is not.
    assert await submission.check_files() == [1]
    assert submission.rows[0].state is RowState.READY, submission.rows[0].error
    assert "empty.mov is empty (0 bytes)" in (submission.rows[1].error or "")

    result = await submission.submit(skip_invalid=True)
    assert [i for i, _ in result.jobs] == [0]
    (job,) = engine.ctx.jobs.list()
    assert job.name == "Encode result_[#####].png"


def test_a_single_row_comes_from_the_form() -> None:
    table = single_row({"title": "Hello"})
    assert table.columns == ("title",)
    (row,) = prepare_rows('{"template": {"id": "T"}, "name": "{{title}}"}', table.rows)
    assert row.body == {"template": {"id": "T"}, "name": "Hello"}
