"""The nexrender server back-end against the real open-source server (@nexrender/server).

A FakeWorker plays the render node: it picks jobs up and reports progress as the real
nexrender worker does. Every test starts with an empty server queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
import pytest_asyncio

from render_manager.backends.errors import JobGone, TokenRejected
from render_manager.backends.http import RetryPolicy
from render_manager.backends.nexrender_server import NexrenderServerBackend, SecretRejected
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from tests.integration.nexrender_server import FakeWorker, NexrenderServer

# Fast retries: a test that needs one should not wait seconds for it.
QUICK = RetryPolicy(attempts=2, base_delay_s=0.01, max_delay_s=0.05)


def _backend(
    server: NexrenderServer,
    secret: str | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> NexrenderServerBackend:
    connection = Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url=server.url)
    return NexrenderServerBackend(connection, secret, transport=transport, retry=QUICK)


@pytest_asyncio.fixture
async def backend(nexrender_server: NexrenderServer) -> AsyncIterator[NexrenderServerBackend]:
    """A back-end on the test server, with the right secret."""
    backend = _backend(nexrender_server, nexrender_server.secret)
    yield backend
    await backend.aclose()


def _body(composition: str, **extra: Any) -> dict[str, Any]:
    return {
        "template": {"src": "file:///projects/promo.aep", "composition": composition},
        "assets": [
            {"type": "data", "layerName": "title", "property": "Source Text", "value": "Hi"}
        ],
        **extra,
    }


async def _submit(backend: NexrenderServerBackend, *names: str) -> list[Job]:
    outcome = await backend.submit_many([_body(name) for name in names])
    assert outcome.errors == []
    return [job for _, job in outcome.jobs]


class Store:
    """What the app's store would hold: the last known state of each job."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self.jobs = {job.id: job for job in jobs}

    async def refresh(self, backend: NexrenderServerBackend) -> tuple[list[Job], int]:
        known = [job for job in self.jobs.values() if not job.is_terminal]
        outcome = await backend.refresh(known)
        assert outcome.problems == []
        for job in outcome.changed:
            self.jobs[job.id] = job
        return outcome.changed, outcome.requests


