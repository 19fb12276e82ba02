"""The examples of spec/ against the fixture library: every byte dump and
value the spec shows decodes to what the library really sends, and every call
it shows gives the status it says. A test here fails when the fixture (or the
library) and the spec drift apart: fix whichever is wrong.

Counts of functions are written generically in the spec (``N``, ``NN``)."""

from __future__ import annotations

import ast
import ctypes
import re
import shutil
import subprocess
from pathlib import Path

import msgpack
import pytest

import spec_text
from wire import RawLibrary


@pytest.fixture(scope="module")
def raw(fixture_file: Path) -> RawLibrary:
    return RawLibrary(fixture_file)


def entry_bytes(raw: RawLibrary, entry: str) -> bytes:
    out, host = raw.out_box(0)
    assert getattr(raw.dll, entry)(ctypes.byref(out)) == 0
    return raw._read(out, host)


@pytest.fixture(scope="module")
def count(raw: RawLibrary) -> int:
    return msgpack.unpackb(entry_bytes(raw, "ferryman_handshake"))["functions"]


def call(raw: RawLibrary, name: str, args: bytes, capacity: int = 4096) -> tuple[int, bytes, bool]:
    function = raw.function_id(name)
    assert function >= 0, f"the spec calls {name}(), which the fixture does not export"
    return raw.call_raw(function, args, capacity)


# ---- wire.md ------------------------------------------------------------------


def test_wire_argument_examples(raw: RawLibrary) -> None:
    text = spec_text.section(spec_text.read("wire.md"), "## Arguments")
    examples = re.findall(r"`(\w+)\((.*?)\)`: `([0-9a-f ]+)`", text)
    assert len(examples) >= 2, "wire.md: no `f(args)`: `hex` examples under Arguments"
    for name, args, dump in examples:
        encoded = bytes.fromhex(dump)
        assert msgpack.unpackb(encoded) == list(ast.literal_eval(f"[{args}]")), dump
        status, out, _ = call(raw, name, encoded)
        assert status == 0, (name, msgpack.unpackb(out))


def test_wire_result_example(raw: RawLibrary) -> None:
    text = spec_text.section(spec_text.read("wire.md"), "## Results")
    match = re.search(r"`(\w+)\((.*?)\)` returns `([0-9a-f ]+)`", text)
    assert match, "wire.md: no `f(args)` returns `hex` example under Results"
    name, args, result = match.groups()
    status, out, _ = call(raw, name, msgpack.packb(list(ast.literal_eval(f"[{args}]"))))
    assert (status, out) == (0, bytes.fromhex(result))


def test_wire_byte_strings_paragraph(raw: RawLibrary) -> None:
    # "Vec<u8>, ByteBuf and ferryman::Bytes accept an array of ints ...;
    # &[u8] and &serde_bytes::Bytes ... take only bin".
    text = spec_text.section(spec_text.read("wire.md"), "## Arguments")
    assert "accept an array of ints" in text and "take only bin" in text
    for name in ("echo_bytes", "bytes_echo", "keep_bytes_ref"):
        assert call(raw, name, msgpack.packb([[1, 2, 3]]))[0] == 0, name
    for name in ("byte_sum", "serde_bytes_len"):
        status, out, _ = call(raw, name, msgpack.packb([[1, 2, 3]]))
        assert (status, msgpack.unpackb(out)["kind"]) == (3, "type"), name


def test_wire_error_value_example(raw: RawLibrary, count: int) -> None:
    text = spec_text.section(spec_text.read("wire.md"), "## Error values")
    (example,) = spec_text.blocks(text)
    status, out, _ = call(raw, "divide", msgpack.packb([1, 0]))
    assert status == 1
    assert msgpack.unpackb(out) == spec_text.json_like(example, count)


def test_wire_error_value_table_is_what_the_library_sends(raw: RawLibrary) -> None:
    rows = spec_text.table_rows(spec_text.section(spec_text.read("wire.md"), "## Error values"))
    keys = [row[0] for row in rows if row[0] != "key"]
    for name, args in (("divide", [1, 0]), ("panic_now", ["p"]), ("add", ["x", 1])):
        status, out, _ = call(raw, name, msgpack.packb(args))
        assert status != 0
        assert list(msgpack.unpackb(out)) == keys, name


def test_wire_handshake_example(raw: RawLibrary, count: int) -> None:
    text = spec_text.section(spec_text.read("wire.md"), "## Handshake")
    (example,) = spec_text.blocks(text)
    assert msgpack.unpackb(entry_bytes(raw, "ferryman_handshake")) == spec_text.json_like(example, count)


