"""Fixtures for the checks of what users install: the built wheel's venv and the app folder.

Tests marked `packaging` need the artifacts of packaging/check.sh, which names their folder
in $RM_PACKAGING_OUT; without it they are skipped (scripts/test runs check.sh, so CI never
skips them). The resource tests beside them need nothing built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

# The Secret Service fixture lives with its daemons; conftest files share it by import.
from tests.integration.secret_service import secret_service  # noqa: F401

OUT_ENV = "RM_PACKAGING_OUT"


@dataclass(frozen=True)
class Install:
    """One way users get Render Manager: where its two programs are."""

    name: str
    gui: Path
    cli: Path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the built-artifact tests when no build was named."""
    if os.environ.get(OUT_ENV):
        return
    skip = pytest.mark.skip(reason=f"no build: run packaging/check.sh (sets ${OUT_ENV})")
    for item in items:
        if item.get_closest_marker("packaging") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def packaging_out() -> Path:
    """The folder packaging/check.sh built into."""
    return Path(os.environ[OUT_ENV])


@pytest.fixture(scope="session")
def bundle(packaging_out: Path) -> Path:
    """The one-folder app, as unpacked by a user."""
    folder = packaging_out / "dist" / "render-manager"
    if not (folder / "renderctl").is_file():
        pytest.fail(f"{folder} holds no app: packaging/build.sh did not finish", pytrace=False)
    return folder


@pytest.fixture(scope="session")
def wheel_venv(packaging_out: Path) -> Path:
    """The clean venv the wheel was installed into."""
    venv = packaging_out / "venv"
    if not (venv / "bin" / "renderctl").is_file():
        pytest.fail(f"{venv} has no renderctl: the wheel was not installed", pytrace=False)
    return venv


@pytest.fixture(params=["wheel", "bundle"])
def install(request: pytest.FixtureRequest) -> Install:
    """Each install in turn: the wheel's venv, then the app folder."""
    if request.param == "wheel":
        bin_dir = request.getfixturevalue("wheel_venv") / "bin"
        return Install("wheel", bin_dir / "render-manager", bin_dir / "renderctl")
    folder = request.getfixturevalue("bundle")
    return Install("bundle", folder / "render-manager", folder / "renderctl")
