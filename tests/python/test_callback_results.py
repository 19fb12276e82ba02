"""A callback's result is read as an argument of its type is
(spec/callbacks.md): a record with a key the struct does not have is refused,
as it is in arguments, with the same words."""

from __future__ import annotations

import pytest

import ferryman


def test_a_misspelt_key_in_a_callback_result_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.map_point(lambda point: {"x": 1.0, "yy": 2.0}, {"x": 0.0, "y": 0.0})
    error = caught.value
    assert error.kind == "type"
    assert "a callback returned a value of the wrong type: expected Point" in str(error)
    assert "unknown key `yy` in Point (expected one of: x, y)" in str(error)


def test_the_same_words_as_for_an_argument(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as argument:
        lib.echo_point({"x": 1.0, "yy": 2.0})
    with pytest.raises(ferryman.ArgumentError) as result:
        lib.map_point(lambda point: {"x": 1.0, "yy": 2.0}, {"x": 0.0, "y": 0.0})
    detail = "found map: unknown key `yy` in Point (expected one of: x, y)"
    assert detail in str(argument.value) and detail in str(result.value)


def test_good_results_still_decode_every_way_arguments_may(lib: ferryman.Library) -> None:
    assert lib.map_point(lambda p: {"x": 1, "y": 2}, {"x": 0.0, "y": 0.0}) == {"x": 1.0, "y": 2.0}
    assert lib.map_point(lambda p: (3.0, 4.0), {"x": 0.0, "y": 0.0}) == {"x": 3.0, "y": 4.0}
    assert lib.apply(lambda x: x + 1, 41) == 42
