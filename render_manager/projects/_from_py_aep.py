"""py-aep's object model turned into our frozen values. Only this module imports py_aep.

Everything a caller gets is copied out here, so no lazily loaded py-aep object (and no
parser exception raised by one) escapes `read`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import py_aep
from py_aep.binary.item_chunks import FORMAT_VERSIONS

from render_manager.projects.edits import (
    Edit,
    EditedItem,
    EditedLayer,
    FootageEdit,
    FootageItemEdit,
    LayerRef,
    PropertyEdit,
    RewriteFailed,
    TextEdit,
    layer_words,
)
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
from render_manager.projects.properties import find_in, kind_words
from render_manager.projects.values import format_value, parse_value, value_words

_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)|\\")


def newest_known() -> tuple[int, int]:
    """The newest After Effects major py-aep knows, and its project file-format version."""
    major = max(FORMAT_VERSIONS)
    return major, max(fmt for fmt, _minor in FORMAT_VERSIONS.values())


def read(path: Path, ae_version: str) -> ProjectInfo:
    """Parse `path` with py-aep and copy out what a render manager needs."""
    project = py_aep.parse(path).project
    queue = project.render_queue
    fonts: set[str] = set()  # filled while the text layers are read
    compositions = tuple(_composition(comp, fonts) for comp in project.compositions)
    return ProjectInfo(
        ae_version=ae_version,
        compositions=compositions,
        render_queue=tuple(
            _render_item(i, item) for i, item in enumerate(queue.items if queue else (), 1)
        ),
        footage=tuple(_footage_items(project, path.parent)),
        fonts=tuple(sorted(fonts)),
    )


def _composition(comp: py_aep.CompItem, fonts: set[str]) -> Composition:
    return Composition(
        name=comp.name,
        width=comp.width,
        height=comp.height,
        frame_rate=comp.frame_rate,
        duration=comp.duration,
        frames=comp.frame_duration,  # py-aep's name for the duration in frames
        work_area_start=comp.work_area_start,
        work_area_duration=comp.work_area_duration,
        layers=tuple(_layer(i, layer, fonts) for i, layer in enumerate(comp.layers, 1)),
    )


def _layer(
    index: int, layer: py_aep.Layer, fonts: set[str], *, with_properties: bool = True
) -> Layer:
    """One layer; the fonts of a text layer are added to `fonts`."""
    kind = _layer_type(layer)
    text = footage = precomp = None
    if kind is LayerType.PRECOMP and isinstance(layer, py_aep.AVLayer):
        source = layer.source
        precomp = source.name if isinstance(source, py_aep.CompItem) else None
    elif kind is LayerType.TEXT and isinstance(layer, py_aep.TextLayer):
        text, documents = _source_text(layer)
        fonts.update(_fonts_of(documents))
    elif kind is LayerType.FOOTAGE and isinstance(layer, py_aep.AVLayer):
        source = layer.source
        if isinstance(source, py_aep.FootageItem):
            main = source.main_source
            footage = main.file if isinstance(main, py_aep.FileSource) else None
    settable = _settable_properties(layer) if with_properties else []
    properties = tuple(prop for prop, _raw in settable)
    effects, others = _effects_of(layer, settable) if with_properties else ((), ())
    return Layer(
        index=index,
        name=layer.name,
        type=kind,
        text=text,
        footage=footage,
        properties=properties,
        effects=effects,
        other_effect_properties=others,
        precomp=precomp,
    )


TRANSFORM_GROUP = "ADBE Transform Group"
EFFECT_PARADE = "ADBE Effect Parade"
# The transform properties a version sets, by match name; Rotation is Z Rotation on 3-D layers.
_TRANSFORM = {
    "ADBE Anchor Point": "Anchor Point",
    "ADBE Position": "Position",
    "ADBE Scale": "Scale",
    "ADBE Rotate Z": "Rotation",
    "ADBE Opacity": "Opacity",
}
_CAMERA_TRANSFORM = {
    "ADBE Anchor Point": "Point of Interest",
    "ADBE Position": "Position",
    "ADBE Rotate Z": "Rotation",
}
_ONE_D = py_aep.PropertyValueType.OneD
_MULTI_D = {
    py_aep.PropertyValueType.TwoD,
    py_aep.PropertyValueType.TwoD_SPATIAL,
    py_aep.PropertyValueType.ThreeD,
    py_aep.PropertyValueType.ThreeD_SPATIAL,
}
_CHECKBOX_EFFECT = "ADBE Checkbox Control"


def _settable_properties(layer: py_aep.Layer) -> list[tuple[LayerProperty, py_aep.Property]]:
    """The layer's transform and simple effect properties, each with py-aep's property.

    Only the Transform group and the effects are walked (a roto-brushed layer's other
    groups hold thousands of properties, and nothing there is a version's value).
    """
    found: list[tuple[LayerProperty, py_aep.Property]] = []
    # Cameras and lights are always 3-D; an AV layer is 2-D unless its 3-D switch is on.
    two_d = isinstance(layer, py_aep.AVLayer) and not layer.three_d_layer
    camera_or_light = isinstance(layer, py_aep.CameraLayer | py_aep.LightLayer)
    for group in layer.properties:
        if group.match_name == TRANSFORM_GROUP and isinstance(group, py_aep.PropertyGroup):
            for prop in group.properties:
                label = _TRANSFORM.get(prop.match_name)
                if camera_or_light:  # After Effects shows neither scale nor opacity there
                    label = _CAMERA_TRANSFORM.get(prop.match_name)
                if label and isinstance(prop, py_aep.Property):
                    label = "Z Rotation" if label == "Rotation" and not two_d else label
                    kind = PropertyKind.NUMBER if label in ("Rotation", "Opacity") else None
                    dims = 2 if two_d else 3
                    made = _described(prop, ("Transform", label), (group.match_name,), kind, dims)
                    found += [(made, prop)] if made else []
        elif group.match_name == EFFECT_PARADE and isinstance(group, py_aep.PropertyGroup):
            for effect in group.properties:
                if isinstance(effect, py_aep.PropertyGroup):
                    found += _effect_properties(group.match_name, effect)
    return found


def _effects_of(
    layer: py_aep.Layer, settable: list[tuple[LayerProperty, py_aep.Property]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the layer's effects, and the paths of their properties not in
    `settable` (the tree is built by then: nothing more is decoded)."""
    kept = {id(prop) for _described, prop in settable}
    names: list[str] = []
    others: list[str] = []
    for group in layer.properties:
        if group.match_name != EFFECT_PARADE or not isinstance(group, py_aep.PropertyGroup):
            continue
        for effect in group.properties:
            if isinstance(effect, py_aep.PropertyGroup):
                names.append(effect.name)
                others += [
                    f"Effects.{effect.name}.{prop.name}"
                    for prop in effect.properties
                    if isinstance(prop, py_aep.Property) and id(prop) not in kept and prop.name
                ]
    return tuple(names), tuple(others)


def _effect_properties(
    parade: str, effect: py_aep.PropertyGroup
) -> list[tuple[LayerProperty, py_aep.Property]]:
    found = []
    checkbox = effect.match_name == _CHECKBOX_EFFECT
    for prop in effect.properties:
        if not isinstance(prop, py_aep.Property):
            continue  # e.g. the "Compositing Options" sub-group every effect has
        kind = PropertyKind.CHECKBOX if checkbox else None
        made = _described(
            prop, ("Effects", effect.name, prop.name), (parade, effect.match_name), kind, None
        )
        if made:
            found.append((made, prop))
    return found


def _described(
    prop: py_aep.Property,
    path: tuple[str, ...],
    parents: tuple[str, ...],
    kind: PropertyKind | None,
    dimensions: int | None,
) -> LayerProperty | None:
    """The property as a `LayerProperty`, or None when its value is not a simple one."""
    value_type = prop.property_value_type
    value: Any = prop.value
    if value_type == py_aep.PropertyValueType.COLOR:
        kind, dimensions = PropertyKind.COLOR, 3
    elif value_type == _ONE_D:
        kind, dimensions = kind or PropertyKind.NUMBER, 1
    elif value_type in _MULTI_D and isinstance(value, list):
        kind, dimensions = kind or PropertyKind.POINT, dimensions or len(value)
    else:
        return None
    text = format_value(kind, value, dimensions)
    if text is None:
        return None
    return LayerProperty(
        path=path,
        kind=kind,
        value=text,
        match_path=(*parents, prop.match_name),
        dimensions=dimensions,
        keyframed=any(part.keyframes for part in _parts(prop)),
        expression=any(part.expression_enabled and part.expression for part in _parts(prop)),
    )


def _parts(prop: py_aep.Property) -> list[py_aep.Property]:
    """The property, and its X / Y / Z followers when its dimensions are separated (their
    keys and expressions are what animates it then)."""
    if not prop.is_separation_leader or not prop.dimensions_separated:
        return [prop]
    followers = [prop.get_separation_follower(dim) for dim in range(3)]
    return [prop, *(f for f in followers if f is not None)]


def _source_text(layer: py_aep.TextLayer) -> tuple[str, list[py_aep.TextDocument]]:
    """The stored Source Text, and every text document the layer shows (one per key)."""
    group = layer.text
    prop = group.source_text if group is not None else None
    if not isinstance(prop, py_aep.Property):
        return "", []
    value = prop.value
    stored = value if isinstance(value, py_aep.TextDocument) else None
    keyed = [kf.value for kf in prop.keyframes]
    documents = [d for d in keyed if isinstance(d, py_aep.TextDocument)] or (
        [stored] if stored is not None else []
    )
    text = stored.text if stored is not None else ""
    return str(text or ""), documents


def _fonts_of(documents: list[py_aep.TextDocument]) -> set[str]:
    """The PostScript names of the fonts these text documents' character runs use.

    py-aep's `Project.used_fonts` does the same lookup but walks the properties of
    every layer, text or not (0.4 s for one roto-brushed footage layer); here only the
    text layers' documents are asked.
    """
    names: set[str] = set()
    for document in documents:
        names.update(font.post_script_name for font in document._used_font_objects())
    return names


def _layer_type(layer: py_aep.Layer) -> LayerType:
    # Text and shape layers are AVLayers too in After Effects' model: test them first.
    if isinstance(layer, py_aep.TextLayer):
        return LayerType.TEXT
    if isinstance(layer, py_aep.ShapeLayer):
        return LayerType.SHAPE
    if isinstance(layer, py_aep.CameraLayer):
        return LayerType.CAMERA
    if isinstance(layer, py_aep.LightLayer):
        return LayerType.LIGHT
    if not isinstance(layer, py_aep.AVLayer):
        return LayerType.OTHER
    if layer.null_layer:  # a null is a layer over a solid, marked as null
        return LayerType.NULL
    source = layer.source
    if isinstance(source, py_aep.CompItem):
        return LayerType.PRECOMP
    if isinstance(source, py_aep.FootageItem):
        main = source.main_source
        if isinstance(main, py_aep.SolidSource):
            return LayerType.SOLID
        if isinstance(main, py_aep.FileSource | py_aep.PlaceholderSource):
            return LayerType.FOOTAGE
    return LayerType.OTHER


def _render_item(index: int, item: py_aep.RenderQueueItem) -> RenderQueueItem:
    start = item.time_span_start_frame
    # py-aep's end frame is the first frame after the span; aerender's -e is the last one.
    end = max(start, item.time_span_end_frame - 1)
    return RenderQueueItem(
        index=index,
        comp=item.comp_name,
        status=RenderStatus(py_aep.RQItemStatus(item.status).name.lower()),
        render=item.render,
        frame_start=start,
        frame_end=end,
        output_modules=tuple(
            OutputModule(template=om.name, output=om.file or None) for om in item.output_modules
        ),
        render_settings=item.name,
    )


def _footage_items(project: py_aep.Project, project_dir: Path) -> list[Footage]:
    found: list[Footage] = []
    for item in project.footages:
        main = item.main_source
        if isinstance(main, py_aep.FileSource):
            file = main.file
            found.append(Footage(item.name, file, not _file_found(file, project_dir)))
        elif isinstance(main, py_aep.PlaceholderSource):
            found.append(Footage(item.name, None, True))
    return found


def _file_found(file: str, project_dir: Path) -> bool:
    """Whether After Effects here would find the file: where the project says, or (as it
    looks when a project moved with its footage) beside the project."""
    if not file:
        return False
    name = (PureWindowsPath if _WINDOWS_PATH.search(file) else PurePosixPath)(file).name
    return Path(file).exists() or (bool(name) and (project_dir / name).exists())


def read_back(
    path: Path, places: Sequence[tuple[str, int, bool]], item_ids: Sequence[int] = ()
) -> tuple[dict[tuple[str, int], Layer], dict[int, str | None]]:
    """The layers at `places` (composition name, 1-based index, with properties) of the
    project at `path`, and the file of each footage item of `item_ids` (None for one
    without a file): what checking a rewritten copy needs, without reading the rest."""
    project = py_aep.parse(path).project
    wanted: dict[tuple[str, int], bool] = {}
    for comp_name, index, with_properties in places:
        key = (comp_name, index)
        wanted[key] = wanted.get(key, False) or with_properties
    found: dict[tuple[str, int], Layer] = {}
    for comp in project.compositions:
        for index, layer in enumerate(comp.layers, 1):
            if (comp.name, index) in wanted and (comp.name, index) not in found:
                props = wanted[(comp.name, index)]
                found[(comp.name, index)] = _layer(index, layer, set(), with_properties=props)
    files: dict[int, str | None] = {}
    for item in project.footages:
        if item.id in item_ids:
            main = item.main_source
            files[item.id] = main.file if isinstance(main, py_aep.FileSource) else None
    return found, files


def apply_edits(
    template: Path, dest: Path, edits: Sequence[Edit]
) -> list[EditedLayer | EditedItem]:
    """Parse `template`, apply `edits` to every layer or footage item they name, save the
    result to `dest`.

    Returns the layers changed, by composition and index, and the footage items, by id:
    a footage layer or item without a name of its own takes the new file's name, so the
    check reads them back by place. Raises `RewriteFailed` when an edit finds no layer or
    item of its kind, or a property it cannot set.
    """
    project = py_aep.parse(template).project
    # Every layer and item is found before any is changed: a replacement renames the
    # unnamed ones.
    items = [(e, _file_items(project, e.item)) for e in edits if isinstance(e, FootageItemEdit)]
    layer_edits = [edit for edit in edits if not isinstance(edit, FootageItemEdit)]
    found = [(edit, _layers_of(project, edit.layer, edit.composition)) for edit in layer_edits]
    edited: list[EditedLayer | EditedItem] = []
    for item_edit, targets_of_item in items:
        if not targets_of_item:
            raise RewriteFailed(f"no footage item named {item_edit.item!r} in the project")
        for item in targets_of_item:
            item.replace(str(item_edit.file))
            edited.append(EditedItem(item.id, item_edit))
    # Each layer's properties are walked once, however many of them the job sets.
    settable: dict[int, list[tuple[LayerProperty, py_aep.Property]]] = {}
    for edit, layers in found:
        if isinstance(edit, TextEdit):
            targets = [(c, i, lay) for c, i, lay in layers if isinstance(lay, py_aep.TextLayer)]
            for _c, _i, layer in targets:
                _set_source_text(layer, edit.text)
            missing = "no text layer"
        elif isinstance(edit, FootageEdit):
            targets = [(c, i, lay) for c, i, lay in layers if _file_footage(lay)]
            if targets:
                # A new item for these layers only, as nexrender and After Effects' Replace
                # Layer Source do: other layers showing the old item keep it.
                new_item = project.import_file(py_aep.ImportOptions(str(edit.file)))
                for _c, _i, layer in targets:
                    layer.replace_source(new_item)
            missing = "no footage layer"
        else:
            targets = [(c, i, lay) for c, i, lay in layers if _set_property(lay, edit, settable)]
            missing = f"no layer with a property {'.'.join(edit.path)!r}"
        if not targets:
            raise RewriteFailed(f"{missing} {layer_words(edit.layer)}")
        edited += [EditedLayer(comp, index, edit) for comp, index, _layer in targets]
    project.save(dest)
    return edited


def _set_property(
    layer: py_aep.Layer,
    edit: PropertyEdit,
    walked: dict[int, list[tuple[LayerProperty, py_aep.Property]]],
) -> bool:
    """Set the edit's property on `layer`; False when the layer has no such property.

    `walked` keeps each layer's settable properties (by id) for the next edit. Raises
    `RewriteFailed` for a value of the wrong kind, or a keyframed or expression-driven
    property: its static value is not what would render.
    """
    settable = walked.get(id(layer))
    if settable is None:
        settable = walked[id(layer)] = _settable_properties(layer)
    index = find_in([described for described, _prop in settable], edit.path)
    if index is None:
        return False
    described, prop = settable[index]
    where = f"{described.dotted} of layer {layer.name!r}"
    if described.keyframed or described.expression:
        how = "is keyframed" if described.keyframed else "has an expression"
        raise RewriteFailed(f"{where} {how}; a project rewrite sets only a static value")
    numbers = parse_value(described.kind, edit.value)
    if numbers is None:
        raise RewriteFailed(f"{where} takes {kind_words(described)}; got {value_words(edit.value)}")
    _write_numbers(prop, numbers)
    return True


def _write_numbers(prop: py_aep.Property, numbers: tuple[float, ...]) -> None:
    stored: Any = prop.value
    if not isinstance(stored, list):
        prop.value = numbers[0]
        return
    # What the job does not give (a colour's alpha, a 2-D layer's z) keeps its value.
    new = [*numbers[: len(stored)], *list(stored)[len(numbers) :]]
    if prop.dimensions_separated:
        for dim, number in enumerate(new):
            follower = prop.get_separation_follower(dim)
            if follower is not None:
                follower.value = number
        return
    prop.value = new


def _file_items(project: py_aep.Project, name: str) -> list[py_aep.FootageItem]:
    """The footage items of that name a file can replace: files and placeholders."""
    return [
        item
        for item in project.footages
        if item.name == name
        and isinstance(item.main_source, py_aep.FileSource | py_aep.PlaceholderSource)
    ]


def _file_footage(layer: Any) -> bool:
    return (
        isinstance(layer, py_aep.AVLayer)
        and isinstance(layer.source, py_aep.FootageItem)
        and isinstance(layer.source.main_source, py_aep.FileSource | py_aep.PlaceholderSource)
    )


def _set_source_text(layer: py_aep.TextLayer, text: str) -> None:
    group = layer.text
    prop = group.source_text if group is not None else None
    document = prop.value if isinstance(prop, py_aep.Property) else None
    if not isinstance(prop, py_aep.Property) or not isinstance(document, py_aep.TextDocument):
        raise RewriteFailed(f"layer {layer.name!r} has no Source Text to set")
    document.text = text
    prop.value = document  # assigning writes the document back into the layer


def _layers_of(
    project: py_aep.Project, layer: LayerRef, composition: str | None
) -> list[tuple[str, int, Any]]:
    """(composition name, 1-based index, layer) of the layers `layer` names or numbers."""
    return [
        (comp.name, index, each)
        for comp in project.compositions
        if composition is None or comp.name == composition
        for index, each in enumerate(comp.layers, 1)
        if (index if isinstance(layer, int) else each.name) == layer
    ]
