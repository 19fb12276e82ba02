"""Lent bytes (spec/wire.md, extension 3): large ``bytes`` arguments lent to
the library instead of copied, ``ferryman.Bytes`` parameters keeping them past
the call, lent bytes coming back in results and copied once."""

from __future__ import annotations

import ctypes
import gc
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ferryman
from ferryman import _native

from conftest import REPO
from wire import RawLibrary

FOR_CALL = _native.LEND_FOR_CALL_AT
OBJECT = _native.LEND_OBJECT_AT


def address(data: bytes) -> int:
    """The address of a ``bytes`` object's buffer."""
    return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0


def sizes_around(threshold: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(threshold - 2, threshold + 2), st.integers(0, 3 * threshold))


def lent(host_id: int, handle: int, ptr: int, length: int, payload: int = 28) -> msgpack.ExtType:
    data = host_id.to_bytes(4, "big") + handle.to_bytes(8, "big") + ptr.to_bytes(8, "big") + length.to_bytes(8, "big")
    return msgpack.ExtType(3, (data + bytes(payload))[:payload])


def test_the_library_announces_lent_bytes(lib: ferryman.Library) -> None:
    assert lib.handshake()["lent_bytes"] is True
    assert lib.describe()["lent_bytes"] is True


def test_bytes_parameters_say_bytes(lib: ferryman.Library) -> None:
    assert str(lib.bytes_echo.__signature__) == "(data: bytes) -> bytes"
    assert str(lib.keep_bytes_ref.__signature__) == "(data: bytes) -> int"
    assert lib.bytes_echo.rust_types == ("Bytes",)


@settings(max_examples=60, deadline=None)
@given(size=st.one_of(sizes_around(FOR_CALL), sizes_around(OBJECT)), data=st.data())
def test_round_trips_around_the_thresholds(lib: ferryman.Library, size: int, data: st.DataObject) -> None:
    seed = data.draw(st.integers(0, 255))
    value = (bytes(range(seed, 256)) + bytes(range(256)) * (size // 256 + 1))[:size]
    echoed = lib.bytes_echo(value)
    assert echoed == value and type(echoed) is bytes
    assert echoed is not value or size <= 1  # CPython shares b"" and 1-byte objects
    assert lib.echo_bytes(value) == value
    assert lib.reverse_bytes(value) == value[::-1]
    assert lib.byte_sum(value) == lib.vec_sum(value) == sum(value)
    assert lib.serde_bytes_len(value) == size
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size))
    assert lib.bytes_slice(value, start, end) == value[start:end]
    assert lib.bytes_chunks(value, 1000) == [value[i : i + 1000] for i in range(0, size, 1000)]


