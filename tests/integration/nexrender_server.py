"""A real open-source nexrender server (npm `@nexrender/server`) on 127.0.0.1, for tests.

The package is installed once into a cache folder shared by test runs; each run starts its
own server with a database file in a temporary folder, through a small launcher that binds
127.0.0.1 only (the package's own CLI always listens on 0.0.0.0). `FakeWorker` plays a
nexrender worker: it picks jobs up and reports their progress the way the real one does.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

PACKAGE = "@nexrender/server"
VERSION = "1.38.0"
LAUNCHER = Path(__file__).with_name("start_nexrender_server.js")
INSTALL_TIMEOUT_S = 300.0
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.05
# Variables the package reads that would change what is tested: a Redis database instead of
# the file, a pickup order other than oldest first.
_SERVER_ENV_DROP = (
    "NEXRENDER_DATABASE_PROVIDER",
    "NEXRENDER_REQUIRE_PLUGINS",
    "NEXRENDER_ORDERING",
)


# Building an SSL context (loading the CA bundle) is most of what a new httpx client costs;
# the server speaks plain HTTP, so the helpers' clients share one.
_TLS = ssl.create_default_context()


class NexrenderServerUnavailable(RuntimeError):
    """The server could not be installed or started; the message says why."""


def cache_dir() -> Path:
    """Where the package is installed: ${XDG_CACHE_HOME:-~/.cache}/render-manager-tests/…."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "render-manager-tests" / "nexrender-server"


def find_programs() -> dict[str, str]:
    """The full paths of node and npm; raises saying how to get them."""
    found = {name: shutil.which(name) for name in ("node", "npm")}
    missing = [name for name, where in found.items() if where is None]
    if missing:
        raise NexrenderServerUnavailable(
            f"{' and '.join(missing)} not found on PATH: the nexrender server tests run the "
            f"real {PACKAGE} {VERSION} and need Node.js 18 or newer with npm"
        )
    return {name: where for name, where in found.items() if where is not None}


def _installed(root: Path) -> bool:
    manifest = root / "node_modules" / "@nexrender" / "server" / "package.json"
    try:
        return bool(json.loads(manifest.read_text(encoding="utf-8")).get("version") == VERSION)
    except (OSError, ValueError):
        return False