def test_wire_describe_example(raw: RawLibrary, count: int) -> None:
    text = spec_text.section(spec_text.read("wire.md"), "## Describe")
    example = spec_text.json_like("{" + spec_text.blocks(text)[0] + "}", count)
    described = msgpack.unpackb(entry_bytes(raw, "ferryman_describe"))
    # The example's function, by name, id aside (class members such as
    # `Counter.add` sort before it).
    shown = {k: v for k, v in example["functions"][0].items() if k != "id"}
    found = next(f for f in described["functions"] if f["name"] == shown["name"])
    assert {k: v for k, v in found.items() if k != "id"} == shown
    error = re.search(r"`error`\s+is `(\{.*?\})`", text, flags=re.S)
    assert error, "wire.md: no `error` is `{...}` under Describe"
    divide = next(f for f in described["functions"] if f["name"] == "divide")
    assert divide["error"] == spec_text.json_like(error.group(1), count)
    # Every named type of the example is the fixture's, entry for entry.
    types = {t["name"]: t for t in described["types"]}
    for named in example["types"]:
        assert types[named["name"]] == named


def test_wire_described_error_example(raw: RawLibrary, count: int) -> None:
    """wire.md, "Describe": an error type's shape (`error.type` and its entry)."""
    text = spec_text.section(spec_text.read("wire.md"), "## Describe").split("### Named types")[0]
    block = next(b for b in spec_text.blocks(text) if '"RatioError"' in b)
    error_text, entry_text = block.split("\n\n")
    shown_error = spec_text.json_like("{" + error_text + "}", count)["error"]
    shown_entry = spec_text.json_like(entry_text, count)
    described = msgpack.unpackb(entry_bytes(raw, "ferryman_describe"))
    ratio = next(f for f in described["functions"] if f["name"] == "ratio")
    assert ratio["error"] == shown_error
    assert {t["name"]: t for t in described["types"]}["RatioError"] == shown_entry
    # What the prose after it says of the error values' `fields`.
    status, out, _ = call(raw, "parse_ratio", msgpack.packb(["x/2"]))
    value = msgpack.unpackb(out)
    assert (status, value["variant"], value["fields"]) == (1, "bad_text", {"0": "x/2", "1": 0})
    status, out, _ = call(raw, "ratio", msgpack.packb([1.0, 2.0, {"low": 0.0, "high": 0.1}]))
    value = msgpack.unpackb(out)
    assert (status, value["variant"], value["fields"]) == (1, "out_of_bounds", {"low": 0.0, "high": 0.1})


# ---- host-guide.md ------------------------------------------------------------


def guide_block(containing: str) -> tuple[str, str]:
    """The host guide's dump containing ``containing``, and the text before it."""
    guide = spec_text.read("host-guide.md")
    for block in spec_text.blocks(guide):
        if containing in block:
            return block, guide[: guide.index(block)]
    raise AssertionError(f"host-guide.md: no dump containing {containing!r}")


def stated_size(before: str) -> int:
    sizes = re.findall(r"(\d+) bytes", before.rsplit("\n\n", 2)[-2] + before.rsplit("\n\n", 1)[-1])
    assert sizes, "host-guide.md: the dump's size is not stated just before it"
    return int(sizes[-1])


def test_guide_handshake_dump(raw: RawLibrary, count: int) -> None:
    block, before = guide_block('"library_version"\n')
    dumped = spec_text.hex_dump(block, count)
    assert dumped == entry_bytes(raw, "ferryman_handshake")
    assert 256 <= count < 65536 and len(dumped) == stated_size(before)


def test_guide_describe_excerpt(raw: RawLibrary, count: int) -> None:
    block, _ = guide_block("functions[0]")
    described = entry_bytes(raw, "ferryman_describe")
    at = 0
    for segment in spec_text.hex_segments(block, count):
        found = described.find(segment, at)
        assert found >= 0, f"host-guide.md: describe excerpt bytes not in the fixture's describe: {segment.hex(' ')}"
        at = found + len(segment)
    segments = spec_text.hex_segments(block, count)
    assert described.startswith(segments[0])
    # The dump ends at the key "types": what follows is the array of named types.
    assert segments[-1].endswith(b"\xa5types")
    assert described[at] in range(0x90, 0xA0) or described[at] == 0xDC


def test_guide_error_value_dump(raw: RawLibrary, count: int) -> None:
    block, before = guide_block('"DivisionByZero"')
    dumped = spec_text.hex_dump(block, count)
    status, out, _ = call(raw, "divide", bytes.fromhex("92 01 00"))
    assert (status, dumped) == (1, out)
    assert len(dumped) == stated_size(before)


def test_guide_argument_table(raw: RawLibrary) -> None:
    text = spec_text.section(spec_text.read("host-guide.md"), "## 6. Encode the arguments")
    rows = [row for row in spec_text.table_rows(text) if row[0] != "call"]
    assert rows
    for example, dump in rows:
        name, args = re.fullmatch(r"(\w+)\((.*)\)", example).groups()  # type: ignore[union-attr]
        encoded = bytes.fromhex(dump)
        assert msgpack.unpackb(encoded) == list(ast.literal_eval(f"[{args}]")), example
        expected = 1 if name == "divide" else 0
        assert call(raw, name, encoded)[0] == expected, example


