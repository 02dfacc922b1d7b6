"""renderctl as a real process against a test home whose `farm` connection is a real
self-hosted nexrender server, its secret in the session's Secret Service."""

from __future__ import annotations

import subprocess
import sys

from tests.integration.nexrender_server import NexrenderServer


def renderctl(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one renderctl command to completion in `env` (which names the home)."""
    return subprocess.run(
        [sys.executable, "-m", "render_manager.cli.main", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=90, check=False,
    )  # fmt: skip


def add_farm(
    env: dict[str, str], server: NexrenderServer, *, secret: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`renderctl connection add farm` for this server, its secret (or `secret`) on stdin."""
    return renderctl(
        env, "connection", "add", "farm", "--kind", "nexrender-server",
        "--url", server.url, "--token-stdin", stdin=(secret or server.secret) + "\n",
    )  # fmt: skip
