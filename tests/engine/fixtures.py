"""Fixtures for the local engine: a fake aerender on disk, a home with a local connection."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import EngineSettings
from render_manager.domain.results import SubmitResult
from render_manager.engine.local_submit import LocalSubmitter
from render_manager.keychain import Keychain
from render_manager.services.context import AppContext, open_context
from render_manager.store.local_jobs import LocalJobRepository

FAKE = Path(__file__).resolve().parents[1] / "fake_aerender.py"


@pytest.fixture
def fake_aerender(tmp_path: Path) -> Path:
    """An executable named aerender that runs the fake with this interpreter."""
    path = tmp_path / "bin" / "aerender"
    path.parent.mkdir()
    # exec keeps one process, so the PID the engine records is the fake's own.
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set FAKE_AERENDER_* variables for the renders a test starts."""
    for key in list(os.environ):
        if key.startswith("FAKE_AERENDER_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("FAKE_AERENDER_FRAME_DELAY", "0.002")
    monkeypatch.setenv("FAKE_AERENDER_COMP_FRAMES", "20")
    return monkeypatch


@dataclass
class Engine:
    """A home with a local connection wired to the fake aerender."""

    ctx: AppContext
    connection: Connection
    project: Path
    local: LocalJobRepository

    def configure(self, **settings: Any) -> Connection:
        """Change the local connection's engine settings (and concurrency)."""
        concurrency = settings.pop("concurrency", self.connection.concurrency)
        self.connection = replace(
            self.connection,
            concurrency=concurrency,
            engine=replace(self.connection.engine, **settings),
        )
        self.ctx.connections.update(self.connection)
        return self.connection

    def submit(self, *bodies: dict[str, Any]) -> SubmitResult:
        """Queue job bodies on the local connection."""
        submitter = LocalSubmitter(self.ctx.jobs, self.local, self.ctx.home, self.connection)
        return submitter.submit(list(bodies), base_dir=self.project.parent)

    def job_body(self, **template: Any) -> dict[str, Any]:
        """A minimal valid nexrender job for the fake project."""
        return {"template": {"src": str(self.project), "composition": "Main", **template}}


@pytest.fixture
def engine(
    home: Path,
    keychain: Keychain,
    fake_aerender: Path,
    fake_env: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[Engine]:
    """A home whose `local` connection renders with the fake aerender."""
    ctx = open_context(home, keychain=keychain)
    connection = replace(
        ctx.connections.get("local"),
        aerender=str(fake_aerender),
        concurrency=2,
        engine=EngineSettings(stall_timeout_s=20.0, exit_grace_s=0.5),
    )
    ctx.connections.update(connection)
    project = tmp_path / "project" / "promo.aep"
    project.parent.mkdir()
    project.write_bytes(b"RIFX fake After Effects project")
    yield Engine(ctx, connection, project, LocalJobRepository(ctx.db))
    ctx.close()
