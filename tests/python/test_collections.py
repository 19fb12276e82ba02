"""Vec, slices, sets, tuples, maps, Option and nesting."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_vecdeque_btreeset_and_btreemap_parameters(lib: ferryman.Library) -> None:
    assert lib.rotate_deque([1, 2, 3]) == [2, 3, 1]
    assert lib.rotate_deque([]) == []
    assert lib.rotate_deque((5,)) == [5]
    assert lib.echo_btree_set({"b", "a", "c"}) == ["a", "b", "c"]
    assert lib.echo_btree_set(["b", "b", "a"]) == ["a", "b"]
    value = {"z": 1.5, "a": -2.0, "m": 0.0}
    result = lib.echo_btree_map(value)
    assert result == value
    assert list(result) == ["a", "m", "z"]
    assert lib.echo_btree_map({}) == {}


def test_non_string_map_keys(lib: ferryman.Library) -> None:
    value = {3: "c", -1: "a", 2**62: "big"}
    result = lib.echo_int_keys(value)
    assert result == value
    assert list(result) == [-1, 3, 2**62]
    keys = {(2, "b"): True, (1, "z"): False}
    result = lib.echo_tuple_keys(keys)
    assert result == keys
    assert list(result) == [(1, "z"), (2, "b")]
    assert all(type(key) is tuple for key in result)
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_int_keys({"1": "a"})
    assert caught.value.param == "map"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=20),
    st.dictionaries(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.text(max_size=5), max_size=8),
    st.dictionaries(st.text(max_size=5), st.floats(allow_nan=False), max_size=8),
)
def test_collection_round_trips(
    lib: ferryman.Library, deque: list[int], int_keys: dict[int, str], floats: dict[str, float]
) -> None:
    assert lib.rotate_deque(deque) == deque[1:] + deque[:1]
    assert lib.echo_int_keys(int_keys) == dict(sorted(int_keys.items()))
    assert lib.echo_btree_map(floats) == dict(sorted(floats.items()))
    assert lib.echo_btree_set(set(floats)) == sorted(floats)
