"""describe's named types (spec/wire.md, "Named types") and the Python classes
made from them: ``lib.types``, and annotations that use them."""

from __future__ import annotations

import inspect
import typing
from typing import Any, Literal, Optional

import ferryman
import pytest


def entry(lib: ferryman.Library, name: str) -> dict[str, Any]:
    (found,) = [t for t in lib.describe()["types"] if t["name"] == name]
    return found


def test_describe_shows_the_fields_of_point(lib: ferryman.Library) -> None:
    assert entry(lib, "Point") == {
        "name": "Point",
        "doc": None,
        "kind": "struct",
        "fields": [
            {"name": "x", "type": "f64", "optional": False},
            {"name": "y", "type": "f64", "optional": False},
        ],
    }


def test_each_type_is_listed_once_sorted_by_name(lib: ferryman.Library) -> None:
    names = [t["name"] for t in lib.describe()["types"]]
    assert names == sorted(names) and len(set(names)) == len(names)
    # Only `Serialize`, and a custom impl that refuses tracing: no entry.
    assert "Summary" not in names and "NonZero" not in names


def test_serde_attributes_shape_the_schema(lib: ferryman.Library) -> None:
    fields = {f["name"]: (f["type"], f["optional"]) for f in entry(lib, "Settings")["fields"]}
    assert fields == {
        "maxDepth": ("u32", False),  # rename_all = "camelCase"
        "verbose": ("bool", True),  # #[serde(default)]
        "label": ({"option": "str"}, True),  # Option
        "key": ("bytes", False),  # Vec<u8>; `cache` is #[serde(skip)]
        "mode": ({"named": "Mode"}, False),
    }
    # `#[serde(rename = "Meters")] struct Distance(f64)`: serde's name everywhere.
    assert entry(lib, "Meters") == {"name": "Meters", "doc": None, "kind": "newtype_struct", "type": "f64"}
    replay = lib.replay.description
    assert replay["params"][0] == {"name": "distance", "type": {"named": "Meters"}, "rust": "Distance"}


def test_every_kind_of_struct_and_variant(lib: ferryman.Library) -> None:
    assert entry(lib, "Pair")["kind"] == "tuple_struct"
    assert entry(lib, "Pair")["items"] == ["i32", "str"]
    assert entry(lib, "Marker") == {"name": "Marker", "doc": None, "kind": "unit_struct"}
    assert entry(lib, "Event")["variants"] == [
        {"name": "Start", "kind": "unit"},
        {"name": "Move", "kind": "newtype", "type": {"named": "Point"}},
        {"name": "Resize", "kind": "tuple", "items": ["u32", "u32"]},
        {
            "name": "close",
            "kind": "struct",
            "fields": [
                {"name": "code", "type": "i64", "optional": False},
                {"name": "reason", "type": "str", "optional": True},
            ],
        },
    ]


def test_content_travels_as_wire_md_says(lib: ferryman.Library) -> None:
    """Unit variant: a str; newtype: the value; tuple: an array; struct: a map.
    An optional field may be left out; a unit struct is `[]` or nil."""
    events = ["Start", {"Move": {"x": 1.0, "y": 2.0}}, {"Resize": [3, 4]}, {"close": {"code": 5}}]
    for event in events:
        expected = {"close": {"code": 5, "reason": ""}} if "close" in event else event
        assert lib.replay(2.0, [event]) == expected
    settings = {"maxDepth": 1, "key": b"k", "mode": "Fast"}
    for marker in ([], None):
        done, pair = lib.configure(settings, marker)
        assert done == {"maxDepth": 2, "verbose": False, "label": None, "key": b"k", "mode": "Fast"}
        assert pair == [1, "one"]
    with pytest.raises(ferryman.ArgumentError, match="maxDepth"):
        lib.configure({"key": b"k", "mode": "Fast"}, [])


def test_a_struct_is_a_typed_dict_named_after_it(lib: ferryman.Library) -> None:
    point = lib.types.Point
    assert point.__name__ == "Point"
    assert typing.is_typeddict(point)
    assert point.__annotations__ == {"x": float, "y": float}
    assert point.__required_keys__ == {"x", "y"}
    settings = lib.types.Settings
    assert settings.__required_keys__ == {"maxDepth", "key", "mode"}
    assert settings.__optional_keys__ == {"verbose", "label"}
    assert typing.get_type_hints(settings)["mode"] is lib.types.Mode
    assert lib.echo_point(point(x=1.0, y=2.0)) == {"x": 1.0, "y": 2.0}


def test_annotations_use_the_classes(lib: ferryman.Library) -> None:
    sig = inspect.signature(lib.replay)
    assert sig.parameters["events"].annotation == list[lib.types.Event]
    assert sig.parameters["distance"].annotation is lib.types.Meters
    assert sig.return_annotation == Optional[lib.types.Event]  # noqa: UP045
    assert inspect.signature(lib.distance).parameters["a"].annotation is lib.types.Point
    assert repr(lib.replay) == "<ferryman function replay(distance: Meters, events: list[Event]) -> Event | None>"
    # No entry: any value (spec/wire.md), never a bare string; the repr keeps the name.
    assert inspect.signature(lib.summarize).return_annotation is typing.Any
    assert repr(lib.summarize).endswith("-> Summary>")


def test_an_enum_is_a_class_of_its_variants(lib: ferryman.Library) -> None:
    event = lib.types.Event
    assert event.__name__ == "Event"
    assert event.__ferryman_variants__ == ("Start", "Move", "Resize", "close")
    assert event.Start == "Start"
    assert event.Move.__annotations__ == {"Move": lib.types.Point}
    assert event.Resize.__annotations__ == {"Resize": tuple[int, int]}
    assert event.close.__annotations__["close"].__required_keys__ == {"code"}
    assert event.union == typing.Union[Literal["Start"], event.Move, event.Resize, event.close]  # noqa: UP007
    assert lib.types.Pair == tuple[int, str]
    assert lib.types.Marker == tuple[()]
    with pytest.raises(AttributeError, match="describes no type 'Nope'"):
        lib.types.Nope  # noqa: B018


def test_an_empty_map_for_an_enum_is_reported_as_a_map(lib: ferryman.Library) -> None:
    """wire.md, "Arguments": not "found an array of 0 elements"."""
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.area({})
    assert str(caught.value) == "area() argument 'shape': expected Shape, but found map with 0 entries"
    assert caught.value.kind == "type"
    with pytest.raises(ferryman.ArgumentError, match="map with 2 entries"):
        lib.area({"Square": 1.0, "Empty": None})
