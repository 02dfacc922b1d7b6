"""A local job's composition is looked for in its project before anything is queued: a
name not there is refused with the closest names; a project the reader cannot read stays a
plain job, with a warning that its composition was not checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from render_manager.engine.local_validator import LocalValidator, RenderJob
from render_manager.projects import read_project
from tests.engine.fixtures import Engine
from tests.unit.helpers.comp_projects import Comp, make_comp_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aep-projects"
COMPS = [Comp("Main 16x9"), Comp("Main 9x16", 1080, 1920), Comp("Outro"), Comp("Lower third")]


@pytest.fixture
def made(tmp_path: Path) -> Path:
    return make_comp_project(tmp_path / "promo.aep", COMPS)


def _check(engine: Engine, project: Path, composition: str) -> RenderJob | list[str]:
    body = {"template": {"src": str(project), "composition": composition}}
    found = LocalValidator(engine.connection, project.parent).validate(
        body, work_dir=engine.ctx.home / "jobs"
    )
    assert not isinstance(found, list) or found, "a refusal says why"
    return found  # type: ignore[return-value]


def test_a_composition_of_the_project_is_ready_without_warnings(engine: Engine, made: Path) -> None:
    found = _check(engine, made, "Main 9x16")
    assert isinstance(found, RenderJob), found
    assert found.warnings == ()


def test_a_mistyped_composition_is_refused_with_the_closest_names(
    engine: Engine, made: Path
) -> None:
    found = _check(engine, made, "main 16x9 ")
    assert found == [
        "template.composition: 'main 16x9 ' is not a composition of promo.aep; "
        "closest: 'Main 16x9', 'Main 9x16'"
    ]


def test_a_name_like_none_lists_the_project_s_compositions(engine: Engine, made: Path) -> None:
    (problem,) = _check(engine, made, "Credits")  # type: ignore[misc]
    assert problem == (
        "template.composition: 'Credits' is not a composition of promo.aep; its compositions: "
        "'Lower third', 'Main 16x9', 'Main 9x16', 'Outro'"
    )


def test_a_project_without_compositions_says_so(engine: Engine, tmp_path: Path) -> None:
    empty = shutil.copy(FIXTURES / "28-versioncheck-2022.aep", tmp_path / "empty.aep")
    (problem,) = _check(engine, Path(empty), "Main")  # type: ignore[misc]
    assert problem.endswith("'Main' is not a composition of empty.aep, which has no compositions")


def test_a_real_project_s_composition_is_found(engine: Engine, tmp_path: Path) -> None:
    project = Path(shutil.copy(FIXTURES / "20-ludumdare47-intro.aep", tmp_path / "intro.aep"))
    assert isinstance(_check(engine, project, "main 2"), RenderJob)
    names = [c.name for c in read_project(project).compositions]
    (problem,) = _check(engine, project, "mian")  # type: ignore[misc]
    closest = problem.split("closest: ")[1]
    assert closest.startswith("'main'"), problem
    assert all(name.strip("'") in names for name in closest.split(", "))


@pytest.mark.parametrize("unreadable", ["cs6", "placeholder", "damaged"])
def test_an_unreadable_project_stays_a_plain_job_with_a_warning(
    engine: Engine, made: Path, tmp_path: Path, unreadable: str
) -> None:
    project = tmp_path / f"{unreadable}.aep"
    if unreadable == "cs6":
        shutil.copy(FIXTURES / "unreadable" / "01-lottieweb-helperproject.aep", project)
    elif unreadable == "placeholder":
        project.write_bytes(b"RIFX fake After Effects project")
    else:
        project.write_bytes(made.read_bytes()[:3000])
    found = _check(engine, project, "Anything")
    assert isinstance(found, RenderJob), found
    (warning,) = found.warnings
    assert warning.startswith("the composition was not checked, the project could not be read")
    assert str(project) in warning
    assert "rendered as given" in warning


def test_a_project_saved_again_is_read_again(engine: Engine, made: Path) -> None:
    validator = LocalValidator(engine.connection, made.parent)
    body = {"template": {"src": str(made), "composition": "Credits"}}
    assert isinstance(validator.validate(body, work_dir=made.parent), list)
    make_comp_project(made, [*COMPS, Comp("Credits", duration=3.0)])
    assert isinstance(validator.validate(body, work_dir=made.parent), RenderJob)
