"""The Rendley back-end against a fake Rendley built from its documentation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render_manager.backends.errors import (
    BackendError,
    BadRequest,
    BadResponse,
    JobGone,
    NoCredits,
    NotAllowed,
    TokenRejected,
    Unavailable,
)
from render_manager.backends.http import RetryPolicy
from render_manager.backends.protocol import CancelsBatches, Prices
from render_manager.backends.rendley import RendleyBackend
from render_manager.domain.connection import Connection
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus, cancel_refusal_reason
from tests.fakes.rendley import STATUSES, FakeRendley, export_body

CONNECTION = Connection(name="rendley", kind=BackendKind.RENDLEY)


class Sleeps:
    """An injected sleep that records the delays it was asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def fake() -> FakeRendley:
    return FakeRendley()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest_asyncio.fixture
async def backend(fake: FakeRendley, sleeps: Sleeps) -> AsyncIterator[RendleyBackend]:
    rendley = RendleyBackend(CONNECTION, fake.token, transport=fake.transport(), sleep=sleeps)
    yield rendley
    await rendley.aclose()


async def _known(backend: RendleyBackend, *ids: str) -> list[Job]:
    return [await backend.get(job_id) for job_id in ids]


# -- submit ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_submit_starts_one_export_per_row(backend: RendleyBackend, fake: FakeRendley) -> None:
    bodies = [export_body("prj_a"), export_body("prj_b", "4k", "h265")]

    outcome = await backend.submit_many(bodies, batch_name="ignored")

    assert outcome.status == "created"
    assert outcome.batch_id is None
    assert outcome.errors == []
    assert [row for row, _ in outcome.jobs] == [0, 1]
    jobs = [job for _, job in outcome.jobs]
    assert [job.name for job in jobs] == ["prj_a (1080p, h264)", "prj_b (4k, h265)"]
    assert all(job.status is JobStatus.QUEUED and job.connection == "rendley" for job in jobs)
    assert [fake.jobs[job.id].input for job in jobs] == bodies
    assert fake.count("POST", "/v1/export") == 2


