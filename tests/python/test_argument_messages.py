"""One style for every argument error, whichever side found it: the host before
the call (a Python value it cannot send, a wrong count, an unknown keyword) or
the library (a value its Rust type refuses). `f() argument 'x': expected T,
but found …`; binding in Python's own words; a closure is `closure()`, never
its Rust path (`errors/argument_message.rs`)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import ferryman

# `divide() argument 'b': …` or `closure() argument 1: …`, then the Rust side's words.
WRONG_VALUE = re.compile(
    r"^(?:[a-z_0-9]+|closure)\(\) argument (?:'[a-z_0-9]+'|\d+): "
    r"expected \S.*, but found \S.*?(?:, which is out of range)?$"
)
# Python's words for binding.
WRONG_COUNT = re.compile(r"^(?:[a-z_0-9]+|closure)\(\) takes \d+ arguments? but \d+ (?:was|were) given$")
WRONG_KEYWORD = re.compile(
    r"^(?:[a-z_0-9]+\(\) got an unexpected keyword argument '[a-z_0-9]+'|closure\(\) takes no keyword arguments)$"
)


def raised(call: Callable[[], object]) -> ferryman.ArgumentError:
    with pytest.raises(ferryman.ArgumentError) as caught:
        call()
    return caught.value


def cases(lib: ferryman.Library) -> dict[str, tuple[Callable[[], object], re.Pattern[str], str]]:
    """name → (call, style, exact message): `host` the host refused it, `rust` the library did."""
    adder, three = lib.adder(1), lib.three_argument_closure()
    return {
        "host: wrong type": (
            lambda: lib.add(object(), 1),
            WRONG_VALUE,
            "add() argument 'a': expected i64, but found object",
        ),
        "rust: wrong type": (
            lambda: lib.divide(1, "two"),
            WRONG_VALUE,
            "divide() argument 'b': expected i64, but found string \"two\"",
        ),
        "host: out of range": (
            lambda: lib.add(2**64, 1),
            WRONG_VALUE,
            "add() argument 'a': expected i64, but found integer 18446744073709551616, which is out of range",
        ),
        "rust: out of range": (
            lambda: lib.echo_i8(300),
            WRONG_VALUE,
            "echo_i8() argument 'value': expected i8, but found integer 300, which is out of range",
        ),
        "host: wrong arity": (lambda: lib.divide(1, 2, 3), WRONG_COUNT, "divide() takes 2 arguments but 3 were given"),
        "rust: wrong arity of a closure": (
            lambda: adder(1, 2),
            WRONG_COUNT,
            "closure() takes 1 argument but 2 were given",
        ),
        "host: unknown keyword": (
            lambda: lib.divide(1, 2, c=3),
            WRONG_KEYWORD,
            "divide() got an unexpected keyword argument 'c'",
        ),
        "host: keyword to a closure": (lambda: adder(x=1), WRONG_KEYWORD, "closure() takes no keyword arguments"),
        "host: a closure's argument": (
            lambda: adder(object()),
            WRONG_VALUE,
            "closure() argument 0: expected i64, but found object",
        ),
        "rust: a closure's argument": (
            lambda: three("a", "b", True),
            WRONG_VALUE,
            'closure() argument 1: expected i64, but found string "b"',
        ),
    }


CASES = [
    "host: wrong type",
    "rust: wrong type",
    "host: out of range",
    "rust: out of range",
    "host: wrong arity",
    "rust: wrong arity of a closure",
    "host: unknown keyword",
    "host: keyword to a closure",
    "host: a closure's argument",
    "rust: a closure's argument",
]


@pytest.mark.parametrize("case", CASES)
def test_every_argument_error_has_the_one_style(lib: ferryman.Library, case: str) -> None:
    call, style, message = cases(lib)[case]
    error = raised(call)
    assert str(error) == message
    assert style.match(str(error)), str(error)
    # Only what the user wrote or sees: no Rust paths, no backticks.
    assert "::" not in str(error) and "`" not in str(error) and "{{closure}}" not in str(error)


def test_both_sides_describe_the_same_mistake_alike(lib: ferryman.Library) -> None:
    """A closure's argument of the wrong type reads the same whether Python
    could not send it or Rust refused it; only what was found differs."""
    adder = lib.adder(1)
    host = raised(lambda: adder(object()))
    rust = raised(lambda: adder(1.5))
    assert str(host) == "closure() argument 0: expected i64, but found object"
    assert str(rust) == "closure() argument 0: expected i64, but found floating point 1.5"
    assert (host.index, host.expected, rust.index, rust.expected) == (0, "i64", 0, "i64")
    assert (host.found, rust.found) == ("object", "floating point 1.5")


def test_an_argument_error_a_function_passes_on_keeps_its_words(lib: ferryman.Library) -> None:
    """A closure Rust called with the wrong arity, its error returned by the
    function that called it: the message is about the closure, not rewritten
    as if the function had been called wrongly."""
    error = raised(lambda: lib.call_with_one(lib.joiner("-"), "a"))
    assert error.function == "call_with_one"
    assert "call_with_one() takes" not in str(error)
    assert "takes 2 arguments (String, String) but was given 1 argument" in str(error)


# ---- minor messages of issue 12 ---------------------------------------------------


def test_an_enum_sent_as_a_map_of_two_keys_says_so(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.echo_shape({"Square": 1, "Empty": None})
    assert str(raised.value) == "echo_shape() argument 'shape': expected Shape, but found map with 2 entries"


@pytest.mark.parametrize(("key", "found"), [(0, "an int"), (None, "nil")])
def test_a_struct_takes_only_field_names_as_keys(lib: ferryman.Library, key: object, found: str) -> None:
    # spec/wire.md: a struct is a map of field names; serde's field indexes
    # are not taken, and nil is not "a field identifier".
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.echo_point({key: 1.5, "y": 2.5})
    assert str(raised.value) == (
        "echo_point() argument 'point': expected Point, but found map: "
        f"a key that is {found}, not a field name, in Point (expected one of: x, y)"
    )
    assert raised.value.kind == "type"
    assert lib.echo_point({"x": 1.5, "y": 2.5}) == {"x": 1.5, "y": 2.5}


def test_a_value_of_a_non_builtin_type_is_named_with_its_module(lib: ferryman.Library) -> None:
    # numpy's bool is called `bool` too: "found bool (expected bool)" puzzled.
    fake_bool = type("bool", (), {"__module__": "numpy"})
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.echo_tuple((1, "a", fake_bool()))
    assert "numpy.bool" in str(raised.value)


def test_a_struct_in_a_callbacks_result_takes_only_field_names(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.map_point(lambda point: {0: 1.0, 1: 2.0}, {"x": 1.0, "y": 2.0})
    assert "a key that is an int, not a field name, in Point (expected one of: x, y)" in str(raised.value)
    assert lib.map_point(lambda point: {"x": point["y"], "y": 1.0}, {"x": 1.0, "y": 2.0}) == {"x": 2.0, "y": 1.0}
