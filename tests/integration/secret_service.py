"""A private D-Bus session bus with an unlocked gnome-keyring Secret Service, for tests.

Nothing here touches the user's own session: the bus, the keyring files and every XDG folder
live in a temporary directory, and both daemons are stopped by PID at the end.

The bus is started from a minimal configuration of its own rather than `--session`: the stock
session configuration lets D-Bus *activate* gnome-keyring on demand, which would start a second,
locked daemon that nobody stops. Here the only Secret Service is the one started below.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import secretstorage
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse
from secretstorage.exceptions import SecretStorageException

APT_PACKAGES = "dbus-daemon gnome-keyring"
PROGRAMS = ("dbus-daemon", "gnome-keyring-daemon")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.05
# The throw-away login keyring's password, given to `gnome-keyring-daemon --unlock` on stdin.
_KEYRING_PASSWORD = "render-manager-tests"
# sockaddr_un.sun_path holds 108 bytes, the terminating NUL included.
_MAX_SOCKET_PATH = 100

# Variables that would point a child at the user's own session, keyring or configuration.
_INHERITED_DROP = (
    "DBUS_SESSION_BUS_ADDRESS",
    "DBUS_SESSION_BUS_PID",
    "DBUS_STARTER_ADDRESS",
    "DBUS_STARTER_BUS_TYPE",
    "GNOME_KEYRING_CONTROL",
    "GNOME_KEYRING_PID",
    "SSH_AUTH_SOCK",
    "PYTHON_KEYRING_BACKEND",
    "RENDER_MANAGER_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_DIRS",
)

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretServiceUnavailable(RuntimeError):
    """The private Secret Service could not be started; the message says why."""


def find_programs(path: str | None = None) -> dict[str, str]:
    """The full paths of dbus-daemon and gnome-keyring-daemon; raises naming the apt packages."""
    found = {name: shutil.which(name, path=path) for name in PROGRAMS}
    missing = [name for name, where in found.items() if where is None]
    if missing:
        raise SecretServiceUnavailable(
            f"{' and '.join(missing)} not found on PATH: the Secret Service tests need a real "
            f"D-Bus and gnome-keyring; install them with `apt-get install {APT_PACKAGES}`"
        )
    return {name: where for name, where in found.items() if where is not None}


def isolated_env(root: Path, bus_address: str) -> dict[str, str]:
    """The environment of a child confined to `root`, talking to the bus at `bus_address`."""
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED_DROP}
    dirs = {
        "HOME": root / "home",
        "XDG_CONFIG_HOME": root / "config",
        "XDG_DATA_HOME": root / "data",
        "XDG_CACHE_HOME": root / "cache",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({k: str(v) for k, v in dirs.items()})
    env["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    return env


@dataclass
class SecretService:
    """A running private bus and keyring daemon."""

    env: dict[str, str]
    address: str
    root: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    own_runtime_dir: Path | None = None

    def stop(self) -> None:
        """Stop the keyring daemon, then the bus: terminate, wait, kill if need be."""
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        self.processes.clear()
        if self.own_runtime_dir is not None:
            shutil.rmtree(self.own_runtime_dir, ignore_errors=True)
            self.own_runtime_dir = None

    def daemon_logs(self) -> str:
        """What the daemons wrote, to explain a failure."""
        parts = []
        for name in ("dbus-daemon.log", "gnome-keyring-daemon.log"):
            path = self.root / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace').strip()}")
        return "\n".join(parts)


def start(root: Path) -> SecretService:
    """Start a private bus and an unlocked gnome-keyring in `root`; wait until it answers."""
    programs = find_programs()
    runtime = root / "run"
    own_runtime: Path | None = None
    if len(str(runtime / "bus")) > _MAX_SOCKET_PATH:
        runtime = own_runtime = Path(tempfile.mkdtemp(prefix="rm-bus-"))
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    socket = runtime / "bus"
    config = root / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=socket), encoding="utf-8")

    env = isolated_env(root, f"unix:path={socket}")
    env["XDG_RUNTIME_DIR"] = str(runtime)
    service = SecretService(env=env, address=env["DBUS_SESSION_BUS_ADDRESS"], root=root)
    service.own_runtime_dir = own_runtime
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        with (root / "dbus-daemon.log").open("wb") as bus_log:
            bus = subprocess.Popen(
                [
                    programs["dbus-daemon"],
                    f"--config-file={config}",
                    "--nofork",
                    "--print-address=1",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=bus_log,
                env=env,
            )
        service.processes.append(bus)
        # The daemon prints its address once it listens.
        service.address = _read_line(bus, deadline)
        service.env["DBUS_SESSION_BUS_ADDRESS"] = service.address

        with (root / "gnome-keyring-daemon.log").open("wb") as keyring_log:
            daemon = subprocess.Popen(
                [
                    programs["gnome-keyring-daemon"],
                    "--foreground",
                    "--unlock",
                    "--components=secrets",
                ],
                stdin=subprocess.PIPE,
                stdout=keyring_log,
                stderr=subprocess.STDOUT,
                env=service.env,
            )
        service.processes.append(daemon)
        assert daemon.stdin is not None
        # --unlock reads the login keyring's password from stdin, up to its end.
        daemon.stdin.write(_KEYRING_PASSWORD.encode())
        daemon.stdin.close()

        _wait_until_unlocked(service, deadline)
    except BaseException as exc:
        logs = service.daemon_logs()
        service.stop()
        if isinstance(exc, SecretServiceUnavailable):
            raise SecretServiceUnavailable(f"{exc}\n{logs}") from None
        raise
    return service


def _read_line(proc: subprocess.Popen[bytes], deadline: float) -> str:
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SecretServiceUnavailable("dbus-daemon did not print its address in time")
            if not selector.select(remaining):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                raise SecretServiceUnavailable(
                    f"dbus-daemon exited with status {proc.wait()} before it printed its address"
                )
            data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


def _wait_until_unlocked(service: SecretService, deadline: float) -> None:
    last_error = "the daemon did not register org.freedesktop.secrets"
    while True:
        for proc in service.processes:
            if proc.poll() is not None:
                raise SecretServiceUnavailable(
                    f"{_program(proc)} exited with status {proc.returncode}"
                )
        try:
            with connect(service.address) as conn:
                if secretstorage.check_service_availability(conn):
                    # The "default" alias, without get_default_collection(): that one would
                    # try to create a missing collection and wait on a password prompt.
                    if not secretstorage.Collection(conn).is_locked():
                        return
                    last_error = "the default collection is still locked"
        except (SecretStorageException, DBusErrorResponse, OSError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise SecretServiceUnavailable(
                f"the Secret Service did not answer within {START_TIMEOUT_S:g} s ({last_error})"
            )
        time.sleep(_POLL_S)


def _program(proc: subprocess.Popen[bytes]) -> str:
    args = proc.args
    first = args[0] if isinstance(args, list) else args
    return Path(str(first)).name


@contextmanager
def connect(address: str) -> Iterator[DBusConnection]:
    """A connection to the private bus."""
    with closing(open_dbus_connection(bus=address)) as conn:
        yield conn


def read_secrets(env: dict[str, str], service: str, username: str) -> list[bytes]:
    """Every secret stored under (service, username), read straight from the Secret Service."""
    with connect(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        items = secretstorage.search_items(conn, {"service": service, "username": username})
        return [item.get_secret() for item in items]


def delete_secrets(env: dict[str, str], service: str, username: str) -> None:
    """Remove every item stored under (service, username)."""
    with connect(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        for item in list(
            secretstorage.search_items(conn, {"service": service, "username": username})
        ):
            item.delete()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a private, unlocked Secret Service; the daemons stop at the end.

    A machine without dbus-daemon or gnome-keyring-daemon fails these tests instead of
    skipping them: CI installs both, so a missing one is a broken setup, not an optional extra.
    """
    problem = None
    try:
        find_programs()
        service = start(tmp_path_factory.mktemp("secret-service"))
    except SecretServiceUnavailable as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    try:
        yield dict(service.env)
    finally:
        service.stop()
