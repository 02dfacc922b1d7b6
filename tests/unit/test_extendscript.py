"""The injected ExtendScript: safe literals, ES3 only, and what it does to a project.

The script is checked as text (every job value stays inside a string literal; no ES5+
syntax), parsed by node, and run by node against a small fake of After Effects' object
model so that finding nested compositions, replacing footage, setting text and failing
with a useful message are exercised, not just printed.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render_manager.domain.local_job import DataAsset, LocalJobSpec, TemplateSpec
from render_manager.domain.local_job_parser import parse_local_job
from render_manager.engine.extendscript import build_injection_script, js_string, js_value

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not on PATH")

HOSTILE = '"); app.quit(); ("'
TRICKY = [
    "",
    HOSTILE,
    "back\\slash and \\u0041 not an escape",
    "line\nbreak\r\nand\ttab",
    "*/ end of a comment /* and </script>",
    "\u2028 line separator \u2029 paragraph separator",
    "nul \x00 bell \x07 del \x7f",
    "quotes ' \" `backtick` ${template}",
    "astral 😀 𝄞 and BMP ü é 漢",
    "lone surrogates \ud800 \udfff \udc00\ud800",
]

# Any unicode, lone surrogates included: they exist in Python strings decoded from JSON.
any_text = st.text(st.characters(exclude_categories=()))


# -- reading the script -----------------------------------------------------------------------


def _lex(script: str) -> tuple[str, list[str]]:
    """The script's code with every string literal replaced by "" and comments removed, and
    the literals. Fails on a literal that spans lines, which no JavaScript allows."""
    code: list[str] = []
    literals: list[str] = []
    i = 0
    while i < len(script):
        if script.startswith("//", i):
            end = script.find("\n", i)
            i = len(script) if end < 0 else end
        elif script.startswith("/*", i):
            i = script.index("*/", i + 2) + 2
        elif script[i] in "\"'":
            j = i + 1
            while script[j] != script[i]:
                assert script[j] not in "\n\r\u2028\u2029", f"raw line break in {script[i:j]!r}"
                j += 2 if script[j] == "\\" else 1
            literals.append(script[i : j + 1])
            code.append('""')
            i = j + 1
        else:
            code.append(script[i])
            i += 1
    return "".join(code), literals


def _decoded_literals(script: str) -> list[str]:
    _, literals = _lex(script)
    return [json.loads(literal) for literal in literals]


def _spec(**asset: Any) -> LocalJobSpec:
    return parse_local_job(
        {"template": {"src": "/p.aep", "composition": "main"}, "assets": [asset]}
    )


FULL_JOB = {
    "template": {"src": "/p.aep", "composition": "main"},
    "assets": [
        {"type": "image", "src": "/in/logo.png", "layerName": "logo.png",
         "composition": "FULL_HD->intro->logo comp", "removeOld": True},
        {"type": "video", "src": "/in/seq_0001.png", "layerIndex": 15, "sequence": True},
        {"type": "data", "layerName": "title", "property": "Source Text", "value": HOSTILE},
        {"type": "data", "layerIndex": 2, "property": "Effects.Skin_Color.Color",
         "value": [1, 0.5, 0], "expression": "wiggle(2, 3)", "composition": "main"},
        {"type": "data", "layerName": "t", "property": "Source Text.font",
         "value": {"nested": [True, None, -1.5e-7]}},
        {"type": "script", "src": "/in/fix.jsx"},
        {"type": "static", "src": "/in/data.csv"},
    ],
}  # fmt: skip
FULL_PATHS = {0: "/w/000-logo.png", 1: "/w/001-seq_0001.png", 5: "/w/005-fix.jsx",
              6: "/w/006-data.csv"}  # fmt: skip


# -- js_string and js_value -------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[ !#-\[\]-~]|\\["\\nrt]|\\u[0-9a-f]{4})*"')


@settings(max_examples=500)
@given(any_text)
def test_js_string_is_one_ascii_literal_that_decodes_to_the_text(text: str) -> None:
    literal = js_string(text)

    assert literal.isascii()
    assert _JSON_STRING.fullmatch(literal), literal
    assert json.loads(literal) == text


def test_js_string_uses_readable_escapes() -> None:
    assert js_string('say "hi"\\\n') == r'"say \"hi\"\\\n"'
    assert js_string("\u2028😀\x00") == r'"\u2028\ud83d\ude00\u0000"'


@needs_node
def test_javascript_reads_js_string_literals_back_unchanged(tmp_path: Path) -> None:
    # A spread over every code point (surrogates included) and ASCII, the same on every run.
    points = [(n * 104_729) % 0x110000 if n % 3 else n % 0x80 for n in range(4000)]
    texts = TRICKY + ["".join(map(chr, points[i : i + 20])) for i in range(0, 4000, 20)]
    program = tmp_path / "strings.js"
    program.write_text(
        "process.stdout.write(JSON.stringify([" + ",\n".join(map(js_string, texts)) + "]));",
        encoding="ascii",
    )

    out = subprocess.run([NODE or "node", str(program)], capture_output=True, text=True,
                         check=True, timeout=60)  # fmt: skip

    assert json.loads(out.stdout) == texts


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_js_value_is_a_literal_of_the_same_value(value: object) -> None:
    literal = js_value(value)

    assert literal.isascii()
    assert json.loads(literal) == value


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf, 2**53 + 1, -(2**60)])
def test_js_value_refuses_numbers_javascript_would_change(number: float) -> None:
    with pytest.raises(ValueError, match="ExtendScript"):
        js_value([1, {"x": number}])


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), {1: "non-string key"}])
def test_js_value_refuses_what_json_cannot_say(value: object) -> None:
    with pytest.raises(TypeError):
        js_value(value)


# -- the script as text -----------------------------------------------------------------------


def test_a_nan_value_never_reaches_a_script() -> None:
    spec = LocalJobSpec(
        TemplateSpec("/p.aep", "main"),
        assets=(DataAsset("Opacity", layer_index=1, value=[1.0, math.nan]),),
    )

    with pytest.raises(ValueError, match="nan"):
        build_injection_script(spec, {})


def test_footage_without_a_staged_file_is_a_programming_error() -> None:
    spec = _spec(type="image", src="/a.png", layerName="a.png")

    with pytest.raises(ValueError, match=r"no staged file for assets\[0\] \(image\)"):
        build_injection_script(spec, {1: "/w/other.png"})


def test_job_values_stay_inside_string_literals() -> None:
    job = {
        "template": {"src": "/p.aep", "composition": "main"},
        "assets": [
            {"type": "image", "src": "/a.png", "layerName": HOSTILE, "composition": HOSTILE},
            {"type": "data", "layerName": "t", "property": HOSTILE, "value": HOSTILE,
             "expression": HOSTILE},
            {"type": "data", "layerIndex": 1, "property": "Source Text",
             "value": {HOSTILE: [HOSTILE]}},
            {"type": "script", "src": "/s.jsx"},
        ],
    }  # fmt: skip
    script = build_injection_script(parse_local_job(job), {0: HOSTILE, 3: HOSTILE})

    code, _ = _lex(script)
    assert script.isascii()
    assert "app.quit" in script
    assert "app.quit" not in code
    assert HOSTILE in _decoded_literals(script)


simple_text = any_text.filter(lambda s: s.strip() and not ({".", "*"} & set(s)) and "->" not in s)


@settings(max_examples=200)
@given(simple_text, any_text, simple_text, simple_text, any_text)
def test_no_text_in_a_job_changes_the_script_outside_its_literals(
    layer: str, value: str, composition: str, prop: str, path: str
) -> None:
    def script(layer: str, value: str, composition: str, prop: str, path: str) -> str:
        job = {
            "template": {"src": "/p.aep", "composition": "main"},
            "assets": [
                {"type": "data", "layerName": layer, "property": prop, "value": value,
                 "expression": value, "composition": composition},
                {"type": "audio", "src": "/a.wav", "layerName": layer,
                 "composition": composition},
                {"type": "script", "src": "/s.jsx"},
            ],
        }  # fmt: skip
        return build_injection_script(parse_local_job(job), {1: path, 2: path})

    hostile = script(layer, value, composition, prop, path)
    plain = script("x", "x", "x", "x", "x")

    assert hostile.isascii()
    assert _lex(hostile)[0] == _lex(plain)[0]
    assert {layer, value, composition, path} <= set(_decoded_literals(hostile))


def test_the_script_is_es3() -> None:
    script = build_injection_script(parse_local_job(FULL_JOB), FULL_PATHS)
    code, _ = _lex(script)

    for modern in ("let ", "const ", "=>", "`", ".forEach(", ".map(", ".filter(", "JSON.",
                   "class ", "Object.keys"):  # fmt: skip
        assert modern not in code, modern
    assert not re.search(r",\s*[\]}]", code), "trailing commas break old ExtendScript"
    assert code.strip().startswith("(function () {")
    assert code.strip().endswith("})();")


def test_layers_are_found_by_unquoted_index_and_by_nested_composition() -> None:
    script = build_injection_script(parse_local_job(FULL_JOB), FULL_PATHS)

    assert "findLayers(asset, [], null, 15, false, " in script
    assert 'findLayers(asset, ["FULL_HD", "intro", "logo comp"], "logo.png", null, ' in script
    assert '["Effects", "Skin_Color", "Color"]' in script


@needs_node
def test_node_parses_the_script(tmp_path: Path) -> None:
    script = tmp_path / "inject.js"
    script.write_text(build_injection_script(parse_local_job(FULL_JOB), FULL_PATHS), "ascii")

    checked = subprocess.run([NODE or "node", "--check", str(script)], capture_output=True,
                             text=True, check=False, timeout=60)  # fmt: skip

    assert checked.returncode == 0, checked.stderr


# -- the script at work, in a fake After Effects ----------------------------------------------

FAKE_AE = r"""
var log = [], evaluated = [], imported = [], quitCalled = false, nextId = 100;
var PropertyType = {PROPERTY: 6212, INDEXED_GROUP: 6213, NAMED_GROUP: 6214};
var PropertyValueType = {OneD: 6417, COLOR: 6424, TEXT_DOCUMENT: 6421};

