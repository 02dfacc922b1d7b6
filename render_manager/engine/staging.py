"""Bringing a job's files into its work folder: copies of local paths, downloads of URLs."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import httpx

from render_manager import __version__

MAX_DOWNLOAD_BYTES = 4 * 1024**3
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, read=120.0)


class StagingError(Exception):
    """A file of the job could not be brought into its work folder."""


def local_path(src: str) -> Path | None:
    """The filesystem path of a plain path or a file:// URL; None for http(s) URLs."""
    parts = urlsplit(src)
    if parts.scheme in ("http", "https"):
        return None
    if parts.scheme == "file":
        # url2pathname knows Windows drive letters (file:///D:/x.aep -> D:\\x.aep).
        return Path(url2pathname(parts.path))
    return Path(src).expanduser()


def file_name(src: str, fallback: str) -> str:
    """The last path component of a path or URL, or the fallback."""
    name = Path(unquote(urlsplit(src).path)).name
    return name or fallback


async def stage(
    src: str,
    dest: Path,
    *,
    client: httpx.AsyncClient | None = None,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Path:
    """Copy or download `src` to `dest` (a file path); returns dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    path = local_path(src)
    if path is not None:
        if not path.is_file():
            raise StagingError(f"{path} does not exist or is not a file")
        try:
            await asyncio.to_thread(shutil.copyfile, path, dest)
        except OSError as exc:
            raise StagingError(f"cannot copy {path}: {exc.strerror or exc}") from exc
        return dest
    if client is None:
        async with _client() as own:
            return await _download(own, src, dest, max_bytes)
    return await _download(client, src, dest, max_bytes)


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=DOWNLOAD_TIMEOUT,
        follow_redirects=True,
        headers={"User-Agent": f"render-manager/{__version__}"},
    )


async def _download(client: httpx.AsyncClient, url: str, dest: Path, max_bytes: int) -> Path:
    partial = dest.with_name(dest.name + ".part")
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise StagingError(f"download of {url} failed: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise StagingError(f"{url} is {int(declared)} bytes, over the {max_bytes} limit")
            received = 0
            with partial.open("wb") as fh:
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise StagingError(f"{url} is over the {max_bytes}-byte limit")
                    fh.write(chunk)
        partial.replace(dest)
    except httpx.TimeoutException as exc:
        raise StagingError(f"download of {url} timed out") from exc
    except httpx.HTTPError as exc:
        raise StagingError(f"download of {url} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return dest
