"""Parsing and validating local jobs written in nexrender's job JSON format.

`parse_local_job` accepts the job documents nexrender accepts (template, assets of type
image/video/audio/data/script/static, prerender/postrender actions) and reports every
problem at once, each with a JSON-path-like location such as ``assets[2].layerName``.

Decisions where nexrender is loose:

* Keys this module does not know are accepted and dropped (nexrender's own job objects
  carry ``uid``, ``type``, ``state``, ``onChange``, ``workpath``, provider ``params`` and
  more), but a key that differs from a known one only by case (``layername``) is an error,
  because dropping it would silently change the render. A known key of the wrong type is
  always an error.
* An asset without ``composition`` applies to every composition (nexrender's ``"*"``, its
  current default); ``"A->B"`` means composition B used as a layer inside composition A.
* ``null`` counts as absent for every key, as JavaScript tools write unset fields; so
  ``"value": null`` is no value (After Effects has no property that takes null).
* Actions named ``@nexrender/action-<name>`` are stored as ``<name>`` (``encode``), the
  name the local engine knows them by. Other options are kept verbatim for the engine.
* Script assets with nexrender's injected parameters (``keyword``, ``parameters``,
  ``globalDefaultValue``) are refused rather than run without their parameters.
* Only ``http``/``https``/``file`` URLs and plain paths are sources: the local engine
  stages nothing else. Checking that files exist happens at submission, not here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import cast

from render_manager.domain.json_fields import MISSING, Fields, describe, join_path
from render_manager.domain.local_job import (
    ANY_COMPOSITION,
    ASSET_TYPES,
    MAX_SAFE_INTEGER,
    ActionSpec,
    Asset,
    DataAsset,
    FieldError,
    FootageAsset,
    FootageType,
    JobSpecError,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
    TemplateSpec,
    copy_json,
    split_keypath,
)

_NEXRENDER_ACTION_PREFIX = "@nexrender/action-"
_EXTENSION = re.compile(r"[A-Za-z0-9]+")
_SCRIPT_PARAMETER_KEYS = ("keyword", "parameters", "globalDefaultValue")


_ITEM_HAS_NO_COMPOSITION = (
    "does not apply to a footage item (the project has it once, for every composition); "
    "leave it out"
)
_ITEM_KEEPS_NOTHING_OLD = (
    "does not apply to a footage item: the item itself takes the new file, nothing old "
    "is left to remove"
)


def parse_local_job(data: object) -> LocalJobSpec:
    """Validate a nexrender job document (decoded JSON) and build its `LocalJobSpec`.

    Raises `JobSpecError` listing every problem found. Never touches the filesystem.
    """
    errors: list[FieldError] = []
    spec = _JobParser(errors).job(data)
    if errors or spec is None:
        raise JobSpecError(errors or [FieldError("", "is not a valid job")])
    return spec


class _JobParser:
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def job(self, data: object) -> LocalJobSpec | None:
        if not isinstance(data, Mapping):
            self.error("", f"must be a JSON object, not {describe(data)}")
            return None
        fields = Fields(self, "", data, ("template", "assets", "actions", "name", "priority",
                                          "tags"))  # fmt: skip
        template = self.template(data.get("template", MISSING))
        assets = self.assets(fields.raw("assets"))
        prerender, postrender = self.actions(fields.raw("actions"))
        name = fields.text("name")
        priority = fields.integer("priority")
        tags = self.tags(fields.raw("tags"))
        if template is None:
            return None
        return LocalJobSpec(
            template=template,
            assets=assets,
            prerender=prerender,
            postrender=postrender,
            name=name,
            priority=priority or 0,
            tags=tags,
        )

    def template(self, data: object) -> TemplateSpec | None:
        if data is MISSING:
            self.error("template", "is required (an object with src and composition)")
            return None
        if not isinstance(data, Mapping):
            self.error("template", f"must be an object, not {describe(data)}")
            return None
        known = ("src", "composition", "outputModule", "outputExt", "settingsTemplate",
                 "frameStart", "frameEnd", "frameIncrement", "incrementFrame",
                 "continueOnMissing")  # fmt: skip
        f = Fields(self, "template", data, known)
        src = f.src("src", required="is required (the path or URL of the .aep project)")
        composition = f.text("composition", required="is required (the composition to render)")
        output_module = f.text("outputModule")
        settings_template = f.text("settingsTemplate")
        output_ext = self.extension(f, "outputExt")
        start = f.integer("frameStart", minimum=0)
        end = f.integer("frameEnd", minimum=0)
        if start is not None and end is not None and start > end:
            self.error("template.frameEnd", f"must not be before frameStart ({end} < {start})")
        increment = f.integer("frameIncrement", minimum=1)
        # nexrender documents frameIncrement but its renderer reads incrementFrame.
        alias = f.integer("incrementFrame", minimum=1)
        if f.present("frameIncrement") and f.present("incrementFrame"):
            if increment is not None and alias is not None and increment != alias:
                self.error("template.incrementFrame", "disagrees with frameIncrement")
        elif alias is not None:
            increment = alias
        continue_on_missing = f.boolean("continueOnMissing")
        if src is None or composition is None:
            return None
        return TemplateSpec(
            src=src,
            composition=composition,
            output_module=output_module,
            output_ext=output_ext,
            settings_template=settings_template,
            frame_start=start,
            frame_end=end,
            frame_increment=increment,
            continue_on_missing=continue_on_missing,
        )

    def extension(self, f: Fields, key: str) -> str | None:
        value = f.text(key)
        if value is None:
            return None
        ext = value.strip().removeprefix(".")
        if not _EXTENSION.fullmatch(ext):
            self.error(f.path(key), f"must be a file extension such as mp4, not {value!r}")
            return None
        return ext.lower()

    def assets(self, data: object) -> tuple[Asset, ...]:
        if data is MISSING or data is None:
            return ()
        if not isinstance(data, list):
            self.error("assets", f"must be a list, not {describe(data)}")
            return ()
        parsed = (self.asset(f"assets[{i}]", item) for i, item in enumerate(data))
        return tuple(asset for asset in parsed if asset is not None)

    def asset(self, path: str, data: object) -> Asset | None:
        if not isinstance(data, Mapping):
            self.error(path, f"must be an object, not {describe(data)}")
            return None
        kind = data.get("type", MISSING)
        allowed = ", ".join(ASSET_TYPES)
        if kind is MISSING:
            self.error(f"{path}.type", f"is required (one of: {allowed})")
            return None
        if kind not in ASSET_TYPES:
            shown = repr(kind) if isinstance(kind, str) else describe(kind)
            self.error(f"{path}.type", f"unknown asset type {shown} (allowed: {allowed})")
            return None
        if kind == "data":
            return self.data_asset(path, data)
        if kind == "script":
            return self.script_asset(path, data)
        if kind == "static":
            f = Fields(self, path, data, ("type", "src", "name"))
            src = f.src("src", required="is required (the file to stage)")
            name = self.file_name(f, "name")
            return None if src is None else StaticAsset(src=src, name=name)
        return self.footage_asset(path, cast(FootageType, kind), data)

    def footage_asset(
        self, path: str, kind: FootageType, data: Mapping[str, object]
    ) -> FootageAsset | None:
        known = ("type", "src", "footage", "layerName", "layerIndex", "composition", "name",
                 "extension", "sequence", "removeOld", "continueOnMissing")  # fmt: skip
        f = Fields(self, path, data, known)
        src = f.src("src", required=f"is required (the {kind} that replaces the layer's)")
        item = f.text("footage")
        layer: tuple[str | None, int | None] | None
        if f.present("footage"):
            layer, composition = self.footage_item_only(path, f)
        else:
            layer = self.layer(path, f)
            composition = self.composition(f)
        name = self.file_name(f, "name")
        extension = self.extension(f, "extension")
        sequence = f.boolean("sequence")
        remove_old = f.boolean("removeOld")
        continue_on_missing = f.boolean("continueOnMissing")
        if src is None or layer is None or composition is None:
            return None
        if f.present("footage") and item is None:
            return None
        return FootageAsset(
            type=kind,
            src=src,
            footage=item,
            layer_name=layer[0],
            layer_index=layer[1],
            composition=composition,
            name=name,
            extension=extension,
            sequence=sequence,
            remove_old=remove_old,
            continue_on_missing=continue_on_missing,
        )

    def data_asset(self, path: str, data: Mapping[str, object]) -> DataAsset | None:
        known = ("type", "layerName", "layerIndex", "property", "value", "expression",
                 "composition", "continueOnMissing")  # fmt: skip
        f = Fields(self, path, data, known)
        layer = self.layer(path, f)
        prop = f.text("property", required="is required (such as 'Source Text' or 'Position')")
        if prop is not None and "" in split_keypath(prop):
            self.error(f.path("property"), f"has an empty name in {prop!r}")
            prop = None
        value = f.raw("value")
        value_ok = value is MISSING or self.json_value(f.path("value"), value)
        expression = f.text("expression", allow_empty=True)
        if (value is MISSING or value is None) and not f.present("expression"):
            self.error(f.path("value"), "is required (or expression): what to set the property to")
        composition = self.composition(f)
        continue_on_missing = f.boolean("continueOnMissing")
        if layer is None or prop is None or composition is None or not value_ok:
            return None
        if f.present("expression") and expression is None:
            return None
        return DataAsset(
            property=prop,
            layer_name=layer[0],
            layer_index=layer[1],
            value=None if value is MISSING else copy_json(value),
            expression=expression,
            composition=composition,
            continue_on_missing=continue_on_missing,
        )

    def script_asset(self, path: str, data: Mapping[str, object]) -> ScriptAsset | None:
        f = Fields(self, path, data, ("type", "src", *_SCRIPT_PARAMETER_KEYS))
        src = f.src("src", required="is required (the .jsx file to run)")
        for key in _SCRIPT_PARAMETER_KEYS:
            if f.present(key):
                self.error(f.path(key), "script parameters are not supported by local jobs; "
                                        "write the values into the script itself")  # fmt: skip
        return None if src is None else ScriptAsset(src=src)

    def footage_item_only(
        self, path: str, f: Fields
    ) -> tuple[tuple[None, None] | None, tuple[str, ...] | None]:
        """Check an asset that names a footage item has no layer or composition: the item
        is the project's, shown by every layer that uses it, wherever."""
        problems = [
            (path, f"has both footage and {key}; give only one: a footage item of the "
                   "project (every layer showing it changes) or a layer")
            for key in ("layerName", "layerIndex")
            if f.present(key)
        ]  # fmt: skip
        if f.present("composition"):
            problems.append((f.path("composition"), _ITEM_HAS_NO_COMPOSITION))
        if f.present("removeOld"):
            problems.append((f.path("removeOld"), _ITEM_KEEPS_NOTHING_OLD))
        for where, message in problems:
            self.error(where, message)
        ok = not problems
        return ((None, None), ANY_COMPOSITION) if ok else (None, None)

    def layer(self, path: str, f: Fields) -> tuple[str | None, int | None] | None:
        name = f.text("layerName")
        index = f.integer("layerIndex", minimum=1, label=" (layers count from 1)")
        has_name, has_index = f.present("layerName"), f.present("layerIndex")
        if has_name and has_index:
            self.error(path, "has both layerName and layerIndex; give only one")
            return None
        if not has_name and not has_index:
            self.error(f.path("layerName"), "is required (or layerIndex): which layer to change")
            return None
        if name is None and index is None:
            return None
        return name, index

    def composition(self, f: Fields) -> tuple[str, ...] | None:
        value = f.text("composition")
        if not f.present("composition"):
            return ANY_COMPOSITION
        if value is None:
            return None
        if value == "*":
            return ANY_COMPOSITION
        parts = tuple(value.split("->"))
        if "" in parts or "*" in parts:
            self.error(
                f.path("composition"),
                f"{value!r} is not a composition path: names joined by '->' "
                "(A->B is B used inside A), or '*' alone for every composition",
            )
            return None
        return parts

    def file_name(self, f: Fields, key: str) -> str | None:
        value = f.text(key)
        if value is None:
            return None
        if value in (".", "..") or any(c in value for c in "/\\\0"):
            self.error(f.path(key), f"must be a plain file name, not {value!r}")
            return None
        return str(value)

    def actions(self, data: object) -> tuple[tuple[ActionSpec, ...], tuple[ActionSpec, ...]]:
        if data is MISSING or data is None:
            return (), ()
        if not isinstance(data, Mapping):
            self.error("actions", f"must be an object, not {describe(data)}")
            return (), ()
        for key, value in data.items():
            if key not in ("prerender", "postrender") and value:
                self.error(f"actions.{key}", "is not supported by local jobs "
                                             "(supported: prerender, postrender)")  # fmt: skip
        return self.action_list("prerender", data), self.action_list("postrender", data)

    def action_list(self, key: str, data: Mapping[str, object]) -> tuple[ActionSpec, ...]:
        items = data.get(key)
        if items is None:
            return ()
        if not isinstance(items, list):
            self.error(f"actions.{key}", f"must be a list, not {describe(items)}")
            return ()
        actions = []
        for i, item in enumerate(items):
            path = f"actions.{key}[{i}]"
            if not isinstance(item, Mapping):
                self.error(path, f"must be an object, not {describe(item)}")
                continue
            f = Fields(self, path, item, ("module",))
            module = f.text("module", required="is required (such as 'encode')")
            options = {k: v for k, v in item.items() if k != "module"}
            if not self.json_value(path, options) or module is None:
                continue
            module = module.strip().removeprefix(_NEXRENDER_ACTION_PREFIX)
            if not module:
                self.error(f.path("module"), "names no module")
                continue
            actions.append(ActionSpec(module=module, options=copy_json(options)))
        return tuple(actions)

    def tags(self, data: object) -> tuple[str, ...]:
        if data is MISSING or data is None:
            return ()
        if isinstance(data, str):
            if not data.strip():
                return ()
            items: list[object] = list(data.split(","))
        elif isinstance(data, list):
            items = data
        else:
            self.error("tags", f"must be a comma-separated string or a list, not {describe(data)}")
            return ()
        tags = []
        for i, item in enumerate(items):
            where = "tags" if isinstance(data, str) else f"tags[{i}]"
            if not isinstance(item, str):
                self.error(where, f"must be a string, not {describe(item)}")
            elif not item.strip() or ("," in item and not isinstance(data, str)):
                self.error(where, f"{item!r} is not a tag (tags are non-empty, without commas)")
            else:
                tags.append(item.strip())
        return tuple(tags)

    def json_value(self, path: str, value: object) -> bool:
        """Record why `value` is not plain JSON that survives the trip into ExtendScript."""
        if value is None or isinstance(value, str | bool):
            return True
        if isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                self.error(path, f"{value} is too large for After Effects to hold exactly")
                return False
            return True
        if isinstance(value, float):
            if not math.isfinite(value):
                self.error(path, f"must be a finite number, not {value}")
                return False
            return True
        if isinstance(value, list):
            results = [self.json_value(f"{path}[{i}]", item) for i, item in enumerate(value)]
            return all(results)
        if isinstance(value, Mapping):
            ok = True
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(path, f"has a non-string key {key!r}")
                    ok = False
                elif not self.json_value(join_path(path, key), item):
                    ok = False
            return ok
        self.error(path, f"must be a JSON value, not {describe(value)}")
        return False
