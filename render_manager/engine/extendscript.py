"""The ExtendScript that edits a local job's project inside After Effects before it renders.

aerender runs it with ``-r`` (only after the user allowed the commandLineRenderer.jsx
patch). ExtendScript is ECMAScript 3: no let/const, arrow functions, template strings,
JSON object or Array.prototype.indexOf/forEach, so neither the script nor its helpers use
them. Every value from the job reaches the script as a literal made by `js_string` or
`js_value`, never by pasting text into code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from render_manager.domain.local_job import (
    ANY_COMPOSITION,
    DataAsset,
    FootageAsset,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
    split_keypath,
)

# Integers beyond 2**53 would silently change on their way into a JavaScript double.
_MAX_SAFE_INTEGER = 2**53
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js_string(text: str) -> str:
    """`text` as a double-quoted JavaScript string literal, in pure ASCII.

    Quotes, backslashes, newlines, CR and tab get their short escapes; every other control
    character, DEL and all non-ASCII characters become four-hex-digit ``\\u`` escapes
    (astral characters as a surrogate pair). Lone surrogates are escaped as themselves, so
    nothing is lost. Only escapes JSON also has are used: the literal is a JSON string too
    (``json.loads`` reads it back), and U+2028/U+2029, which end a line in ES3, never
    appear raw.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    out.append('"')
    return "".join(out)