def test_large_bytes_are_lent_not_copied(lib: ferryman.Library) -> None:
    small, large = bytes(FOR_CALL - 1), bytes(range(256)) * (FOR_CALL // 256 + 1)
    assert lib.slice_address(large) == address(large), "&[u8] reads the caller's buffer"
    assert lib.slice_address(small) != address(small), "below the threshold it is copied"
    assert lib.bytes_is_lent(bytes(OBJECT)) is True
    assert lib.bytes_is_lent(bytes(OBJECT - 1)) is False


def test_only_exact_top_level_bytes_are_lent(lib: ferryman.Library) -> None:
    class Sub(bytes):
        pass

    size = 2 * OBJECT
    for value in (bytearray(size), memoryview(bytes(size)), Sub(size)):
        assert lib.bytes_is_lent(value) is False, type(value)
        assert lib.bytes_echo(value) == bytes(size)
    assert lib.count_lent([bytes(size), bytes(size)]) == 0, "nested bytes travel as bin"
    assert lib.bytes_is_lent(data=bytes(size)) is True, "keyword arguments are lent too"


def test_stored_bytes_keep_the_python_object_alive(lib: ferryman.Library) -> None:
    baseline = _native.live_host_objects()
    data = bytes(range(256)) * (OBJECT // 256 + 4)
    expected = 2 * sum(data)
    references = sys.getrefcount(data)
    assert lib.keep_bytes(data) == 1
    assert lib.keep_bytes_ref(data) == 2
    assert _native.live_host_objects() == baseline + 2
    assert sys.getrefcount(data) == references + 2, "the table holds the bytes while Rust keeps them"
    kept = lib.kept_bytes_from_thread()
    assert kept == [data, data] and all(k is not data for k in kept)
    del data, kept
    gc.collect()
    # Only the table refers to the object now: Rust still reads its buffer.
    assert lib.kept_bytes_sum() == expected
    assert lib.drop_kept_bytes() == 2
    assert _native.live_host_objects() == baseline


def test_bytes_released_on_a_rust_thread_never_wait_for_the_gil(lib: ferryman.Library) -> None:
    # drop_kept_bytes() releases the last reference on another Rust thread and
    # joins it while this thread is inside the call; with the GIL kept for the
    # call (no callables live), waiting for it there would deadlock.
    data = bytes(2 * OBJECT)
    references = sys.getrefcount(data)
    for _ in range(50):
        assert lib.keep_bytes(data) == 1
        assert lib.drop_kept_bytes() == 1
    _native.live_host_objects()  # attaches: deferred decrements run
    assert sys.getrefcount(data) == references


def test_no_references_leak_over_many_calls(lib: ferryman.Library) -> None:
    baseline = _native.live_host_objects()
    data = bytes(range(256)) * (2 * OBJECT // 256)
    references = sys.getrefcount(data)
    for _ in range(2_000):
        assert len(lib.bytes_echo(data)) == len(data)
        assert lib.slice_address(data) == address(data)
        assert lib.bytes_is_lent(data)
    for _ in range(200):
        lib.keep_bytes(data)
        lib.drop_kept_bytes()  # on a Rust thread: the last release waits for no GIL
    # That release's decrement is deferred to the next time a thread attaches,
    # which any call into the native core does.
    assert _native.live_host_objects() == baseline
    assert sys.getrefcount(data) == references
    assert _native.pending_count() == 0


@pytest.fixture(scope="module")
def raw(fixture_file: Path) -> RawLibrary:
    return RawLibrary(fixture_file)


def call_with(raw: RawLibrary, name: str, *args: object) -> tuple[int, object]:
    status, out, _ = raw.call_raw(raw.function_id(name), msgpack.packb(list(args)), 4096)
    return status, msgpack.unpackb(out)


@pytest.mark.parametrize("payload", [0, 12, 27, 29, 40])
def test_wrong_payload_lengths_are_clean_argument_errors(raw: RawLibrary, payload: int) -> None:
    buffer = ctypes.create_string_buffer(b"x" * 64)
    for name in ("bytes_is_lent", "slice_address", "vec_sum"):
        status, value = call_with(raw, name, lent(0, 0, ctypes.addressof(buffer), 64, payload))
        assert status == 3, value
        assert (value["kind"], value["type"], value["param"], value["index"]) == ("type", "ArgumentError", "data", 0)
        if payload == 29:
            # 29 bytes are a lent slice (spec/wire.md, "Lent slices"): its last
            # byte, 0 here, names no item type.
            assert "unknown item type 0x00" in value["message"], value["message"]
        else:
            assert "28-byte payload" in value["message"] and f"has {payload} bytes" in value["message"]


def test_a_lent_slice_is_not_bytes(raw: RawLibrary) -> None:
    buffer = ctypes.create_string_buffer(b"x" * 64)
    ext = lent(0, 0, ctypes.addressof(buffer), 64)
    ext = msgpack.ExtType(3, ext.data + b"d")
    for name in ("bytes_is_lent", "slice_address", "vec_sum"):
        status, value = call_with(raw, name, ext)
        assert (status, value["kind"], value["param"]) == (3, "type", "data"), value
        assert "a lent slice of f64 items where bytes are expected" in value["message"], value["message"]


def test_a_second_host_lends_for_one_call_through_the_raw_entry_point(raw: RawLibrary) -> None:
    buffer = ctypes.create_string_buffer(bytes(range(200)), 200)
    ext = lent(7, 0, ctypes.addressof(buffer), 200)
    assert call_with(raw, "slice_address", ext) == (0, ctypes.addressof(buffer))
    assert call_with(raw, "vec_sum", ext) == (0, sum(range(200)))
    assert call_with(raw, "bytes_echo", ext) == (0, bytes(range(200)))
    status, value = call_with(raw, "slice_address", lent(7, 0, 0, 5))
    assert status == 3 and "NULL" in value["message"]
    status, value = call_with(raw, "bytes_is_lent", lent(0xFFFFFFF0, 3, ctypes.addressof(buffer), 200))
    assert status == 3 and "not registered" in value["message"] and value["param"] == "data"


def run_alone(script: str, fixture_file: Path) -> str:
    """Runs ``script`` in a fresh interpreter that loads the fixture once (so
    this package is the only host registered with it)."""
    prelude = f"import ferryman\nfrom ferryman import _native\nlib = ferryman.load({str(fixture_file)!r})\n"
    completed = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_lent_results_are_copied_once_into_new_bytes(fixture_file: Path) -> None:
    out = run_alone(
        f"""
        data = bytes(range(256)) * ({OBJECT} // 256 + 1)
        copied = _native.lent_results_copied()
        echoed = lib.bytes_echo(data)
        assert echoed == data and echoed is not data and type(echoed) is bytes
        assert _native.lent_results_copied() == copied + 1, "echo came back as extension 3"
        assert lib.bytes_slice(data, 5, 9) == data[5:9]
        chunks = lib.bytes_chunks(data, 1000)
        assert b"".join(chunks) == data
        assert _native.lent_results_copied() == copied + 2 + len(chunks)
        assert lib.bytes_echo(data[:100]) == data[:100]
        assert _native.lent_results_copied() == copied + 2 + len(chunks), "small bytes are bin"
        assert _native.live_host_objects() == 0
        print("ok")
        """,
        fixture_file,
    )
    assert out.strip() == "ok"


# ---- a fake library answering with bad lent bytes --------------------------

FAKE_MODES = ["good", "past_end", "before_start", "other_host", "dead_handle", "handle_zero", "short"]


def fake_source() -> str:
    functions = [
        {
            "id": i,
            "name": name,
            "doc": "",
            "params": [{"name": "data", "type": "bytes", "rust": "ferryman::Bytes"}],
            "returns": {"type": "bytes", "rust": "ferryman::Bytes"},
            "error": None,
            "file": "fake.rs",
            "line": 1,
        }
        for i, name in enumerate(FAKE_MODES)
    ]
    handshake = {"abi": 1, "wire": 1, "ferryman": "0.0.0", "library": "fake", "library_version": "1.0.0"}
    describe = msgpack.packb({**handshake, "functions": functions, "lent_bytes": True})
    handshake_bytes = msgpack.packb({**handshake, "functions": len(FAKE_MODES), "lent_bytes": True})

    def c_array(data: bytes) -> str:
        return "{" + ", ".join(str(b) for b in data) + "}"

    return f"""
#include <stdlib.h>
#include <string.h>
#include "ferryman.h"

static const uint8_t handshake[] = {c_array(handshake_bytes)};
static const uint8_t describe[] = {c_array(describe)};
static FerryHost host;
static int hosts = 0;

static int32_t put(FerryBox *out, const uint8_t *data, size_t len) {{
    uint8_t *box = malloc(len);
    memcpy(box, data, len);
    out->ptr = box; out->len = len; out->cap = len;
    return 0;
}}
static uint64_t get(const uint8_t *p) {{ uint64_t v = 0; for (int k = 0; k < 8; k++) v = v << 8 | p[k]; return v; }}
static void set(uint8_t *p, uint64_t v) {{ for (int k = 7; k >= 0; k--) {{ p[k] = (uint8_t)v; v >>= 8; }} }}

uint32_t ferryman_abi_version(void) {{ return 1; }}
int32_t ferryman_handshake(FerryBox *out) {{ return put(out, handshake, sizeof handshake); }}
int32_t ferryman_describe(FerryBox *out) {{ return put(out, describe, sizeof describe); }}
int64_t ferryman_function_id(const FerryBox *name) {{ (void)name; return -1; }}
void ferryman_box_free(FerryBox *box) {{ free(box->ptr); box->ptr = NULL; box->len = box->cap = 0; }}
int32_t ferryman_register_host(const FerryHost *h) {{ host = *h; return hosts++; }}
int32_t ferryman_closure_call(uint64_t c, const FerryBox *a, FerryBox *o) {{ (void)c; (void)a; (void)o; return -1; }}
int32_t ferryman_closure_release(uint64_t c) {{ (void)c; return 4; }}
int32_t ferryman_live_closures(FerryBox *out) {{ uint8_t empty = 0x90; return put(out, &empty, 1); }}

/* Answers [ext 3] with that extension, altered as function `id` says. */
int32_t ferryman_call(uint32_t id, const FerryBox *args, FerryBox *out) {{
    const uint8_t *a = args->ptr;
    if (args->len != 32 || a[0] != 0x91 || a[1] != 0xc7 || a[2] != 28 || a[3] != 3) return -1;
    uint8_t ext[31];
    memcpy(ext, a + 1, 31);
    uint64_t handle = get(ext + 7), ptr = get(ext + 15), len = get(ext + 23);
    int retain = 1;
    switch (id) {{
    case 0: break;                                          /* good */
    case 1: set(ext + 23, len + 1); break;                  /* past_end */
    case 2: set(ext + 15, ptr - 1); break;                  /* before_start */
    case 3: ext[6] ^= 1; retain = 0; break;                 /* other_host */
    case 4: set(ext + 7, handle + 1000000); retain = 0; break; /* dead_handle */
    case 5: set(ext + 7, 0); retain = 0; break;             /* handle_zero */
    case 6: ext[1] = 27; retain = 0; return put(out, ext, 30); /* short */
    }}
    if (retain) host.retain(host.context, handle);
    return put(out, ext, sizeof ext);
}}
"""


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> ferryman.Library:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler")
    directory = tmp_path_factory.mktemp("fake_lender")
    source = directory / "fake.c"
    source.write_text(fake_source())
    library = directory / "libfake_lender.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-O1", "-I", str(REPO / "bindings" / "c"), "-o", str(library), str(source)],
        check=True,
    )
    return ferryman.load(library)


def test_lent_results_from_a_library_are_checked_against_the_bytes_object(fake: ferryman.Library) -> None:
    baseline = _native.live_host_objects()
    data = bytes(range(256)) * (OBJECT // 256 + 1)
    assert fake.good(data) == data
    for name, problem in [
        ("past_end", "outside host object"),
        ("before_start", "outside host object"),
        ("other_host", "not this host"),
        ("dead_handle", "not live"),
        ("handle_zero", "handle 0"),
        ("short", "28-byte payload"),
    ]:
        with pytest.raises(ferryman.ProtocolError, match=problem):
            fake[name](data)
    assert _native.live_host_objects() == baseline, "every reference handed over was dropped"
