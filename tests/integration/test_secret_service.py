"""`renderctl` against a real Secret Service: tokens live there, and never in the home."""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from render_manager.home import database_path
from render_manager.store import open_store
from render_manager.store.connections import ConnectionRepository
from tests.integration.secret_service import (
    SecretServiceUnavailable,
    delete_secrets,
    find_programs,
    isolated_env,
    read_secrets,
)

pytestmark = pytest.mark.secret_service

SERVICE = "render-manager"
CLOUD_URL = "https://api.nexrender.com/api/v2"

# Reads a token through the library, as the window does, and logs it verbatim.
_PROBE = """
import hashlib, logging, sys
from render_manager.services.context import open_context
with open_context() as ctx:
    token = ctx.keychain.get(sys.argv[1])
    logging.getLogger("render_manager.probe").warning("probe read %s", token)
    print(hashlib.sha256(token.encode()).hexdigest())
"""


def _run(
    env: dict[str, str], home: Path, args: list[str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**env, "RENDER_MANAGER_HOME": str(home)},
        timeout=90,
        check=False,
    )


def _renderctl(
    env: dict[str, str], home: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return _run(env, home, ["-m", "render_manager.cli.main", *args], stdin)


def _add_cloud(env: dict[str, str], home: Path, token: str) -> subprocess.CompletedProcess[str]:
    args = ["connection", "add", "cloud", "--kind", "nexrender-cloud", "--token-stdin"]
    return _renderctl(env, home, *args, stdin=token + "\n")


def _listed(env: dict[str, str], home: Path) -> dict[str, dict[str, object]]:
    result = _renderctl(env, home, "connection", "list", "--json")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return {entry["name"]: entry for entry in json.loads(result.stdout)}


def _home_files(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def _assert_token_in_no_file(home: Path, token: str) -> dict[Path, bytes]:
    files = _home_files(home)
    # The walk must see the store and the log, or it proves nothing.
    assert database_path(home) in files
    assert home / "logs" / "render-manager.log" in files
    needle = token.encode()
    assert [p for p, data in files.items() if needle in data] == []
    return files


@pytest.fixture
def env(secret_service: dict[str, str]) -> Iterator[dict[str, str]]:
    """The Secret Service environment, with no `cloud` entry before or after the test."""
    delete_secrets(secret_service, SERVICE, "cloud")
    yield secret_service
    delete_secrets(secret_service, SERVICE, "cloud")


def test_add_stores_the_token_in_the_secret_service(env: dict[str, str], home: Path) -> None:
    token = secrets.token_urlsafe(32)

    added = _add_cloud(env, home, token)

    assert (added.returncode, added.stderr) == (0, ""), added.stderr
    assert "token stored in the OS keyring" in added.stdout
    assert token not in added.stdout
    assert read_secrets(env, SERVICE, "cloud") == [token.encode()]

    listed = _listed(env, home)
    assert listed["cloud"]["token"] == "set"
    assert listed["cloud"]["url"] == CLOUD_URL
    assert token not in json.dumps(listed)


def test_remove_deletes_the_secret_service_entry(env: dict[str, str], home: Path) -> None:
    token = secrets.token_urlsafe(32)
    assert _add_cloud(env, home, token).returncode == 0
    assert read_secrets(env, SERVICE, "cloud") == [token.encode()]

    removed = _renderctl(env, home, "connection", "remove", "cloud")

    assert (removed.returncode, removed.stderr) == (0, ""), removed.stderr
    assert read_secrets(env, SERVICE, "cloud") == []
    assert list(_listed(env, home)) == ["local"]


def test_remove_while_the_keyring_is_out_of_reach_keeps_the_connection_and_its_token(
    env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    token = secrets.token_urlsafe(32)
    assert _add_cloud(env, home, token).returncode == 0
    # The same user, the same Secret Service, but this process cannot reach it (a shell
    # over SSH, a session whose bus went away).
    cut_off = {**env, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-such-bus'}"}

    refused = _renderctl(cut_off, home, "connection", "remove", "cloud")

    assert (refused.returncode, refused.stdout) == (1, "")
    (line,) = refused.stderr.splitlines()
    assert "'cloud' was not removed (nothing was changed)" in line
    assert "no OS keyring is available" in line
    assert read_secrets(env, SERVICE, "cloud") == [token.encode()]
    assert list(_listed(env, home)) == ["cloud", "local"]

    removed = _renderctl(env, home, "connection", "remove", "cloud")
    assert (removed.returncode, removed.stderr) == (0, ""), removed.stderr
    assert read_secrets(env, SERVICE, "cloud") == []


def test_the_token_never_reaches_a_file_in_the_home(env: dict[str, str], home: Path) -> None:
    token = secrets.token_urlsafe(32)
    outputs = [_add_cloud(env, home, token)]
    outputs.append(_renderctl(env, home, "connection", "list", "--json"))
    outputs.append(_renderctl(env, home, "connection", "list"))
    assert [r.returncode for r in outputs] == [0, 0, 0], [r.stderr for r in outputs]
    _assert_token_in_no_file(home, token)

    probe = _run(env, home, ["-c", _PROBE, "cloud"])
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == hashlib.sha256(token.encode()).hexdigest()
    files = _assert_token_in_no_file(home, token)
    # The token did go through a log record, and came out redacted.
    assert b"probe read [redacted]" in files[home / "logs" / "render-manager.log"]

    outputs.append(_renderctl(env, home, "connection", "remove", "cloud"))
    assert outputs[-1].returncode == 0, outputs[-1].stderr
    assert read_secrets(env, SERVICE, "cloud") == []
    _assert_token_in_no_file(home, token)
    for result in outputs:
        assert token not in result.stdout + result.stderr


def test_without_a_session_bus_add_fails_and_writes_nothing(tmp_path: Path, home: Path) -> None:
    env = isolated_env(tmp_path / "session", f"unix:path={tmp_path / 'no-such-bus'}")
    token = secrets.token_urlsafe(32)

    added = _add_cloud(env, home, token)

    assert (added.returncode, added.stdout) == (1, "")
    lines = added.stderr.splitlines()
    assert len(lines) == 1, added.stderr
    assert "no OS keyring is available" in lines[0]
    assert "gnome-keyring" in lines[0]
    with open_store(home) as db:
        assert [c.name for c in ConnectionRepository(db).list()] == ["local"]
    _assert_token_in_no_file(home, token)


def test_a_machine_without_the_daemons_is_told_which_packages_to_install(tmp_path: Path) -> None:
    with pytest.raises(SecretServiceUnavailable) as raised:
        find_programs(path=str(tmp_path))

    message = str(raised.value)
    assert "dbus-daemon and gnome-keyring-daemon not found" in message
    assert "apt-get install dbus-daemon gnome-keyring" in message
