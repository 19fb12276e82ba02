"""Scalars: every integer width with its bounds, floats, bool, str, char, bytes, unit."""

from __future__ import annotations

import math
import struct

import pytest

import ferryman

INT_BOUNDS = {
    "i8": (-(2**7), 2**7 - 1),
    "i16": (-(2**15), 2**15 - 1),
    "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
    "isize": (-(2**63), 2**63 - 1),
    "u8": (0, 2**8 - 1),
    "u16": (0, 2**16 - 1),
    "u32": (0, 2**32 - 1),
    "u64": (0, 2**64 - 1),
    "usize": (0, 2**64 - 1),
}


@pytest.mark.parametrize("width", INT_BOUNDS)
def test_integer_bounds_round_trip(lib: ferryman.Library, width: str) -> None:
    echo = lib[f"echo_{width}"]
    low, high = INT_BOUNDS[width]
    for value in (low, low + 1, 0, 1, high - 1, high):
        result = echo(value)
        assert result == value
        assert type(result) is int


@pytest.mark.parametrize("width", INT_BOUNDS)
def test_integer_just_out_of_range_is_an_overflow_error(lib: ferryman.Library, width: str) -> None:
    echo = lib[f"echo_{width}"]
    low, high = INT_BOUNDS[width]
    for value in (low - 1, high + 1):
        with pytest.raises(ferryman.ArgumentOverflowError) as caught:
            echo(value)
        error = caught.value
        assert isinstance(error, OverflowError)
        assert isinstance(error, TypeError)
        assert isinstance(error, ferryman.ArgumentError)
        assert error.function == f"echo_{width}"
        assert error.param == "value"
        assert error.index == 0
        assert str(error).startswith(f"echo_{width}() argument 'value': ")
        assert width in str(error)


def test_library_side_overflow_keeps_the_rust_details(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_i8(300)
    error = caught.value
    assert error.kind == "overflow"
    assert error.expected == "i8"
    assert "300" in str(error)


def test_host_side_overflow_names_function_and_parameter(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.add(1, 2**64)
    error = caught.value
    assert str(error) == (
        "add() argument 'b': expected i64, but found integer 18446744073709551616, which is out of range"
    )
    assert (error.function, error.param, error.index, error.expected) == ("add", "b", 1, "i64")


def test_bool_is_not_an_int(lib: ferryman.Library) -> None:
    assert lib.echo_bool(True) is True
    assert lib.echo_bool(False) is False
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_i64(True)
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_bool(1)


def test_int_subclasses_are_ints(lib: ferryman.Library) -> None:
    import enum

    class Colour(enum.IntEnum):
        RED = 7

    assert lib.echo_i32(Colour.RED) == 7


@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, -2.25, 1e300, -1e-300, 5e-324, math.inf, -math.inf])
def test_f64_round_trips_exactly(lib: ferryman.Library, value: float) -> None:
    result = lib.echo_f64(value)
    assert type(result) is float
    assert result == value
    assert math.copysign(1.0, result) == math.copysign(1.0, value)


def test_nan_round_trips(lib: ferryman.Library) -> None:
    assert math.isnan(lib.echo_f64(math.nan))
    assert math.isnan(lib.echo_f32(math.nan))


@pytest.mark.parametrize("value", [1e300, -1e39, 3.5e38, -(2.0**128)])
def test_f64_beyond_the_f32_range_is_an_overflow_error(lib: ferryman.Library, value: float) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_f32(value)
    error = caught.value
    assert isinstance(error, OverflowError)
    assert (error.function, error.param, error.expected, error.kind) == ("echo_f32", "value", "f32", "overflow")
    assert str(error).startswith("echo_f32() argument 'value': expected f32, but found floating point")
    assert "out of range" in str(error)


def test_f32_keeps_its_largest_values_and_the_infinities(lib: ferryman.Library) -> None:
    f32_max = struct.unpack("f", struct.pack("f", 3.4028234663852886e38))[0]
    assert lib.echo_f32(f32_max) == f32_max
    assert lib.echo_f32(-f32_max) == -f32_max
    assert lib.echo_f32(-math.inf) == -math.inf
    assert lib.echo_f32(1e-300) == 0.0  # underflow rounds, as a C float does


