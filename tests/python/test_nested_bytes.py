"""Sequences of u8 inside other types are bytes both ways (spec/wire.md,
"Byte sequences at any depth"): inside Option, lists, maps, tuples and struct
fields, empty ones included."""

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

common = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_option_of_bytes(lib: ferryman.Library) -> None:
    assert lib.maybe_bytes(3) == b"\x03\x03\x03"
    assert type(lib.maybe_bytes(1)) is bytes
    assert lib.maybe_bytes(0) is None
    for value in (b"", b"ab", None):
        assert lib.echo_maybe_bytes(value) == value
    assert type(lib.echo_maybe_bytes(b"")) is bytes


def test_lists_of_bytes(lib: ferryman.Library) -> None:
    result = lib.echo_byte_lists([b"ab", b"", bytearray(b"c"), memoryview(b"xdx")[1:2]])
    assert result == [b"ab", b"", b"c", b"d"]
    assert all(type(item) is bytes for item in result)
    assert lib.echo_byte_lists([[1, 2], []]) == [b"\x01\x02", b""], "lists of ints still work"
    assert lib.echo_byte_lists(()) == []


def test_maps_of_bytes(lib: ferryman.Library) -> None:
    value = {"k": b"xy", "e": b"", "z": bytes(range(256))}
    assert lib.echo_byte_map(value) == dict(sorted(value.items()))


def test_tuples_with_bytes(lib: ferryman.Library) -> None:
    assert lib.echo_byte_tuple((b"ab", 1)) == (b"ab", 1)
    assert lib.echo_byte_tuple((b"", 0)) == (b"", 0)


def test_struct_fields(lib: ferryman.Library) -> None:
    blob = lib.join_blob({"name": "b", "data": b"ab", "parts": [b"c", b"", b"d"], "checksum": None})
    assert blob == {"name": "b", "data": b"abcd", "parts": [], "checksum": bytes([sum(b"abcd") % 256])}
    empty = {"name": "", "data": b"", "parts": [b""], "checksum": b""}
    result = lib.echo_blob(empty)
    assert result == empty
    assert type(result["data"]) is bytes and type(result["parts"][0]) is bytes


def test_other_sequences_of_u8_are_bytes_too(lib: ferryman.Library) -> None:
    assert lib.reverse_deque(b"abc") == b"cba"
    assert lib.reverse_deque(b"") == b""
    assert lib.reverse_deque([1, 2]) == b"\x02\x01"
    data = bytes(range(256)) * 20  # large enough to be lent: extension 3 read as a sequence of u8
    assert lib.reverse_deque(data) == data[::-1]
    assert lib.byte_lengths([b"ab", b"", bytearray(b"xyz")]) == [2, 0, 3]


def test_annotations_say_bytes(lib: ferryman.Library) -> None:
    def annotations(name: str) -> list[object]:
        sig = inspect.signature(lib[name])
        return [p.annotation for p in sig.parameters.values()] + [sig.return_annotation]

    assert annotations("echo_maybe_bytes") == [Optional[bytes], Optional[bytes]]  # noqa: UP045
    assert annotations("echo_byte_lists") == [list[bytes], list[bytes]]
    assert annotations("echo_byte_map") == [dict[str, bytes], dict[str, bytes]]
    assert annotations("echo_byte_tuple") == [tuple[bytes, int], tuple[bytes, int]]
    assert annotations("reverse_deque") == [bytes, bytes]
    assert annotations("byte_lengths") == [list[bytes], list[int]]


def test_bytes_are_not_a_list_of_anything_else(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.sum(b"\x01\x02")
    error = caught.value
    assert isinstance(error, TypeError)
    assert (error.function, error.param, error.expected) == ("sum", "values", "Vec<i64>")
    assert str(error) == "sum() argument 'values': expected Vec<i64>, but found byte array"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_strings([b"a"])
    assert caught.value.param == "values"


def test_the_wire_carries_bin(raw: RawLibrary) -> None:
    # An independent MessagePack implementation sees bin, not arrays of ints,
    # and may send bin for nested byte vectors.
    assert raw.call("echo_byte_lists", [b"ab", b""]) == (0, [b"ab", b""])
    assert raw.call("echo_blob", {"name": "n", "data": b"", "parts": [], "checksum": None}) == (
        0,
        {"name": "n", "data": b"", "parts": [], "checksum": None},
    )
    status, data, _ = raw.call_raw(raw.function_id("maybe_bytes"), msgpack.packb([2]), 64)
    assert (status, data) == (0, b"\xc4\x02\x02\x02")


@pytest.fixture(scope="module")
def raw(fixture_file: Path) -> RawLibrary:
    return RawLibrary(fixture_file)


@common
@given(st.lists(st.binary(max_size=40), max_size=8))
def test_lists_of_bytes_round_trip(lib: ferryman.Library, value: list[bytes]) -> None:
    assert lib.echo_byte_lists(value) == value


@common
@given(st.dictionaries(st.text(max_size=8), st.binary(max_size=40), max_size=6))
def test_maps_of_bytes_round_trip(lib: ferryman.Library, value: dict[str, bytes]) -> None:
    assert lib.echo_byte_map(value) == dict(sorted(value.items()))


@common
@given(st.text(max_size=8), st.binary(max_size=300), st.lists(st.binary(max_size=5), max_size=4), st.none() | st.binary())
def test_blobs_round_trip(lib: ferryman.Library, name: str, data: bytes, parts: list[bytes], checksum: bytes | None) -> None:
    blob = {"name": name, "data": data, "parts": parts, "checksum": checksum}
    assert lib.echo_blob(blob) == blob


def test_the_spec_example(raw: RawLibrary) -> None:
    # spec/wire.md, "Byte sequences at any depth".
    args = bytes.fromhex("91 92 c4 02 61 62 c4 00")
    assert raw.call_raw(raw.function_id("echo_byte_lists"), args, 64)[:2] == (0, bytes.fromhex("92 c4 02 61 62 c4 00"))
