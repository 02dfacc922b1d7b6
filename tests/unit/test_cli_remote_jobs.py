"""`renderctl cancel --batch`, `renderctl show` and `--team-view`, run in-process against the
fake Nexrender Cloud and Rendley services."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backend import KeyringBackend

from render_manager.domain.connection import Connection
from render_manager.domain.status import JobStatus
from render_manager.keychain import Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext
from render_manager.services.job_service import JobService
from tests.conftest import MemoryKeyring
from tests.fakes import cloud_home
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import FakeRendley, export_body
from tests.unit.cli_runner import Renderctl, renderctl_runner


@dataclass
class Fakes:
    cloud: FakeNexrenderCloud
    rendley: FakeRendley

    def transport_for(self, connection: Connection) -> httpx.AsyncBaseTransport:
        fake = self.cloud if connection.name == "cloud" else self.rendley
        return httpx.MockTransport(fake)  # type: ignore[arg-type]


@pytest.fixture
def fakes() -> Fakes:
    return Fakes(FakeNexrenderCloud(), FakeRendley())


@pytest.fixture
def ctx(home: Path, keychain: Keychain) -> Iterator[AppContext]:
    context = cloud_home(home, keychain)
    yield context
    context.close()


@pytest.fixture
def renderctl(
    ctx: AppContext,
    fakes: Fakes,
    memory_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Renderctl:
    """`renderctl ARGS...` in this process, its remote calls answered by the fakes."""
    monkeypatch.setattr("keyring.get_keyring", lambda: memory_keyring)
    return renderctl_runner(monkeypatch, capsys, fakes.transport_for)


def _remote(ctx: AppContext, fakes: Fakes) -> JobService:
    return AppServices(ctx, transport_for=fakes.transport_for).job_service


def _submit(ctx: AppContext, fakes: Fakes, name: str, bodies: list[dict[str, Any]]) -> Any:
    async def go() -> Any:
        remote = _remote(ctx, fakes)
        try:
            result = await remote.submit(name, bodies)
            await remote.refresh(name)
            return result
        finally:
            await remote.aclose()

    return asyncio.run(go())


def _cloud_body(name: str) -> dict[str, Any]:
    return {"name": name, "template": {"id": "tpl-1", "composition": "Main"}}


# -- cancel --batch ----------------------------------------------------------------------------


def test_cancel_batch_sends_one_request_for_a_cloud_batch(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    result = _submit(ctx, fakes, "cloud", [_cloud_body(f"Shot {n}") for n in range(1, 4)])

    cancelled = renderctl("cancel", "--batch", result.batch_id, "--json")

    assert (cancelled.code, cancelled.err) == (0, "")
    assert len(json.loads(cancelled.out)["cancelled"]) == 3
    assert fakes.cloud.count("POST", f"/batches/{result.batch_id}/cancel") == 1
    assert fakes.cloud.count("PATCH", "/jobs/*") == fakes.cloud.count("POST", "/jobs/cancel") == 0
    statuses = {j.status for j in ctx.jobs.list(batch_id=result.batch_id)}
    assert statuses == {JobStatus.CANCELLED}


def test_cancel_batch_names_the_job_the_cloud_would_not_cancel(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    result = _submit(ctx, fakes, "cloud", [_cloud_body("Shot 1"), _cloud_body("Shot 2")])
    rendering, queued = (job_id for _, job_id in result.jobs)
    fakes.cloud.start(rendering)

    cancelled = renderctl("cancel", "--batch", result.batch_id)

    assert cancelled.code == 1  # one job was not cancelled
    assert cancelled.out.splitlines() == [f"cancelled {queued}"]
    assert f"not cancelled {rendering}: Job is actively rendering" in cancelled.err.splitlines()
    assert fakes.cloud.count("POST", f"/batches/{result.batch_id}/cancel") == 1


# -- show --------------------------------------------------------------------------------------


def _finished_rendley_job(ctx: AppContext, fakes: Fakes) -> str:
    result = _submit(ctx, fakes, "rendley", [export_body("prj_1")])
    ((_, job_id),) = result.jobs
    fakes.rendley.advance(job_id)
    fakes.rendley.advance(job_id)
    _refresh(ctx, fakes, "rendley")
    job = ctx.jobs.get(job_id)
    assert job is not None
    assert job.status is JobStatus.FINISHED
    assert job.output is not None
    assert job.output.endswith("?expires=1")
    return job_id


def _refresh(ctx: AppContext, fakes: Fakes, name: str) -> None:
    async def go() -> None:
        remote = _remote(ctx, fakes)
        try:
            await remote.refresh(name)
        finally:
            await remote.aclose()

    asyncio.run(go())


def test_show_prints_a_rendley_link_read_afresh(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    job_id = _finished_rendley_job(ctx, fakes)
    fakes.rendley.expire_links()

    shown = renderctl("show", job_id)
    as_json = renderctl("show", job_id, "--json")

    fresh = f"https://storage.rendley.com/exports/{job_id}.mp4?expires=2"
    assert (shown.code, shown.err) == (0, "")
    assert f"output:       {fresh}" in shown.out.splitlines()
    data = json.loads(as_json.out)
    assert (data["output"], data["output_refreshed"]) == (fresh, True)


def test_show_falls_back_to_the_stored_link_with_a_note_when_it_cannot_be_refreshed(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    job_id = _finished_rendley_job(ctx, fakes)
    fakes.rendley.fail("GET", f"/v1/jobs/{job_id}", 404, times=2)

    shown = renderctl("show", job_id)
    as_json = renderctl("show", job_id, "--json")

    stored = f"https://storage.rendley.com/exports/{job_id}.mp4?expires=1"
    assert shown.code == 0
    assert f"output:       {stored}" in shown.out.splitlines()
    assert "could not be read afresh" in shown.err
    assert "may have expired" in shown.err
    data = json.loads(as_json.out)
    assert (data["output"], data["output_refreshed"]) == (stored, False)
    assert as_json.code == 0


def test_show_asks_nothing_of_back_ends_whose_links_last(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    result = _submit(ctx, fakes, "cloud", [_cloud_body("Shot 1")])
    ((_, job_id),) = result.jobs
    fakes.cloud.start(job_id)
    fakes.cloud.finish(job_id)
    _refresh(ctx, fakes, "cloud")
    before = len(fakes.cloud.calls)

    shown = renderctl("show", job_id, "--json")

    assert (shown.code, shown.err) == (0, "")
    data = json.loads(shown.out)
    assert data["output"] == f"https://outputs.nexrender.example/{job_id}.mp4"
    assert "output_refreshed" not in data
    assert len(fakes.cloud.calls) == before


# -- team view ---------------------------------------------------------------------------------


def test_team_view_is_set_on_a_cloud_connection_and_refused_elsewhere(
    renderctl: Renderctl, ctx: AppContext
) -> None:
    added = renderctl(
        "connection", "add", "team", "--kind", "nexrender-cloud", "--team-view", "--token-stdin",
        stdin="nx_other_token\n",
    )  # fmt: skip
    assert (added.code, added.err) == (0, "")
    assert ctx.connections.get("team").team_view is True

    turned_off = renderctl("connection", "set", "team", "--no-team-view")
    listed = {c["name"]: c for c in json.loads(renderctl("connection", "list", "--json").out)}

    assert turned_off.code == 0
    assert listed["team"]["team_view"] is False
    assert listed["rendley"]["team_view"] is None

    refused = renderctl("connection", "set", "rendley", "--team-view")
    assert refused.code == 2
    assert "team view applies only to nexrender-cloud connections" in refused.err
    assert ctx.connections.get("rendley").team_view is False


def test_refresh_with_the_team_view_on_lists_jobs_made_elsewhere(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes
) -> None:
    assert renderctl("connection", "set", "cloud", "--team-view").code == 0
    fakes.cloud.now = datetime.now(UTC) - timedelta(hours=1)  # made an hour ago
    elsewhere = fakes.cloud.add_job()

    refreshed = renderctl("refresh", "-c", "cloud")

    assert refreshed.code == 0
    assert "cloud: 1 changed, 1 active" in refreshed.out
    listed = json.loads(renderctl("jobs", "-c", "cloud", "--json").out)
    assert [j["id"] for j in listed] == [elsewhere.id]


def test_a_job_id_that_starts_with_a_dash_goes_after_double_dash(
    renderctl: Renderctl,
) -> None:
    # nexrender servers' nanoid uids can start with '-'.
    refused = renderctl("cancel", "-2sgJmdeVC5XHFlo")
    assert refused.code == 2
    assert "goes after '--'" in refused.err

    accepted = renderctl("cancel", "--json", "--", "-2sgJmdeVC5XHFlo")
    assert accepted.code != 2, accepted.err
    outcome = json.loads(accepted.out)
    assert outcome["skipped"] == [{"id": "-2sgJmdeVC5XHFlo", "reason": "no such job"}]


def test_a_failed_refresh_is_told_on_stderr_and_the_others_reported_on_stdout(
    renderctl: Renderctl, ctx: AppContext, fakes: Fakes, memory_keyring: MemoryKeyring
) -> None:
    _submit(ctx, fakes, "cloud", [_cloud_body("Shot 1")])
    memory_keyring.passwords[("render-manager", "cloud")] = "a-revoked-token"

    refreshed = renderctl("refresh")

    assert refreshed.code == 1
    assert refreshed.err.startswith("cloud: refresh failed: ")
    assert refreshed.out.splitlines() == ["rendley: 0 changed, 0 active (0 requests)"]
