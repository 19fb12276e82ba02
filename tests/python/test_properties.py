"""Round-trip properties (hypothesis), and random bytes that must never crash."""

from __future__ import annotations

import math
from pathlib import Path

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ferryman
from ferryman import _native

from wire import RawLibrary

I64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
U64 = st.integers(min_value=0, max_value=2**64 - 1)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@common
@given(I64)
def test_i64_round_trips(lib: ferryman.Library, value: int) -> None:
    assert lib.echo_i64(value) == value


@common
@given(U64)
def test_u64_round_trips(lib: ferryman.Library, value: int) -> None:
    assert lib.echo_u64(value) == value


@common
@given(st.integers(min_value=2**64) | st.integers(max_value=-(2**63) - 1))
def test_ints_beyond_64_bits_overflow(lib: ferryman.Library, value: int) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError):
        lib.echo_i64(value)


@common
@given(st.integers(min_value=-(2**63), max_value=2**64 - 1))
def test_i32_accepts_exactly_its_range(lib: ferryman.Library, value: int) -> None:
    if -(2**31) <= value < 2**31:
        assert lib.echo_i32(value) == value
    else:
        with pytest.raises(ferryman.ArgumentOverflowError):
            lib.echo_i32(value)


@common
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_f64_round_trips(lib: ferryman.Library, value: float) -> None:
    result = lib.echo_f64(value)
    if math.isnan(value):
        assert math.isnan(result)
    else:
        assert result == value
        assert math.copysign(1.0, result) == math.copysign(1.0, value)


@common
@given(st.floats(width=32))
def test_f32_round_trips(lib: ferryman.Library, value: float) -> None:
    result = lib.echo_f32(value)
    assert result == value or (math.isnan(value) and math.isnan(result))


@common
@given(st.text())
def test_text_round_trips(lib: ferryman.Library, value: str) -> None:
    assert lib.echo_string(value) == value
    assert lib.str_len(value) == len(value.encode())


@common
@given(st.binary())
def test_binary_round_trips(lib: ferryman.Library, value: bytes) -> None:
    assert lib.echo_bytes(value) == value


@common
@given(st.lists(I64))
def test_lists_of_ints_round_trip(lib: ferryman.Library, value: list[int]) -> None:
    assert lib.echo_vec_i64(value) == value


@common
@given(st.dictionaries(st.text(), I64))
def test_dicts_of_str_to_int_round_trip(lib: ferryman.Library, value: dict[str, int]) -> None:
    assert lib.echo_map(value) == value


@common
@given(st.tuples(st.integers(-(2**31), 2**31 - 1), st.text(), st.booleans()))
def test_tuples_round_trip(lib: ferryman.Library, value: tuple[int, str, bool]) -> None:
    assert lib.echo_tuple(value) == value


@common
@given(st.lists(st.dictionaries(st.text(max_size=5), st.lists(st.none() | st.integers(-(2**31), 2**31 - 1)))))
def test_nested_round_trips(lib: ferryman.Library, value: list) -> None:
    assert lib.echo_nested(value) == value


# Values MessagePack can carry, as Python sees them after a round trip.
values = st.recursive(
    st.none() | st.booleans() | I64 | U64 | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@common
@given(values)
def test_native_codec_matches_msgpack(value: object) -> None:
    packed = _native.pack(value)
    assert msgpack.unpackb(packed, strict_map_key=False) == value
    assert _native.unpack(msgpack.packb(value)) == value


@common
@given(st.binary(max_size=64))
def test_native_decoder_never_crashes_on_random_bytes(data: bytes) -> None:
    try:
        decoded = _native.unpack(data)
    except ferryman.ProtocolError:
        return
    # When it decodes, it agrees with msgpack (which accepts ext types; we refuse them).
    assert msgpack.unpackb(data, strict_map_key=False, raw=False, use_list=True) == decoded


@pytest.fixture(scope="module")
def raw(fixture_file: Path) -> RawLibrary:
    return RawLibrary(fixture_file)


# Functions safe to call with arbitrary arguments (panic_nested could recurse for 2**32 levels).
SAFE = [
    "add",
    "divide",
    "echo_bytes",
    "echo_map",
    "echo_nested",
    "echo_point",
    "echo_shape",
    "echo_string",
    "echo_tuple",
    "greet",
    "sum",
    "word_counts",
    "index_out_of_bounds",
    "load_config",
]


@common
@given(st.sampled_from(SAFE), st.binary(max_size=48))
def test_random_argument_bytes_never_crash_the_library(raw: RawLibrary, name: str, data: bytes) -> None:
    status, out, _ = raw.call_raw(raw.function_id(name), data, 256)
    assert status in {0, 1, 2, 3}
    value = msgpack.unpackb(out, strict_map_key=False)
    if status == 3:
        assert value["kind"] in {"arity", "type", "overflow", "malformed"}


@common
@given(st.sampled_from(SAFE), st.lists(values, max_size=4))
def test_random_msgpack_arguments_get_a_status(raw: RawLibrary, name: str, args: list) -> None:
    status, out, _ = raw.call_raw(raw.function_id(name), msgpack.packb(args), 256)
    assert status in {0, 1, 2, 3}
    msgpack.unpackb(out, strict_map_key=False)