function TextDocument(text) { this.text = text; this.font = "Arial"; this.fontSize = 40; }
function copyText(td) {
    var c = new TextDocument(td.text); c.font = td.font; c.fontSize = td.fontSize; return c;
}
function Property(name, value, valueType) {
    this.name = name; this.propertyType = PropertyType.PROPERTY; this.stored = value;
    this.propertyValueType = valueType || PropertyValueType.OneD;
    this.numKeys = 0; this.canSetExpression = true; this.expression = "";
}
// Like AE, reading a value gives a copy: changing it does nothing until setValue.
Object.defineProperty(Property.prototype, "value", {get: function () {
    return this.stored instanceof TextDocument ? copyText(this.stored) : this.stored;
}});
Property.prototype.setValue = function (v) {
    if (this.failWith) { throw new Error(this.failWith); }
    this.stored = v;
};
function Group(name, children) {
    this.name = name; this.propertyType = PropertyType.NAMED_GROUP; this.children = children || [];
}
Group.prototype.property = function (name) {
    for (var i = 0; i < this.children.length; i++) {
        if (this.children[i].name === name) { return this.children[i]; }
    }
    return null;
};
function Layer(name, source, children) { Group.call(this, name, children); this.source = source; }
Layer.prototype = Object.create(Group.prototype);
Layer.prototype.replaceSource = function (item, fixExpressions) {
    this.source = item; this.fixExpressions = fixExpressions;
};
function Item(name) { this.id = nextId++; this.name = name; this.removed = false; }
Item.prototype.remove = function () { this.removed = true; };
// The compositions with a layer whose source is this item, as AE keeps them.
Object.defineProperty(Item.prototype, "usedIn", {get: function () {
    var users = [], items = app.project.items, i, j;
    for (i = 0; i < items.length; i++) {
        for (j = 0; items[i].layers && j < items[i].layers.length; j++) {
            if (items[i].layers[j].source === this) { users.push(items[i]); break; }
        }
    }
    return users;
}});
function FootageItem(name) { Item.call(this, name); this.mainSource = {}; }
FootageItem.prototype = Object.create(Item.prototype);
// Like AE: the item keeps its id and its layers; a name not set by hand follows the file.
FootageItem.prototype.replace = function (file) {
    this.replacedWith = file.path; this.name = file.path.split("/").pop();
};
FootageItem.prototype.replaceWithSequence = function (file) {
    this.replacedWith = file.path; this.asSequence = true;
};
function SolidSource() {}
function CompItem(name, layers) { Item.call(this, name); this.layers = layers; }
CompItem.prototype = Object.create(Item.prototype);
Object.defineProperty(CompItem.prototype, "numLayers", {get: function () {
    return this.layers.length;
}});
CompItem.prototype.layer = function (i) {
    if (i < 1 || i > this.layers.length) { throw new Error("layer index out of range"); }
    return this.layers[i - 1];
};
function File(path) { this.path = path; this.exists = EXISTING.indexOf(path) !== -1; }
function ImportOptions(file) { this.file = file; this.sequence = false; }
var app = {
    project: {
        items: [],
        item: function (i) { return this.items[i - 1]; },
        importFile: function (options) {
            imported.push({path: options.file.path, sequence: options.sequence});
            var item = new FootageItem(options.file.path);
            this.items.push(item);
            return item;
        }
    },
    quit: function () { quitCalled = true; }
};
Object.defineProperty(app.project, "numItems", {get: function () { return this.items.length; }});
var $ = {
    evalFile: function (f) { evaluated.push(f.path); },
    writeln: function (line) { log.push(line); }
};

