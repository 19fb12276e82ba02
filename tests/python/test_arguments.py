"""Binding arguments like Python does; signatures, docs and names."""

from __future__ import annotations

import inspect
import pydoc
from typing import Any, Optional

import pytest

import ferryman


def test_positional_and_keyword_arguments(lib: ferryman.Library) -> None:
    assert lib.divide(7, 2) == 3
    assert lib.divide(a=7, b=2) == 3
    assert lib.divide(b=2, a=7) == 3
    assert lib.divide(7, b=2) == 3
    assert lib.greet("Hi", "Bo", shout=False, times=1) == "Hi, Bo!"
    assert lib.nothing() is None


def test_unexpected_keyword(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.divide(1, 2, c=3)
    assert str(caught.value) == "divide() got an unexpected keyword argument 'c'"
    assert caught.value.param == "c"
    assert isinstance(caught.value, TypeError)


def test_multiple_values(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.divide(1, 2, a=3)
    assert str(caught.value) == "divide() got multiple values for argument 'a'"
    assert (caught.value.param, caught.value.index) == ("a", 0)


def test_missing_arguments(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.divide(1)
    assert str(caught.value) == "divide() missing 1 required argument: 'b'"
    assert (caught.value.function, caught.value.param, caught.value.index) == ("divide", "b", 1)
    with pytest.raises(ferryman.ArgumentError, match=r"^divide\(\) missing 2 required arguments: 'a' and 'b'$"):
        lib.divide()
    with pytest.raises(
        ferryman.ArgumentError, match=r"^greet\(\) missing 3 required arguments: 'greeting', 'times', and 'shout'$"
    ):
        lib.greet(name="x")
    with pytest.raises(ferryman.ArgumentError, match=r"^divide\(\) missing 1 required argument: 'a'$"):
        lib.divide(b=1)


def test_too_many_arguments(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.divide(1, 2, 3)
    assert str(caught.value) == "divide() takes 2 arguments but 3 were given"
    with pytest.raises(ferryman.ArgumentError, match=r"^nothing\(\) takes 0 arguments but 1 was given$"):
        lib.nothing(1)
    with pytest.raises(ferryman.ArgumentError, match=r"^echo_i8\(\) takes 1 argument but 2 were given$"):
        lib.echo_i8(1, 2)


def test_wrong_type_reported_by_the_library(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.divide(1, "two")
    error = caught.value
    assert str(error) == "divide() argument 'b': expected i64, but found string \"two\""
    assert (error.function, error.param, error.index, error.expected, error.kind) == ("divide", "b", 1, "i64", "type")
    assert error.found


def test_unsendable_python_objects_are_refused_by_the_host(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.add(object(), 1)
    error = caught.value
    assert str(error) == "add() argument 'a': expected i64, but found object"
    assert (error.param, error.index, error.expected, error.found) == ("a", 0, "i64", "object")
    with pytest.raises(
        ferryman.ArgumentError, match=r"^sum\(\) argument 'values': expected Vec<i64>, but found complex at item \[1\]$"
    ):
        lib.sum([1, 2j])
    with pytest.raises(
        ferryman.ArgumentError,
        match=r"^echo_nested\(\) argument 'value': expected .*, but found object at item \[0\]\['k'\]\[0\]$",
    ):
        lib.echo_nested([{"k": [object()]}])


def test_unknown_function_is_an_attribute_error_with_suggestions(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.UnknownFunctionError) as caught:
        lib.dvide  # noqa: B018
    error = caught.value
    assert isinstance(error, AttributeError)
    assert isinstance(error, ferryman.FerrymanError)
    assert "'dvide'" in str(error)
    assert "did you mean 'divide'" in str(error)
    assert error.suggestions[0] == "divide"
    assert not hasattr(lib, "no_such_function_at_all")
    assert getattr(lib, "nope", None) is None
    with pytest.raises(ferryman.UnknownFunctionError, match="echo_i8"):
        lib["echo_i9"]


def test_dir_lists_the_functions(lib: ferryman.Library) -> None:
    listing = dir(lib)
    for name in ("add", "divide", "echo_point", "panic_now"):
        assert name in listing
    assert "errors" in listing
    # Class members (`Counter.add`) are attributes of their class, which is listed.
    assert {name for name in lib.functions if "." not in name} <= set(listing)
    assert set(lib.classes) <= set(listing)
    assert "Counter.add" in lib.functions and "Counter.add" not in listing


def test_names_and_docs(lib: ferryman.Library) -> None:
    assert lib.divide.__name__ == "divide"
    assert lib.divide.__qualname__ == "divide"
    assert lib.divide.__doc__ == "Divides `a` by `b`."
    assert lib.add.__doc__ == "Adds two numbers."
    assert lib.divide.name == "divide"
    assert lib.divide.parameters == ("a", "b")
    assert lib.divide.rust_types == ("i64", "i64")
    assert lib.divide.description["name"] == "divide"


def test_signatures(lib: ferryman.Library) -> None:
    sig = inspect.signature(lib.divide)
    assert str(sig) == "(a: int, b: int) -> int"
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in sig.parameters.values())
    assert inspect.signature(lib.nothing).return_annotation is None
    assert str(inspect.signature(lib.nothing)) == "() -> None"


@pytest.mark.parametrize(
    ("name", "params", "returns"),
    [
        ("echo_f32", [float], float),
        ("echo_bool", [bool], bool),
        ("echo_char", [str], str),
        ("echo_bytes", [bytes], bytes),
        ("echo_unit", [None], None),
        ("echo_vec_i64", [list[int]], list[int]),
        ("echo_tuple", [tuple[int, str, bool]], tuple[int, str, bool]),
        ("echo_map", [dict[str, int]], dict[str, int]),
        ("echo_option", [Optional[int]], Optional[int]),  # noqa: UP045
        ("echo_point", ["Point"], "Point"),  # "Point": lib.types.Point, below
        ("echo_nested", [list[dict[str, list[Optional[int]]]]], list[dict[str, list[Optional[int]]]]),  # noqa: UP045
        ("greet", [str, str, int, bool], str),
        ("divide", [int, int], int),
        ("distance", ["Point", "Point"], float),
    ],
)
def test_annotations(lib: ferryman.Library, name: str, params: list[Any], returns: Any) -> None:
    def resolved(annotation: Any) -> Any:
        return lib.types[annotation] if isinstance(annotation, str) else annotation

    sig = inspect.signature(lib[name])
    assert [p.annotation for p in sig.parameters.values()] == [resolved(p) for p in params]
    assert sig.return_annotation == resolved(returns)


def test_repr(lib: ferryman.Library) -> None:
    assert repr(lib.divide) == "<ferryman function divide(a: int, b: int) -> int>"
    assert repr(lib.echo_option) == "<ferryman function echo_option(value: int | None = None) -> int | None>"
    assert repr(lib.distance) == "<ferryman function distance(a: Point, b: Point) -> float>"


def test_help_renders(lib: ferryman.Library) -> None:
    text = pydoc.render_doc(lib.divide, renderer=pydoc.plaintext)
    assert "divide(a: int, b: int) -> int" in text
    assert "Divides `a` by `b`." in text
