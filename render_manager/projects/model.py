"""What a project holds, as frozen values of our own (no parser object leaks out).

Times are in seconds and frames are counted as After Effects counts them: a layer's and
a render-queue item's `index` start at 1, as in After Effects and in nexrender's
`layerIndex`; a render-queue item's `frame_end` is the last frame rendered (inclusive,
as aerender's `-e` takes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LayerType(StrEnum):
    """What a layer shows, as a render manager needs to tell them apart."""

    TEXT = "text"
    FOOTAGE = "footage"
    SOLID = "solid"
    PRECOMP = "precomp"
    SHAPE = "shape"
    NULL = "null"
    CAMERA = "camera"
    LIGHT = "light"
    OTHER = "other"


class RenderStatus(StrEnum):
    """A render-queue item's status (ExtendScript's `RQItemStatus`, in words)."""

    QUEUED = "queued"
    UNQUEUED = "unqueued"
    NEEDS_OUTPUT = "needs_output"
    WILL_CONTINUE = "will_continue"
    RENDERING = "rendering"
    USER_STOPPED = "user_stopped"
    ERR_STOPPED = "err_stopped"
    DONE = "done"


class PropertyKind(StrEnum):
    """The kind of value a settable layer property takes, as a user types it."""

    COLOR = "color"  # "#RRGGBB" (Color Control, fill colours)
    NUMBER = "number"  # sliders, angles, opacity, rotation
    CHECKBOX = "checkbox"  # 0 or 1
    POINT = "point"  # "x,y" or "x,y,z": position, anchor point, scale, point controls


@dataclass(frozen=True)
class LayerProperty:
    """A property of a layer a version can set: a transform or a simple effect property.

    `path` is the property path as nexrender users write it, by the names After Effects
    shows (("Effects", "Brand Color", "Color"), ("Transform", "Position")); `match_path`
    the same path by match names ("ADBE Effect Parade", "ADBE Color Control",
    "ADBE Color Control-0001"). `value` is the stored value as a user would type it
    ("#FF8000", "50", "1", "960,540"); `dimensions` how many numbers a POINT takes.
    A `keyframed` property changes over time and an `expression` one is computed by
    After Effects: a static value set on either would not be what renders.
    """

    path: tuple[str, ...]
    kind: PropertyKind
    value: str
    match_path: tuple[str, ...] = ()
    dimensions: int = 1
    keyframed: bool = False
    expression: bool = False

    @property
    def dotted(self) -> str:
        """The path as nexrender's `property` field takes it: "Effects.Brand Color.Color"."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Layer:
    """One layer of a composition.

    `text` is set for text layers: the stored Source Text (for keyframed or
    expression-driven text, the value stored in the project). `footage` is set for
    footage layers: the file as the project names it, or None for a placeholder.
    `properties` are the transform and effect properties a version can set; `effects`
    the names of the layer's effects, top first, and `other_effect_properties` the paths
    of their properties a version cannot set (a gradient, a layer picker, a curve).
    `precomp` is set for precomp layers: the name of the composition the layer shows.
    """

    index: int
    name: str
    type: LayerType
    text: str | None = None
    footage: str | None = None
    properties: tuple[LayerProperty, ...] = ()
    effects: tuple[str, ...] = ()
    other_effect_properties: tuple[str, ...] = ()
    precomp: str | None = None


@dataclass(frozen=True)
class Composition:
    """A composition: its size, timing, work area and layers (top first)."""

    name: str
    width: int
    height: int
    frame_rate: float
    duration: float
    frames: int
    work_area_start: float
    work_area_duration: float
    layers: tuple[Layer, ...]


@dataclass(frozen=True)
class OutputModule:
    """One output module: its template name and the output path as saved (None if unset)."""

    template: str
    output: str | None


@dataclass(frozen=True)
class RenderQueueItem:
    """One item of the project's render queue.

    `render` is After Effects' Render checkbox; `render_settings` the name of the
    render-settings template shown for the item (e.g. "Best Settings").
    """

    index: int
    comp: str
    status: RenderStatus
    render: bool
    frame_start: int
    frame_end: int
    output_modules: tuple[OutputModule, ...]
    render_settings: str


@dataclass(frozen=True)
class Footage:
    """A footage item backed by a file (solids are not listed).

    `file` is the path as the project names it (None for a placeholder). `missing` is
    True when the file is found neither at that path nor beside the project on this
    machine: what aerender here would render as missing footage.
    """

    name: str
    file: str | None
    missing: bool


@dataclass(frozen=True)
class ProjectInfo:
    """Everything `read_project` found in one .aep."""

    ae_version: str
    compositions: tuple[Composition, ...]
    render_queue: tuple[RenderQueueItem, ...]
    footage: tuple[Footage, ...]
    fonts: tuple[str, ...]

    def composition(self, name: str) -> Composition | None:
        """The first composition of that exact name, or None."""
        return next((c for c in self.compositions if c.name == name), None)