@pytest.mark.asyncio
async def test_submit_reports_refused_rows_and_keeps_the_rest(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    bodies = [export_body(), export_body(codec="divx"), {"settings": {"codec": "h264"}}]

    outcome = await backend.submit_many(bodies)

    assert outcome.status == "partial"
    assert [row for row, _ in outcome.jobs] == [0]
    errors = dict(outcome.errors)
    assert "settings.codec must be one of h264" in errors[1]
    assert "project_id" in errors[2]
    assert len(fake.jobs) == 1
    # The row without a project never went out.
    assert fake.count("POST", "/v1/export") == 2


@pytest.mark.asyncio
async def test_submit_with_every_row_refused_is_an_error(backend: RendleyBackend) -> None:
    outcome = await backend.submit_many([export_body(codec="divx"), {"project_id": ""}])

    assert outcome.status == "error"
    assert outcome.jobs == []
    assert [row for row, _ in outcome.errors] == [0, 1]


@pytest.mark.asyncio
async def test_rejected_token_stops_the_submission(fake: FakeRendley, sleeps: Sleeps) -> None:
    rendley = RendleyBackend(CONNECTION, "wrong", transport=fake.transport(), sleep=sleeps)
    try:
        outcome = await rendley.submit_many([export_body(), export_body("prj_2")])
    finally:
        await rendley.aclose()

    assert outcome.status == "error"
    assert all("token rejected — update it in Connections" in e for _, e in outcome.errors)
    assert len(fake.requests) == 1
    assert fake.jobs == {}


@pytest.mark.asyncio
async def test_running_out_of_credits_fails_only_the_rows_it_cannot_pay(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.credits = 15

    outcome = await backend.submit_many([export_body(), export_body()])

    assert outcome.status == "partial"
    assert [row for row, _ in outcome.jobs] == [0]
    [(row, message)] = outcome.errors
    assert row == 1
    assert "not enough credits" in message
    assert "Not enough credits for this export" in message


# -- cost ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cost_prices_each_row_without_starting_anything(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.export_price = 25

    prices = await backend.cost([export_body(), export_body(codec="divx")])

    assert prices[0] == (0, {"credits": 25})
    row, text = prices[1]
    assert row == 1
    assert isinstance(text, str)
    assert "settings.codec must be one of" in text
    assert fake.jobs == {}
    assert fake.count("POST", "/v1/export") == 0


@pytest.mark.asyncio
async def test_cost_is_retried_after_a_server_error(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.fail("POST", "/v1/export/cost", 502)

    assert await backend.cost([export_body()]) == [(0, {"credits": 10})]
    assert fake.count("POST", "/v1/export/cost") == 2


# -- get and output links --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_get_reads_the_result_and_its_storage_url(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job(project_id="prj_9", status="completed")

    got = await backend.get(job.id)

    assert got.status is JobStatus.FINISHED
    assert got.raw_status == "completed"
    assert got.output == f"https://storage.rendley.com/exports/{job.id}.mp4?expires=1"
    assert got.error is None
    assert got.name == "prj_9 (1080p, h264)"
    assert got.progress == 100.0


@pytest.mark.asyncio
async def test_failed_job_shows_rendleys_error(backend: RendleyBackend, fake: FakeRendley) -> None:
    job = fake.add_job(status="failed")
    fake.jobs[job.id].error = "media_unreachable"

    got = await backend.get(job.id)

    assert got.status is JobStatus.FAILED
    assert got.error == "media_unreachable"
    assert got.output is None


@pytest.mark.asyncio
async def test_fresh_output_url_reads_a_new_link_once_the_old_one_expired(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    done = fake.add_job(status="completed")
    running = fake.add_job(status="processing")

    first = await backend.fresh_output_url(done.id)
    fake.expire_links()
    second = await backend.fresh_output_url(done.id)

    assert first is not None
    assert second is not None
    assert first.endswith("expires=1")
    assert second.endswith("expires=2")
    assert await backend.fresh_output_url(running.id) is None


@pytest.mark.asyncio
async def test_result_data_that_is_not_json_is_reported_not_a_crash(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    broken = fake.add_job(status="processing")
    fine = fake.add_job(status="processing")
    known = await _known(backend, broken.id, fine.id)
    fake.advance(broken.id)
    fake.advance(fine.id)
    broken.overrides["result_data"] = "{not json"

    got = await backend.get(broken.id)
    outcome = await backend.refresh(known)

    assert got.status is JobStatus.FINISHED
    assert got.output is None
    assert got.error is not None
    assert "result_data is not valid JSON" in got.error
    assert any(broken.id in p and "not valid JSON" in p for p in outcome.problems)
    by_id = {job.id: job for job in outcome.changed}
    assert by_id[fine.id].output is not None


@pytest.mark.asyncio
async def test_a_record_without_status_is_a_bad_response(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job()
    job.overrides["status"] = None

    with pytest.raises(BadResponse, match="has no status"):
        await backend.get(job.id)


# -- refresh ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_refresh_lists_api_jobs_and_returns_only_the_changed_ones(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    jobs = [fake.add_job(project_id=f"prj_{n}") for n in range(3)]
    fake.add_job(source_type="studio")
    known = await _known(backend, *(job.id for job in jobs))
    fake.advance(jobs[1].id)

    outcome = await backend.refresh(known)

    assert [job.id for job in outcome.changed] == [jobs[1].id]
    assert outcome.changed[0].status is JobStatus.RENDERING
    assert outcome.changed[0].started_at is not None
    assert outcome.requests == 1
    assert outcome.problems == []
    assert fake.requests[-1].url.params["source_type"] == "api"

    again = await backend.refresh([outcome.changed[0], known[0], known[2]])
    assert again.changed == []


@pytest.mark.asyncio
async def test_refresh_keeps_what_rendley_does_not_report(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job(status="processing")
    [known] = await _known(backend, job.id)
    known = known.with_changes(name="Spot 30s", batch_id="batch-1")
    fake.advance(job.id)

    [changed] = (await backend.refresh([known])).changed

    assert changed.status is JobStatus.FINISHED
    assert (changed.name, changed.batch_id, changed.created_at) == (
        "Spot 30s",
        "batch-1",
        known.created_at,
    )
    assert changed.finished_at is not None


@pytest.mark.asyncio
async def test_refresh_of_one_job_is_one_get_and_of_none_is_free(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job()
    known = await _known(backend, job.id)
    fake.advance(job.id)

    outcome = await backend.refresh(known)
    nothing = await backend.refresh([])

    assert [j.status for j in outcome.changed] == [JobStatus.RENDERING]
    assert outcome.requests == 1
    assert fake.requests[-1].url.path == f"/v1/jobs/{job.id}"
    assert nothing.requests == 0


@pytest.mark.asyncio
async def test_refresh_fetches_jobs_a_short_list_left_out(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.list_limit = 1
    jobs = [fake.add_job() for _ in range(3)]
    known = await _known(backend, *(job.id for job in jobs))
    for job in jobs:
        fake.advance(job.id)

    outcome = await backend.refresh(known)

    assert sorted(job.id for job in outcome.changed) == sorted(job.id for job in jobs)
    assert outcome.requests == 3


@pytest.mark.asyncio
async def test_refresh_notes_a_job_rendley_no_longer_has(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job()
    [known] = await _known(backend, job.id)
    ghost = known.with_changes(id="job_gone")

    outcome = await backend.refresh([known, ghost])

    assert outcome.changed == []
    assert any("job_gone" in p and "no longer" in p for p in outcome.problems)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
json_strings = st.one_of(st.text(max_size=20), json_values.map(json.dumps))
job_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.sampled_from(["job_0001", "job_0002", ""]), json_values),
        "status": st.one_of(st.sampled_from(STATUSES), json_values),
        "type": json_values,
        "input_data": st.one_of(json_strings, json_values),
        "result_data": st.one_of(json_strings, json_values),
        "error": json_values,
        "created_at": st.one_of(st.text(max_size=25), st.datetimes().map(str), json_values),
    },
)


@pytest.mark.asyncio
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.one_of(job_like, json_values), max_size=5))
async def test_malformed_records_never_crash_refresh(records: list[Any]) -> None:
    fake = FakeRendley()
    first, second = fake.add_job(), fake.add_job(status="processing")
    rendley = RendleyBackend(CONNECTION, fake.token, transport=fake.transport())
    try:
        known = await _known(rendley, first.id, second.id)
        fake.advance(first.id)
        for record in records:
            fake.add_raw(record)

        outcome = await rendley.refresh(known)
    finally:
        await rendley.aclose()

    assert {job.id for job in outcome.changed} <= {first.id, second.id}
    assert all(isinstance(problem, str) for problem in outcome.problems)
    assert outcome.requests >= 1


# -- cancel ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_cancel_stops_queued_and_processing_jobs_and_skips_finished_ones(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    queued, processing, done = (
        fake.add_job(),
        fake.add_job(status="processing"),
        fake.add_job(status="completed"),
    )
    known = await _known(backend, queued.id, processing.id, done.id)

    outcome = await backend.cancel_many(known)

    assert [job.id for job in outcome.cancelled] == [queued.id, processing.id]
    assert all(job.status is JobStatus.CANCELLED for job in outcome.cancelled)
    assert fake.jobs[queued.id].status == fake.jobs[processing.id].status == "canceled"
    assert outcome.skipped == [(done.id, "not cancelled: it has already finished")]
    assert fake.count("DELETE") == 2
    assert fake.count("DELETE", f"/v1/jobs/{done.id}") == 0


@pytest.mark.asyncio
async def test_cancel_of_a_job_rendley_no_longer_has_is_skipped(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    job = fake.add_job()
    [known] = await _known(backend, job.id)
    del fake.jobs[job.id]

    outcome = await backend.cancel_many([known])

    assert outcome.cancelled == []
    [(job_id, reason)] = outcome.skipped
    assert job_id == job.id
    assert "job gone" in reason


# -- errors, retries and unknown outcomes ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "says"),
    [
        (402, NoCredits, "rendley: not enough credits: Top up"),
        (403, NotAllowed, "rendley: not allowed by your plan or token: Top up"),
        (400, BadRequest, "rendley: the server refused the request: Top up"),
    ],
)
@pytest.mark.asyncio
async def test_refusals_say_what_the_user_can_do(
    backend: RendleyBackend,
    fake: FakeRendley,
    status: int,
    error: type[BackendError],
    says: str,
) -> None:
    job = fake.add_job()
    fake.fail("GET", "/v1/jobs/", status, message="Top up")

    with pytest.raises(error) as raised:
        await backend.get(job.id)

    assert str(raised.value) == says


@pytest.mark.asyncio
async def test_missing_job_and_rejected_token(fake: FakeRendley, backend: RendleyBackend) -> None:
    with pytest.raises(JobGone, match="rendley: not found: Job not found"):
        await backend.get("job_nope")

    rendley = RendleyBackend(CONNECTION, None, transport=fake.transport())
    try:
        with pytest.raises(TokenRejected, match="token rejected — update it in Connections"):
            await rendley.get("job_nope")
    finally:
        await rendley.aclose()


@pytest.mark.asyncio
async def test_429_waits_as_long_as_retry_after_says(
    backend: RendleyBackend, fake: FakeRendley, sleeps: Sleeps
) -> None:
    job = fake.add_job()
    fake.fail("GET", "/v1/jobs/", 429, retry_after="7")

    got = await backend.get(job.id)

    assert got.id == job.id
    assert sleeps.delays == [7.0]


@pytest.mark.asyncio
async def test_server_errors_on_reads_are_retried_then_unavailable(
    fake: FakeRendley, sleeps: Sleeps
) -> None:
    job = fake.add_job()
    fake.fail("GET", "/v1/jobs/", 503, times=99)
    rendley = RendleyBackend(
        CONNECTION,
        fake.token,
        transport=fake.transport(),
        retry=RetryPolicy(attempts=3),
        sleep=sleeps,
    )
    try:
        with pytest.raises(Unavailable, match="HTTP 503"):
            await rendley.get(job.id)
    finally:
        await rendley.aclose()

    assert fake.count("GET") == 3
    assert len(sleeps.delays) == 2


@pytest.mark.asyncio
async def test_a_server_error_on_create_is_never_retried(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    # One 500 only: a blind retry would have created a job.
    fake.fail("POST", "/v1/export", 500)

    outcome = await backend.submit_many([export_body()])

    assert outcome.status == "error"
    [(_, message)] = outcome.errors
    assert "not re-sent" in message
    assert fake.count("POST", "/v1/export") == 1
    assert fake.jobs == {}


@pytest.mark.asyncio
async def test_timeout_after_create_yields_exactly_one_job(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    older = fake.add_job(project_id="prj_1")  # the same request, rendered before
    fake.timeout_after_create()

    outcome = await backend.submit_many([export_body("prj_1"), export_body("prj_1", "4k")])

    assert outcome.status == "created"
    ids = [job.id for _, job in outcome.jobs]
    assert older.id not in ids
    assert sorted(fake.jobs) == sorted([older.id, *ids])
    assert fake.count("POST", "/v1/export") == 2


@pytest.mark.asyncio
async def test_a_request_that_never_arrived_is_reported_not_resent(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.drop_connection("POST", "/v1/export")

    outcome = await backend.submit_many([export_body()])

    [(_, message)] = outcome.errors
    assert "most likely not created" in message
    assert "check Rendley's job list" in message
    assert fake.jobs == {}
    assert fake.count("POST", "/v1/export") == 1


@pytest.mark.asyncio
async def test_a_job_just_created_is_never_taken_for_a_lost_one(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    # Two identical rows; the second request is lost on the way. The first row's job
    # matches it, but it is not the second row's job.
    fake.drop_connection("POST", "/v1/export", after=1)

    outcome = await backend.submit_many([export_body(), export_body()])

    assert outcome.status == "partial"
    assert [row for row, _ in outcome.jobs] == [0]
    [(row, message)] = outcome.errors
    assert row == 1
    assert "most likely not created" in message
    assert len(fake.jobs) == 1


@pytest.mark.asyncio
async def test_an_outcome_that_stays_unknown_is_said_so(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.timeout_after_create()
    # The ids are read before the POST; the list fails when it is read to reconcile.
    fake.fail("GET", "/v1/jobs", 503, times=99, after=1)

    outcome = await backend.submit_many([export_body()])

    [(row, message)] = outcome.errors
    assert "whether the job was created is unknown" in message
    assert "not re-sent" in message
    assert outcome.unknown == {row}, "flagged, so nothing resends it blindly"
    assert len(fake.jobs) == 1
    assert fake.count("POST", "/v1/export") == 1


@pytest.mark.asyncio
async def test_nothing_is_sent_when_the_job_list_cannot_be_read_first(
    backend: RendleyBackend, fake: FakeRendley
) -> None:
    fake.fail("GET", "/v1/jobs", 503, times=99)

    outcome = await backend.submit_many([export_body()])

    [(_, message)] = outcome.errors
    assert message.startswith("not sent:")
    assert fake.count("POST") == 0


@pytest.mark.asyncio
async def test_a_url_that_already_ends_in_v1_still_reaches_the_v1_paths(
    fake: FakeRendley,
) -> None:
    job = fake.add_job()
    connection = Connection(
        name="rendley-eu", kind=BackendKind.RENDLEY, url="https://eu.rendley.test/v1/"
    )
    rendley = RendleyBackend(connection, fake.token, transport=fake.transport())
    try:
        await rendley.get(job.id)
    finally:
        await rendley.aclose()

    assert str(fake.requests[-1].url) == f"https://eu.rendley.test/v1/jobs/{job.id}"


@pytest.mark.asyncio
async def test_capabilities_and_poll_pace(backend: RendleyBackend) -> None:
    assert RendleyBackend.min_poll_interval_s == 1.0
    # No batches; queued and processing jobs can be cancelled; exports can be priced.
    assert not isinstance(backend, CancelsBatches)
    assert cancel_refusal_reason(BackendKind.RENDLEY, "processing") is None
    assert isinstance(backend, Prices)
    assert backend.kind is BackendKind.RENDLEY
