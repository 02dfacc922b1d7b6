"""After Effects projects read without After Effects: what an .aep holds, as plain values.

`read_project(path)` gives a `ProjectInfo` (compositions, layers with their settable
transform and effect properties, render queue, footage, fonts) or raises
`ProjectUnreadable` with the file and what is wrong. Reading is a pure function of the
file, safe to run on any thread. py-aep does the parsing; none of its objects leave this
package (an import-linter contract keeps it that way).
"""

from render_manager.projects.errors import ProjectUnreadable
from render_manager.projects.model import (
    Composition,
    Footage,
    Layer,
    LayerProperty,
    LayerType,
    OutputModule,
    ProjectInfo,
    PropertyKind,
    RenderQueueItem,
    RenderStatus,
)
from render_manager.projects.reader import read_project

__all__ = [
    "Composition",
    "Footage",
    "Layer",
    "LayerProperty",
    "LayerType",
    "OutputModule",
    "ProjectInfo",
    "ProjectUnreadable",
    "PropertyKind",
    "RenderQueueItem",
    "RenderStatus",
    "read_project",
]
