"""Lent slices (spec/wire.md, "Lent slices"): a large read-only numpy array
whose memory belongs to a ``bytes`` is lent to a ``&[f64]`` (``&[i32]``…)
parameter, which reads it in place; writable arrays, arrays made read-only
with ``flags.writeable = False``, small, strided, other-dtype and
other-byte-order arrays are copied. numpy is optional: these tests skip
without it."""

from __future__ import annotations

import struct
import threading

import msgpack
import pytest

import ferryman
from ferryman import _native

from wire import RawLibrary

np = pytest.importorskip("numpy")

AT = _native.LEND_SLICE_AT


def address(array: object) -> int:
    return array.__array_interface__["data"][0]  # type: ignore[attr-defined]


def frozen(values: list[float] | range, dtype: str = "<f8", offset: int = 0) -> object:
    """A read-only array over a ``bytes``: the memory nobody can change."""
    raw = np.array(values, dtype=dtype).tobytes()
    return np.frombuffer(b"\0" * offset + raw, dtype=dtype, offset=offset)


def test_the_library_announces_lent_slices(lib: ferryman.Library) -> None:
    assert lib.handshake()["lent_slices"] is True
    assert lib.describe()["lent_slices"] is True


def test_a_read_only_array_over_bytes_is_read_in_place(lib: ferryman.Library) -> None:
    values = frozen(range(1000))
    assert not values.flags.writeable  # type: ignore[attr-defined]
    assert lib.f64_slice_address(values) == address(values), "the library saw the host's memory"
    assert lib.sum_f64(values) == sum(range(1000))
    # Views of it are lent too (their base is the array, its base the bytes).
    tail = values[10:]  # type: ignore[index]
    assert lib.f64_slice_address(tail) == address(tail)
    ints = frozen(range(-500, 500), dtype="<i4")
    assert lib.i32_slice_address(ints) == address(ints)
    shorts = frozen(range(-3000, 3000), dtype="<i2")
    assert lib.i16_slice_sum(shorts) == sum(range(-3000, 3000))
    # A read-only memoryview of bytes, seen as an array.
    raw = struct.pack("<300d", *range(300))
    view = np.asarray(memoryview(raw).cast("d"))
    assert lib.f64_slice_address(view) == address(view)


def test_memory_that_could_change_is_copied(lib: ferryman.Library) -> None:
    writable = np.arange(1000, dtype=np.float64)
    assert lib.f64_slice_address(writable) not in (0, address(writable))
    assert lib.sum_f64(writable) == float(writable.sum())
    # Read-only by flag, but numpy lets anyone set the flag back (and a view
    # taken before still writes): copied.
    flagged = np.arange(1000, dtype=np.float64)
    flagged.flags.writeable = False
    assert lib.f64_slice_address(flagged) != address(flagged)
    over_bytearray = np.frombuffer(bytearray(8000), dtype=np.float64)
    assert lib.f64_slice_address(over_bytearray) != address(over_bytearray)


def test_what_is_not_one_block_of_native_items_is_copied(lib: ferryman.Library) -> None:
    values = frozen(range(1000))
    strided = values[::2]  # type: ignore[index]
    assert lib.f64_slice_address(strided) != address(strided)
    assert lib.sum_f64(strided) == float(np.asarray(strided).sum())
    swapped = frozen(range(1000), dtype=">f8")
    assert lib.f64_slice_address(swapped) != address(swapped)
    assert lib.sum_f64(swapped) == sum(range(1000)), "the other byte order is copied, not misread"
    singles = frozen(range(1000), dtype="<f4")
    assert lib.f64_slice_address(singles) != address(singles)
    assert lib.sum_f64(singles) == sum(range(1000)), "another item type travels as numbers"


def test_arrays_below_the_threshold_are_copied(lib: ferryman.Library) -> None:
    count = max(AT // 8, 1)
    if count > 1:
        below = frozen(range(count - 1))
        assert lib.f64_slice_address(below) != address(below)
    at = frozen(range(count))
    assert lib.f64_slice_address(at) == address(at)


def test_misaligned_memory_is_lent_and_copied_by_the_library(lib: ferryman.Library) -> None:
    values = frozen([x * 0.5 for x in range(1000)], offset=1)
    assert address(values) % 8 == 1
    copy = lib.f64_slice_address(values)
    assert copy != address(values) and copy % 8 == 0
    assert lib.sum_f64(values) == sum(x * 0.5 for x in range(1000))


def test_empty_arrays(lib: ferryman.Library) -> None:
    assert lib.f64_slice_address(frozen([])) == 0
    assert lib.f64_slice_address(np.zeros(0)) == 0
    assert lib.sum_f64(frozen([])) == 0.0


def test_a_wrong_dtype_is_refused_naming_it(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.i32_slice_address(frozen(range(1000)))
    assert caught.value.param == "values"
    assert "dtype float64" in str(caught.value), str(caught.value)


def test_lent_slices_while_other_threads_run(lib: ferryman.Library) -> None:
    values = frozen(range(5000))
    want = sum(range(5000))
    results: list[float] = []

    def work() -> None:
        results.extend(lib.sum_f64(values) for _ in range(50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [want] * 200


def test_the_wire_form_by_hand(fixture_file: object) -> None:
    """A lent slice sent as raw argument bytes (host id 0, handle 0)."""
    raw = RawLibrary(fixture_file)
    values = frozen(range(100))
    payload = (
        (0).to_bytes(4, "big")
        + (0).to_bytes(8, "big")
        + address(values).to_bytes(8, "big")
        + (800).to_bytes(8, "big")
        + b"d"
    )
    assert raw.call("f64_slice_address", msgpack.ExtType(3, payload)) == (0, address(values))
