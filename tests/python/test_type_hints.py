"""Types at run time: ``typing.get_type_hints`` on functions and methods,
annotations that are real classes, ``help(lib)`` listing the library, and
returned closures with an ``inspect.signature``."""

from __future__ import annotations

import inspect
import pydoc
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ForwardRef

import pytest

import ferryman


@pytest.fixture(scope="module")
def geometry(geometry_file: Path) -> ferryman.Library:
    return ferryman.load(geometry_file)


def test_get_type_hints_gives_the_classes(geometry: ferryman.Library, lib: ferryman.Library) -> None:
    point = geometry.types.Point
    assert typing.get_type_hints(geometry.area) == {"polygon": list[point], "return": float}
    assert typing.get_type_hints(geometry.transform) == {
        "polygon": list[point],
        "f": Callable[[point], point],
        "return": list[point],
    }
    assert typing.get_type_hints(lib.nothing) == {"return": type(None)}
    assert typing.get_type_hints(lib.join_top) == {"words": list[str], "top": int, "sep": str, "return": str}
    assert typing.get_type_hints(lib.count_up) == {"n": int, "return": Iterator[int]}
    counter = lib.Counter
    assert typing.get_type_hints(counter.add) == {"self": counter, "n": int, "return": int}
    assert typing.get_type_hints(lib.maybe_counter)["return"] == typing.Optional[counter]  # noqa: UP045


def _strings(annotation: Any) -> list[Any]:
    """Every str or ForwardRef inside an annotation."""
    if isinstance(annotation, (str, ForwardRef)):
        return [annotation]
    found = []
    for arg in typing.get_args(annotation):
        found += _strings(arg) if not isinstance(arg, list) else [s for a in arg for s in _strings(a)]
    return found


def test_no_annotation_is_a_string_or_a_forward_reference(lib: ferryman.Library) -> None:
    checked = 0
    for name, function in lib.functions.items():
        hints = typing.get_type_hints(function)
        assert hints, name
        for key, hint in hints.items():
            assert not _strings(hint), f"{name}: {key}: {hint!r}"
        checked += 1
    assert checked == len(lib)
    # A named type describe has no entry for is any value.
    assert typing.get_type_hints(lib.summarize)["return"] is Any


def test_help_lists_the_functions(geometry: ferryman.Library, lib: ferryman.Library) -> None:
    text = pydoc.render_doc(geometry, renderer=pydoc.plaintext)
    assert "The ferryman library geometry" in text
    assert "area(polygon: list[Point]) -> float" in text
    assert "Area enclosed by a simple polygon" in text
    for name, function in geometry.functions.items():
        if ".__" in name:
            continue  # protocol members (`Polyline.__str__`) are str(), ==, ... not listed
        # A constructor is listed as its class: `Polygon(vertices: list[Point])`.
        constructor = function.description["kind"] == "constructor"
        assert f"{function.description['class'] if constructor else name}(" in text, name
    assert "GeometryError" in text and "Point" in text
    fixture = pydoc.render_doc(lib, renderer=pydoc.plaintext)
    assert "join_top(words: list[str], top: int = 10, sep: str = ',') -> str" in fixture
    assert "Counter(name: str, start: int)" in fixture
    assert "Counter.add(self: Counter, n: int) -> int" in fixture
    assert "Counter.named(name: str) -> Counter" in fixture
    # Still a Library; each library its own class.
    assert isinstance(geometry, ferryman.Library)
    assert type(geometry) is not type(lib)
    assert type(geometry).__name__ == "geometry"


def test_a_returned_closure_has_a_signature(geometry: ferryman.Library, lib: ferryman.Library) -> None:
    point = geometry.types.Point
    scale = geometry.scaler(2.0)
    positional = inspect.Parameter.POSITIONAL_ONLY
    assert inspect.signature(scale) == inspect.Signature(
        [inspect.Parameter("arg0", positional, annotation=point)], return_annotation=point
    )
    assert str(inspect.signature(lib.adder(1))) == "(arg0: int, /) -> int"
    assert str(inspect.signature(lib.three_argument_closure())) == "(arg0: str, arg1: int, arg2: bool, /) -> str"
    assert typing.get_type_hints(scale) == {"arg0": point, "return": point}
    # It still calls as its signature says.
    assert scale({"x": 1.0, "y": 2.0}) == {"x": 2.0, "y": 4.0}
