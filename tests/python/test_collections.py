"""Vec, slices, sets, tuples, maps, Option and nesting."""

from __future__ import annotations

import pytest

import ferryman


def test_vec_round_trips_as_a_list(lib: ferryman.Library) -> None:
    assert lib.echo_vec_i64([]) == []
    assert lib.echo_vec_i64([1, -2, 2**63 - 1]) == [1, -2, 2**63 - 1]
    assert type(lib.echo_vec_i64([1])) is list


def test_tuples_and_sets_are_accepted_as_sequences(lib: ferryman.Library) -> None:
    assert lib.sum((1, 2, 3)) == 6
    assert lib.sum([]) == 0
    assert lib.distinct({3, 1, 2}) == [1, 2, 3]
    assert lib.distinct(frozenset({5})) == [5]
    assert lib.distinct([2, 2, 1]) == [1, 2]


def test_slice_of_floats_and_option_result(lib: ferryman.Library) -> None:
    assert lib.mean([1.0, 2.0, 4.5]) == pytest.approx(2.5)
    assert lib.mean([1, 2]) == pytest.approx(1.5)
    assert lib.mean([]) is None


def test_a_wrong_element_names_the_parameter(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.sum([1, "two", 3])
    assert caught.value.param == "values"
    assert str(caught.value).startswith("sum() argument 'values': ")


def test_strings(lib: ferryman.Library) -> None:
    assert lib.echo_strings(["a", "", "ü"]) == ["a", "", "ü"]


def test_maps_round_trip_as_dicts(lib: ferryman.Library) -> None:
    assert lib.echo_map({}) == {}
    value = {"a": 1, "b": -2, "ü": 2**40}
    assert lib.echo_map(value) == value
    assert lib.word_counts("b a b c b") == {"a": 1, "b": 3, "c": 1}
    assert list(lib.word_counts("b a c")) == ["a", "b", "c"]  # BTreeMap order kept


def test_a_map_with_a_wrong_key_type_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_map({1: 2})
    assert caught.value.param == "map"


def test_option(lib: ferryman.Library) -> None:
    assert lib.echo_option(None) is None
    assert lib.echo_option(5) == 5
    assert lib.echo_option(-(2**63)) == -(2**63)


def test_tuples_come_back_as_tuples(lib: ferryman.Library) -> None:
    result = lib.echo_tuple((1, "x", True))
    assert result == (1, "x", True)
    assert type(result) is tuple
    assert lib.echo_tuple([1, "x", False]) == (1, "x", False)  # a list is fine going in
    whole, fraction = lib.split_float(2.75)
    assert (whole, fraction) == (2, 0.75)
    assert type(lib.split_float(1.0)) is tuple


def test_a_tuple_of_the_wrong_length_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_tuple((1, "x"))
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_tuple((1, "x", True, None))


def test_nested_containers(lib: ferryman.Library) -> None:
    value = [{"a": [1, None, 3]}, {}, {"b": [], "c": [None]}]
    assert lib.echo_nested(value) == value
    assert lib.echo_nested([]) == []


def test_lists_are_not_tuples_unless_the_type_says_so(lib: ferryman.Library) -> None:
    assert type(lib.echo_nested([{"a": [1]}])[0]["a"]) is list
