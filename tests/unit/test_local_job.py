"""Local jobs in nexrender's job JSON: what parses, what is refused and how, what is stored."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render_manager.domain.job import DomainError
from render_manager.domain.local_job import (
    ANY_COMPOSITION,
    ActionSpec,
    DataAsset,
    FieldError,
    FootageAsset,
    JobSpecError,
    LocalJobSpec,
    ScriptAsset,
    StaticAsset,
    TemplateSpec,
    default_output_name,
    staged_file_name,
)
from render_manager.domain.local_job_json import spec_to_json
from render_manager.domain.local_job_parser import parse_local_job

TEMPLATE = {"src": "file:///d:/documents/myproject.aep", "composition": "main"}


def _job(**top: Any) -> dict[str, Any]:
    return {"template": dict(TEMPLATE), **top}


def _errors(data: object) -> list[FieldError]:
    with pytest.raises(JobSpecError) as caught:
        parse_local_job(data)
    return caught.value.errors


def _only_error(data: object) -> FieldError:
    errors = _errors(data)
    assert len(errors) == 1, errors
    return errors[0]


# -- valid jobs -------------------------------------------------------------------------------


def test_minimal_nexrender_job_parses() -> None:
    spec = parse_local_job({"template": {"src": "http://example.com/myproject.aep",
                                         "composition": "main"}})  # fmt: skip

    assert spec == LocalJobSpec(TemplateSpec("http://example.com/myproject.aep", "main"))
    assert not spec.needs_script
    assert default_output_name(spec) == "result.mov"


def test_job_with_every_asset_type_and_an_encode_action_parses() -> None:
    data = {
        "template": {
            "src": "file:///d:/documents/myproject.aep",
            "composition": "main",
            "outputModule": "H.264 - Match Render Settings - 15 Mbps",
            "outputExt": "mp4",
            "settingsTemplate": "Best Settings",
            "frameStart": 0,
            "frameEnd": 120,
            "frameIncrement": 2,
            "continueOnMissing": True,
        },
        "assets": [
            {"src": "https://example.com/assets/image.jpg", "type": "image",
             "layerName": "MyNicePicture.jpg"},
            {"src": "https://example.com/assets/clip", "type": "video", "layerName": "clip.mp4",
             "extension": "mp4", "composition": "FULL_HD->intro->logo comp"},
            {"src": "file:///home/assets/audio.mp3", "type": "audio", "name": "music.mp3",
             "layerIndex": 15},
            {"type": "data", "layerName": "my text field", "property": "Source Text",
             "value": "Hello world"},
            {"type": "data", "layerName": "background", "property": "Effects.Skin_Color.Color",
             "value": [1, 0, 0]},
            {"type": "data", "layerIndex": 15, "property": "Scale", "value": [0, 0],
             "expression": "[time * 0.1, time * 0.1]"},
            {"src": "http://example.com/scripts/myscript.jsx", "type": "script"},
            {"src": "http://example.com/assets/something_else.csv", "name": "mydata.csv",
             "type": "static"},
        ],
        "actions": {
            "postrender": [
                {"module": "@nexrender/action-encode", "preset": "mp4", "output": "encoded.mp4"}
            ]
        },
        "name": "Promo 01",
        "priority": 5,
        "tags": "primary,plugins",
    }  # fmt: skip

    spec = parse_local_job(data)

    assert spec.template == TemplateSpec(
        src="file:///d:/documents/myproject.aep",
        composition="main",
        output_module="H.264 - Match Render Settings - 15 Mbps",
        output_ext="mp4",
        settings_template="Best Settings",
        frame_start=0,
        frame_end=120,
        frame_increment=2,
        continue_on_missing=True,
    )
    assert spec.assets == (
        FootageAsset("image", "https://example.com/assets/image.jpg",
                     layer_name="MyNicePicture.jpg"),
        FootageAsset("video", "https://example.com/assets/clip", layer_name="clip.mp4",
                     extension="mp4", composition=("FULL_HD", "intro", "logo comp")),
        FootageAsset("audio", "file:///home/assets/audio.mp3", layer_index=15, name="music.mp3"),
        DataAsset("Source Text", layer_name="my text field", value="Hello world"),
        DataAsset("Effects.Skin_Color.Color", layer_name="background", value=[1, 0, 0]),
        DataAsset("Scale", layer_index=15, value=[0, 0], expression="[time * 0.1, time * 0.1]"),
        ScriptAsset("http://example.com/scripts/myscript.jsx"),
        StaticAsset("http://example.com/assets/something_else.csv", name="mydata.csv"),
    )  # fmt: skip
    assert spec.postrender == (ActionSpec("encode", {"preset": "mp4", "output": "encoded.mp4"}),)
    assert spec.prerender == ()
    assert (spec.name, spec.priority, spec.tags) == ("Promo 01", 5, ("primary", "plugins"))
    assert spec.needs_script
    assert default_output_name(spec) == "result.mp4"
    assert parse_local_job(spec_to_json(spec)) == spec


def test_nexrender_bookkeeping_keys_are_ignored() -> None:
    plain = parse_local_job(_job(assets=[{"type": "data", "layerName": "t",
                                          "property": "Source Text", "value": "x"}]))  # fmt: skip
    noisy = _job(
        uid="01HZX", type="default", state="queued", onChange="function () {}",
        workpath="/tmp/x", creator="127.0.0.1",
        assets=[{"type": "data", "layerName": "t", "property": "Source Text", "value": "x",
                 "params": {"cachePath": "/tmp"}}],
    )  # fmt: skip
    noisy["template"]["imageSequence"] = False

    assert parse_local_job(noisy) == plain


def test_null_means_absent_as_javascript_writes_it() -> None:
    with_nulls = {
        "template": {**TEMPLATE, "outputModule": None, "frameStart": None,
                     "continueOnMissing": None},
        "assets": [{"type": "image", "src": "/a.png", "layerName": None, "layerIndex": 2,
                    "composition": None, "extension": None}],
        "actions": None, "name": None, "priority": None, "tags": None,
    }  # fmt: skip

    assert parse_local_job(with_nulls) == LocalJobSpec(
        TemplateSpec(TEMPLATE["src"], "main"),
        assets=(FootageAsset("image", "/a.png", layer_index=2),),
    )
    error = _only_error({"template": {"src": None, "composition": "main"}})
    assert error == FieldError("template.src", "is required (the path or URL of the .aep project)")


def test_a_miscased_known_key_is_refused_not_dropped() -> None:
    error = _only_error(_job(assets=[{"type": "image", "src": "/a.png", "layerName": "a",
                                      "layername": "b"}]))  # fmt: skip

    assert error == FieldError("assets[0].layername", "unknown key; did you mean 'layerName'?")


def test_parsing_does_not_share_lists_with_the_document() -> None:
    data = _job(
        assets=[{"type": "data", "layerName": "t", "property": "Position", "value": [1, 2]}],
        actions={"postrender": [{"module": "encode", "params": {"-crf": [18]}}]},
    )
    spec = parse_local_job(data)
    data["assets"][0]["value"].append(3)
    data["actions"]["postrender"][0]["params"]["-crf"].append(0)

    asset = spec.assets[0]
    assert isinstance(asset, DataAsset)
    assert asset.value == [1, 2]
    assert spec.postrender[0].options == {"params": {"-crf": [18]}}


@pytest.mark.parametrize(
    ("composition", "expected"),
    [
        (None, ANY_COMPOSITION),
        ("*", ANY_COMPOSITION),
        ("main", ("main",)),
        ("FULL_HD->intro->logo comp", ("FULL_HD", "intro", "logo comp")),
    ],
)
def test_asset_composition_nesting_becomes_a_tuple(
    composition: str | None, expected: tuple[str, ...]
) -> None:
    asset: dict[str, Any] = {"type": "image", "src": "/a.png", "layerName": "a.png"}
    if composition is not None:
        asset["composition"] = composition

    parsed = parse_local_job(_job(assets=[asset])).assets[0]

    assert isinstance(parsed, FootageAsset)
    assert parsed.composition == expected


def test_property_keypath_splits_on_dots_or_arrows() -> None:
    dotted = DataAsset("Effects.Skin_Color.Color", layer_name="bg", value=[1, 0, 0])
    arrowed = DataAsset("Effects->Blur 1.5->Blurriness", layer_name="bg", value=3)

    assert dotted.keypath == ("Effects", "Skin_Color", "Color")
    assert arrowed.keypath == ("Effects", "Blur 1.5", "Blurriness")


@pytest.mark.parametrize(
    "src",
    [
        "file:///d:/documents/myproject.aep",
        "file://localhost/home/me/p.aep",
        "https://example.com/p.aep?token=1",
        "http://10.0.0.2:8080/p.aep",
        "/home/me/project.aep",
        "projects/relative.aep",
        r"C:\Users\me\project.aep",
        "D:/renders/project.aep",
    ],
)
def test_paths_and_http_or_file_urls_are_sources(src: str) -> None:
    assert parse_local_job({"template": {"src": src, "composition": "c"}}).template.src == src


def test_nexrender_action_names_are_shortened_and_options_kept() -> None:
    spec = parse_local_job(_job(actions={
        "prerender": [{"module": "my-crop", "size": 3}],
        "postrender": [{"module": "@nexrender/action-encode", "output": "x.mp4",
                        "params": {"-vcodec": "libx264"}}],
    }))  # fmt: skip

    assert spec.prerender == (ActionSpec("my-crop", {"size": 3}),)
    assert spec.postrender == (
        ActionSpec("encode", {"output": "x.mp4", "params": {"-vcodec": "libx264"}}),
    )


def test_increment_frame_is_read_as_frame_increment() -> None:
    # nexrender documents frameIncrement, but its renderer reads incrementFrame.
    spec = parse_local_job({"template": {**TEMPLATE, "incrementFrame": 3}})

    assert spec.template.frame_increment == 3
    error = _only_error({"template": {**TEMPLATE, "incrementFrame": 3, "frameIncrement": 2}})
    assert error == FieldError("template.incrementFrame", "disagrees with frameIncrement")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [("primary, plugins", ("primary", "plugins")), (["a", "b"], ("a", "b")), ("", ())],
)
def test_tags_come_as_nexrender_string_or_list(tags: object, expected: tuple[str, ...]) -> None:
    assert parse_local_job(_job(tags=tags)).tags == expected


def test_explicit_null_value_with_expression_sets_only_the_expression() -> None:
    asset = parse_local_job(_job(assets=[{"type": "data", "layerIndex": 1, "property": "Opacity",
                                          "value": None, "expression": ""}])).assets[0]  # fmt: skip

    assert asset == DataAsset("Opacity", layer_index=1, value=None, expression="")


# -- refused jobs -----------------------------------------------------------------------------


def _asset(**fields: Any) -> dict[str, Any]:
    return _job(assets=[fields])


INVALID = [
    pytest.param([], "", "must be a JSON object, not a list", id="not-an-object"),
    pytest.param({}, "template", "is required", id="no-template"),
    pytest.param({"template": "x.aep"}, "template", "must be an object", id="template-string"),
    pytest.param({"template": {"composition": "c"}}, "template.src", "is required",
                 id="no-src"),
    pytest.param({"template": {"src": "/p.aep"}}, "template.composition", "is required",
                 id="no-composition"),
    pytest.param({"template": {"src": "/p.aep", "composition": " "}}, "template.composition",
                 "must not be empty", id="blank-composition"),
    pytest.param({"template": {"src": "s3://bucket/p.aep", "composition": "c"}}, "template.src",
                 "uses s3://, which local jobs cannot fetch", id="s3-src"),
    pytest.param({"template": {"src": "data:text/plain,x", "composition": "c"}},
                 "template.src", "uses data://", id="data-uri-src"),
    pytest.param({"template": {"src": 42, "composition": "c"}}, "template.src",
                 "must be a file path or an http(s)/file URL, not the number 42", id="src-number"),
    pytest.param({"template": {"src": "", "composition": "c"}}, "template.src",
                 "must not be empty", id="empty-src"),
    pytest.param({"template": {"src": "https:///p.aep", "composition": "c"}}, "template.src",
                 "has no host", id="url-without-host"),
    pytest.param({"template": {"src": "file://server/share/p.aep", "composition": "c"}},
                 "template.src", "names a remote host", id="unc-file-url"),
    pytest.param({"template": {**TEMPLATE, "frameStart": 10, "frameEnd": 5}},
                 "template.frameEnd", "must not be before frameStart (5 < 10)",
                 id="start-after-end"),
    pytest.param({"template": {**TEMPLATE, "frameStart": -1}}, "template.frameStart",
                 "must be 0 or more, not -1", id="negative-start"),
    pytest.param({"template": {**TEMPLATE, "frameEnd": 2.5}}, "template.frameEnd",
                 "must be a whole number", id="fractional-end"),
    pytest.param({"template": {**TEMPLATE, "frameIncrement": 0}}, "template.frameIncrement",
                 "must be 1 or more, not 0", id="zero-increment"),
    pytest.param({"template": {**TEMPLATE, "continueOnMissing": "true"}},
                 "template.continueOnMissing", "must be true or false, not the string 'true'",
                 id="string-bool"),
    pytest.param({"template": {**TEMPLATE, "outputExt": "mp4/../../x"}}, "template.outputExt",
                 "must be a file extension", id="ext-with-path"),
    pytest.param({"template": {**TEMPLATE, "outputModule": 3}}, "template.outputModule",
                 "must be a string", id="module-number"),
    pytest.param(_job(assets={"type": "image"}), "assets", "must be a list", id="assets-object"),
    pytest.param(_job(assets=["logo.png"]), "assets[0]", "must be an object", id="asset-string"),
    pytest.param(_asset(src="/a.png", layerName="a"), "assets[0].type",
                 "is required (one of: audio, data, image, script, static, video)", id="no-type"),
    pytest.param(_asset(type="text", layerName="a", value="x"), "assets[0].type",
                 "unknown asset type 'text' (allowed: audio, data, image, script, static, video)",
                 id="unknown-type"),
    pytest.param(_asset(type="image", layerName="a.png"), "assets[0].src", "is required",
                 id="footage-without-src"),
    pytest.param(_asset(type="image", src="/a.png"), "assets[0].layerName",
                 "is required (or layerIndex)", id="footage-without-layer"),
    pytest.param(_asset(type="video", src="/a.mp4", layerName="a", layerIndex=2), "assets[0]",
                 "has both layerName and layerIndex; give only one", id="footage-both-layers"),
    pytest.param(_asset(type="image", src="/a.png", footage="logo.png", layerName="a"),
                 "assets[0]", "has both footage and layerName; give only one",
                 id="footage-item-and-layer"),
    pytest.param(_asset(type="image", src="/a.png", footage="logo.png", composition="Main"),
                 "assets[0].composition", "does not apply to a footage item",
                 id="footage-item-in-a-composition"),
    pytest.param(_asset(type="image", src="/a.png", footage="logo.png", removeOld=True),
                 "assets[0].removeOld", "does not apply to a footage item",
                 id="footage-item-remove-old"),
    pytest.param(_asset(type="image", src="/a.png", footage=""), "assets[0].footage",
                 "must not be empty", id="footage-item-empty"),
    pytest.param(_asset(type="audio", src="/a.wav", layerIndex=0), "assets[0].layerIndex",
                 "must be 1 or more (layers count from 1), not 0", id="layer-index-zero"),
    pytest.param(_asset(type="data", layerIndex="8", property="Opacity", value=50),
                 "assets[0].layerIndex", "not the string '8' (write 8 without quotes)",
                 id="layer-index-string"),
    pytest.param(_asset(type="data", layerIndex=True, property="Opacity", value=50),
                 "assets[0].layerIndex", "must be a whole number", id="layer-index-bool"),
    pytest.param(_asset(type="data", layerName="t", property="Opacity"), "assets[0].value",
                 "is required (or expression)", id="data-without-value"),
    pytest.param(_asset(type="data", layerName="t", property="Opacity", value=None),
                 "assets[0].value", "is required (or expression)", id="data-null-value"),
    pytest.param(_asset(type="data", layerName="t", value=1), "assets[0].property",
                 "is required", id="data-without-property"),
    pytest.param(_asset(type="data", layerName="t", property="", value=1), "assets[0].property",
                 "must not be empty", id="data-empty-property"),
    pytest.param(_asset(type="data", layerName="t", property=["Opacity"], value=1),
                 "assets[0].property", "must be a string, not a list", id="data-list-property"),
    pytest.param(_asset(type="data", layerName="t", property="Effects..Color", value=1),
                 "assets[0].property", "has an empty name", id="data-empty-keypath-step"),
    pytest.param(_asset(type="data", layerName="t", property="Opacity", value=float("nan")),
                 "assets[0].value", "must be a finite number", id="data-nan"),
    pytest.param(_asset(type="data", layerName="t", property="Position",
                        value=[1, float("inf")]),
                 "assets[0].value[1]", "must be a finite number", id="data-inf-in-list"),
    pytest.param(_asset(type="data", layerName="t", property="Opacity", value=2**60),
                 "assets[0].value", "too large", id="data-huge-int"),
    pytest.param(_asset(type="data", layerName="t", property="Opacity", expression=5),
                 "assets[0].expression", "must be a string", id="data-expression-number"),
    pytest.param(_asset(type="image", src="/a.png", layerName="a", composition="main->"),
                 "assets[0].composition", "is not a composition path", id="composition-trailing"),
    pytest.param(_asset(type="image", src="/a.png", layerName="a", composition="*->intro"),
                 "assets[0].composition", "'*' alone", id="composition-nested-wildcard"),
    pytest.param(_asset(type="image", src="/a.png", layerName="a", extension=".mp4/x"),
                 "assets[0].extension", "must be a file extension", id="footage-bad-extension"),
    pytest.param(_asset(type="image", src="/a.png", layerName="a", sequence="yes"),
                 "assets[0].sequence", "must be true or false", id="footage-sequence-string"),
    pytest.param(_asset(type="static", src="/d.csv", name="../../etc/d.csv"),
                 "assets[0].name", "must be a plain file name", id="static-name-path"),
    pytest.param(_asset(type="script", src="/s.jsx", parameters=[{"key": "a", "value": 1}]),
                 "assets[0].parameters", "script parameters are not supported",
                 id="script-parameters"),
    pytest.param(_asset(type="script"), "assets[0].src", "is required", id="script-no-src"),
    pytest.param(_job(actions=[]), "actions", "must be an object", id="actions-list"),
    pytest.param(_job(actions={"predownload": [{"module": "x"}]}), "actions.predownload",
                 "is not supported by local jobs", id="predownload-action"),
    pytest.param(_job(actions={"postrender": {"module": "encode"}}), "actions.postrender",
                 "must be a list", id="postrender-object"),
    pytest.param(_job(actions={"postrender": [{"preset": "mp4"}]}),
                 "actions.postrender[0].module", "is required", id="action-without-module"),
    pytest.param(_job(actions={"postrender": [{"module": "encode", "crf": float("nan")}]}),
                 "actions.postrender[0].crf", "must be a finite number", id="action-nan-option"),
    pytest.param(_job(name=""), "name", "must not be empty", id="empty-name"),
    pytest.param(_job(priority="high"), "priority", "must be a whole number", id="priority-text"),
    pytest.param(_job(tags=5), "tags", "must be a comma-separated string or a list",
                 id="tags-number"),
    pytest.param(_job(tags=["ok", ""]), "tags[1]", "is not a tag", id="tags-empty-item"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "path", "message"), INVALID)
def test_an_invalid_job_names_the_field_and_the_problem(
    data: object, path: str, message: str
) -> None:
    error = _only_error(data)

    assert error.path == path
    assert message in error.message


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "template": {"src": "ftp://host/p.aep", "frameStart": 9, "frameEnd": 3},
        "assets": [
            {"type": "image", "src": "/a.png"},
            {"type": "data", "layerName": "t", "property": "Opacity"},
            {"type": "essential", "layerName": "x"},
        ],
    }

    errors = _errors(data)

    assert [e.path for e in errors] == [
        "template.src",
        "template.composition",
        "template.frameEnd",
        "assets[0].layerName",
        "assets[1].value",
        "assets[2].type",
    ]


def test_the_error_reads_as_a_list_of_problems() -> None:
    with pytest.raises(JobSpecError) as caught:
        parse_local_job({"template": {"src": "/p.aep"}, "assets": [{"type": "text"}]})

    assert isinstance(caught.value, DomainError)
    assert str(caught.value).splitlines() == [
        "invalid job (2 problems):",
        "  - template.composition: is required (the composition to render)",
        "  - assets[0].type: unknown asset type 'text' "
        "(allowed: audio, data, image, script, static, video)",
    ]


def test_a_problem_with_the_whole_document_is_labelled_job() -> None:
    with pytest.raises(JobSpecError) as caught:
        parse_local_job("template")

    assert str(caught.value) == (
        "invalid job (1 problem):\n  - job: must be a JSON object, not the string 'template'"
    )


# -- what the engine reads --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output_ext", "output_module", "expected"),
    [
        (None, None, "result.mov"),
        ("mp4", None, "result.mp4"),
        (".MP4", None, "result.mp4"),
        ("png", None, "result_[#####].png"),
        ("jpg", None, "result_[#####].jpg"),
        ("TIFF", None, "result_[#####].tiff"),
        ("exr", None, "result_[#####].exr"),
        ("dpx", None, "result_[#####].dpx"),
        ("psd", None, "result_[#####].psd"),
        ("mov", "PNG Sequence", "result.mov"),
        (None, "H.264 - Match Render Settings - 15 Mbps", "result.mp4"),
        (None, "Apple ProRes 4444", "result.mov"),
        (None, "TIFF Sequence with Alpha", "result_[#####].tif"),
        (None, "Lossless with Alpha", "result.mov"),
        (None, "Audio Only", "result.wav"),
        (None, "Studio custom", "result.mov"),
    ],
)
def test_default_output_name_follows_nexrender(
    output_ext: str | None, output_module: str | None, expected: str
) -> None:
    template: dict[str, Any] = dict(TEMPLATE)
    if output_ext is not None:
        template["outputExt"] = output_ext
    if output_module is not None:
        template["outputModule"] = output_module

    assert default_output_name(parse_local_job({"template": template})) == expected


@pytest.mark.parametrize(
    ("asset", "needs"),
    [
        ({"type": "static", "src": "/d.csv"}, False),
        ({"type": "image", "src": "/a.png", "layerName": "a.png"}, True),
        ({"type": "data", "layerName": "t", "property": "Source Text", "value": "x"}, True),
        ({"type": "script", "src": "/s.jsx"}, True),
    ],
)
def test_jobs_that_change_the_project_need_a_script(asset: dict[str, Any], needs: bool) -> None:
    assert parse_local_job(_job(assets=[asset])).needs_script is needs


@pytest.mark.parametrize(
    ("asset", "expected"),
    [
        ({"type": "image", "src": "https://x.com/img/a%20b.png?v=2", "layerName": "l"}, "a b.png"),
        ({"type": "image", "src": "https://x.com/jpeg-without-extension", "layerName": "l",
          "extension": "jpg"}, "jpeg-without-extension.jpg"),
        ({"type": "image", "src": "/a/photo.JPG", "layerName": "l", "extension": "jpg"},
         "photo.JPG"),
        ({"type": "audio", "src": "file:///home/a/audio.mp3", "layerIndex": 1,
          "name": "music.mp3"}, "music.mp3"),
        ({"type": "static", "src": r"C:\data\table.csv"}, "table.csv"),
        ({"type": "script", "src": "https://x.com/"}, "asset"),
    ],
)  # fmt: skip
def test_staged_file_name_keeps_what_after_effects_needs(
    asset: dict[str, Any], expected: str
) -> None:
    parsed = parse_local_job(_job(assets=[asset])).assets[0]
    assert not isinstance(parsed, DataAsset)

    assert staged_file_name(parsed) == expected


# -- storage round trip -----------------------------------------------------------------------

names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")
comp_names = names.filter(lambda s: "->" not in s and s != "*")
sources = st.sampled_from(
    ["/p/project.aep", "file:///d:/p.aep", "https://example.com/p.aep", r"C:\p\x.aep"]
)
extensions = st.from_regex(r"[a-z0-9]{1,4}", fullmatch=True)
file_names = names.filter(lambda s: s not in (".", "..") and not set(s) & set("/\\\0"))
tags = st.text(min_size=1, max_size=8).map(str.strip).filter(lambda s: s and "," not in s)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8,
)  # fmt: skip
compositions = st.just(ANY_COMPOSITION) | st.lists(comp_names, min_size=1, max_size=3).map(tuple)
layer_choice = st.one_of(
    st.tuples(names, st.none()), st.tuples(st.none(), st.integers(min_value=1, max_value=500))
)


@st.composite
def footage_assets(draw: st.DrawFn) -> FootageAsset:
    layer_name, layer_index = draw(layer_choice)
    return FootageAsset(
        type=draw(st.sampled_from(["image", "video", "audio"])),
        src=draw(sources),
        layer_name=layer_name,
        layer_index=layer_index,
        composition=draw(compositions),
        name=draw(st.none() | file_names),
        extension=draw(st.none() | extensions),
        sequence=draw(st.booleans()),
        remove_old=draw(st.booleans()),
        continue_on_missing=draw(st.booleans()),
    )


@st.composite
def data_assets(draw: st.DrawFn) -> DataAsset:
    layer_name, layer_index = draw(layer_choice)
    value = draw(json_values)
    expression = draw(st.text(max_size=20) if value is None else st.none() | st.text(max_size=20))
    return DataAsset(
        property=draw(st.lists(comp_names.filter(lambda s: "." not in s), min_size=1,
                               max_size=3).map(".".join)),
        layer_name=layer_name,
        layer_index=layer_index,
        value=value,
        expression=expression,
        composition=draw(compositions),
        continue_on_missing=draw(st.booleans()),
    )  # fmt: skip


actions = st.builds(
    ActionSpec,
    module=names.map(str.strip).filter(lambda s: s and not s.startswith("@nexrender/action-")),
    options=st.dictionaries(st.text(max_size=6).filter(lambda k: k != "module"), json_values,
                            max_size=3),
)  # fmt: skip
frames = st.none() | st.integers(min_value=0, max_value=10_000)


@st.composite
def templates(draw: st.DrawFn) -> TemplateSpec:
    start, end = draw(frames), draw(frames)
    if start is not None and end is not None and start > end:
        start, end = end, start
    return TemplateSpec(
        src=draw(sources),
        composition=draw(names),
        output_module=draw(st.none() | names),
        output_ext=draw(st.none() | extensions),
        settings_template=draw(st.none() | names),
        frame_start=start,
        frame_end=end,
        frame_increment=draw(st.none() | st.integers(min_value=1, max_value=10)),
        continue_on_missing=draw(st.booleans()),
    )


specs = st.builds(
    LocalJobSpec,
    template=templates(),
    assets=st.lists(
        footage_assets()
        | data_assets()
        | st.builds(ScriptAsset, src=sources)
        | st.builds(StaticAsset, src=sources, name=st.none() | file_names),
        max_size=5,
    ).map(tuple),
    prerender=st.lists(actions, max_size=2).map(tuple),
    postrender=st.lists(actions, max_size=2).map(tuple),
    name=st.none() | names,
    priority=st.integers(min_value=-100, max_value=100),
    tags=st.lists(tags, max_size=3).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(specs)
def test_stored_json_parses_back_to_the_same_job(spec: LocalJobSpec) -> None:
    stored = spec_to_json(spec)
    # What is stored goes through a real JSON round trip in the database.
    reloaded = json.loads(json.dumps(stored))

    assert parse_local_job(reloaded) == spec


def test_stored_json_is_nexrender_json() -> None:
    spec = parse_local_job(_job(
        assets=[{"type": "image", "src": "/a.png", "layerIndex": 2, "composition": "A->B"}],
        tags=["x", "y"],
        actions={"postrender": [{"module": "encode", "preset": "mp4"}]},
    ))  # fmt: skip
    before = copy.deepcopy(spec)

    assert spec_to_json(spec) == {
        "template": TEMPLATE,
        "assets": [{"type": "image", "src": "/a.png", "layerIndex": 2, "composition": "A->B"}],
        "actions": {"postrender": [{"module": "encode", "preset": "mp4"}]},
        "tags": "x,y",
    }
    assert spec == before


def test_a_footage_item_is_named_instead_of_a_layer_and_written_back() -> None:
    asset = {"type": "video", "src": "/in/hero.mov", "footage": "Hero shot"}
    spec = parse_local_job({"template": {"src": "/p.aep", "composition": "Main"},
                            "assets": [asset]})  # fmt: skip

    assert spec.assets == (FootageAsset("video", "/in/hero.mov", footage="Hero shot"),)
    assert spec.needs_script
    assert spec_to_json(spec)["assets"] == [asset]
