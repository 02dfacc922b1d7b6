"""Whether a local job's composition is in its project, said before anything is queued.

aerender only finds a mistyped composition name once it has opened the project, minutes
into a batch; the project reader finds it at once. A project the reader cannot read (CS6
and older, damaged, a placeholder) may still open in aerender: its job stays a plain job
and the check is skipped with a warning instead of an error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from render_manager.projects import ProjectInfo, ProjectUnreadable

# Closest names offered for a mistyped one: enough to spot the right one, short enough to read.
_CLOSEST = 3
# Without a close name, the project's own names are listed, up to this many.
_LISTED = 6


@dataclass(frozen=True, slots=True)
class CompositionCheck:
    """What checking one job's composition found: an error, a warning, or neither."""

    problem: str | None = None
    warning: str | None = None


def closest_compositions(project: ProjectInfo, name: str) -> list[str]:
    """The project's composition names most like `name`, best first (none if none is close).

    Case is ignored when comparing, since a name typed in the wrong case is the commonest slip.
    """
    names = list(dict.fromkeys(c.name for c in project.compositions))
    by_folded = {n.casefold(): n for n in reversed(names)}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=_CLOSEST, cutoff=0.5)
    return [by_folded[n] for n in close]


def check_composition(
    name: str, src: Path, project: ProjectInfo | ProjectUnreadable
) -> CompositionCheck:
    """Whether composition `name` is in the project at `src` (read as `project`)."""
    if isinstance(project, ProjectUnreadable):
        return CompositionCheck(
            # The same words for every job of the project (not its composition's name), so
            # that a batch's warnings are said once.
            warning=f"the composition was not checked, the project could not be read "
            f"({project}); the job is rendered as given, in case aerender reads it"
        )
    if project.composition(name) is not None:
        return CompositionCheck()
    return CompositionCheck(problem=f"template.composition: {_not_in(name, src, project)}")


def _not_in(name: str, src: Path, project: ProjectInfo) -> str:
    where = f"{name!r} is not a composition of {src.name}"
    if not project.compositions:
        return f"{where}, which has no compositions"
    closest = closest_compositions(project, name)
    if closest:
        return f"{where}; closest: " + ", ".join(repr(n) for n in closest)
    # Sorted as the Project panel sorts them by name, so a long list reads like it.
    names = sorted(dict.fromkeys(c.name for c in project.compositions), key=str.casefold)
    listed = ", ".join(repr(n) for n in names[:_LISTED])
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return f"{where}; its compositions: {listed}{more}"
