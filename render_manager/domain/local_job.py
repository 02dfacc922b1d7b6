"""Local render jobs in nexrender's job JSON format: the validated job and its helpers.

`LocalJobSpec` and its parts are frozen dataclasses describing one job (template, assets
of type image/video/audio/data/script/static, prerender/postrender actions). Build one
from a job document with `local_job_parser.parse_local_job`; write it back as nexrender
JSON with `local_job_json.spec_to_json`.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias
from urllib.parse import unquote, urlsplit

from render_manager.domain.job import DomainError

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
FootageType = Literal["image", "video", "audio"]

FOOTAGE_TYPES: tuple[FootageType, ...] = ("image", "video", "audio")
ASSET_TYPES = ("audio", "data", "image", "script", "static", "video")
ANY_COMPOSITION: tuple[str, ...] = ()
"""`composition` of an asset that applies to every composition (nexrender's ``"*"``)."""

# Formats After Effects writes one file per frame; nexrender names those result_[#####].ext.
SEQUENCE_EXTENSIONS = frozenset(
    {"bmp", "cin", "dpx", "exr", "hdr", "iff", "jpeg", "jpg", "pct", "pic", "png", "psd",
     "rla", "rpf", "sgi", "sxr", "tga", "tif", "tiff"}
)  # fmt: skip

# Output-module name fragments to the extension AE writes, tried in order. A best effort for
# templates without outputExt: custom module names say nothing, and then `mov` is assumed.
_MODULE_EXTENSIONS = (
    ("h.264", "mp4"), ("h264", "mp4"), ("prores", "mov"), ("quicktime", "mov"),
    ("lossless", "mov"), ("png", "png"), ("jpeg", "jpg"), ("jpg", "jpg"), ("tiff", "tif"),
    ("tif", "tif"), ("targa", "tga"), ("tga", "tga"), ("openexr", "exr"), ("exr", "exr"),
    ("dpx", "dpx"), ("photoshop", "psd"), ("psd", "psd"), ("multi-machine", "psd"),
    ("aiff", "aif"), ("mp3", "mp3"), ("wav", "wav"), ("audio only", "wav"), ("avi", "avi"),
)  # fmt: skip
# After Effects 2022 and later render the default "Lossless"/"High Quality" modules to
# QuickTime; AVI output is gone. nexrender still guesses avi on Windows, which now misses.
DEFAULT_OUTPUT_EXT = "mov"

# JavaScript numbers are doubles: larger integers would reach After Effects changed.
MAX_SAFE_INTEGER = 2**53


# -- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a job document: where (``assets[2].layerName``; "" for the whole
    document) and what is wrong, in words meant for the person who wrote the job."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or 'job'}: {self.message}"


