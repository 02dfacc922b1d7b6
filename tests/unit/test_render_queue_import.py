"""Render-queue items to local job bodies: what each field becomes, where renders land."""

from __future__ import annotations

from pathlib import Path

import pytest

from render_manager.domain.local_job_parser import parse_local_job
from render_manager.projects import OutputModule, RenderQueueItem, RenderStatus
from render_manager.services.render_queue_import import COPY_ACTION, jobs_for, status_counts


def _item(index: int, status: RenderStatus, *outputs: str | None) -> RenderQueueItem:
    return RenderQueueItem(
        index=index, comp="Main", status=status, render=True, frame_start=5, frame_end=9,
        output_modules=tuple(OutputModule("H.264", output) for output in outputs),
        render_settings="Best Settings",
    )  # fmt: skip


def test_statuses_are_counted_most_first_in_after_effects_words() -> None:
    items = [_item(1, RenderStatus.DONE), _item(2, RenderStatus.USER_STOPPED)]
    items += [_item(3, RenderStatus.DONE), _item(4, RenderStatus.NEEDS_OUTPUT)]
    assert status_counts(items) == "2 done, 1 needing an output, 1 stopped"


def test_an_item_becomes_a_valid_local_job_with_its_span_and_templates(tmp_path: Path) -> None:
    dest = tmp_path / "delivery" / "main.mp4"
    dest.parent.mkdir()
    (job,) = jobs_for(tmp_path / "p.aep", [_item(1, RenderStatus.QUEUED, str(dest))])
    spec = parse_local_job(job.body)
    template = spec.template
    assert (template.composition, template.frame_start, template.frame_end) == ("Main", 5, 9)
    assert (template.output_module, template.settings_template) == ("H.264", "Best Settings")
    assert template.output_ext == "mp4"
    assert template.src == str((tmp_path / "p.aep").resolve())
    assert [(a.module, a.options) for a in spec.postrender] == [("copy", {"output": str(dest)})]
    assert job.body["actions"]["postrender"][0]["module"] == COPY_ACTION
    assert job.note is None


@pytest.mark.parametrize(
    ("output", "why"),
    [
        (None, "no output path in the project"),
        ("renders/main.mov", "relative output path 'renders/main.mov'"),
        ("D:\\renders\\main.mov", "folder D:\\renders not found on this computer"),
        ("/nowhere/at/all/main.mov", "folder /nowhere/at/all not found on this computer"),
    ],
)
def test_paths_the_engine_cannot_follow_leave_the_render_in_the_job_folder(
    tmp_path: Path, output: str | None, why: str
) -> None:
    (job,) = jobs_for(tmp_path / "p.aep", [_item(1, RenderStatus.QUEUED, output)])
    assert job.note == f"{why}: rendered into the job folder"
    assert "actions" not in job.body


def test_an_image_sequence_stays_in_the_job_folder(tmp_path: Path) -> None:
    frames = str(tmp_path / "frames_[#####].png")
    (job,) = jobs_for(tmp_path / "p.aep", [_item(1, RenderStatus.QUEUED, frames)])
    assert job.body["template"]["outputExt"] == "png"
    assert job.note is not None
    assert job.note.startswith("image sequence")


def test_several_output_modules_make_one_named_job_each(tmp_path: Path) -> None:
    jobs = jobs_for(tmp_path / "p.aep", [_item(3, RenderStatus.DONE, None, None, None)])
    assert [job.body["name"] for job in jobs] == [
        "Main (render queue #3, output 1)",
        "Main (render queue #3, output 2)",
        "Main (render queue #3, output 3)",
    ]
    assert [job.module for job in jobs] == [1, 2, 3]