def test_guide_call_walkthrough(raw: RawLibrary) -> None:
    text = spec_text.section(spec_text.read("host-guide.md"), "## 7. Call, and the `out` rule")
    assert "args `92 02 03` → status `0`" in text and "`buf[0] == 05`" in text
    status, out, spilled = call(raw, "add", bytes.fromhex("92 02 03"), 4096)
    assert (status, out, spilled) == (0, b"\x05", False)
    assert "`echo_bytes` of 1000 bytes with a 16-byte buffer" in text and "`c5 03 e8`" in text
    status, out, spilled = call(raw, "echo_bytes", msgpack.packb([b"x" * 1000]), 16)
    assert (status, spilled, out[:3]) == (0, True, bytes.fromhex("c5 03 e8"))


def test_guide_bad_argument_examples(raw: RawLibrary) -> None:
    text = spec_text.section(spec_text.read("host-guide.md"), "## 9. Decode errors")
    cases = [
        ("92 a1 78 03", "type", "a", 0),
        ("91 02", "arity", None, None),
        ("92 cf ff ff ff ff ff ff ff ff 01", "overflow", "a", 0),
        ("c1", "malformed", None, None),
    ]
    for dump, kind, param, index in cases:
        assert f"`{kind}`" in text
        status, out, _ = call(raw, "add", bytes.fromhex(dump))
        value = msgpack.unpackb(out)
        assert (status, value["kind"], value["param"], value["index"]) == (3, kind, param, index), dump
    for dump in ("92 a1 78 03", "91 02", "cf ff ff ff ff ff ff ff ff", "c1"):
        assert dump in text


# ---- the exported symbols -------------------------------------------------------


def test_the_fixture_exports_exactly_the_headers_symbols(fixture_file: Path) -> None:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("no nm")
    listing = subprocess.run(
        [nm, "-D", "--defined-only", str(fixture_file)], capture_output=True, text=True, check=True
    )
    exported = sorted(
        name for line in listing.stdout.splitlines() for name in line.split()[-1:] if name.startswith("ferryman_")
    )
    assert exported == sorted(spec_text.header_functions())


def test_the_readers_read_what_they_should() -> None:
    assert spec_text.hex_segments("87  map\n   NN NN  n\n   ...  more\n   c3  true\n", 0x0102) == [
        b"\x87\x01\x02",
        b"\xc3",
    ]
    assert spec_text.hex_dump("   a3 61 62 69  01   \"abi\": 1\n   NN   count\n", 5) == bytes.fromhex("a3616269 01 05")
    assert spec_text.json_like('{"a": nil, "functions": N}', 3) == {"a": None, "functions": 3}
    assert "ferryman_call" in spec_text.header_functions()


# ---- point 4 of issue 9: the contract's finer points ---------------------------


def test_bad_arguments_have_one_frame_the_functions_own(raw: RawLibrary) -> None:
    """wire.md, "Arguments": every bad-argument error has one frame."""
    described = msgpack.unpackb(entry_bytes(raw, "ferryman_describe"))
    add = next(f for f in described["functions"] if f["name"] == "add")
    for dump in ("92 a1 78 03", "91 02", "c1"):
        status, out, _ = call(raw, "add", bytes.fromhex(dump))
        frames = msgpack.unpackb(out)["frames"]
        assert status == 3
        assert frames == [
            {"function": "add", "file": add["file"], "line": add["line"], "column": 1, "language": "rust"}
        ], dump


def test_float_results_are_floats_of_their_width(raw: RawLibrary) -> None:
    """wire.md, "Results": f32 as float 32, f64 as float 64, never an int."""
    assert call(raw, "echo_f64", msgpack.packb([3]))[:2] == (0, bytes.fromhex("cb 40 08 00 00 00 00 00 00"))
    assert call(raw, "echo_f32", msgpack.packb([3]))[:2] == (0, bytes.fromhex("ca 40 40 00 00"))


def closure_entries(raw: RawLibrary) -> list[dict]:
    raw.dll.ferryman_live_closures.restype = ctypes.c_int32
    return list(msgpack.unpackb(entry_bytes(raw, "ferryman_live_closures")))


