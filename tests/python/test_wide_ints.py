"""i128 and u128: Python ints both ways, as MessagePack ints within 64 bits and
extension 4 beyond (spec/wire.md, "Big integers")."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ferryman

from wire import RawLibrary

I128 = (-(2**127), 2**127 - 1)
U128 = (0, 2**128 - 1)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize(
    "value",
    [I128[0], I128[0] + 1, -(2**64) - 1, -(2**63) - 1, -(2**63), -1, 0, 2**63, 2**64 - 1, 2**64, I128[1] - 1, I128[1]],
)
def test_i128_bounds_round_trip(lib: ferryman.Library, value: int) -> None:
    result = lib.echo_i128(value)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize("value", [0, 2**63, 2**64, 2**127, U128[1] - 1, U128[1]])
def test_u128_bounds_round_trip(lib: ferryman.Library, value: int) -> None:
    assert lib.echo_u128(value) == value


@pytest.mark.parametrize(
    ("name", "value"), [("echo_i128", 2**128), ("echo_i128", -(2**127) - 2**200), ("echo_u128", 2**128)]
)
def test_beyond_128_bits_the_host_says_overflow(lib: ferryman.Library, name: str, value: int) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib[name](value)
    error = caught.value
    assert isinstance(error, OverflowError)
    assert (error.function, error.param, error.index) == (name, "value", 0)
    assert str(error).startswith(f"{name}() argument 'value': ")
    assert str(error).endswith(", which is out of range")


@pytest.mark.parametrize(("name", "value"), [("echo_i128", 2**127), ("echo_u128", -1), ("echo_u128", -(2**100))])
def test_within_128_bits_but_out_of_range_the_library_says_overflow(lib: ferryman.Library, name: str, value: int) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib[name](value)
    error = caught.value
    assert (error.kind, error.param, error.expected) == ("overflow", "value", name[-4:])
    assert str(error).startswith(f"{name}() argument 'value': expected {name[-4:]}, but found integer {value}")


def test_64_bit_parameters_still_stop_at_64_bits(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_i64(2**64)
    assert "expected i64, but found integer" in str(caught.value)


def test_wide_ints_inside_other_values(lib: ferryman.Library) -> None:
    assert lib.mul_i128(2**100, 2) == 2**101
    assert lib.mul_i128(2**100, 2**100) is None
    entries = [
        {"account": "a", "amount": 2**100, "serial": U128[1]},
        {"account": "b", "amount": -5, "serial": 0},
        {"account": "a", "amount": 2**100, "serial": 1},
    ]
    assert lib.balances(entries) == {"a": 2**101, "b": -5}
    assert lib.echo_entry(entries[0]) == entries[0]
    keys = {U128[1]: [I128[0], 0, I128[1]], 1: []}
    assert lib.echo_wide_keys(keys) == dict(sorted(keys.items()))


def test_a_field_out_of_range_names_the_parameter(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_entry({"account": "a", "amount": 0, "serial": 2**128})
    assert caught.value.param == "entry"
    assert "but found integer 340282366920938463463374607431768211456 at item ['serial'], which is out of range" in str(
        caught.value
    )
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_entry({"account": "a", "amount": 2**127, "serial": 0})
    assert (caught.value.param, caught.value.kind) == ("entry", "overflow")


def test_annotations_are_int(lib: ferryman.Library) -> None:
    sig = inspect.signature(lib.mul_i128)
    assert [p.annotation for p in sig.parameters.values()] == [int, int]
    assert sig.return_annotation == Optional[int]  # noqa: UP045
    assert lib.describe()["functions"][lib.echo_u128.id]["params"][0]["type"] == "u128"


def test_objects_with_index_are_integers(lib: ferryman.Library) -> None:
    class Index:
        def __init__(self, value: int) -> None:
            self.value = value

        def __index__(self) -> int:
            return self.value

    assert lib.echo_i64(Index(7)) == 7
    assert lib.echo_u8(Index(255)) == 255
    assert lib.echo_i128(Index(2**100)) == 2**100
    assert lib.sum([Index(1), Index(2), 3]) == 6
    assert lib.echo_f64(Index(2)) == 2.0
    with pytest.raises(ferryman.ArgumentOverflowError):
        lib.echo_u8(Index(256))

    class Broken:
        def __index__(self) -> int:
            raise ValueError("no index today")

    with pytest.raises(ferryman.ArgumentError, match=r"^echo_i64\(\) argument 'value': .*no index today"):
        lib.echo_i64(Broken())


def test_numpy_integers_if_numpy_is_installed(lib: ferryman.Library) -> None:
    numpy = pytest.importorskip("numpy")
    assert lib.echo_i64(numpy.int64(-3)) == -3
    assert lib.echo_u16(numpy.uint16(65535)) == 65535


def test_the_wire_carries_extension_4(fixture_file: Path) -> None:
    raw = RawLibrary(fixture_file)
    status, data, _ = raw.call_raw(raw.function_id("echo_i128"), msgpack.packb([5]), 64)
    assert (status, data) == (0, b"\x05")
    big = msgpack.ExtType(4, (2**64).to_bytes(16, "big", signed=True))
    status, data, _ = raw.call_raw(raw.function_id("echo_i128"), msgpack.packb([big]), 64)
    assert status == 0
    assert msgpack.unpackb(data) == big
    short = msgpack.ExtType(4, b"\x01\x00")  # any length up to 17 bytes is accepted
    assert raw.call("echo_u128", short) == (0, 256)
    status, value = raw.call("echo_i64", big)
    assert (status, value["kind"], value["param"]) == (3, "overflow", "value")
    top = msgpack.ExtType(4, (2**128 - 1).to_bytes(17, "big", signed=True))
    assert raw.call("echo_u128", top) == (0, top)


@common
@given(st.integers(min_value=I128[0], max_value=I128[1]))
def test_i128_round_trips(lib: ferryman.Library, value: int) -> None:
    assert lib.echo_i128(value) == value


@common
@given(st.integers(min_value=U128[0], max_value=U128[1]))
def test_u128_round_trips(lib: ferryman.Library, value: int) -> None:
    assert lib.echo_u128(value) == value


def test_the_spec_examples(fixture_file: Path) -> None:
    # spec/wire.md, "Big integers (extension 4)".
    raw = RawLibrary(fixture_file)
    two_64 = bytes.fromhex("d8 04 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00")
    assert raw.call_raw(raw.function_id("echo_i128"), b"\x91" + two_64, 64)[:2] == (0, two_64)
    top = bytes.fromhex("c7 11 04 00" + " ff" * 16)
    status, data, _ = raw.call_raw(raw.function_id("echo_u128"), b"\x91" + top, 64)
    assert (status, data) == (0, top)
    assert raw.call_raw(raw.function_id("echo_i128"), b"\x91\xff", 64)[:2] == (0, b"\xff")
