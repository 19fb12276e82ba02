"""Arrays from buffers (spec/wire.md, "Arrays from buffers"): numpy arrays,
``array.array`` and typed ``memoryview``s for lists of numbers, numpy
scalars for numbers; a dtype with no wire form is refused by name.

numpy is optional: the tests that need it install-skip without it, the
buffer-protocol ones from the standard library always run."""

from __future__ import annotations

import array

import pytest

import ferryman


def test_array_module_and_memoryview(lib: ferryman.Library) -> None:
    assert lib.sum_f64(array.array("d", [1.0, 2.5])) == 3.5
    assert lib.sum_f64(memoryview(array.array("d", [1.0, 2.0]))) == 3.0
    assert lib.echo_f32s(array.array("f", [1.5, -0.25])) == [1.5, -0.25]
    assert lib.echo_i32s(array.array("i", [1, -2, 3])) == [1, -2, 3]
    assert lib.echo_u64s(array.array("Q", [2**64 - 1])) == [2**64 - 1]
    # Unsigned bytes stay bytes; a memoryview of them is bytes as before.
    assert lib.echo_bytes(array.array("B", b"ab")) == b"ab"
    assert lib.echo_bytes(memoryview(b"xyz")) == b"xyz"
    # A 2-D view: a list of rows (C order).
    grid = memoryview(array.array("d", [1, 2, 3, 4, 5, 6])).cast("B").cast("d", (2, 3))
    assert lib.row_sums(grid) == [6.0, 15.0]


def test_items_the_element_type_cannot_hold(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentOverflowError) as caught:
        lib.echo_i32s(array.array("q", [2**40]))
    assert caught.value.param == "values"
    with pytest.raises(ferryman.ArgumentError) as wrong:
        lib.echo_i32s(array.array("d", [1.5]))
    assert wrong.value.param == "values" and wrong.value.kind == "type"


def test_numpy_arrays(lib: ferryman.Library) -> None:
    np = pytest.importorskip("numpy")
    values = np.arange(10_000, dtype=np.float64)
    assert lib.sum_f64(values) == float(values.sum())
    assert lib.sum_f64(values[::2]) == float(values[::2].sum()), "strided views too"
    assert lib.sum_f64(np.array([1.0, 2.0], dtype=">f8")) == 3.0, "either byte order"
    assert lib.echo_f32s(np.array([1.5, 2.25], dtype=np.float32)) == [1.5, 2.25]
    assert lib.echo_i32s(np.array([1, -2], dtype=np.int32)) == [1, -2]
    assert lib.echo_i32s(np.array([1, -2], dtype=np.int8)) == [1, -2]
    assert lib.echo_u64s(np.array([2**63], dtype=np.uint64)) == [2**63]
    assert lib.count_true(np.array([True, False, True])) == 2
    assert lib.row_sums(np.ones((2, 3))) == [3.0, 3.0]
    assert lib.row_sums(np.arange(6.0).reshape(3, 2).T) == [6.0, 9.0], "a transposed (Fortran-order) view"
    assert lib.echo_bytes(np.frombuffer(b"abc", dtype=np.uint8)) == b"abc"


def test_numpy_scalars(lib: ferryman.Library) -> None:
    np = pytest.importorskip("numpy")
    assert lib.echo_f32(np.float32(1.5)) == 1.5
    assert lib.echo_f64(np.float64(0.25)) == 0.25
    assert lib.echo_f64(np.float32(0.5)) == 0.5
    assert lib.echo_i64(np.int64(-3)) == -3
    assert lib.echo_u8(np.uint8(200)) == 200
    assert lib.echo_bool(np.bool_(True)) is True


def test_a_dtype_without_a_wire_form_is_refused_by_name(lib: ferryman.Library) -> None:
    np = pytest.importorskip("numpy")
    for values, dtype in (
        (np.array([1 + 2j]), "complex128"),
        (np.array([object()]), "object"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime64[D]"),
    ):
        with pytest.raises(ferryman.ArgumentError) as caught:
            lib.sum_f64(values)
        message = str(caught.value)
        assert "sum_f64()" in message and "values" in message, message
        assert f"numpy.ndarray of dtype {dtype}" in message, message
        assert "only integer scalar arrays" not in message


def test_a_buffer_of_the_wrong_item_kind_is_refused_naming_its_dtype(lib: ferryman.Library) -> None:
    """Decided before sending, from the parameter's descriptor: floats or
    bools for a list of ints, bools for a list of floats."""
    np = pytest.importorskip("numpy")
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_i32s(np.array([1.0, 2.5]))
    error = caught.value
    assert error.function == "echo_i32s" and error.param == "values" and error.kind == "type"
    message = str(error)
    assert "expected Vec<i32>, but found a numpy.ndarray of dtype float64" in message, message
    assert "float items are no i32" in message, message
    with pytest.raises(ferryman.ArgumentError, match="dtype float32"):
        lib.echo_u64s(np.zeros(3, dtype=np.float32))
    with pytest.raises(ferryman.ArgumentError, match="dtype bool, whose bool items are no f64"):
        lib.sum_f64(np.array([True, False]))
    with pytest.raises(ferryman.ArgumentError, match="dtype bool, whose bool items are no f64"):
        lib.row_sums(np.ones((2, 2)).astype(bool))  # nested lists: the items are checked too
    # The standard library's buffers name their format.
    with pytest.raises(ferryman.ArgumentError, match='an array.array of format "d"') as std:
        lib.echo_i32s(array.array("d", [1.0]))
    assert std.value.param == "values"
    # What fits still goes: ints for floats, any int width for ints.
    assert lib.sum_f64(np.array([1, 2], dtype=np.int16)) == 3.0
    assert lib.echo_i32s(np.array([7], dtype=np.int64)) == [7]
