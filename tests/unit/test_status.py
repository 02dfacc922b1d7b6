"""Raw back-end statuses: how each maps onto the one vocabulary, and which can be cancelled."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render_manager.domain.status import (
    BackendKind,
    JobStatus,
    LocalStatus,
    cancel_refusal_reason,
    is_cancellable,
    is_known_status,
    normalize_status,
)

Q, P, R, F, X, C = (
    JobStatus.QUEUED,
    JobStatus.PENDING,
    JobStatus.RENDERING,
    JobStatus.FINISHED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)

# The documented tables, written out independently of the code under test.
DOCUMENTED: dict[BackendKind, dict[str, JobStatus]] = {
    BackendKind.NEXRENDER_CLOUD: {
        "queued": Q,
        "pending": P,
        "render:dorender": R,
        "render:setup": R,
        "render:predownload": R,
        "finished": F,
        "error": X,
        "manually_cancelled": C,
    },
    BackendKind.RENDLEY: {
        "queued": Q,
        "processing": R,
        "completed": F,
        "failed": X,
        "canceled": C,
    },
    BackendKind.NEXRENDER_SERVER: {
        "created": Q,
        "queued": Q,
        "picked": R,
        "started": R,
        "render:dorender": R,
        "render:postrender": R,
        "finished": F,
        "error": X,
    },
    BackendKind.LOCAL: {
        "queued": Q,
        "paused": JobStatus.PAUSED,
        "staging": R,
        "rendering": R,
        "encoding": R,
        "finished": F,
        "failed": X,
        "interrupted": X,
        "cancelled": C,
    },
}

CANCELLABLE: dict[BackendKind, frozenset[str]] = {
    BackendKind.NEXRENDER_CLOUD: frozenset({"queued", "pending"}),
    BackendKind.RENDLEY: frozenset({"queued", "processing"}),
    BackendKind.NEXRENDER_SERVER: frozenset({"created", "queued"}),
    BackendKind.LOCAL: frozenset({"queued", "paused", "staging", "rendering", "encoding"}),
}

NEXRENDER_KINDS = (BackendKind.NEXRENDER_CLOUD, BackendKind.NEXRENDER_SERVER)

kinds = st.sampled_from(list(BackendKind))


def _is_documented(kind: BackendKind, raw: str) -> bool:
    return raw in DOCUMENTED[kind] or (kind in NEXRENDER_KINDS and raw.startswith("render:"))


def _raw_statuses(kind: BackendKind) -> st.SearchStrategy[str]:
    """Documented statuses of a kind, the other kinds' words, render steps and any text."""
    every_word = sorted({raw for table in DOCUMENTED.values() for raw in table})
    return st.one_of(
        st.sampled_from(sorted(DOCUMENTED[kind])),
        st.sampled_from(every_word),
        st.text().map(lambda s: "render:" + s),
        st.text(),
    )


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [(kind, raw, status) for kind, table in DOCUMENTED.items() for raw, status in table.items()],
)
def test_documented_raw_status_maps_as_the_table_says(
    kind: BackendKind, raw: str, expected: JobStatus
) -> None:
    assert normalize_status(kind, raw) is expected
    assert is_known_status(kind, raw)


def test_every_local_engine_status_is_documented() -> None:
    assert {s.value for s in LocalStatus} == set(DOCUMENTED[BackendKind.LOCAL])
    for status in LocalStatus:
        assert normalize_status(BackendKind.LOCAL, status) is DOCUMENTED[BackendKind.LOCAL][status]


@pytest.mark.parametrize("kind", NEXRENDER_KINDS)
@given(step=st.text())
def test_any_render_step_is_rendering_on_nexrender(kind: BackendKind, step: str) -> None:
    raw = "render:" + step
    assert normalize_status(kind, raw) is JobStatus.RENDERING
    assert is_known_status(kind, raw)


@given(step=st.text())
def test_render_step_is_unknown_to_rendley(step: str) -> None:
    raw = "render:" + step
    assert normalize_status(BackendKind.RENDLEY, raw) is JobStatus.PENDING
    assert not is_known_status(BackendKind.RENDLEY, raw)
    assert not is_cancellable(BackendKind.RENDLEY, raw)


@given(data=st.data(), kind=kinds)
def test_any_text_maps_without_raising(data: st.DataObject, kind: BackendKind) -> None:
    raw = data.draw(_raw_statuses(kind))
    status = normalize_status(kind, raw)
    assert isinstance(status, JobStatus)
    if _is_documented(kind, raw):
        expected = DOCUMENTED[kind].get(raw, JobStatus.RENDERING)
        assert status is expected


