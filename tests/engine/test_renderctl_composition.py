"""`renderctl submit` looks for each job's composition in its project, run as a real
process: a name not there queues nothing and names the closest ones; a project the reader
cannot read is queued as a plain job, with a warning on stderr."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.engine.fixtures import Engine
from tests.engine.processes import renderctl
from tests.unit.helpers.comp_projects import Comp, make_comp_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aep-projects"


def _job(tmp_path: Path, project: Path, composition: str) -> Path:
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"template": {"src": str(project), "composition": composition}}))
    return job


def test_a_composition_not_in_the_project_queues_nothing_and_names_the_closest(
    engine: Engine, tmp_path: Path
) -> None:
    project = make_comp_project(tmp_path / "promo.aep", [Comp("Main 16x9"), Comp("Outro")])
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(_job(tmp_path, project, "Main")))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "row 0: template.composition: 'Main' is not a composition of promo.aep; "
        "closest: 'Main 16x9'\nnothing was queued\n"
    )
    assert engine.ctx.jobs.list() == []

    fixed = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_job(tmp_path, project, "Main 16x9"))
    )
    assert (fixed.returncode, fixed.stderr) == (0, "")
    assert [j.name for j in engine.ctx.jobs.list()] == ["Main 16x9"]


def test_each_row_s_composition_is_checked_after_filling(engine: Engine, tmp_path: Path) -> None:
    project = make_comp_project(tmp_path / "promo.aep", [Comp("Story"), Comp("Feed")])
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"template": {"src": str(project), "composition": "{{comp}}"}}))
    rows = tmp_path / "rows.csv"
    rows.write_text("comp\nStory\nstroy\nFeed\n")
    done = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(template), "--rows", str(rows), "--json"
    )
    assert done.returncode == 2
    errors = json.loads(done.stdout)["errors"]
    assert errors == [
        {
            "index": 1,
            "error": "template.composition: 'stroy' is not a composition of promo.aep; "
            "closest: 'Story'",
        }
    ]
    assert engine.ctx.jobs.list() == []


def test_an_unreadable_project_is_queued_with_a_warning_on_stderr(
    engine: Engine, tmp_path: Path
) -> None:
    cs6 = tmp_path / "old.aep"
    shutil.copy(FIXTURES / "unreadable" / "01-lottieweb-helperproject.aep", cs6)
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(_job(tmp_path, cs6, "Main")))
    assert done.returncode == 0, done.stderr
    (job,) = engine.ctx.jobs.list()
    assert done.stdout == f"submitted {job.id} (row 0)\n"
    (warning,) = done.stderr.splitlines()
    assert warning.startswith(
        f"row 0: warning: the composition was not checked, the project could not be read ({cs6}: "
    )
    assert "CS6 or older" in warning

    as_json = renderctl(
        engine.ctx.home, "submit", "-c", "local", str(_job(tmp_path, cs6, "Main")), "--json"
    )
    assert as_json.returncode == 0, as_json.stderr
    (listed,) = json.loads(as_json.stdout)["warnings"]
    assert listed["index"] == 0
    assert listed["warning"] in as_json.stderr


def test_a_batch_on_an_unreadable_project_warns_once_for_all_its_rows(
    engine: Engine, tmp_path: Path
) -> None:
    template = tmp_path / "template.json"
    body = {"name": "{{name}}", "template": {"src": str(engine.project), "composition": "Main"}}
    template.write_text(json.dumps(body))
    rows = tmp_path / "rows.csv"
    rows.write_text("name\n" + "".join(f"v{n}\n" for n in range(7)))
    done = renderctl(engine.ctx.home, "submit", "-c", "local", str(template), "--rows", str(rows))
    assert done.returncode == 0, done.stderr
    assert len(engine.ctx.jobs.list()) == 7
    (warning,) = done.stderr.splitlines()
    assert warning.startswith("rows 0, 1, 2, 3, 4 and 2 more: warning: the composition was not")