def ensure_installed(root: Path | None = None) -> Path:
    """The node_modules folder holding the package, installing it first if need be.

    The install goes to a fresh sibling folder that is then renamed into place, so an
    interrupted install or a second test run installing at the same time never leaves a
    half-installed folder where the next run would trust it.
    """
    root = root or cache_dir()
    if _installed(root):
        return root / "node_modules"
    npm = find_programs()["npm"]
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = root.parent / f"{root.name}.installing-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    # A package.json of its own keeps npm from adopting a project in a parent folder.
    (staging / "package.json").write_text(
        json.dumps({"name": "render-manager-test-nexrender-server", "private": True}),
        encoding="utf-8",
    )
    command = [
        npm,
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(staging),
        f"{PACKAGE}@{VERSION}",
        # The server asks for @nexrender/types ^1.38.0; pin what the tests were written
        # against, so its validation messages do not change under them.
        "@nexrender/types@1.62.0",
    ]
    try:
        result = subprocess.run(
            command,
            cwd=staging,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        raise NexrenderServerUnavailable(
            f"`{' '.join(command[:-1])} {command[-1]}` did not finish within "
            f"{INSTALL_TIMEOUT_S:g} s"
        ) from None
    if result.returncode != 0 or not _installed(staging):
        shutil.rmtree(staging, ignore_errors=True)
        output = (result.stderr or result.stdout).strip().splitlines()[:12]
        raise NexrenderServerUnavailable(
            f"installing {PACKAGE}@{VERSION} failed (npm exit status {result.returncode}); "
            "the nexrender server tests need the npm registry once, then use "
            f"{root}:\n" + "\n".join(output)
        )
    if _installed(root):
        shutil.rmtree(staging, ignore_errors=True)  # another run finished first
    else:
        shutil.rmtree(root, ignore_errors=True)
        try:
            staging.rename(root)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not _installed(root):
                raise
    return root / "node_modules"


@dataclass
class NexrenderServer:
    """A running server: `url` is what a connection stores; requests go to `url`/api/v1."""

    url: str
    secret: str
    root: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _client: httpx.Client | None = field(default=None, repr=False)

    @property
    def api(self) -> str:
        """The API's base URL."""
        return f"{self.url}/api/v1"

    @property
    def headers(self) -> dict[str, str]:
        """The header that authenticates a request."""
        return {"nexrender-secret": self.secret}

    def log(self) -> str:
        """What the server printed (it logs every request), to explain a failure."""
        path = self.root / "server.log"
        return path.read_text(errors="replace").strip() if path.exists() else ""

    @property
    def http(self) -> httpx.Client:
        """A client for requests straight to the API (relative paths), with the secret."""
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.api, headers=self.headers, timeout=10, verify=_TLS
            )
        return self._client

    def jobs(self) -> list[dict[str, Any]]:
        """Every job the server holds, read straight from it."""
        return list(self.http.get("/jobs").raise_for_status().json())

    def clear(self) -> None:
        """Remove every job, so a test starts with an empty queue (workers pick oldest first)."""
        # A uid can be held twice and DELETE removes one job per call: repeat until empty.
        for _ in range(100):
            listing = self.jobs()
            if not listing:
                return
            for job in listing:
                self.http.delete(f"/jobs/{job['uid']}").raise_for_status()
        raise AssertionError("the nexrender server still holds jobs after clearing it")

    def stop(self) -> None:
        """Stop the server by its PID: close its stdin, terminate, wait, kill if need be."""
        if self._client is not None:
            self._client.close()
            self._client = None
        proc = self.process
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()
        self.process = None