@given(data=st.data(), kind=kinds)
def test_unknown_raw_status_is_pending_and_never_cancellable(
    data: st.DataObject, kind: BackendKind
) -> None:
    raw = data.draw(st.text().filter(lambda s: not _is_documented(kind, s)))
    status = normalize_status(kind, raw)
    assert status is JobStatus.PENDING
    assert not status.is_terminal
    assert not is_known_status(kind, raw)
    assert not is_cancellable(kind, raw)
    reason = cancel_refusal_reason(kind, raw)
    assert reason is not None
    assert repr(raw) in reason
    assert "not one this back-end documents" in reason


@given(data=st.data(), kind=kinds)
def test_cancellable_exactly_in_the_documented_statuses(
    data: st.DataObject, kind: BackendKind
) -> None:
    raw = data.draw(_raw_statuses(kind))
    assert is_cancellable(kind, raw) == (raw in CANCELLABLE[kind])


@given(data=st.data(), kind=kinds)
def test_refusal_reason_is_none_exactly_when_cancellable(
    data: st.DataObject, kind: BackendKind
) -> None:
    raw = data.draw(_raw_statuses(kind))
    reason = cancel_refusal_reason(kind, raw)
    if is_cancellable(kind, raw):
        assert reason is None
    else:
        assert isinstance(reason, str)
        assert reason.strip()


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (kind, raw)
        for kind, table in DOCUMENTED.items()
        for raw, status in table.items()
        if raw not in CANCELLABLE[kind] and not status.is_terminal
    ],
)
def test_running_but_uncancellable_status_is_refused_with_a_reason(
    kind: BackendKind, raw: str
) -> None:
    assert not is_cancellable(kind, raw)
    reason = cancel_refusal_reason(kind, raw)
    assert reason is not None
    assert "already" not in reason
    assert "not one this back-end documents" not in reason


@pytest.mark.parametrize("raw", ["picked", "started", "render:dorender", "render:setup"])
def test_server_refuses_cancelling_a_job_a_worker_owns(raw: str) -> None:
    kind = BackendKind.NEXRENDER_SERVER
    assert not is_cancellable(kind, raw)
    reason = cancel_refusal_reason(kind, raw)
    assert reason is not None
    assert "worker" in reason


@given(step=st.text())
def test_server_refuses_any_render_step(step: str) -> None:
    reason = cancel_refusal_reason(BackendKind.NEXRENDER_SERVER, "render:" + step)
    assert reason is not None
    assert "worker" in reason


@pytest.mark.parametrize(
    ("kind", "raw", "words"),
    [
        (BackendKind.NEXRENDER_CLOUD, "finished", "already finished"),
        (BackendKind.NEXRENDER_CLOUD, "error", "already failed"),
        (BackendKind.NEXRENDER_CLOUD, "manually_cancelled", "already been cancelled"),
        (BackendKind.RENDLEY, "completed", "already finished"),
        (BackendKind.RENDLEY, "failed", "already failed"),
        (BackendKind.RENDLEY, "canceled", "already been cancelled"),
        (BackendKind.NEXRENDER_SERVER, "finished", "already finished"),
        (BackendKind.NEXRENDER_SERVER, "error", "already failed"),
        (BackendKind.LOCAL, "finished", "already finished"),
        (BackendKind.LOCAL, "failed", "already failed"),
        (BackendKind.LOCAL, "interrupted", "already failed"),
        (BackendKind.LOCAL, "cancelled", "already been cancelled"),
    ],
)
def test_ended_job_is_refused_because_it_already_ended(
    kind: BackendKind, raw: str, words: str
) -> None:
    assert not is_cancellable(kind, raw)
    reason = cancel_refusal_reason(kind, raw)
    assert reason is not None
    assert words in reason


@pytest.mark.parametrize("status", list(LocalStatus))
def test_local_engine_cancels_exactly_the_statuses_that_have_not_ended(
    status: LocalStatus,
) -> None:
    ended = normalize_status(BackendKind.LOCAL, status).is_terminal
    assert is_cancellable(BackendKind.LOCAL, status) is not ended
    assert (cancel_refusal_reason(BackendKind.LOCAL, status) is None) is not ended


def test_terminal_statuses_are_finished_failed_and_cancelled() -> None:
    assert {s for s in JobStatus if s.is_terminal} == {F, X, C}
