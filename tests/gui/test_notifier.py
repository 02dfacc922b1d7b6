"""Which desktop notifications the user gets as renders end, and how they read."""

from __future__ import annotations

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from render_manager.domain.job import Job
from render_manager.ui.desktop.notifier import (
    NoticeSetting,
    Notifier,
    notification_actions,
)
from tests.gui.conftest import make_job

Told = list[tuple[str, str, str]]


def listen(notifier: Notifier) -> Told:
    """Every (title, message, kind) the notifier emits, in order."""
    told: Told = []
    notifier.notify.connect(lambda title, message, kind: told.append((title, message, kind)))
    return told


def batch(count: int, raw_status: str, batch_id: str = "b-1", first: int = 0) -> list[Job]:
    """`count` jobs of one batch in the same status."""
    return [make_job(first + n, raw_status=raw_status, batch_id=batch_id) for n in range(count)]


def ended(job: Job, raw_status: str, **fields: object) -> Job:
    """The same job in a new local status."""
    return make_job(int(job.id[-5:]), raw_status=raw_status, batch_id=job.batch_id, **fields)


def test_jobs_already_ended_at_load_are_never_told(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    loaded = [make_job(1, raw_status="finished"), make_job(2, raw_status="failed")]
    loaded += batch(3, "finished", first=10)
    notifier.prime(loaded)
    # The same ended jobs arrive again in a refresh, and a job is first seen already ended.
    notifier.observe([*loaded, make_job(99, raw_status="finished")])
    notifier.flush()
    assert told == []


def test_a_render_that_finishes_is_told_once(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    job = make_job(1, raw_status="rendering", progress=50.0)
    notifier.prime([job, make_job(2)])
    notifier.observe([ended(job, "finished", progress=100.0)])
    notifier.flush()
    notifier.flush()
    assert told == [("Render finished", "promo_00001", "finished")]


def test_a_failure_names_the_job_and_the_first_line_of_its_error(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    job = make_job(7, raw_status="rendering")
    notifier.prime([job])
    error = "aerender exited with code 1\nAE log follows..."
    notifier.observe([ended(job, "failed", error=error)])
    notifier.flush()
    assert told == [("Render failed", "promo_00007: aerender exited with code 1", "failed")]


def test_five_hundred_renders_ending_in_one_refresh_make_one_notice(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    running = [make_job(n, raw_status="rendering") for n in range(500)]
    notifier.prime(running)
    notifier.observe([ended(job, "finished") for job in running])
    notifier.flush()
    assert told == [
        (
            "500 renders finished",
            "Finished: promo_00000, promo_00001, promo_00002 and 497 more",
            "finished",
        )
    ]


def test_a_batch_is_told_when_its_last_job_ends_with_its_counts(qapp: QObject) -> None:
    notifier = Notifier()
    notifier.set_batch_names({"b-1": "Holiday promos"})
    told = listen(notifier)
    jobs = batch(100, "queued")
    notifier.prime(jobs)
    # Half the batch finishes: the batch is not done, its finished jobs wait for it.
    notifier.observe([ended(j, "finished") for j in jobs[:50]])
    notifier.flush()
    assert told == []
    notifier.observe([ended(j, "finished") for j in jobs[50:98]])
    notifier.observe([ended(j, "failed") for j in jobs[98:]])
    notifier.flush()
    assert told == [("Batch Holiday promos finished", "98 finished, 2 failed", "failed")]


def test_a_batch_failure_is_told_at_once_and_counted_again_at_the_end(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    jobs = batch(3, "rendering")
    notifier.prime(jobs)
    notifier.observe([ended(jobs[0], "failed", error="Missing footage")])
    notifier.flush()
    notifier.observe([ended(jobs[1], "finished"), ended(jobs[2], "finished")])
    notifier.flush()
    assert told == [
        ("Render failed", "promo_00000: Missing footage", "failed"),
        ("Batch b-1 finished", "2 finished, 1 failed", "failed"),
    ]


def test_batches_and_lone_jobs_ending_together_share_one_notice(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    first, second = batch(2, "rendering", "b-1"), batch(2, "rendering", "b-2", first=10)
    lone = [make_job(20, raw_status="rendering"), make_job(21, raw_status="rendering")]
    notifier.prime([*first, *second, *lone])
    notifier.observe([ended(j, "finished") for j in [*first, *second]])
    notifier.observe([ended(lone[0], "failed"), ended(lone[1], "finished")])
    notifier.flush()
    assert told == [
        (
            "2 batches finished, 1 render failed, 1 render finished",
            "Batch b-1: 2 finished\nBatch b-2: 2 finished\n"
            "Failed: promo_00020\nFinished: promo_00021",
            "failed",
        )
    ]


def test_a_job_retried_before_the_notice_goes_out_is_not_told(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    job = make_job(1, raw_status="rendering")
    notifier.prime([job])
    notifier.observe([ended(job, "failed")])
    notifier.observe([ended(job, "queued")])
    notifier.flush()
    assert told == []


def test_a_batch_the_user_cancelled_is_not_told(qapp: QObject) -> None:
    notifier = Notifier()
    told = listen(notifier)
    jobs = batch(3, "queued")
    notifier.prime(jobs)
    notifier.observe([ended(j, "cancelled") for j in jobs])
    notifier.flush()
    assert told == []


def test_refreshes_close_together_become_one_notice(qtbot: QtBot) -> None:
    notifier = Notifier(coalesce_ms=50)
    told = listen(notifier)
    jobs = [make_job(1, raw_status="rendering"), make_job(2, raw_status="rendering")]
    notifier.prime(jobs)
    with qtbot.waitSignal(notifier.notify, timeout=5000):
        notifier.observe([ended(jobs[0], "finished")])
        notifier.observe([ended(jobs[1], "finished")])
    assert told == [("2 renders finished", "Finished: promo_00001, promo_00002", "finished")]


def test_switched_off_notices_stay_off_in_the_next_run(qapp: QObject) -> None:
    Notifier().set_enabled(NoticeSetting.JOB_FINISHED, False)
    notifier = Notifier()
    assert not notifier.is_enabled(NoticeSetting.JOB_FINISHED)
    told = listen(notifier)
    jobs = [make_job(1, raw_status="rendering"), make_job(2, raw_status="rendering")]
    notifier.prime(jobs)
    notifier.observe([ended(jobs[0], "finished")])
    notifier.flush()
    notifier.observe([ended(jobs[1], "failed")])
    notifier.flush()
    assert told == [("Render failed", "promo_00002", "failed")]


def test_without_batch_notices_a_batch_job_is_told_as_it_finishes(qapp: QObject) -> None:
    notifier = Notifier()
    notifier.set_enabled(NoticeSetting.BATCH_DONE, False)
    told = listen(notifier)
    jobs = batch(2, "rendering")
    notifier.prime(jobs)
    notifier.observe([ended(jobs[0], "finished")])
    notifier.flush()
    notifier.observe([ended(jobs[1], "finished")])
    notifier.flush()
    assert told == [
        ("Render finished", "promo_00000", "finished"),
        ("Render finished", "promo_00001", "finished"),
    ]


def test_menu_actions_switch_notices_and_stay_in_step(qapp: QObject) -> None:
    owner = QObject()
    notifier = Notifier(owner)
    actions = notification_actions(notifier, owner)
    assert [a.text() for a in actions] == [
        "When a job &finishes",
        "When a job f&ails",
        "When a &batch is done",
    ]
    assert all(a.isCheckable() and a.isChecked() for a in actions)
    actions[2].trigger()
    assert not notifier.is_enabled(NoticeSetting.BATCH_DONE)
    assert not Notifier().is_enabled(NoticeSetting.BATCH_DONE)
    notifier.set_enabled(NoticeSetting.JOB_FAILED, False)
    assert not actions[1].isChecked()
