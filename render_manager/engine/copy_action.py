"""The ``copy`` postrender action (nexrender's ``@nexrender/action-copy``): the finished
render copied to a path outside the job folder, such as the output path a project's
render queue names."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from pathlib import Path


class CopyFailed(Exception):
    """The render could not be copied; the message says where and why."""


def copy_destination(options: Mapping[str, object]) -> Path | str:
    """The absolute file path the action copies to, or why the options are wrong."""
    output = options.get("output")
    if not isinstance(output, str) or not output.strip():
        return "copy needs output: the absolute path to copy the render to"
    path = Path(output).expanduser()
    if not path.is_absolute():
        return f"copy's output must be an absolute path, not {output!r}"
    return path


async def copy_render(rendered: Path, options: Mapping[str, object]) -> Path:
    """Copy `rendered` to the action's output (written beside it, then renamed into place,
    so a reader never sees half a file); returns the copy."""
    dest = copy_destination(options)
    if isinstance(dest, str):
        raise CopyFailed(dest)
    if not dest.parent.is_dir():
        raise CopyFailed(f"copy: the folder {dest.parent} does not exist; the render is kept "
                         f"at {rendered}")  # fmt: skip
    partial = dest.with_name(dest.name + ".part")
    try:
        await asyncio.to_thread(shutil.copyfile, rendered, partial)
        partial.replace(dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CopyFailed(f"copy to {dest} failed ({exc.strerror or exc}); the render is kept "
                         f"at {rendered}") from exc  # fmt: skip
    return dest
