"""The wire format, checked with an independent MessagePack implementation
(the ``msgpack`` package) and a ctypes client written from the spec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import msgpack
import pytest

import ferryman

import spec_text
from conftest import REPO
from wire import RawLibrary

# Every key spec/wire.md's error value table lists (all always present).
ERROR_VALUE_KEYS = {
    row[0]
    for row in spec_text.table_rows(spec_text.section(spec_text.read("wire.md"), "## Error values"))
    if row[0] != "key"
}


@pytest.fixture(scope="module")
def raw(fixture_file: Path) -> RawLibrary:
    return RawLibrary(fixture_file)


def test_abi_version_and_handshake(raw: RawLibrary, lib: ferryman.Library) -> None:
    assert raw.dll.ferryman_abi_version() == 1
    handshake = raw.read_map("ferryman_handshake")
    assert handshake == lib.handshake()
    assert {"abi", "wire", "ferryman", "library", "library_version", "functions"} <= set(handshake)
    assert handshake["abi"] == 1 and handshake["wire"] == 1


def test_describe_matches_what_ferryman_decodes(raw: RawLibrary, lib: ferryman.Library) -> None:
    description = raw.read_map("ferryman_describe")
    assert description == lib.describe()
    for index, entry in enumerate(description["functions"]):
        assert entry["id"] == index
        assert raw.function_id(entry["name"]) == index
        assert lib[entry["name"]].id == index
    assert raw.function_id("no_such_function") == -1


def test_spec_examples(raw: RawLibrary) -> None:
    add = raw.function_id("add")
    status, out, _ = raw.call_raw(add, bytes([0x92, 0x02, 0x03]), 64)
    assert (status, out) == (0, b"\x05")


def test_msgpack_packed_arguments_are_accepted(raw: RawLibrary) -> None:
    assert raw.call("add", 2, 3) == (0, 5)
    assert raw.call("echo_string", "héllo") == (0, "héllo")
    assert raw.call("echo_bytes", b"\x00\x01") == (0, b"\x00\x01")
    assert raw.call("echo_map", {"a": 1}) == (0, {"a": 1})
    assert raw.call("echo_point", {"x": 1.0, "y": 2.0}) == (0, {"x": 1.0, "y": 2.0})
    assert raw.call("echo_f32", 1.5) == (0, 1.5)
    assert raw.call("echo_u64", 2**64 - 1) == (0, 2**64 - 1)
    assert raw.call("echo_tuple", [1, "a", True]) == (0, [1, "a", True])
    assert raw.call("nothing") == (0, None)


def test_float32_on_the_wire_is_accepted(raw: RawLibrary) -> None:
    args = msgpack.packb([1.5], use_single_float=True)
    status, out, _ = raw.call_raw(raw.function_id("echo_f64"), args, 64)
    assert status == 0 and msgpack.unpackb(out) == 1.5


def test_error_value_has_every_key(raw: RawLibrary) -> None:
    status, value = raw.call("divide", 1, 0)
    assert status == 1
    assert set(value) >= ERROR_VALUE_KEYS
    assert value["kind"] == "error"
    assert value["type"] == "MathError"
    assert value["message"] == "division by zero"
    assert value["variant"] == "DivisionByZero"
    assert value["fields"] == {}
    assert value["frames"][0]["function"] == "divide"
    assert value["frames"][0]["language"] == "rust"


def test_panic_value(raw: RawLibrary) -> None:
    status, value = raw.call("panic_now", "raw panic")
    assert status == 2
    assert set(value) >= ERROR_VALUE_KEYS
    assert (value["kind"], value["type"], value["message"]) == ("panic", "Panic", "raw panic")
    assert value["frames"][-1]["file"].endswith("panics.rs")


@pytest.mark.parametrize(
    "args",
    [b"", b"\xc1", b"\x92\x01", b"\x91", b"\x92\x01\x02\x03", b"\xdd\xff\xff\xff\xff", b"\x01", b"\xc0"],
)
def test_malformed_arguments_are_status_3(raw: RawLibrary, args: bytes) -> None:
    status, out, _ = raw.call_raw(raw.function_id("add"), args, 256)
    assert status == 3
    value = msgpack.unpackb(out)
    assert value["kind"] in {"malformed", "arity"}
    assert set(value) >= ERROR_VALUE_KEYS


def test_wrong_arity_and_type_are_status_3(raw: RawLibrary) -> None:
    status, value = raw.call("add", 1)
    assert status == 3 and value["kind"] == "arity"
    status, value = raw.call("add", 1, "x")
    assert status == 3 and value["kind"] == "type" and value["param"] == "b" and value["index"] == 1
    status, value = raw.call("echo_u8", 256)
    assert status == 3 and value["kind"] == "overflow"


def test_unknown_function_id_is_status_4(raw: RawLibrary) -> None:
    status, out, _ = raw.call_raw(1_000_000, b"\x90", 256)
    assert status == 4
    assert msgpack.unpackb(out)["kind"] == "no_function"


def test_results_that_do_not_fit_come_back_in_a_library_box(raw: RawLibrary) -> None:
    data = b"x" * 10_000
    function = raw.function_id("echo_bytes")
    status, out, spilled = raw.call_raw(function, msgpack.packb([data]), 16)
    assert status == 0 and spilled and msgpack.unpackb(out) == data
    status, out, spilled = raw.call_raw(function, msgpack.packb([data]), 20_000)
    assert status == 0 and not spilled and msgpack.unpackb(out) == data
    status, out, spilled = raw.call_raw(function, msgpack.packb([data]), 0)
    assert status == 0 and spilled and msgpack.unpackb(out) == data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("echo_nested", [{"k": [1, None]}, {}]),
        ("echo_vec_i64", [1, -1, 2**40, -(2**63)]),
        ("echo_string", "ü"),
        ("echo_bytes", b"\x00\xff"),
        ("echo_map", {"a": 2**63 - 1}),
        ("echo_shape", {"Square": 2.0}),
        ("echo_option", None),
        ("echo_f64", -0.5),
    ],
)
def test_ferryman_and_msgpack_agree_on_values(lib: ferryman.Library, raw: RawLibrary, name: str, value: object) -> None:
    assert raw.call(name, value) == (0, lib[name](value))


def test_native_codec_agrees_with_msgpack() -> None:
    from ferryman import _native

    values = [
        None,
        True,
        False,
        0,
        -1,
        127,
        128,
        -33,
        2**63 - 1,
        -(2**63),
        2**64 - 1,
        1.5,
        "",
        "ü" * 40,
        b"",
        b"\x00" * 300,
        [],
        [1, [2, [3]]],
        {},
        {"a": {"b": [None]}},
        "x" * 70_000,
    ]
    for value in values:
        packed = _native.pack(value)
        assert msgpack.unpackb(packed, strict_map_key=False) == value
        assert _native.unpack(msgpack.packb(value)) == value
        assert _native.unpack(packed) == value
    assert _native.pack((1, 2)) == msgpack.packb([1, 2])
    assert _native.unpack(msgpack.packb([1.5], use_single_float=True)) == [1.5]
    assert _native.unpack(msgpack.packb({(1, 2): 3}, use_bin_type=True)) == {(1, 2): 3}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xc1",
        b"\x92\x01",
        b"\x01\x02",
        b"\xd4\x01\x02",
        b"\xa2\xff\xfe",
        b"\x81\x80\x01",
        b"\xdd\xff\xff\xff\xff",
    ],
)
def test_native_decoder_rejects_malformed_bytes(data: bytes) -> None:
    from ferryman import _native

    with pytest.raises(ferryman.ProtocolError):
        _native.unpack(data)


def test_null_pointers_are_status_minus_1(raw: RawLibrary) -> None:
    import ctypes

    out, _host = raw.out_box(0)
    assert raw.dll.ferryman_call(0, None, ctypes.byref(out)) == -1
    args, _keep = raw.borrowed(b"\x90")
    assert raw.dll.ferryman_call(0, ctypes.byref(args), None) == -1
    assert raw.dll.ferryman_handshake(None) == -1
    raw.dll.ferryman_box_free(None)  # does nothing


def test_malformed_input_leaves_the_process_alive(fixture_file: Path) -> None:
    script = (
        "import sys; sys.path.insert(0, 'tests/python')\n"
        "from wire import RawLibrary\n"
        f"raw = RawLibrary({str(fixture_file)!r})\n"
        "import os\n"
        "for fid in range(raw.function_id('word_counts') + 1):\n"
        "    for junk in (b'\\xc1', b'\\xdf\\xff\\xff\\xff\\xff', b'\\x91\\xdb\\xff\\xff\\xff\\xff', os.urandom(64)):\n"
        "        raw.call_raw(fid, junk, 128)\n"
        "print('alive')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alive"