class JobSpecError(DomainError):
    """A job document broke one or more rules; `errors` lists every problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.errors)
        lines = [f"invalid job ({count} problem{'s' if count != 1 else ''}):"]
        lines += [f"  - {error}" for error in self.errors]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()


# -- the job ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """The project to render and how: mostly aerender's own options.

    Frames are aerender's ``-s``/``-e``/``-i`` (None = the render settings decide);
    `output_ext` has no leading dot and is lower case.
    """

    src: str
    composition: str
    output_module: str | None = None
    output_ext: str | None = None
    settings_template: str | None = None
    frame_start: int | None = None
    frame_end: int | None = None
    frame_increment: int | None = None
    continue_on_missing: bool = False


@dataclass(frozen=True, slots=True)
class FootageAsset:
    """A file that replaces the footage of a layer (``type`` image, video or audio).

    Exactly one of `layer_name`, `layer_index` (1-based) and `footage` is set. `footage`
    (JSON ``"footage"``, not in nexrender's format) names a footage item of the project
    panel instead of a layer: the item's file is replaced, so every layer that shows it,
    in every composition, shows the new file. `composition` is the
    nesting path (``("A", "B")`` for ``"A->B"``); empty means every composition. `name` is
    the file name to stage the file as, `extension` one to add so After Effects recognises
    the content, `sequence` imports it as an image sequence, `remove_old` deletes the old
    footage item once nothing uses it.
    """

    type: FootageType
    src: str
    layer_name: str | None = None
    layer_index: int | None = None
    composition: tuple[str, ...] = ANY_COMPOSITION
    name: str | None = None
    extension: str | None = None
    sequence: bool = False
    remove_old: bool = False
    continue_on_missing: bool = False
    footage: str | None = None


@dataclass(frozen=True, slots=True)
class DataAsset:
    """A value or expression for a layer property (``type`` data).

    `property` is nexrender's keypath, such as ``Source Text``, ``Position`` or
    ``Effects.Skin_Color.Color`` (``->`` separates when a name contains a dot); see
    `keypath`. At least one of `value` and `expression` is set; a string value for
    ``Source Text`` replaces the text and keeps the text's style.
    """

    property: str
    layer_name: str | None = None
    layer_index: int | None = None
    value: JsonValue = field(default=None, hash=False)
    expression: str | None = None
    composition: tuple[str, ...] = ANY_COMPOSITION
    continue_on_missing: bool = False

    # The field `property` hides the builtin inside this class body.
    @builtins.property
    def keypath(self) -> tuple[str, ...]:
        """The property's names from the layer down, split as nexrender splits them."""
        return split_keypath(self.property)


@dataclass(frozen=True, slots=True)
class ScriptAsset:
    """An ExtendScript file run inside After Effects before the render (``type`` script)."""

    src: str


@dataclass(frozen=True, slots=True)
class StaticAsset:
    """A file staged beside the project for the project or a script to use (``type`` static).

    `name` is the file name to stage it as; None keeps the source's own name.
    """

    src: str
    name: str | None = None


Asset: TypeAlias = FootageAsset | DataAsset | ScriptAsset | StaticAsset


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A prerender or postrender step: the module's short name and its options, verbatim.

    ``{"module": "@nexrender/action-encode", "preset": "mp4", "output": "x.mp4"}`` becomes
    ``ActionSpec("encode", {"preset": "mp4", "output": "x.mp4"})``; the engine reads the
    options. Treat `options` as read-only.
    """

    module: str
    options: dict[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class LocalJobSpec:
    """A validated local job. Build it with `parse_local_job`; store it with `spec_to_json`."""

    template: TemplateSpec
    assets: tuple[Asset, ...] = ()
    prerender: tuple[ActionSpec, ...] = ()
    postrender: tuple[ActionSpec, ...] = ()
    name: str | None = None
    priority: int = 0
    tags: tuple[str, ...] = ()

    @property
    def needs_script(self) -> bool:
        """True when the job changes the project, which takes a script run inside AE.

        Footage replacement counts too: the staged files reach the project only through
        the injected script (`build_injection_script`). Static assets need nothing.
        """
        return any(not isinstance(asset, StaticAsset) for asset in self.assets)


def split_keypath(property_path: str) -> tuple[str, ...]:
    """nexrender's split of a property keypath: on ``->`` if present, else on ``.``."""
    separator = "->" if "->" in property_path else "."
    return tuple(property_path.split(separator))


def output_extension(template: TemplateSpec) -> str:
    """The extension of the rendered file: `output_ext`, else a guess from the output module.

    Without an output module AE's default lossless module writes QuickTime, hence ``mov``.
    """
    if template.output_ext:
        return template.output_ext
    module = (template.output_module or "").lower()
    for fragment, ext in _MODULE_EXTENSIONS:
        if fragment in module:
            return ext
    return DEFAULT_OUTPUT_EXT


def default_output_name(spec: LocalJobSpec) -> str:
    """The file name aerender is told to write, as nexrender names it.

    ``result.mp4``; image sequences get AE's frame-number placeholder: ``result_[#####].png``.
    """
    ext = output_extension(spec.template)
    if ext.lower() in SEQUENCE_EXTENSIONS:
        return f"result_[#####].{ext}"
    return f"result.{ext}"


def staged_file_name(asset: FootageAsset | ScriptAsset | StaticAsset) -> str:
    """The file name an asset should have once staged: its `name`, else the source's last
    path component, plus a footage asset's `extension` when the name lacks it."""
    explicit = getattr(asset, "name", None)
    base = explicit or _last_component(asset.src) or "asset"
    if isinstance(asset, FootageAsset) and asset.extension:
        suffix = "." + asset.extension
        if not base.lower().endswith(suffix.lower()):
            base += suffix
    return base


def _last_component(src: str) -> str:
    path = unquote(urlsplit(src).path) if url_scheme(src) else src
    return re.split(r"[\\/]", path)[-1]


def copy_json(value: Any) -> Any:
    """A deep copy of plain JSON: a frozen spec must share no lists or dicts with a document."""
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    return value


def url_scheme(src: str) -> str:
    """The lower-case URL scheme of `src`, or "" for a plain path (a Windows drive too)."""
    scheme = urlsplit(src).scheme.lower()
    # A one-letter "scheme" is a Windows drive: C:\project.aep is a path.
    return scheme if len(scheme) > 1 else ""