def start(root: Path, node_modules: Path) -> NexrenderServer:
    """Start a server with its database in `root`; wait until /api/v1/health answers."""
    node = find_programs()["node"]
    root.mkdir(parents=True, exist_ok=True)
    port_file = root / "port"
    env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV_DROP}
    env["NEXRENDER_DATABASE"] = str(root / "db.json")
    server = NexrenderServer(url="", secret=secrets.token_urlsafe(16), root=root)
    env["RM_NEXRENDER_SECRET"] = server.secret
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        with (root / "server.log").open("wb") as log:
            server.process = subprocess.Popen(
                [node, str(LAUNCHER), str(node_modules), str(port_file)],
                # The launcher exits when this pipe closes, even if this process is killed.
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        server.url = f"http://127.0.0.1:{_wait_for_port(server, port_file, deadline)}"
        _wait_until_healthy(server, deadline)
    except BaseException as exc:
        log_text = server.log()
        server.stop()
        if isinstance(exc, NexrenderServerUnavailable):
            raise NexrenderServerUnavailable(f"{exc}\n--- server.log\n{log_text}") from None
        raise
    return server


def _check_alive(server: NexrenderServer) -> None:
    proc = server.process
    if proc is not None and proc.poll() is not None:
        raise NexrenderServerUnavailable(
            f"the nexrender server exited with status {proc.returncode} while starting"
        )


def _wait_for_port(server: NexrenderServer, port_file: Path, deadline: float) -> int:
    while True:
        _check_alive(server)
        try:
            return int(port_file.read_text(encoding="ascii"))
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            raise NexrenderServerUnavailable(
                f"the nexrender server did not start listening within {START_TIMEOUT_S:g} s"
            )
        time.sleep(_POLL_S)


def _wait_until_healthy(server: NexrenderServer, deadline: float) -> None:
    last = "no answer yet"
    while True:
        _check_alive(server)
        try:
            response = httpx.get(f"{server.api}/health", timeout=2, verify=_TLS)
            if response.status_code == 200 and response.text == "ok":
                return
            last = f"HTTP {response.status_code}: {response.text[:80]!r}"
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise NexrenderServerUnavailable(
                f"GET /api/v1/health did not answer within {START_TIMEOUT_S:g} s ({last})"
            )
        time.sleep(_POLL_S)


def _now() -> str:
    # JavaScript's Date#toJSON: milliseconds and a Z.
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _truthy(value: Any) -> bool:
    # JavaScript's falsy values (JSON has no undefined or NaN; False == 0 here too).
    return value not in (None, "", 0)


def rendering_status(job: Mapping[str, Any]) -> dict[str, Any]:
    """What a worker sends while rendering: @nexrender/types' getRenderingStatus(job)."""
    error = job.get("error")
    if isinstance(error, list):
        error = "\n\n".join(map(str, error))
    return {
        "uid": job["uid"],
        "state": job["state"],
        "type": job.get("type"),
        "tags": job.get("tags") if _truthy(job.get("tags")) else None,
        "renderProgress": job.get("renderProgress") if _truthy(job.get("renderProgress")) else 0,
        # JavaScript's `||`: an empty object is true there, so an Error sent as {} stays {}.
        "error": error if _truthy(error) else None,
        "createdAt": job.get("createdAt"),
        "updatedAt": job.get("updatedAt"),
        "startedAt": job.get("startedAt"),
        "finishedAt": job.get("finishedAt"),
        "errorAt": job.get("errorAt"),
        "jobCreator": job.get("creator"),
        "jobExecutor": job.get("executor"),
        "timings": job.get("timings"),
    }


class FakeWorker:
    """Plays a nexrender worker (@nexrender/worker) against the server, step by step.

    Like the real one it picks the oldest queued job, sends the whole job back when it
    starts, then the compact rendering status on every step, progress and the end.
    """

    def __init__(self, server: NexrenderServer) -> None:
        self._client = httpx.AsyncClient(
            base_url=server.api, headers=server.headers, timeout=10, verify=_TLS
        )
        self.job: dict[str, Any] = {}

    async def __aenter__(self) -> FakeWorker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def pickup(self) -> dict[str, Any] | None:
        """GET /jobs/pickup: the oldest queued job, now `picked`; None if nothing is queued."""
        response = await self._client.get("/jobs/pickup")
        response.raise_for_status()
        job = response.json()
        if not job or not job.get("uid"):
            return None
        self.job = dict(job)
        return self.job

    async def start(self) -> httpx.Response:
        """The worker begins: state `started` and the whole job, as the real worker sends it."""
        self.job.update(state="started", startedAt=_now())
        return await self._put(self.job)

    async def step(self, state: str, progress: float | None = None) -> httpx.Response:
        """A render step (`render:setup`, `render:dorender`, ...) and its progress."""
        self.job["state"] = state
        if progress is not None:
            self.job["renderProgress"] = progress
        return await self._put(rendering_status(self.job))

    async def finish(self) -> httpx.Response:
        """The render ended well."""
        self.job.update(state="finished", finishedAt=_now())
        return await self._put(rendering_status(self.job))

    async def fail(self, error: Any) -> httpx.Response:
        """The render failed; the real worker sends its Error object, which JSON turns into {}."""
        self.job.update(state="error", error=error, errorAt=_now())
        return await self._put(rendering_status(self.job))

    async def _put(self, body: Mapping[str, Any]) -> httpx.Response:
        # Not raise_for_status: a test may want to see how the server answers a lost job.
        return await self._client.put(f"/jobs/{self.job['uid']}", json=dict(body))


async def render_one(
    server: NexrenderServer, progress: tuple[float, ...] = (25, 50, 100)
) -> dict[str, Any] | None:
    """A whole worker cycle: pick the oldest queued job, render it with this progress, finish."""
    async with FakeWorker(server) as worker:
        job = await worker.pickup()
        if job is None:
            return None
        (await worker.start()).raise_for_status()
        for value in progress:
            (await worker.step("render:dorender", value)).raise_for_status()
        (await worker.finish()).raise_for_status()
        return worker.job
