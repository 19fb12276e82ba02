"""Records from objects (spec/wire.md, "Records from objects"): a dataclass
or attrs instance where a struct is expected, checked like a dict (unknown
fields refused); a NamedTuple as a tuple, read by position. Results stay dicts."""

from __future__ import annotations

import dataclasses
import typing

import pytest

import ferryman


@dataclasses.dataclass
class Point:
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class Point3:
    x: float
    y: float
    z: float


@dataclasses.dataclass
class Circle:
    center: Point
    radius: float


class Pair(typing.NamedTuple):
    x: float
    y: float


def test_a_dataclass_is_sent_as_its_fields(lib: ferryman.Library) -> None:
    assert lib.echo_point(Point(1.0, 2)) == {"x": 1.0, "y": 2.0}
    assert lib.distance(Point(0, 0), Point(3, 4)) == 5.0


def test_nested_dataclasses_and_dataclasses_in_lists(lib: ferryman.Library) -> None:
    shape = {"Circle": Circle(Point(0, 0), 1.0)}
    assert lib.area(shape) == pytest.approx(3.141592653589793)
    assert lib.distance(*[Point(0, 0), Point(0, 2)]) == 2.0


def test_an_unknown_field_is_refused_like_a_dict_key(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_point(Point3(1, 2, 3))
    assert "unknown key `z` in Point (expected one of: x, y)" in str(caught.value)
    assert caught.value.param == "point"


def test_attrs_instances_if_attrs_is_installed(lib: ferryman.Library) -> None:
    attr = pytest.importorskip("attr")

    @attr.s(auto_attribs=True)
    class AttrsPoint:
        x: float
        y: float

    assert lib.echo_point(AttrsPoint(5, 6)) == {"x": 5.0, "y": 6.0}


def test_a_named_tuple_is_read_by_position(lib: ferryman.Library) -> None:
    assert lib.echo_point(Pair(3, 4)) == {"x": 3.0, "y": 4.0}


def test_a_dataclass_class_is_not_a_record(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_point(Point)