def js_value(value: object) -> str:
    """A JSON-like value as a JavaScript literal (also valid JSON).

    Accepts None (``null``), bools, ints within ±2**53, finite floats, strings, lists,
    tuples and dicts with string keys. Raises ValueError for NaN, infinities and larger
    integers, TypeError for anything else.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ValueError(f"{value} is too large to pass to ExtendScript exactly")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be passed to ExtendScript")
        return repr(value)
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(js_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, not {key!r}")
            items.append(f"{js_string(key)}: {js_value(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"{type(value).__name__} cannot be passed to ExtendScript")


def build_injection_script(spec: LocalJobSpec, footage_paths: Mapping[int, str]) -> str:
    """The ExtendScript (.jsx) that applies the job's assets to the open project, in order.

    `footage_paths` maps an asset's index in ``spec.assets`` to its staged local file; every
    footage and script asset needs one (ValueError otherwise). Footage replaces the source
    of each matching layer, data sets a value and/or expression, scripts are evaluated,
    static assets do nothing here. When something is not found the script throws an Error
    whose message reads ``render-manager: assets[N] (type): what was not found``; with
    continueOnMissing on the asset or the template it logs that as a ``WARNING:`` line
    instead and goes on. Raises ValueError for values ExtendScript cannot hold (NaN).
    """
    blocks = []
    for index, asset in enumerate(spec.assets):
        if isinstance(asset, StaticAsset):
            blocks.append(f"    // assets[{index}]: static, staged for the project's own use")
            continue
        kind = asset.type if isinstance(asset, FootageAsset) else _TYPE_NAMES[type(asset)]
        if isinstance(asset, ScriptAsset):
            body = f"runScript(asset, {js_string(_staged(footage_paths, index, kind))});"
        elif isinstance(asset, FootageAsset) and asset.footage is not None:
            tolerate = spec.template.continue_on_missing or asset.continue_on_missing
            staged = _staged(footage_paths, index, kind)
            body = _replace_item(asset, asset.footage, staged, tolerate)
        else:
            tolerate = spec.template.continue_on_missing or asset.continue_on_missing
            body = f"var layers = {_find_layers(asset, tolerate)};\n" + (
                _replace_footage(asset, _staged(footage_paths, index, kind))
                if isinstance(asset, FootageAsset)
                else _set_data(asset)
            )
        label = js_string(f"assets[{index}] ({kind})")
        blocks.append(
            f"    // assets[{index}]: {kind}\n"
            f"    step({label}, function (asset) {{\n" + _indent(body, 8) + "\n    });"
        )
    return _PRELUDE + "\n\n".join(blocks) + ("\n" if blocks else "") + _EPILOGUE


_TYPE_NAMES: dict[type, str] = {DataAsset: "data", ScriptAsset: "script"}


def _staged(footage_paths: Mapping[int, str], index: int, kind: str) -> str:
    try:
        return footage_paths[index]
    except KeyError:
        raise ValueError(f"no staged file for assets[{index}] ({kind})") from None


def _quoted(name: str) -> str:
    # Names in messages are shown JSON-quoted: a newline in a layer name cannot forge a
    # separate line in aerender's log, and stray spaces stay visible.
    return json.dumps(name, ensure_ascii=False)


def _find_layers(asset: FootageAsset | DataAsset, tolerate: bool) -> str:
    if asset.composition == ANY_COMPOSITION:
        comp, where = "composition", "any composition"
    else:
        comp = where = "composition " + _quoted("->".join(asset.composition))
    if asset.layer_name is not None:
        layer = f"layer named {_quoted(asset.layer_name)}"
    else:
        layer = f"layer {asset.layer_index}"
    return (
        f"findLayers(asset, {js_value(list(asset.composition))}, "
        f"{js_value(asset.layer_name)}, {js_value(asset.layer_index)}, {js_value(tolerate)}, "
        f"{js_string(f'no {comp} in the project')}, {js_string(f'no {layer} in {where}')})"
    )


def _replace_footage(asset: FootageAsset, path: str) -> str:
    return (
        "if (layers.length > 0) {\n"
        f"    replaceFootage(asset, layers, {js_string(path)}, {js_value(asset.sequence)}, "
        f"{js_value(asset.remove_old)});\n"
        "}"
    )


def _replace_item(asset: FootageAsset, item: str, path: str, tolerate: bool) -> str:
    return (
        f"var items = findFootageItems(asset, {js_string(item)}, {js_value(tolerate)}, "
        f"{js_string(f'no footage item named {_quoted(item)} in the project')});\n"
        f"replaceItems(asset, items, {js_string(path)}, {js_value(asset.sequence)});"
    )


def _set_data(asset: DataAsset) -> str:
    return (
        f"setData(asset, layers, {js_value(list(split_keypath(asset.property)))}, "
        f"{js_string(_quoted(asset.property))}, {js_value(asset.value is not None)}, "
        f"{js_value(asset.value)}, {js_value(asset.expression is not None)}, "
        f"{js_value(asset.expression)});"
    )


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.splitlines())


_PRELUDE = r"""// Written by Render Manager for one local job: applies the job's assets to the
// project before aerender renders it. ExtendScript is ES3; keep it that way.
(function () {
    var PREFIX = "render-manager: ";

    function fail(asset, message) {
        throw new Error(PREFIX + asset + ": " + message);
    }

    function warn(asset, message) {
        var line = "WARNING: " + PREFIX + asset + ": " + message;
        try {
            if (typeof gAECommandLineRenderer !== "undefined" && gAECommandLineRenderer.log_file) {
                gAECommandLineRenderer.log_file.writeln(line);
                return;
            }
            $.writeln(line);
        } catch (ignored) {
        }
    }

    function missing(asset, message, tolerate) {
        if (tolerate) {
            warn(asset, message + "; skipped (continueOnMissing)");
        } else {
            fail(asset, message);
        }
    }

    // Every error names its asset, however deep in After Effects it was raised.
    function step(asset, body) {
        try {
            body(asset);
        } catch (e) {
            var message = (e && e.message !== undefined) ? String(e.message) : String(e);
            if (message.indexOf(PREFIX) === 0) {
                throw e;
            }
            fail(asset, message);
        }
    }

    function addUnique(list, item) {
        for (var i = 0; i < list.length; i++) {
            if (list[i] === item || (item.id !== undefined && list[i].id === item.id)) {
                return;
            }
        }
        list.push(item);
    }

    // path: composition names from outer to inner, each inner one used as a layer of the
    // one before; [] is every composition.
    function compositionsAt(path) {
        var found = [];
        var i, j, k, item, source;
        for (i = 1; i <= app.project.numItems; i++) {
            item = app.project.item(i);
            if (item instanceof CompItem && (path.length === 0 || item.name === path[0])) {
                addUnique(found, item);
            }
        }
        for (k = 1; k < path.length; k++) {
            var inner = [];
            for (i = 0; i < found.length; i++) {
                for (j = 1; j <= found[i].numLayers; j++) {
                    source = found[i].layer(j).source;
                    if (source && source instanceof CompItem && source.name === path[k]) {
                        addUnique(inner, source);
                    }
                }
            }
            found = inner;
        }
        return found;
    }

    function findLayers(asset, path, name, index, tolerate, noComposition, noLayer) {
        var comps = compositionsAt(path);
        var layers = [];
        var i, j, comp;
        if (comps.length === 0) {
            missing(asset, noComposition, tolerate);
            return layers;
        }
        for (i = 0; i < comps.length; i++) {
            comp = comps[i];
            if (name !== null) {
                for (j = 1; j <= comp.numLayers; j++) {
                    if (comp.layer(j).name === name) {
                        layers.push(comp.layer(j));
                    }
                }
            } else if (index <= comp.numLayers) {
                layers.push(comp.layer(index));
            }
        }
        if (layers.length === 0) {
            missing(asset, noLayer, tolerate);
        }
        return layers;
    }

    function importFootage(asset, path, sequence) {
        var file = new File(path);
        if (!file.exists) {
            fail(asset, "the staged file " + path + " does not exist");
        }
        var options = new ImportOptions(file);
        if (sequence) {
            options.sequence = true;
        }
        return app.project.importFile(options);
    }

    // Every layer is checked before anything is imported, so a failing asset leaves the
    // project as it was.
    function replaceFootage(asset, layers, path, sequence, removeOld) {
        var old = [];
        var i, item;
        for (i = 0; i < layers.length; i++) {
            if (!layers[i].source) {
                fail(asset, "layer \"" + layers[i].name + "\" has no footage to replace");
            }
        }
        item = importFootage(asset, path, sequence);
        for (i = 0; i < layers.length; i++) {
            addUnique(old, layers[i].source);
            // true: expressions that name the old footage follow it to the new one.
            layers[i].replaceSource(item, true);
        }
        if (removeOld) {
            for (i = 0; i < old.length; i++) {
                if (old[i].id !== item.id && old[i].usedIn.length === 0) {
                    old[i].remove();
                }
            }
        }
    }

    // Footage items of the project panel by name (solids are not footage to replace).
    function findFootageItems(asset, name, tolerate, noItem) {
        var found = [];
        var i, item;
        for (i = 1; i <= app.project.numItems; i++) {
            item = app.project.item(i);
            if (item instanceof FootageItem && item.name === name &&
                    !(item.mainSource instanceof SolidSource)) {
                found.push(item);
            }
        }
        if (found.length === 0) {
            missing(asset, noItem, tolerate);
        }
        return found;
    }

    // The item itself takes the file: every layer showing it, in every composition, follows.
    function replaceItems(asset, items, path, sequence) {
        var file = new File(path);
        if (items.length === 0) {
            return;
        }
        if (!file.exists) {
            fail(asset, "the staged file " + path + " does not exist");
        }
        for (var i = 0; i < items.length; i++) {
            if (sequence) {
                items[i].replaceWithSequence(file, false);
            } else {
                items[i].replace(file);
            }
        }
    }

    function setData(asset, layers, keys, label, hasValue, value, hasExpression, expression) {
        for (var i = 0; i < layers.length; i++) {
            setLayerData(asset, layers[i], keys, label, hasValue, value, hasExpression, expression);
        }
    }

    // keys walk property groups down to a property; any keys left name attributes of the
    // property's value, e.g. ["Source Text", "fontSize"].
    function setLayerData(asset, layer, keys, label, hasValue, value, hasExpression, expression) {
        var target = layer;
        var i = 0;
        var j, next, holder, root;
        var where = "layer \"" + layer.name + "\"";
        while (i < keys.length && target.propertyType !== PropertyType.PROPERTY) {
            next = target.property(keys[i]);
            if (!next) {
                fail(asset, where + " has no property " + label);
            }
            target = next;
            i++;
        }
        if (target.propertyType !== PropertyType.PROPERTY) {
            fail(asset, label + " on " + where + " is a group of properties, not a property");
        }
        var rest = keys.slice(i);
        if (hasValue) {
            if (target.numKeys > 0) {
                fail(asset, label + " on " + where + " has keyframes, so it cannot take one value");
            }
            if (rest.length === 0) {
                if (target.propertyValueType === PropertyValueType.TEXT_DOCUMENT &&
                        typeof value === "string") {
                    // Keep the text's font, size and colour: change only its text.
                    var td = target.value;
                    td.text = value;
                    target.setValue(td);
                } else {
                    target.setValue(value);
                }
            } else {
                root = target.value;
                holder = root;
                for (j = 0; j < rest.length - 1; j++) {
                    holder = holder[rest[j]];
                    if (holder === undefined || holder === null) {
                        fail(asset, where + " has no property " + label);
                    }
                }
                holder[rest[rest.length - 1]] = value;
                target.setValue(root);
            }
        }
        if (hasExpression) {
            if (rest.length > 0) {
                fail(asset, "an expression needs a whole property, not part of one: " + label);
            }
            if (!target.canSetExpression) {
                fail(asset, label + " on " + where + " cannot take an expression");
            }
            target.expression = expression;
        }
    }

    function runScript(asset, path) {
        var file = new File(path);
        if (!file.exists) {
            fail(asset, "the staged script " + path + " does not exist");
        }
        $.evalFile(file);
    }

"""

_EPILOGUE = "})();\n"