@pytest.mark.asyncio
async def test_submitted_jobs_are_queued_on_the_server_in_row_order(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    outcome = await backend.submit_many([_body("intro"), _body("main"), _body("outro")])

    assert outcome.status == "created"
    assert [row for row, _ in outcome.jobs] == [0, 1, 2]
    jobs = [job for _, job in outcome.jobs]
    assert [(j.name, j.status, j.raw_status) for j in jobs] == [
        ("intro", JobStatus.QUEUED, "queued"),
        ("main", JobStatus.QUEUED, "queued"),
        ("outro", JobStatus.QUEUED, "queued"),
    ]
    # The server holds exactly these jobs, under the uids the back-end reported.
    assert [job["uid"] for job in nexrender_server.jobs()] == [job.id for job in jobs]
    fetched = await backend.get(jobs[1].id)
    assert (fetched.id, fetched.name, fetched.status) == (jobs[1].id, "main", JobStatus.QUEUED)
    # Workers take the oldest queued job first: the first row renders first.
    async with FakeWorker(nexrender_server) as worker:
        picked = await worker.pickup()
    assert picked is not None
    assert picked["uid"] == jobs[0].id


@pytest.mark.asyncio
async def test_an_invalid_job_is_refused_on_its_row_with_the_servers_reason(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    no_composition = {"template": {"src": "file:///projects/promo.aep"}}
    bad_assets = _body("main", assets="not a list")

    outcome = await backend.submit_many([_body("good"), no_composition, bad_assets])

    assert outcome.status == "partial"
    assert [row for row, _ in outcome.jobs] == [0]
    errors = dict(outcome.errors)
    assert errors[1] == "the server refused the job: job must have template.composition defined"
    assert errors[2] == "the server refused the job: TypeError: job.assets.map is not a function"
    for message in errors.values():
        assert "node_modules" not in message
        assert "\n" not in message
    assert len(nexrender_server.jobs()) == 1


@pytest.mark.asyncio
async def test_a_wrong_secret_is_reported_as_a_rejected_secret(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    queued = await _submit(backend, "main")
    wrong = _backend(nexrender_server, "not-the-secret")
    missing = _backend(nexrender_server, None)
    try:
        with pytest.raises(SecretRejected, match="rejected the secret") as refused:
            await wrong.refresh(queued)
        with pytest.raises(SecretRejected, match="rejected the secret"):
            await wrong.submit_many([_body("intro")])
        with pytest.raises(SecretRejected, match="rejected the secret"):
            await wrong.cancel_many(queued)
        with pytest.raises(SecretRejected, match="needs a secret and none is stored"):
            await missing.get(queued[0].id)
    finally:
        await wrong.aclose()
        await missing.aclose()

    # The app treats it as a bad credential, and the message says where to fix it.
    assert isinstance(refused.value, TokenRejected)
    assert "renderctl connection set farm --token-stdin" in str(refused.value)
    # Nothing was created or removed with the wrong secret.
    assert [(job["uid"], job["state"]) for job in nexrender_server.jobs()] == [
        (queued[0].id, "queued")
    ]


@pytest.mark.asyncio
async def test_refresh_follows_a_worker_with_one_request_per_cycle(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    first, second = await _submit(backend, "intro", "outro")
    store = Store([first, second])
    async with FakeWorker(nexrender_server) as worker:
        assert await worker.pickup() is not None

        changed, requests = await store.refresh(backend)
        assert requests == 1
        assert [(j.id, j.status, j.raw_status) for j in changed] == [
            (first.id, JobStatus.RENDERING, "picked")
        ]

        (await worker.start()).raise_for_status()
        (await worker.step("render:dorender", 40)).raise_for_status()
        changed, requests = await store.refresh(backend)
        assert requests == 1
        assert [(j.id, j.raw_status, j.progress) for j in changed] == [
            (first.id, "render:dorender", 40.0)
        ]
        assert store.jobs[first.id].started_at is not None

        # Nothing moved: nothing is reported.
        assert await store.refresh(backend) == ([], 1)

        (await worker.step("render:dorender", 85.5)).raise_for_status()
        (await worker.finish()).raise_for_status()
        changed, requests = await store.refresh(backend)
        assert requests == 1
        assert [(j.id, j.status, j.progress) for j in changed] == [
            (first.id, JobStatus.FINISHED, 100.0)
        ]
        assert store.jobs[first.id].finished_at is not None

        # The real worker sends its JavaScript Error object, which arrives as {}.
        assert await worker.pickup() is not None
        (await worker.start()).raise_for_status()
        (await worker.fail({})).raise_for_status()
    changed, requests = await store.refresh(backend)
    assert requests == 1
    assert [(j.id, j.status, j.error) for j in changed] == [
        (second.id, JobStatus.FAILED, "the worker reported an error without a message")
    ]
    # Both jobs are terminal now: a refresh has nothing to ask the server.
    assert await store.refresh(backend) == ([], 0)


@pytest.mark.asyncio
async def test_a_failed_render_shows_the_workers_message(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    (job,) = await _submit(backend, "main")
    async with FakeWorker(nexrender_server) as worker:
        assert await worker.pickup() is not None
        (await worker.start()).raise_for_status()
        (await worker.fail("Error: aerender exited with code 1")).raise_for_status()

    fetched = await backend.get(job.id)
    assert (fetched.status, fetched.raw_status) == (JobStatus.FAILED, "error")
    assert fetched.error == "Error: aerender exited with code 1"
    assert fetched.finished_at is not None


@pytest.mark.asyncio
async def test_cancel_removes_a_queued_job_from_the_server(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    keep, drop = await _submit(backend, "keep", "drop")

    outcome = await backend.cancel_many([drop])

    assert outcome.skipped == []
    assert [(j.id, j.status, j.raw_status) for j in outcome.cancelled] == [
        (drop.id, JobStatus.CANCELLED, "removed")
    ]
    assert [job["uid"] for job in nexrender_server.jobs()] == [keep.id]
    with pytest.raises(JobGone):
        await backend.get(drop.id)
    # No worker can pick it any more: the next pickup is the other job.
    async with FakeWorker(nexrender_server) as worker:
        picked = await worker.pickup()
        assert picked is not None
        assert picked["uid"] == keep.id
        assert await worker.pickup() is None


@pytest.mark.asyncio
async def test_cancel_refuses_a_job_a_worker_picked_meanwhile(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    (job,) = await _submit(backend, "main")
    async with FakeWorker(nexrender_server) as worker:
        assert await worker.pickup() is not None
        # The app still believes the job is queued (its last refresh was before the pickup).
        assert job.raw_status == "queued"

        outcome = await backend.cancel_many([job])

        assert outcome.cancelled == []
        assert [job_id for job_id, _ in outcome.skipped] == [job.id]
        reason = outcome.skipped[0][1]
        assert "a worker is rendering it" in reason
        assert "would break the worker" in reason
        assert [(j["uid"], j["state"]) for j in nexrender_server.jobs()] == [(job.id, "picked")]
        # The worker is unharmed and finishes the render.
        assert (await worker.start()).status_code == 200
        assert (await worker.step("render:dorender", 60)).status_code == 200
        assert (await worker.finish()).status_code == 200
    assert (await backend.get(job.id)).status is JobStatus.FINISHED


@pytest.mark.asyncio
async def test_cancel_skips_jobs_that_are_gone_or_over(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    gone, done = await _submit(backend, "gone", "done")
    # Someone else removes one job; a worker renders the other to the end.
    nexrender_server.http.delete(f"/jobs/{gone.id}").raise_for_status()
    async with FakeWorker(nexrender_server) as worker:
        assert await worker.pickup() is not None
        (await worker.start()).raise_for_status()
        (await worker.finish()).raise_for_status()
    finished = await backend.get(done.id)

    outcome = await backend.cancel_many([gone, finished])

    assert outcome.cancelled == []
    assert dict(outcome.skipped) == {
        gone.id: "job gone: it is no longer on the server",
        done.id: "it has already finished",
    }
    assert [(j["uid"], j["state"]) for j in nexrender_server.jobs()] == [(done.id, "finished")]


@pytest.mark.asyncio
async def test_get_of_a_job_the_server_does_not_have_is_job_gone(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    # The quirk itself: an unknown uid is answered 200 with an empty body, not 404.
    raw = nexrender_server.http.get("/jobs/no-such-job")
    assert (raw.status_code, raw.content) == (200, b"")

    with pytest.raises(JobGone, match="job no-such-job is no longer on the server"):
        await backend.get("no-such-job")


@pytest.mark.asyncio
async def test_refresh_reports_jobs_removed_behind_its_back(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    # The quirk refresh must not trip on: the status of an unknown uid is a 500.
    raw = nexrender_server.http.get("/jobs/no-such-job/status")
    assert raw.status_code == 500
    stays, vanishes = await _submit(backend, "stays", "vanishes")
    nexrender_server.http.delete(f"/jobs/{vanishes.id}").raise_for_status()

    outcome = await backend.refresh([stays, vanishes])

    assert outcome.requests == 1
    assert outcome.problems == []
    assert [(j.id, j.status, j.raw_status) for j in outcome.changed] == [
        (vanishes.id, JobStatus.CANCELLED, "removed")
    ]
    assert outcome.changed[0].error == "it is no longer on the server"


@pytest.mark.asyncio
async def test_refresh_reads_the_other_jobs_when_one_record_is_garbled(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    garbled, healthy = await _submit(backend, "garbled", "healthy")
    async with FakeWorker(nexrender_server) as worker:
        assert await worker.pickup() is not None
        (await worker.start()).raise_for_status()
        # The server stores whatever a worker sends, unchecked.
        (await worker.step("render:dorender", "50%")).raise_for_status()  # type: ignore[arg-type]
        assert await worker.pickup() is not None
        (await worker.start()).raise_for_status()
        (await worker.step("render:dorender", 10)).raise_for_status()

    outcome = await backend.refresh([garbled, healthy])

    assert outcome.requests == 1
    assert [(j.id, j.progress) for j in outcome.changed] == [(healthy.id, 10.0)]
    assert len(outcome.problems) == 1
    assert garbled.id in outcome.problems[0]
    assert "'50%'" in outcome.problems[0]


@pytest.mark.asyncio
async def test_a_job_whose_uid_is_already_taken_is_not_sent_twice(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    first = await backend.submit_many([_body("main", uid="promo-001")])
    assert first.status == "created"

    again = await backend.submit_many(
        [_body("main", uid="promo-001"), _body("b", uid="promo-002"), _body("c", uid="promo-002")]
    )

    assert [row for row, _ in again.jobs] == [1]
    assert dict(again.errors) == {
        0: "a job with uid 'promo-001' is already on the server",
        2: "uid 'promo-002' appears more than once in this submission",
    }
    # The server would have stored a second promo-001 without a word.
    assert [job["uid"] for job in nexrender_server.jobs()] == ["promo-001", "promo-002"]


class LosesAnswers(httpx.AsyncBaseTransport):
    """A real transport whose first POST fails: after the server got it, or before."""

    def __init__(self, *, after_sending: bool) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self._after_sending = after_sending
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            if self.posts == 1:
                if not self._after_sending:
                    raise httpx.ConnectError("connection refused", request=request)
                await (await self._real.handle_async_request(request)).aclose()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("after_sending", [True, False], ids=["answer-lost", "never-arrived"])
async def test_a_lost_answer_never_creates_a_job_twice(
    nexrender_server: NexrenderServer, after_sending: bool
) -> None:
    transport = LosesAnswers(after_sending=after_sending)
    backend = _backend(nexrender_server, nexrender_server.secret, transport)
    try:
        outcome = await backend.submit_many([_body("main")])
    finally:
        await backend.aclose()

    assert outcome.status == "created"
    ((_, job),) = outcome.jobs
    assert [j["uid"] for j in nexrender_server.jobs()] == [job.id]
    # Sent again only when the server had not stored it.
    assert transport.posts == (1 if after_sending else 2)


@pytest.mark.asyncio
async def test_the_uids_we_give_jobs_never_read_as_command_line_options(
    nexrender_server: NexrenderServer, backend: NexrenderServerBackend
) -> None:
    # A uid like "-2sgJm…" breaks `renderctl cancel UID`; one in 32 random ones would.
    jobs = await _submit(backend, *(f"shot_{n:03d}" for n in range(100)))
    assert len(jobs) == 100
    assert all(job.id[0].isalnum() for job in jobs)