def test_a_host_with_no_callables_releases_the_closures_it_receives(raw: RawLibrary) -> None:
    """callbacks.md: a host that never registered still receives closures
    (any function returning a callback) and releases each one."""
    raw.dll.ferryman_closure_release.restype = ctypes.c_int32
    raw.dll.ferryman_closure_release.argtypes = [ctypes.c_uint64]
    before = {entry["handle"] for entry in closure_entries(raw)}
    status, out, _ = call(raw, "adder", msgpack.packb([10]))
    closure = msgpack.unpackb(out)
    assert status == 0 and isinstance(closure, msgpack.ExtType) and closure.code == 2
    handle = int.from_bytes(closure.data, "big")
    assert {entry["handle"] for entry in closure_entries(raw)} == before | {handle}
    assert raw.dll.ferryman_closure_release(handle) == 0
    assert {entry["handle"] for entry in closure_entries(raw)} == before
    assert raw.dll.ferryman_closure_release(handle) == 4


def test_status_1_carries_the_kind_of_a_propagated_callback_error(raw: RawLibrary) -> None:
    """abi.md, "Status and kind": a closure's panic propagated by `apply` is
    status 1 with kind `panic`."""
    raw.dll.ferryman_closure_release.restype = ctypes.c_int32
    raw.dll.ferryman_closure_release.argtypes = [ctypes.c_uint64]
    status, out, _ = call(raw, "exploding_closure", msgpack.packb([]))
    closure = msgpack.unpackb(out)
    status, out, _ = call(raw, "apply", msgpack.packb([closure, 3]))
    assert (status, msgpack.unpackb(out)["kind"]) == (1, "panic")
    assert raw.dll.ferryman_closure_release(int.from_bytes(closure.data, "big")) == 0


def test_handle_0_is_no_host_object(raw: RawLibrary) -> None:
    """callbacks.md, "Host objects": extension 1 with handle 0 is refused."""
    payload = (0).to_bytes(4, "big") + (0).to_bytes(8, "big")
    status, out, _ = call(raw, "apply", msgpack.packb([msgpack.ExtType(1, payload), 1]))
    value = msgpack.unpackb(out)
    assert (status, value["kind"], value["param"]) == (3, "type", "f")
    assert "handle 0 is not a host object" in value["message"]


def test_describe_keys_have_the_types_wire_md_gives(raw: RawLibrary) -> None:
    """wire.md, "Describe": the table of a function description's keys."""
    text = spec_text.section(spec_text.read("wire.md"), "## Describe").split("### Named types")[0]
    rows = {row[0].strip("`"): row[1] for row in spec_text.table_rows(text) if row[0] != "key"}
    python_types = {
        "int": int,
        "str": str,
        "array": list,
        "map": dict,
        "map or nil": (dict, type(None)),
        "str or nil": (str, type(None)),
        "bool": bool,
    }
    described = msgpack.unpackb(entry_bytes(raw, "ferryman_describe"))
    assert isinstance(described["functions"], list)
    assert msgpack.unpackb(entry_bytes(raw, "ferryman_handshake"))["functions"] == len(described["functions"])
    for function in described["functions"]:
        assert set(function) == set(rows), function["name"]
        for key, written in rows.items():
            assert isinstance(function[key], python_types[written]), (function["name"], key)


def test_wire_map_keys_examples(raw: RawLibrary) -> None:
    """wire.md, "Map keys": non-string keys of user maps, both ways."""
    text = spec_text.section(spec_text.read("wire.md"), "## Map keys")
    flat = " ".join(text.split())
    arguments = re.search(r"`echo_tuple_keys\(.*?\)`: arguments `([0-9a-f ]+)`, and the result is `([0-9a-f ]+)`", flat)
    assert arguments, "wire.md: the echo_tuple_keys example"
    status, out, _ = call(raw, "echo_tuple_keys", bytes.fromhex(arguments.group(1)))
    assert (status, out) == (0, bytes.fromhex(arguments.group(2)))
    ints = re.search(r"`echo_int_keys\(\{7: \"x\"\}\)` returns `([0-9a-f ]+)`", flat)
    assert ints, "wire.md: the echo_int_keys example"
    assert call(raw, "echo_int_keys", msgpack.packb([{7: "x"}]))[:2] == (0, bytes.fromhex(ints.group(1)))


def test_wire_path_and_time_examples(raw: RawLibrary) -> None:
    """"Paths" and "Times": each `f(…)`: arguments `hex`, result `hex` is what
    the fixture takes and returns, byte for byte."""
    wire = spec_text.read("wire.md")
    for heading in ("## Paths", "## Times"):
        text = " ".join(spec_text.section(wire, heading).split())
        examples = re.findall(r"`(\w+)\(.*?\)`: arguments `([0-9a-f ]+)`, result `([0-9a-f ]+)`", text)
        assert examples, f"wire.md: no `f(…)`: arguments `hex`, result `hex` under {heading}"
        for name, args, result in examples:
            status, out, _ = call(raw, name, bytes.fromhex(args))
            assert (status, out) == (0, bytes.fromhex(result)), (name, msgpack.unpackb(out))
