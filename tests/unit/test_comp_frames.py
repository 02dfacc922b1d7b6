"""The frame count of a render from the project: work area, job frames, one read per file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from render_manager.domain.local_job import TemplateSpec
from render_manager.engine.comp_frames import CompFrameCounts, frames_of_range
from render_manager.projects import Composition, ProjectInfo, ProjectUnreadable, read_project
from tests.render_queue_projects import project_with_work_area

COMP = Composition("Main", 640, 360, 25.0, 60.0, 1500, 2.0, 4.0, ())


def _template(**fields: object) -> TemplateSpec:
    return TemplateSpec(src="/p.aep", composition="Main", **fields)  # type: ignore[arg-type]


def test_the_work_area_is_the_range_and_the_job_s_frames_replace_its_ends() -> None:
    assert frames_of_range(_template(), COMP) == 100  # 4 s of work area at 25 fps
    assert frames_of_range(_template(frame_start=100), COMP) == 50  # to the work area's end
    assert frames_of_range(_template(frame_end=59), COMP) == 10  # from its start, frame 50
    assert frames_of_range(_template(frame_start=0, frame_end=9), None) == 10
    assert frames_of_range(_template(frame_increment=2), COMP) == 50
    assert frames_of_range(_template(), None) is None


def test_a_project_is_read_once_for_every_job_and_unreadable_ones_stay_unknown(
    tmp_path: Path,
) -> None:
    project = project_with_work_area(tmp_path / "p.aep", fps=24.0, work_area=(0.0, 10.0))
    reads: list[Path] = []

    def counting(path: Path) -> ProjectInfo:
        reads.append(path)
        return read_project(path)

    counts = CompFrameCounts(read=counting)
    spec = TemplateSpec(src=str(project), composition="Main")
    other = TemplateSpec(src=str(project), composition="Nope")

    async def many() -> list[int | None]:
        return await asyncio.gather(*(counts.frames(t) for t in [spec] * 5 + [other]))

    assert asyncio.run(many()) == [240] * 5 + [None]
    assert reads == [project]
    broken = tmp_path / "broken.aep"
    broken.write_bytes(b"RIFX nonsense")
    assert asyncio.run(counts.frames(TemplateSpec(src=str(broken), composition="Main"))) is None


def test_the_reader_s_refusal_is_what_keeps_the_length_unknown(tmp_path: Path) -> None:
    def refusing(path: Path) -> ProjectInfo:
        raise ProjectUnreadable(path, "is truncated")

    spec = TemplateSpec(src=str(tmp_path / "x.aep"), composition="Main")
    (tmp_path / "x.aep").write_bytes(b"x")
    assert asyncio.run(CompFrameCounts(read=refusing).frames(spec)) is None
