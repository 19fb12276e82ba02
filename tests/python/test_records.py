"""serde structs travel as dicts; enums as strings or one-key dicts."""

from __future__ import annotations

import math

import pytest

import ferryman


def test_struct_round_trips_as_a_dict(lib: ferryman.Library) -> None:
    point = {"x": 1.5, "y": -2.0}
    assert lib.echo_point(point) == point


def test_borrowed_structs(lib: ferryman.Library) -> None:
    assert lib.distance({"x": 0.0, "y": 0.0}, {"x": 3.0, "y": 4.0}) == 5.0


def test_struct_with_a_list_field(lib: ferryman.Library) -> None:
    record = {"name": "ann", "id": 41, "score": 1.25, "tags": [1, 2]}
    assert lib.bump_record(record) == {"name": "ann", "id": 42, "score": 2.5, "tags": [1, 2, 42]}


def test_a_struct_missing_a_field_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_point({"x": 1.0})
    assert caught.value.param == "point"
    assert "y" in str(caught.value)


def test_a_misspelt_key_is_refused_naming_it_the_record_and_the_parameter(
    lib: ferryman.Library,
) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_point({"x": 1.0, "y": 2.0, "z": 3.0})
    assert caught.value.kind == "type"
    assert caught.value.param == "point"
    message = str(caught.value)
    assert "echo_point() argument 'point'" in message
    assert "unknown key `z` in Point (expected one of: x, y)" in message
    # A nested record is checked too, and a valid one still passes.
    circle = {"Circle": {"center": {"x": 0.0, "y": 1.0, "w": 0}, "radius": 2.0}}
    with pytest.raises(ferryman.ArgumentError, match="unknown key `w` in Point"):
        lib.echo_shape(circle)


def test_a_struct_of_the_wrong_type_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_point([1.0, 2.0, 3.0])
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_point({"x": "one", "y": 2.0})


@pytest.mark.parametrize(
    "shape",
    [
        "Empty",
        {"Square": 2.0},
        {"Circle": {"center": {"x": 0.0, "y": 1.0}, "radius": 2.0}},
    ],
)
def test_enums_round_trip(lib: ferryman.Library, shape: object) -> None:
    assert lib.echo_shape(shape) == shape


def test_enum_values_are_used(lib: ferryman.Library) -> None:
    assert lib.area("Empty") == 0.0
    assert lib.area({"Square": 3.0}) == 9.0
    circle = {"Circle": {"center": {"x": 0.0, "y": 0.0}, "radius": 1.0}}
    assert lib.area(circle) == pytest.approx(math.pi)


def test_an_unknown_variant_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_shape("Triangle")
    assert caught.value.param == "shape"
