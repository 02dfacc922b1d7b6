"""Dragging rows into a new order: the priorities written make the engine take exactly
that order, and jobs already standing right keep their numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from render_manager.domain.queue_order import (
    QueuedJob,
    moved,
    priorities_for_order,
    queue_sorted,
)


def _apply(queue: list[QueuedJob], changes: dict[str, int]) -> list[QueuedJob]:
    return [job._replace(priority=changes.get(job.id, job.priority)) for job in queue]


def _ids(jobs: list[QueuedJob]) -> list[str]:
    return [job.id for job in jobs]


def test_moving_a_job_up_changes_that_job_alone() -> None:
    queue = [QueuedJob("a", 0, 1), QueuedJob("b", 0, 2), QueuedJob("c", 0, 3)]

    changes = priorities_for_order(moved(queue, ["c"], before="a"))

    assert changes == {"c": 1}
    assert _ids(queue_sorted(_apply(queue, changes))) == ["c", "a", "b"]


def test_moving_a_job_down_lowers_that_job_alone_and_keeps_the_others_numbers() -> None:
    queue = [QueuedJob("a", 10, 1), QueuedJob("b", 5, 2), QueuedJob("c", 0, 3)]

    changes = priorities_for_order(moved(queue, ["a"], before=None))

    assert changes == {"a": -1}
    assert _ids(queue_sorted(_apply(queue, changes))) == ["b", "c", "a"]


def test_several_rows_move_together_in_their_queue_order() -> None:
    queue = [QueuedJob(x, 0, n) for n, x in enumerate("abcde")]

    order = moved(queue, ["e", "b"], before="a")

    assert _ids(order) == ["b", "e", "a", "c", "d"]
    assert _ids(queue_sorted(_apply(queue, priorities_for_order(order)))) == _ids(order)


@given(
    st.lists(st.integers(-3, 3), min_size=1, max_size=12).flatmap(
        lambda prios: st.tuples(st.just(prios), st.permutations(range(len(prios))))
    )
)
def test_any_order_dragged_into_is_the_order_the_engine_takes(
    case: tuple[list[int], list[int]],
) -> None:
    priorities, permutation = case
    queue = [QueuedJob(f"j{n}", p, n) for n, p in enumerate(priorities)]
    wanted = [queue[n] for n in permutation]

    changes = priorities_for_order(wanted)

    assert _ids(queue_sorted(_apply(queue, changes))) == _ids(wanted)
