"""What the local engine accepts beyond a well-formed job: the rules that need no disk.

A local job is of one `LocalJobType`. Whether its actions are ones the engine runs and
whether its connection can inject the script it needs are decided here, once, for the
preview, for submission and for the engine that runs the job.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath

from render_manager.domain.local_job import LocalJobSpec


class LocalJobType(StrEnum):
    """What a local job runs; the value is the one kept in the store."""

    RENDER = "aerender"
    """An aerender render of a nexrender job, then its postrender actions."""
    ENCODE = "encode"
    """An ffmpeg encode of a movie or an image sequence (a job file with ``"type": "encode"``)."""

    @classmethod
    def of_body(cls, body: Mapping[str, object]) -> LocalJobType:
        """The type a job document asks for: an encode only when it says so."""
        return cls.ENCODE if body.get("type") == cls.ENCODE.value else cls.RENDER


class RenderRoute(StrEnum):
    """How the engine gave a job's values to aerender; the value is the one kept in the store."""

    PLAIN = "plain"
    """The project as submitted: the job changes nothing in it."""
    REWRITE = "rewrite"
    """The job's own rewritten copy of the project, with its values applied (stock aerender)."""
    SCRIPT = "script"
    """The project as submitted and a script the patched aerender runs before rendering."""

    @property
    def label(self) -> str:
        """The route in words, as the job's details show it."""
        return _ROUTE_LABELS[self]


_ROUTE_LABELS = {
    RenderRoute.PLAIN: "plain (the project as submitted)",
    RenderRoute.REWRITE: "project rewrite (its own rewritten copy)",
    RenderRoute.SCRIPT: "patched aerender script",
}


ENCODE_ACTION = "encode"
"""The postrender action the engine runs (nexrender's ``@nexrender/action-encode``)."""
COPY_ACTION = "copy"
"""Copies the render to an absolute path (nexrender's ``@nexrender/action-copy``)."""
POSTRENDER_ACTIONS = frozenset({ENCODE_ACTION, COPY_ACTION})

SCRIPT_INJECTION_NEEDED = (
    "this job replaces footage or sets layer data, which runs a script inside After Effects "
    "before the render; stock aerender cannot do that. If this aerender was patched to "
    "accept -r script.jsx (as nexrender's patch does), mark the connection as patched: "
    '"aerender was patched" in Connections, or renderctl connection set NAME '
    "--script-injection"
)


def script_injection_refusal(spec: LocalJobSpec, *, patched: bool) -> str | None:
    """Why an aerender that is (or is not) `patched` for scripts cannot run this job."""
    return SCRIPT_INJECTION_NEEDED if spec.needs_script and not patched else None


def action_problems(spec: LocalJobSpec) -> list[str]:
    """The job's prerender and postrender actions the local engine does not run."""
    problems = []
    if spec.prerender:
        problems.append("prerender actions are not supported by the local engine")
    supported = ", ".join(sorted(POSTRENDER_ACTIONS))
    problems += [
        f"postrender action {action.module!r} is not supported (supported: {supported})"
        for action in spec.postrender
        if action.module not in POSTRENDER_ACTIONS
    ]
    problems += [
        f"postrender copy: output must be an absolute path, not {action.options.get('output')!r}"
        for action in spec.postrender
        if action.module == COPY_ACTION and not _absolute_text(action.options.get("output"))
    ]
    return problems


def _absolute_text(value: object) -> bool:
    """A path string absolute on this or any usual system (/x, ~/x, C:\\x)."""
    if not isinstance(value, str):
        return False
    return (
        value.startswith("~")
        or PurePosixPath(value).is_absolute()
        or PureWindowsPath(value).is_absolute()
    )