@pytest.mark.parametrize(
    ("name", "value", "param", "expected", "found"),
    [
        ("echo_bytes", "str", "data", "Vec<u8>", 'string "str"'),
        ("byte_sum", "abc", "data", "&[u8]", 'string "abc"'),
        ("reverse_bytes", "x", "data", "serde_bytes::ByteBuf", 'string "x"'),
        ("count_zeros", "x", "data", "&serde_bytes::Bytes", 'string "x"'),
        ("echo_string", b"x", "value", "String", "byte array"),
        ("str_len", b"abc", "text", "&str", "byte array"),
        ("shout", bytearray(b"x"), "text", "&str", "byte array"),
        ("echo_char", b"a", "value", "char", "byte array"),
    ],
)
def test_str_is_not_bytes_and_bytes_are_not_str(
    lib: ferryman.Library, name: str, value: object, param: str, expected: str, found: str
) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib[name](value)
    error = caught.value
    assert isinstance(error, TypeError)
    assert not isinstance(error, OverflowError)
    assert (error.function, error.param, error.expected, error.kind) == (name, param, expected, "type")
    assert str(error) == f"{name}() argument '{param}': expected {expected}, but found {found}"


def test_str_is_not_bytes_inside_other_values_either(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_byte_lists(["a"])
    assert caught.value.param == "items"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_strings([b"a"])
    assert caught.value.param == "values"


def test_f32_rounds_like_a_c_float(lib: ferryman.Library) -> None:
    as_f32 = struct.unpack("f", struct.pack("f", 0.1))[0]
    assert lib.echo_f32(0.1) == as_f32
    assert lib.echo_f32(math.inf) == math.inf


def test_ints_are_accepted_for_floats(lib: ferryman.Library) -> None:
    assert lib.echo_f64(3) == 3.0
    assert type(lib.echo_f64(3)) is float


def test_floats_are_not_accepted_for_ints(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_i64(1.5)
    assert caught.value.param == "value"


@pytest.mark.parametrize("text", ["", "hello", "héllo wörld", "✓ 𝄞 🦀", "a\x00b", "x" * 100_000])
def test_strings_round_trip(lib: ferryman.Library, text: str) -> None:
    assert lib.echo_string(text) == text


def test_borrowed_str_lengths_are_utf8_bytes(lib: ferryman.Library) -> None:
    assert lib.str_len("é") == 2
    assert lib.str_len("🦀") == 4
    assert lib.shout("straße") == "STRASSE"


def test_a_str_with_a_lone_surrogate_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError, match=r"^echo_string\(\) argument 'value': .*surrogate"):
        lib.echo_string("\ud800")


def test_char(lib: ferryman.Library) -> None:
    assert lib.echo_char("é") == "é"
    assert lib.echo_char("🦀") == "🦀"
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_char("ab")
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_char("")


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\xff\x80", bytes(range(256)), b"z" * 70_000])
def test_bytes_round_trip(lib: ferryman.Library, data: bytes) -> None:
    result = lib.echo_bytes(data)
    assert type(result) is bytes
    assert result == data


def test_bytearray_and_memoryview_are_bytes(lib: ferryman.Library) -> None:
    assert lib.echo_bytes(bytearray(b"abc")) == b"abc"
    assert lib.echo_bytes(memoryview(b"abcdef")[1:4]) == b"bcd"
    assert lib.byte_sum(b"\x01\x02\xff") == 258
    assert lib.reverse_bytes(b"abc") == b"cba"
    assert lib.count_zeros(b"\x00a\x00") == 2
    assert lib.count_zeros(bytes(5000)) == 5000  # lent, borrowed as &serde_bytes::Bytes


def test_a_list_of_ints_is_accepted_for_bytes(lib: ferryman.Library) -> None:
    assert lib.echo_bytes([1, 2, 255]) == b"\x01\x02\xff"


def test_big_values_spill_into_library_boxes_and_still_work(lib: ferryman.Library) -> None:
    for size in (1 << 20, 1 << 20, 20 << 20, 10):
        data = bytes([size % 251]) * size
        assert lib.echo_bytes(data) == data


def test_unit(lib: ferryman.Library) -> None:
    assert lib.nothing() is None
    assert lib.echo_unit(None) is None


def test_many_parameters_of_mixed_kinds(lib: ferryman.Library) -> None:
    assert lib.greet("Hello", "Ann", 2, False) == "Hello, Ann! Hello, Ann!"
    assert lib.greet("hi", "bo", 1, True) == "HI, BO!"