function footage(name) { var f = new FootageItem(name); app.project.items.push(f); return f; }
function comp(name, layers) {
    var c = new CompItem(name, layers); app.project.items.push(c); return c;
}
function textLayer(name, text) {
    return new Layer(name, null, [
        new Property("Source Text", new TextDocument(text), PropertyValueType.TEXT_DOCUMENT),
        new Property("Opacity", 100)
    ]);
}
function avLayer(name, source) {
    return new Layer(name, source, [
        new Property("Position", [0, 0]), new Property("Opacity", 100),
        new Group("Effects", [new Group("Skin_Color", [
            new Property("Color", [0, 0, 0], PropertyValueType.COLOR)])])
    ]);
}

var old = footage("old.png");
var nestedIntro = comp("intro", [avLayer("logo.png", old), textLayer("title", "Old title")]);
var looseIntro = comp("intro", [avLayer("logo.png", old)]);
var main = comp("main", [avLayer("intro", nestedIntro), avLayer("bg", old),
                         textLayer("title", "Main title")]);
"""

REPORT = r"""({
    nestedLogo: nestedIntro.layers[0].source.name,
    nestedFix: nestedIntro.layers[0].fixExpressions,
    looseLogo: looseIntro.layers[0].source.name,
    bgSource: main.layers[1].source.name,
    oldReplacedWith: old.replacedWith || null,
    oldSameItem: main.layers[1].source === old && looseIntro.layers[0].source === old,
    oldRemoved: old.removed,
    mainTitle: main.layers[2].property("Source Text").stored,
    nestedTitle: nestedIntro.layers[1].property("Source Text").stored,
    bgColor: main.layers[1].property("Effects").property("Skin_Color").property("Color").stored,
    bgColorExpression:
        main.layers[1].property("Effects").property("Skin_Color").property("Color").expression,
    opacities: [main.layers[0].property("Opacity").stored, nestedIntro.layers[0]
        .property("Opacity").stored, looseIntro.layers[0].property("Opacity").stored]
})"""


def _run(
    tmp_path: Path,
    job: dict[str, Any],
    paths: dict[int, str] | None = None,
    *,
    existing: tuple[str, ...] = (),
    before: str = "",
) -> dict[str, Any]:
    script = build_injection_script(parse_local_job(job), paths or {})
    program = tmp_path / "run.js"
    program.write_text(
        "\n".join([
            f"var EXISTING = {json.dumps(list(existing))};",
            FAKE_AE,
            before,
            "var error = null;",
            f"try {{\n{script}\n}} catch (e) {{ error = String(e.message); }}",
            f"var result = {REPORT};",
            "process.stdout.write(JSON.stringify({error: error, log: log, evaluated: evaluated,"
            " imported: imported, quit: quitCalled, result: result}));",
        ]),
        encoding="ascii",
    )  # fmt: skip
    ran = subprocess.run([NODE or "node", str(program)], capture_output=True, text=True,
                         check=False, timeout=60)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    outcome: dict[str, Any] = json.loads(ran.stdout)
    return outcome


def _job(*assets: dict[str, Any], continue_on_missing: bool = False) -> dict[str, Any]:
    template = {"src": "/p.aep", "composition": "main", "continueOnMissing": continue_on_missing}
    return {"template": template, "assets": list(assets)}


@needs_node
def test_footage_replaces_the_layer_only_in_the_nested_composition(tmp_path: Path) -> None:
    asset = {"type": "image", "src": "/in/logo.png", "layerName": "logo.png",
             "composition": "main->intro"}  # fmt: skip

    outcome = _run(tmp_path, _job(asset), {0: "/w/logo.png"}, existing=("/w/logo.png",))

    assert outcome["error"] is None
    assert outcome["imported"] == [{"path": "/w/logo.png", "sequence": False}]
    result = outcome["result"]
    assert result["nestedLogo"] == "/w/logo.png"
    assert result["nestedFix"] is True
    assert result["looseLogo"] == "old.png"
    assert result["bgSource"] == "old.png"
    assert result["oldRemoved"] is False


@needs_node
def test_text_is_replaced_verbatim_and_keeps_its_style(tmp_path: Path) -> None:
    text = HOSTILE + "\n\u2028😀 \\ */"
    assets = (
        {"type": "data", "layerName": "title", "property": "Source Text", "value": text,
         "composition": "main"},
        {"type": "data", "layerName": "title", "property": "Source Text.fontSize", "value": 72,
         "composition": "main->intro"},
    )  # fmt: skip

    outcome = _run(tmp_path, _job(*assets))

    assert outcome["error"] is None
    assert outcome["quit"] is False
    assert outcome["result"]["mainTitle"] == {"text": text, "font": "Arial", "fontSize": 40}
    assert outcome["result"]["nestedTitle"] == {
        "text": "Old title",
        "font": "Arial",
        "fontSize": 72,
    }


@needs_node
def test_effect_values_expressions_and_layer_indexes_apply(tmp_path: Path) -> None:
    assets = (
        {"type": "data", "layerIndex": 2, "composition": "main",
         "property": "Effects.Skin_Color.Color", "value": [1, 0.5, 0], "expression": "[1,0,0]"},
        # Without a composition, nexrender applies an asset to every composition.
        {"type": "data", "layerIndex": 1, "property": "Opacity", "value": 25},
    )  # fmt: skip

    outcome = _run(tmp_path, _job(*assets))

    assert outcome["error"] is None
    assert outcome["result"]["bgColor"] == [1, 0.5, 0]
    assert outcome["result"]["bgColorExpression"] == "[1,0,0]"
    assert outcome["result"]["opacities"] == [25, 25, 25]


@needs_node
def test_scripts_are_evaluated_in_asset_order(tmp_path: Path) -> None:
    assets = (
        {"type": "script", "src": "/in/a.jsx"},
        {"type": "static", "src": "/in/table.csv"},
        {"type": "script", "src": "/in/b.jsx"},
    )
    paths = {0: "/w/a.jsx", 1: "/w/table.csv", 2: "/w/b.jsx"}

    outcome = _run(tmp_path, _job(*assets), paths, existing=("/w/a.jsx", "/w/b.jsx"))

    assert outcome["error"] is None
    assert outcome["evaluated"] == ["/w/a.jsx", "/w/b.jsx"]


@needs_node
@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ({"type": "data", "layerName": "nope", "property": "Opacity", "value": 1,
          "composition": "main"},
         'assets[1] (data): no layer named "nope" in composition "main"'),
        ({"type": "image", "src": "/in/x.png", "layerName": "logo.png",
          "composition": "main->missing"},
         'assets[1] (image): no composition "main->missing" in the project'),
        ({"type": "audio", "src": "/in/x.wav", "layerIndex": 9, "composition": "main"},
         'assets[1] (audio): no layer 9 in composition "main"'),
        ({"type": "data", "layerName": "bg", "property": "Effects.Nope.Color", "value": 1,
          "composition": "main"},
         'assets[1] (data): layer "bg" has no property "Effects.Nope.Color"'),
        ({"type": "data", "layerName": "bg", "property": "Effects", "value": 1,
          "composition": "main"},
         'assets[1] (data): "Effects" on layer "bg" is a group of properties, not a property'),
        ({"type": "image", "src": "/in/x.png", "layerName": "title", "composition": "main"},
         'assets[1] (image): layer "title" has no footage to replace'),
        ({"type": "script", "src": "/in/gone.jsx"},
         "assets[1] (script): the staged script /w/x does not exist"),
    ],
)  # fmt: skip
def test_a_missing_target_fails_naming_the_asset(
    tmp_path: Path, asset: dict[str, Any], message: str
) -> None:
    first = {"type": "data", "layerIndex": 1, "property": "Opacity", "value": 10,
             "composition": "main"}  # fmt: skip

    outcome = _run(tmp_path, _job(first, asset), {1: "/w/x"}, existing=("/w/x.png",))

    assert outcome["error"] == "render-manager: " + message
    assert outcome["result"]["opacities"][0] == 10


@needs_node
def test_errors_from_after_effects_are_labelled_with_the_asset(tmp_path: Path) -> None:
    asset = {"type": "data", "layerName": "bg", "property": "Opacity", "value": 500,
             "composition": "main"}  # fmt: skip
    before = 'main.layers[1].property("Opacity").failWith = "Value 500 out of range";'

    outcome = _run(tmp_path, _job(asset), before=before)

    assert outcome["error"] == "render-manager: assets[0] (data): Value 500 out of range"


@needs_node
def test_keyframed_properties_are_refused_with_a_reason(tmp_path: Path) -> None:
    asset = {"type": "data", "layerName": "bg", "property": "Opacity", "value": 50,
             "composition": "main"}  # fmt: skip
    before = 'main.layers[1].property("Opacity").numKeys = 2;'

    outcome = _run(tmp_path, _job(asset), before=before)

    assert outcome["error"] == (
        'render-manager: assets[0] (data): "Opacity" on layer "bg" has keyframes, '
        "so it cannot take one value"
    )


@needs_node
def test_continue_on_missing_warns_and_goes_on(tmp_path: Path) -> None:
    missing = {"type": "data", "layerName": "nope", "property": "Opacity", "value": 1,
               "composition": "main"}  # fmt: skip
    later = {"type": "data", "layerIndex": 1, "property": "Opacity", "value": 5,
             "composition": "main"}  # fmt: skip

    outcome = _run(tmp_path, _job(missing, later, continue_on_missing=True))

    assert outcome["error"] is None
    assert outcome["log"] == [
        'WARNING: render-manager: assets[0] (data): no layer named "nope" in composition '
        '"main"; skipped (continueOnMissing)'
    ]
    assert outcome["result"]["opacities"][0] == 5


@needs_node
@pytest.mark.parametrize(
    ("before", "removed"),
    [
        ("", False),
        ("nestedIntro.layers[0].source = footage('a.png');"
         "looseIntro.layers[0].source = footage('b.png');", True),
    ],
)  # fmt: skip
def test_remove_old_deletes_the_old_footage_once_nothing_uses_it(
    tmp_path: Path, before: str, removed: bool
) -> None:
    asset = {"type": "image", "src": "/in/new.png", "layerName": "bg", "composition": "main",
             "removeOld": True, "sequence": True}  # fmt: skip

    outcome = _run(tmp_path, _job(asset), {0: "/w/new.png"}, existing=("/w/new.png",),
                   before=before)  # fmt: skip

    assert outcome["error"] is None
    assert outcome["imported"] == [{"path": "/w/new.png", "sequence": True}]
    assert outcome["result"]["bgSource"] == "/w/new.png"
    assert outcome["result"]["oldRemoved"] is removed


@needs_node
def test_a_footage_item_takes_the_file_for_every_layer_that_shows_it(tmp_path: Path) -> None:
    asset = {"type": "image", "src": "/in/new.png", "footage": "old.png"}

    outcome = _run(tmp_path, _job(asset), {0: "/w/new.png"}, existing=("/w/new.png",))

    assert outcome["error"] is None
    assert outcome["imported"] == [], "the item is replaced in place, nothing imported"
    result = outcome["result"]
    assert result["oldReplacedWith"] == "/w/new.png"
    assert result["oldSameItem"] is True
    assert (result["bgSource"], result["nestedLogo"], result["looseLogo"]) == ("new.png",) * 3


@needs_node
@pytest.mark.parametrize("tolerate", [False, True])
def test_a_footage_item_not_in_the_project_fails_or_is_skipped(
    tmp_path: Path, tolerate: bool
) -> None:
    asset = {"type": "video", "src": "/in/new.mov", "footage": "Hero shot"}
    # A solid of that name is not footage a file can replace.
    before = 'footage("Hero shot").mainSource = new SolidSource();'

    outcome = _run(tmp_path, _job(asset, continue_on_missing=tolerate), {0: "/w/new.mov"},
                   existing=("/w/new.mov",), before=before)  # fmt: skip

    message = 'render-manager: assets[0] (video): no footage item named "Hero shot" in the project'
    if tolerate:
        assert outcome["error"] is None
        assert outcome["log"] == ["WARNING: " + message + "; skipped (continueOnMissing)"]
    else:
        assert outcome["error"] == message
    assert outcome["result"]["oldReplacedWith"] is None
