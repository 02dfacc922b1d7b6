"""The window's projects are read off the event loop, once per version of the file."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from render_manager.projects import ProjectInfo, ProjectUnreadable, read_project
from render_manager.services.project_catalog import ProjectCatalog
from tests.unit.helpers.comp_projects import Comp, make_comp_project


class _Counted:
    """The real reader, counting its reads and the threads they ran on."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.paths: list[Path] = []
        self.threads: set[int] = set()
        self._gate = gate

    def __call__(self, path: Path) -> ProjectInfo:
        self.paths.append(path)
        self.threads.add(threading.get_ident())
        if self._gate is not None:
            assert self._gate.wait(10), "the test never opened the gate"
        return read_project(path)


@pytest.mark.asyncio
async def test_a_project_is_read_once_in_a_worker_thread_and_again_once_saved(
    tmp_path: Path,
) -> None:
    path = make_comp_project(tmp_path / "promo.aep", [Comp("Main")])
    reader = _Counted()
    catalog = ProjectCatalog(read=reader)
    first = await catalog.read(path)
    again = await catalog.read(str(path))
    assert [c.name for c in first.compositions] == ["Main"]
    assert again is first
    assert reader.paths == [path]
    assert threading.get_ident() not in reader.threads, "never on the event loop's thread"
    assert catalog.kept(path) is first

    make_comp_project(path, [Comp("Main"), Comp("Outro")])
    os.utime(path, ns=(1, 1))  # a different version, whatever the clock's resolution
    saved = await catalog.read(path)
    assert sorted(c.name for c in saved.compositions) == ["Main", "Outro"]
    assert len(reader.paths) == 2


@pytest.mark.asyncio
async def test_the_loop_runs_while_a_project_is_read_and_two_askers_share_one_read(
    tmp_path: Path,
) -> None:
    path = make_comp_project(tmp_path / "big.aep", [Comp("Main")])
    gate = threading.Event()
    reader = _Counted(gate)
    catalog = ProjectCatalog(read=reader)
    first = asyncio.ensure_future(catalog.read(path))
    second = asyncio.ensure_future(catalog.read(path))
    # The loop turns (this coroutine runs) while the reader is held in its thread.
    while not reader.paths:
        await asyncio.sleep(0.01)
    assert not first.done()
    assert not second.done()
    first.cancel()  # one asker gives up (its dialog closed): the other still gets it
    gate.set()
    project = await second
    assert [c.name for c in project.compositions] == ["Main"]
    assert len(reader.paths) == 1
    assert catalog.kept(path) is project


@pytest.mark.asyncio
async def test_an_unreadable_project_raises_with_the_file_and_the_reason(tmp_path: Path) -> None:
    catalog = ProjectCatalog()
    fake = tmp_path / "fake.aep"
    fake.write_bytes(b"not a project at all")
    with pytest.raises(ProjectUnreadable) as raised:
        await catalog.read(fake)
    assert str(raised.value).startswith(f"{fake}: ")
    with pytest.raises(ProjectUnreadable) as missing:
        await catalog.read(tmp_path / "gone.aep")
    assert str(tmp_path / "gone.aep") in str(missing.value)
    assert catalog.kept(fake) is None
