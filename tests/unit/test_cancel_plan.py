"""The cancel plan: which jobs a cancel affects, before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, cancel_refusal_reason, is_cancellable
from render_manager.services.cancel_plan import CancelPlan, plan_cancel, plan_cancel_batch

KINDS: Mapping[str, BackendKind] = {
    "local": BackendKind.LOCAL,
    "cloud": BackendKind.NEXRENDER_CLOUD,
    "farm": BackendKind.NEXRENDER_SERVER,
    "rendley": BackendKind.RENDLEY,
}
RAW: Mapping[str, tuple[str, ...]] = {
    "local": ("queued", "staging", "rendering", "encoding", "finished", "failed", "cancelled"),
    "cloud": ("queued", "pending", "render:dorender", "finished", "error", "manually_cancelled"),
    "farm": ("created", "queued", "picked", "render:dorender", "finished", "error"),
    "rendley": ("queued", "processing", "completed", "failed", "canceled"),
}
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def job(
    job_id: str,
    raw_status: str = "queued",
    *,
    connection: str = "local",
    parent: str | None = None,
    batch: str | None = None,
    progress: float = 0.0,
) -> Job:
    return Job.from_raw(
        kind=KINDS[connection],
        id=job_id,
        connection=connection,
        name=f"name-{job_id}",
        raw_status=raw_status,
        created_at=T0,
        parent_id=parent,
        batch_id=batch,
        progress=progress,
    )


def ids(jobs: list[Job]) -> list[str]:
    return [j.id for j in jobs]


def refused_ids(plan: CancelPlan) -> dict[str, str]:
    return {j.id: why for j, why in plan.refused}


def test_mixed_selection_lands_in_the_right_groups_with_specific_reasons() -> None:
    everything = [
        job("lq"),
        job("lr", "rendering", progress=40.0),
        job("parent", "pending", connection="cloud"),
        job("child-1", connection="cloud", parent="parent"),
        job("child-2", connection="cloud", parent="parent"),
        job("cr", "render:dorender", connection="cloud"),
        job("done", "finished"),
        job("picked", "picked", connection="farm"),
    ]
    selected = [j for j in everything if not j.id.startswith("child")]

    plan = plan_cancel(selected, KINDS, everything)

    assert ids(plan.cancel) == ["lq", "parent"]
    assert ids(plan.stop) == ["lr"]
    assert ids(plan.cascade) == ["child-1", "child-2"]
    assert plan.cascade_via == {
        "child-1": "nested in name-parent",
        "child-2": "nested in name-parent",
    }
    assert refused_ids(plan) == {
        "cr": "Nexrender Cloud cancels only queued and pending jobs",
        "done": "it has already finished",
        "picked": "a worker is rendering it, and removing it would break the worker",
    }
    assert plan.ids_to_send == ["lq", "parent", "lr"]
    assert plan.summary() == (
        "2 jobs will be cancelled, 1 render will be stopped, "
        "2 nested jobs will be cancelled with them; 3 cannot be cancelled."
    )


def test_cascade_is_recursive_and_skips_children_that_cannot_be_cancelled() -> None:
    everything = [
        job("top", "pending", connection="cloud"),
        job("mid", "pending", connection="cloud", parent="top"),
        job("leaf", connection="cloud", parent="mid"),
        job("busy", "render:dorender", connection="cloud", parent="top"),
        job("under-busy", connection="cloud", parent="busy"),
        job("ended", "finished", connection="cloud", parent="mid"),
    ]
    plan = plan_cancel([everything[0]], KINDS, everything)
    assert ids(plan.cascade) == ["mid", "leaf"]
    assert plan.cascade_via["leaf"] == "nested in name-mid"
    assert plan.refused == []


def test_cancelling_a_cloud_child_brings_its_waiting_parent_and_siblings() -> None:
    # Seed 002: a cancelled child leaves its parent unresolvable; siblings go with it.
    everything = [
        job("parent", "pending", connection="cloud"),
        job("a", connection="cloud", parent="parent"),
        job("b", connection="cloud", parent="parent"),
        job("c", "render:dorender", connection="cloud", parent="parent"),
    ]
    plan = plan_cancel([everything[1]], KINDS, everything)
    assert ids(plan.cancel) == ["a"]
    assert ids(plan.cascade) == ["parent", "b"]
    assert plan.cascade_via["parent"] == "waits on name-a"
    assert plan.ids_to_send == ["a"]


def test_no_cascade_outside_nexrender_cloud() -> None:
    for connection, raw in (("local", "queued"), ("rendley", "queued"), ("farm", "queued")):
        everything = [
            job("p", raw, connection=connection),
            job("kid", raw, connection=connection, parent="p"),
        ]
        plan = plan_cancel([everything[0]], KINDS, everything)
        assert plan.cascade == [], connection
        assert ids(plan.cancel) == ["p"]


def test_cascade_stays_on_the_parents_connection() -> None:
    everything = [
        job("p", "pending", connection="cloud"),
        job("same-id-child", connection="cloud", parent="p"),
    ]
    other = {**KINDS, "cloud-2": BackendKind.NEXRENDER_CLOUD}
    stranger = Job.from_raw(
        kind=BackendKind.NEXRENDER_CLOUD,
        id="other",
        connection="cloud-2",
        name="other",
        raw_status="queued",
        created_at=T0,
        parent_id="p",
    )
    plan = plan_cancel([everything[0]], other, [*everything, stranger])
    assert ids(plan.cascade) == ["same-id-child"]


def test_a_refused_parent_cascades_nothing() -> None:
    everything = [
        job("p", "finished", connection="cloud"),
        job("kid", connection="cloud", parent="p"),
    ]
    plan = plan_cancel([everything[0]], KINDS, everything)
    assert plan.cascade == []
    assert refused_ids(plan) == {"p": "it has already finished"}


def test_duplicates_are_counted_once() -> None:
    a, b = job("a"), job("b", "rendering")
    plan = plan_cancel([a, b, a, b, a], KINDS, [a, b])
    assert ids(plan.cancel) == ["a"]
    assert ids(plan.stop) == ["b"]
    assert plan.summary() == "1 job will be cancelled, 1 render will be stopped."


def test_selected_child_is_not_also_listed_as_cascade() -> None:
    everything = [
        job("p", "pending", connection="cloud"),
        job("kid", connection="cloud", parent="p"),
    ]
    plan = plan_cancel(everything, KINDS, everything)
    assert ids(plan.cancel) == ["p", "kid"]
    assert plan.cascade == []


def test_parent_cycles_do_not_loop() -> None:
    everything = [
        job("x", connection="cloud", parent="y"),
        job("y", connection="cloud", parent="x"),
    ]
    plan = plan_cancel([everything[0]], KINDS, everything)
    assert ids(plan.cascade) == ["y"]


def test_unknown_connection_and_unknown_status_are_refused_with_why() -> None:
    gone = Job.from_raw(
        kind=BackendKind.LOCAL,
        id="gone",
        connection="deleted",
        name="gone",
        raw_status="queued",
        created_at=T0,
    )
    odd = job("odd", "render:mystery", connection="rendley")
    plan = plan_cancel([gone, odd], KINDS, [])
    assert refused_ids(plan) == {
        "gone": "its connection 'deleted' is no longer set up",
        "odd": "its status 'render:mystery' is not one this back-end documents",
    }
    assert plan.summary() == "None of the 2 selected jobs can be cancelled."


def test_summary_for_one_refused_job_and_for_nothing_selected() -> None:
    assert plan_cancel([job("d", "failed")], KINDS, []).summary() == (
        "The selected job cannot be cancelled."
    )
    assert plan_cancel([], KINDS, []).summary() == "No jobs are selected."


def test_batch_plan_covers_the_batch_only_and_still_cascades() -> None:
    everything = [
        job("b1", batch="B"),
        job("b2", "encoding", batch="B"),
        job("b3", "finished", batch="B"),
        job("bp", "pending", connection="cloud", batch="B"),
        job("bk", connection="cloud", parent="bp"),
        job("other", batch="C"),
    ]
    plan = plan_cancel_batch("B", KINDS, iter(everything))
    assert ids(plan.cancel) == ["b1", "bp"]
    assert ids(plan.stop) == ["b2"]
    assert ids(plan.cascade) == ["bk"]
    assert refused_ids(plan) == {"b3": "it has already finished"}


@st.composite
def forests(draw: st.DrawFn) -> tuple[list[Job], list[Job]]:
    """Jobs on every kind of connection, some nested, and a selection (with repeats)."""
    count = draw(st.integers(min_value=0, max_value=25))
    jobs: list[Job] = []
    for n in range(count):
        connection = draw(st.sampled_from(sorted(KINDS)))
        raw = draw(st.sampled_from(RAW[connection]))
        earlier = [j.id for j in jobs if j.connection == connection]
        parent = draw(st.none() | st.sampled_from(earlier)) if earlier else None
        jobs.append(job(f"j{n}", raw, connection=connection, parent=parent))
    selected = draw(st.lists(st.sampled_from(jobs), max_size=30)) if jobs else []
    return jobs, selected


@settings(max_examples=300, deadline=None)
@given(forests())
def test_every_selected_job_lands_in_exactly_one_group(case: tuple[list[Job], list[Job]]) -> None:
    everything, selected = case
    plan = plan_cancel(selected, KINDS, everything)
    groups = [ids(plan.cancel), ids(plan.stop), [j.id for j, _ in plan.refused]]
    flat = [i for group in groups for i in group]
    assert sorted(flat) == sorted({j.id for j in selected})
    assert set(ids(plan.cascade)).isdisjoint(flat)
    assert len(set(ids(plan.cascade))) == len(plan.cascade)
    assert plan.selected_count == len({j.id for j in selected})
    assert plan.ids_to_send == [*ids(plan.cancel), *ids(plan.stop)]


@settings(max_examples=300, deadline=None)
@given(forests())
def test_groups_follow_the_back_end_rules(case: tuple[list[Job], list[Job]]) -> None:
    everything, selected = case
    plan = plan_cancel(selected, KINDS, everything)
    for j, why in plan.refused:
        assert why == cancel_refusal_reason(KINDS[j.connection], j.raw_status)
    for j in plan.stop:
        assert j.connection == "local"
        assert j.raw_status in {"staging", "rendering", "encoding"}
    for j in plan.cancel:
        assert is_cancellable(KINDS[j.connection], j.raw_status)
        assert j.raw_status not in {"staging", "rendering", "encoding"} or j.connection != "local"
    for j in plan.cascade:
        assert j.connection == "cloud"
        assert is_cancellable(BackendKind.NEXRENDER_CLOUD, j.raw_status)
    # The cascade is exactly the cancellable cloud jobs linked to a sent cloud job.
    chosen = {j.id for j in selected}
    closure = {j.id for j in [*plan.cancel] if j.connection == "cloud"}
    grew = True
    while grew:
        grew = False
        for j in everything:
            if j.id in closure or j.id in chosen or j.connection != "cloud":
                continue
            if not is_cancellable(BackendKind.NEXRENDER_CLOUD, j.raw_status):
                continue
            kids = {k.id for k in everything if k.parent_id == j.id}
            if j.parent_id in closure or closure & kids:
                closure.add(j.id)
                grew = True
    assert set(ids(plan.cascade)) == closure - chosen
