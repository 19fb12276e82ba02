"""Default arguments (fixture module ``defaults``): signatures, short
positional calls, keyword calls that skip a defaulted parameter, errors."""

from __future__ import annotations

import inspect
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ferryman

WORDS = [f"w{i}" for i in range(12)]


def test_signatures_show_the_defaults(lib: ferryman.Library) -> None:
    join_top = inspect.signature(lib.join_top)
    assert str(join_top) == "(words: list[str], top: int = 10, sep: str = ',') -> str"
    assert join_top.parameters["words"].default is inspect.Parameter.empty
    assert join_top.parameters["top"].default == 10
    assert join_top.parameters["sep"].default == ","
    greet = inspect.signature(lib.greet_default).parameters["greeting"]
    assert greet.default is None
    assert greet.annotation == Optional[str]  # noqa: UP045 - what the annotation is
    scaled = inspect.signature(lib.scaled).parameters
    assert (scaled["scale"].default, scaled["strict"].default) == (1.5, False)
    assert type(scaled["scale"].default) is float
    assert repr(lib.join_top) == "<ferryman function join_top(words: list[str], top: int = 10, sep: str = ',') -> str>"
    # A required parameter stays required.
    assert inspect.signature(lib.add).parameters["b"].default is inspect.Parameter.empty


def test_describe_carries_the_defaults(lib: ferryman.Library) -> None:
    functions = {f["name"]: f for f in lib.describe()["functions"]}
    params = functions["join_top"]["params"]
    assert "default" not in params[0]
    assert [p.get("default") for p in params[1:]] == [10, ","]
    assert functions["greet_default"]["params"][1]["default"] is None
    assert "default" in functions["greet_default"]["params"][1]


def test_short_positional_calls_take_the_defaults(lib: ferryman.Library) -> None:
    assert lib.join_top(WORDS) == ",".join(WORDS[:10])
    assert lib.join_top(WORDS, 3) == "w0,w1,w2"
    assert lib.join_top(WORDS, 2, "+") == "w0+w1"
    assert lib.greet_default("Ann") == "Hello, Ann"
    assert lib.greet_default("Ann", "Hi") == "Hi, Ann"
    assert lib.greet_default("Ann", None) == "Hello, Ann"
    assert lib.scaled(2.0) == 3.0
    assert lib.scaled(2.0, 2) == 4.0
    assert lib.scaled(1e308, 10.0, True) != lib.scaled(1e308, 10.0, True)  # NaN


def test_keyword_calls(lib: ferryman.Library) -> None:
    assert lib.join_top(words=WORDS) == ",".join(WORDS[:10])
    assert lib.join_top(WORDS, top=1) == "w0"
    assert lib.join_top(sep="/", top=2, words=WORDS) == "w0/w1"
    assert lib.greet_default(name="Bo") == "Hello, Bo"
    assert lib.greet_default(greeting="Hey", name="Bo") == "Hey, Bo"
    assert lib.scaled(x=2.0, scale=0.5) == 1.0


def test_a_keyword_call_fills_a_skipped_middle_parameter(lib: ferryman.Library) -> None:
    assert lib.join_top(WORDS, sep="-") == "-".join(WORDS[:10])
    assert lib.join_top(words=WORDS[:3], sep="") == "w0w1w2"
    assert lib.scaled(2.0, strict=True) == 3.0


def test_the_same_call_site_twice_and_different_sites(lib: ferryman.Library) -> None:
    # Each call site has its own keyword names: the cached binding must follow.
    for _ in range(3):
        assert lib.join_top(WORDS, sep="-") == "-".join(WORDS[:10])
        assert lib.join_top(WORDS, top=2) == "w0,w1"
        assert lib.join_top(top=1, words=WORDS) == "w0"
        assert lib.join_top(**{"words": WORDS, "sep": ":", "top": 2}) == "w0:w1"
        assert lib.join_top(*[WORDS], **{"top": 1}) == "w0"


def test_missing_required_arguments_are_named(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top()
    assert str(caught.value) == "join_top() missing 1 required argument: 'words'"
    assert caught.value.param == "words"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(top=3, sep=",")
    assert str(caught.value) == "join_top() missing 1 required argument: 'words'"
    assert caught.value.param == "words"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.scaled(scale=2.0)
    assert caught.value.param == "x"


def test_other_binding_errors(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, 1, ",", 4)
    assert str(caught.value) == "join_top() takes from 1 to 3 arguments but 4 were given"
    assert isinstance(caught.value, TypeError)
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, 1, ",", 4, sep="x")
    assert str(caught.value) == "join_top() takes from 1 to 3 arguments but 5 were given"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, topp=1)
    assert str(caught.value) == "join_top() got an unexpected keyword argument 'topp'"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, words=WORDS)
    assert str(caught.value) == "join_top() got multiple values for argument 'words'"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, top="x")
    assert caught.value.param == "top"
    # The fixed arity of a function without defaults is unchanged.
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.add(1)
    assert str(caught.value) == "add() missing 1 required argument: 'b'"


def test_a_wrong_argument_before_defaults_is_named_by_the_library(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.join_top(WORDS, -1)
    assert caught.value.param == "top"
    assert "join_top()" in str(caught.value) and "usize" in str(caught.value)


def test_option_parameters_default_to_none(lib: ferryman.Library) -> None:
    # Every trailing `Option` parameter may be left out.
    assert lib.echo_option() is None
    assert lib.echo_option(5) == 5
    assert lib.echo_option(value=None) is None


def _join_top(words: list[str], top: int = 10, sep: str = ",") -> str:
    """What ``join_top`` is, in Python: the reference for binding."""
    return sep.join(words[:top])


_VALUES = {"words": WORDS, "top": 3, "sep": "+", "extra": 1}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    nargs=st.integers(0, 4),
    keywords=st.lists(st.sampled_from(["words", "top", "sep", "extra"]), unique=True, max_size=3),
)
def test_binding_is_pythons(lib: ferryman.Library, nargs: int, keywords: list[str]) -> None:
    # Every shape of call binds as Python binds the same signature: the same
    # result, or a TypeError (ArgumentError) where Python raises one. Each
    # shape is a new kwnames tuple, so cached bindings are checked against
    # the names they hold, not only against the tuple's identity.
    args = [WORDS, 2, "-", 0][:nargs]
    kwargs = {name: _VALUES[name] for name in keywords}
    try:
        expected: object = _join_top(*args, **kwargs)  # type: ignore[arg-type]
    except TypeError:
        expected = TypeError
    try:
        got: object = lib.join_top(*args, **kwargs)
    except ferryman.ArgumentError as error:
        assert isinstance(error, TypeError)
        got = TypeError
    assert got == expected, (args, kwargs)


def test_constructors_and_methods_take_defaults(lib: ferryman.Library) -> None:
    assert str(inspect.signature(lib.Greeter)) == "(greeting: str = 'Hello')"
    greet = inspect.signature(lib.Greeter.greet)
    assert list(greet.parameters)[:2] == ["self", "name"]
    assert greet.parameters["punctuation"].default == "!"
    assert greet.parameters["times"].default is None
    hello = lib.Greeter()
    assert hello.greet("Ann") == "Hello, Ann!"
    assert hello.greet("Ann", "?") == "Hello, Ann?"
    assert hello.greet("Ann", times=2) == "Hello, Ann! Hello, Ann!"
    assert lib.Greeter(greeting="Hi").greet(name="Bo", punctuation=".") == "Hi, Bo."
    with pytest.raises(TypeError, match="name"):
        hello.greet()
