"""`DownloadCache`: one download per (batch folder, URL), however many jobs wait on it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from render_manager.engine.download_cache import DownloadCache
from render_manager.engine.staging import StagingError

BODY = b"frame data " * 1000


class _Slow(BaseHTTPRequestHandler):
    """Answers once `release` is set, so the test decides when the download ends."""

    gets: ClassVar[list[str]] = []
    arrived = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:
        self.gets.append(self.path)
        self.arrived.set()
        self.release.wait(timeout=30)
        if self.path != "/clip.mov":
            self.send_error(500)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Slow.gets.clear()
    _Slow.arrived.clear()
    _Slow.release.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Slow.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.asyncio
async def test_jobs_waiting_on_one_url_share_one_download_even_if_one_is_cancelled(
    server: str, tmp_path: Path
) -> None:
    cache = DownloadCache()
    url = f"{server}/clip.mov"
    waiters = [asyncio.create_task(cache.fetch(url, tmp_path, "clip.mov")) for _ in range(3)]
    await asyncio.get_running_loop().run_in_executor(None, _Slow.arrived.wait, 30)
    waiters[0].cancel()  # the job that started the download is cancelled meanwhile
    _Slow.release.set()
    first, second = await asyncio.gather(waiters[1], waiters[2])
    assert first == second
    assert first.read_bytes() == BODY
    assert waiters[0].cancelled()
    later = await cache.fetch(url, tmp_path, "clip.mov")  # found on disk: no request
    assert later == first
    assert _Slow.gets == ["/clip.mov"]


@pytest.mark.asyncio
async def test_a_failed_download_fails_every_waiter_and_a_later_job_tries_again(
    server: str, tmp_path: Path
) -> None:
    cache = DownloadCache()
    url = f"{server}/broken.mov"
    waiters = [asyncio.create_task(cache.fetch(url, tmp_path, "broken.mov")) for _ in range(2)]
    await asyncio.get_running_loop().run_in_executor(None, _Slow.arrived.wait, 30)
    _Slow.release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, StagingError) and "HTTP 500" in str(r) for r in results), results
    with pytest.raises(StagingError, match="HTTP 500"):
        await cache.fetch(url, tmp_path, "broken.mov")
    assert _Slow.gets == ["/broken.mov", "/broken.mov"]
    assert not any(tmp_path.rglob("*.mov"))  # nothing half-written left to be found
