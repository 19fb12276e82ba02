"""The host against a library that breaks the rules: a fake ferryman library in
C whose answers are scripted, so every reply shape the spec allows (and some it
does not) reaches the native core."""

from __future__ import annotations

import copy
import ctypes
import shutil
import subprocess
import traceback
from pathlib import Path

import msgpack
import pytest

import ferryman

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")


def error_value(**overrides: object) -> dict:
    value = {
        "kind": "error",
        "type": "FakeError",
        "rust_type": "fake::FakeError",
        "message": "fake failure",
        "function": None,
        "param": None,
        "index": None,
        "expected": None,
        "found": None,
        "variant": None,
        "fields": None,
        "causes": [],
        "notes": [],
        "frames": [],
    }
    value.update(overrides)
    return value


# name -> (status, reply bytes, return type descriptor, library allocates even when the host buffer fits)
SCRIPT: dict[str, tuple[int, bytes, object, bool]] = {
    "bad_marker": (0, b"\xc1", "i64", False),
    "trailing": (0, b"\x01\x02", "i64", False),
    "truncated": (0, b"\xa5ab", "str", False),
    "ext": (0, b"\xd4\x01\x02", "i64", False),
    "bad_utf8": (0, b"\xa2\xff\xfe", "str", False),
    "huge_length": (0, b"\xdd\xff\xff\xff\xff", {"list": "i64"}, False),
    "big": (0, msgpack.packb(b"q" * 100_000), "bytes", True),
    "small_but_boxed": (0, msgpack.packb("boxed"), "str", True),
    "tuples": (0, msgpack.packb([[1, 2], [3, 4]]), {"list": {"tuple": ["i64", "i64"]}}, False),
    "option_tuple": (0, msgpack.packb(None), {"option": {"tuple": ["i64", "str"]}}, False),
    "option_tuple_some": (0, msgpack.packb([1, "a"]), {"option": {"tuple": ["i64", "str"]}}, False),
    "map_of_tuples": (
        0,
        msgpack.packb({"k": [1, [2, 3]]}),
        {"map": ["str", {"tuple": ["i64", {"tuple": ["i64", "i64"]}]}]},
        False,
    ),
    "array_keys": (0, b"\x81\x92\x01\x02\xa1a", {"map": [{"tuple": ["i64", "i64"]}, "str"]}, False),
    "map_key_map": (0, b"\x81\x80\x01", "unknown", False),
    "f32": (0, msgpack.packb(1.5, use_single_float=True), "f32", False),
    # Results are read as leniently as arguments (wire.md, "Results").
    "f64_as_f32": (0, msgpack.packb(2.5, use_single_float=True), "f64", False),
    "f32_as_f64": (0, msgpack.packb(0.25), "f32", False),
    "f64_as_int": (0, msgpack.packb(3), "f64", False),
    "f32_as_negative_int": (0, msgpack.packb(-2), "f32", False),
    "f64_as_uint64": (0, b"\xcf" + (2**64 - 1).to_bytes(8, "big"), "f64", False),
    "f64_as_int_boxed": (0, msgpack.packb(7), "f64", True),
    "i64_stays_int": (0, msgpack.packb(3), "i64", False),
    "unknown_int_stays_int": (0, msgpack.packb(3), "unknown", False),
    "f64_list_with_ints": (0, msgpack.packb([1, 2.5, -3, 2**64 - 1]), {"list": "f64"}, False),
    "f64_option_int": (0, msgpack.packb(4), {"option": "f32"}, False),
    "f64_option_none": (0, msgpack.packb(None), {"option": "f64"}, False),
    "f64_list_of_options": (0, msgpack.packb([1, None, 0.5]), {"list": {"option": "f64"}}, False),
    "f64_nested_lists": (0, msgpack.packb([[1], [], [2, 3.5]]), {"list": {"list": "f64"}}, False),
    "f64_tuple_beside_ints": (0, msgpack.packb([1, 2, "a", [3]]), {"tuple": ["f64", "i64", "str", {"list": "f32"}]}, False),
    "f64_map_values": (0, msgpack.packb({"a": 1, "b": 0.5}), {"map": ["str", "f64"]}, False),
    "f64_map_int_keys": (0, msgpack.packb({1: 2}), {"map": ["i64", "f64"]}, False),
    "f64_as_str": (0, msgpack.packb("x"), "f64", False),
    "f64_deep": (
        0,
        msgpack.packb({"k": [1, [2, None]], "n": None}),
        {"map": ["str", {"option": {"tuple": ["f64", {"list": {"option": "f32"}}]}}]},
        False,
    ),
    "f32_list_of_floats": (0, msgpack.packb([0.25, -1.5], use_single_float=True), {"list": "f32"}, False),
    "not_a_map_error": (1, msgpack.packb(5), "i64", False),
    "garbage_error": (1, b"\xc1\xc1", "i64", False),
    "null_pointer": (-1, b"", "i64", False),
    "unknown_status": (
        42,
        msgpack.packb(error_value(kind="mystery", type="BridgeError", message="from the future")),
        "i64",
        False,
    ),
    "weird_error": (
        1,
        msgpack.packb(
            error_value(
                frames=[{"function": 7, "line": 0}, "junk", {"file": "x.rs", "line": -3, "function": "f"}, {}],
                causes=[{"message": "inner"}, "junk", {"type": "IoError", "message": "deepest", "extra": 1}],
                notes=["note one", 5],
                fields=[1, 2],
                surprise_key={"ignored": True},
            )
        ),
        "i64",
        False,
    ),
    "no_type_error": (1, msgpack.packb(error_value(type=None)), "i64", False),
    # Plain errors (no causes, notes or callback exception), which the native core builds.
    "plain_fields_error": (
        1,
        msgpack.packb(
            error_value(
                function="plain_fields_error",
                variant="Odd",
                fields={"args": 1, "function": "x", "with_traceback": 2, "ok": 3, "class": 4, "mro": 5},
                frames=[
                    {"function": "plain_fields_error", "file": "fake.rs", "line": 12, "column": 1, "language": "rust"}
                ],
                host_exception=None,
                surprise_key=[{"nested": [1.5, b"\x00", None]}],
            )
        ),
        "i64",
        False,
    ),
    "other_rust_type_error": (1, msgpack.packb(error_value(rust_type="other::FakeError")), "i64", False),
    "no_rust_type_error": (1, msgpack.packb(error_value(rust_type=None)), "i64", False),
    "odd_frames_error": (
        1,
        msgpack.packb(
            error_value(
                frames=[{"function": 7, "line": -3, "file": ""}, {"file": "y.rs", "line": 2**40, "function": "g"}]
            )
        ),
        "i64",
        False,
    ),
    "bad_utf8_in_fields_error": (
        1,
        msgpack.packb(error_value(fields={"x": "PLACEHOLDER"})).replace(b"PLACEHOLDER", b"\xff" * 11),
        "i64",
        False,
    ),
    "boxed_plain_error": (1, msgpack.packb(error_value(message="m" * 10_000)), "i64", True),
    "deep_result": (0, b"\x91" * 300 + b"\x90", "unknown", False),
}


def c_bytes(data: bytes) -> str:
    return "{" + ", ".join(str(b) for b in (data or b"\0")) + "}"


def fake_library_source() -> str:
    names = sorted(SCRIPT)
    functions = [
        {
            "id": i,
            "name": name,
            "doc": f"Scripted: {name}.",
            "params": [],
            "returns": {"type": SCRIPT[name][2], "rust": "?"},
            "error": {"name": "FakeError", "rust": "fake::FakeError"},
            "file": "fake.rs",
            "line": 1,
        }
        for i, name in enumerate(names)
    ]
    handshake = {"abi": 1, "wire": 1, "ferryman": "0.0.0", "library": "fake", "library_version": "9.9.9"}
    describe = msgpack.packb({**handshake, "functions": functions})
    handshake_bytes = msgpack.packb({**handshake, "functions": len(names)})
    replies = "\n".join(
        f"static const uint8_t reply_{i}[] = {c_bytes(SCRIPT[name][1])};" for i, name in enumerate(names)
    )
    table = ",\n".join(
        f"    {{{SCRIPT[name][0]}, reply_{i}, {len(SCRIPT[name][1])}, {int(SCRIPT[name][3])}}}"
        for i, name in enumerate(names)
    )
    return f"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {{ uint8_t *ptr; size_t len; size_t cap; }} FerryBox;
typedef struct {{ int32_t status; const uint8_t *bytes; size_t len; int always_box; }} Reply;

{replies}
static const uint8_t handshake[] = {c_bytes(handshake_bytes)};
static const uint8_t describe[] = {c_bytes(describe)};
static const Reply replies[] = {{
{table}
}};

int64_t allocated = 0;
int64_t freed = 0;

static int32_t put(FerryBox *out, const uint8_t *data, size_t len, int always_box) {{
    if (!out) return -1;
    if (!always_box && out->ptr && out->cap >= len) {{
        memcpy(out->ptr, data, len);
        out->len = len;
        return 0;
    }}
    uint8_t *box = malloc(len ? len : 1);
    memcpy(box, data, len);
    out->ptr = box; out->len = len; out->cap = len ? len : 1;
    allocated++;
    return 0;
}}

uint32_t ferryman_abi_version(void) {{ return 1; }}
int32_t ferryman_handshake(FerryBox *out) {{ return put(out, handshake, sizeof handshake, 0); }}
int32_t ferryman_describe(FerryBox *out) {{ return put(out, describe, sizeof describe, 0); }}
int64_t ferryman_function_id(const FerryBox *name) {{ (void)name; return -1; }}
int32_t ferryman_call(uint32_t id, const FerryBox *args, FerryBox *out) {{
    if (!args || !out || id >= sizeof replies / sizeof replies[0]) return -1;
    const Reply *r = &replies[id];
    if (r->status == -1) return -1;
    put(out, r->bytes, r->len, r->always_box);
    return r->status;
}}
void ferryman_box_free(FerryBox *box) {{
    if (!box || !box->ptr) return;
    free(box->ptr);
    box->ptr = NULL; box->len = 0; box->cap = 0;
    freed++;
}}
"""


@pytest.fixture(scope="module")
def fake_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fake")
    source = directory / "fake.c"
    source.write_text(fake_library_source())
    library = directory / "libfake.so"
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler is not None
    subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True)
    return library


@pytest.fixture(scope="module")
def fake(fake_path: Path) -> ferryman.Library:
    return ferryman.load(fake_path)


def counters(fake_path: Path) -> tuple[int, int]:
    dll = ctypes.CDLL(str(fake_path))  # the same handle ferryman holds
    return ctypes.c_int64.in_dll(dll, "allocated").value, ctypes.c_int64.in_dll(dll, "freed").value


def test_the_fake_library_loads(fake: ferryman.Library) -> None:
    assert (fake.name, fake.version, len(fake)) == ("fake", "9.9.9", len(SCRIPT))
    assert "FakeError" in fake.errors


@pytest.mark.parametrize(
    "name", ["bad_marker", "trailing", "truncated", "ext", "bad_utf8", "huge_length", "map_key_map", "deep_result"]
)
def test_malformed_results_are_protocol_errors(fake: ferryman.Library, name: str) -> None:
    with pytest.raises(ferryman.ProtocolError) as caught:
        fake[name]()
    assert str(caught.value).startswith(f"{name}() returned a value that does not decode: ")
    assert caught.value.function == name


def test_library_boxes_are_freed_exactly_once(fake: ferryman.Library, fake_path: Path) -> None:
    allocated, freed = counters(fake_path)
    assert allocated == freed
    for _ in range(5):
        assert fake.big() == b"q" * 100_000
        assert fake.small_but_boxed() == "boxed"
    for name in ("not_a_map_error", "weird_error", "unknown_status"):
        with pytest.raises(ferryman.FerrymanError):
            fake[name]()
    allocated_after, freed_after = counters(fake_path)
    assert allocated_after - allocated >= 10
    assert allocated_after == freed_after


def test_tuples_are_built_where_the_descriptor_says(fake: ferryman.Library) -> None:
    assert fake.tuples() == [(1, 2), (3, 4)]
    assert fake.option_tuple() is None
    assert fake.option_tuple_some() == (1, "a")
    result = fake.map_of_tuples()
    assert result == {"k": (1, (2, 3))}
    assert type(result["k"][1]) is tuple
    assert fake.array_keys() == {(1, 2): "a"}


def test_float32_results(fake: ferryman.Library) -> None:
    assert fake.f32() == 1.5


def test_unreadable_error_values_are_protocol_errors(fake: ferryman.Library) -> None:
    with pytest.raises(
        ferryman.ProtocolError, match=r"^not_a_map_error\(\) failed with status 1, but its error value is not a map$"
    ):
        fake.not_a_map_error()
    with pytest.raises(
        ferryman.ProtocolError, match=r"^garbage_error\(\) failed with status 1, but its error value does not decode"
    ):
        fake.garbage_error()
    with pytest.raises(
        ferryman.ProtocolError,
        match=r"^null_pointer\(\) failed with status -1, but the library reported a NULL pointer",
    ):
        fake.null_pointer()


def test_unknown_status_and_kind_are_ferryman_errors(fake: ferryman.Library) -> None:
    with pytest.raises(ferryman.FerrymanError) as caught:
        fake.unknown_status()
    assert type(caught.value) is ferryman.FerrymanError
    assert str(caught.value) == "from the future"
    assert caught.value.kind == "mystery"


def test_odd_but_readable_error_values_still_raise(fake: ferryman.Library) -> None:
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.weird_error()
    error = caught.value
    assert str(error) == "fake failure"
    assert error.fields is None  # not a map: no fields to show
    assert str(error.__cause__) == "inner"
    assert type(error.__cause__.__cause__) is fake.errors.IoError  # created on first sight
    assert str(error.__cause__.__cause__) == "deepest"
    assert error.notes == ("note one",)
    entries = traceback.extract_tb(error.__traceback__)
    assert [(e.filename, e.lineno, e.name) for e in entries[-3:]] == [
        ("<rust>", 1, "<rust>"),
        ("x.rs", 1, "f"),
        ("<rust>", 1, "<rust>"),
    ]
    assert "surprise_key" in error.error_value


def test_an_error_without_a_type_name_is_a_plain_rust_error(fake: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustError) as caught:
        fake.no_type_error()
    assert type(caught.value) is ferryman.RustError


def test_a_plain_error_built_natively_has_every_attribute(fake: ferryman.Library) -> None:
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.plain_fields_error()
    error = caught.value
    assert {"ok", "variant", "error_value", "param"} <= set(dir(error))  # dir() decodes too
    assert str(error) == "fake failure"
    assert error.args == ("fake failure",)
    # The user's field `function` wins; ferryman's stays in the error value.
    assert (error.kind, error.function, error.variant) == ("error", "x", "Odd")
    assert error.error_value is not None and error.error_value["function"] == "plain_fields_error"
    assert (error.type_name, error.rust_type) == ("FakeError", "fake::FakeError")
    assert (error.param, error.index, error.expected, error.found) == (None, None, None, None)
    assert error.fields == {"args": 1, "function": "x", "with_traceback": 2, "ok": 3, "class": 4, "mro": 5}
    # Field names never clobber Python's attributes; `mro` is only an attribute of the class's type.
    assert callable(error.with_traceback)
    assert (error.ok, error.mro) == (3, 5)
    frame = {"function": "plain_fields_error", "file": "fake.rs", "line": 12, "column": 1, "language": "rust"}
    assert error.frames == (frame,)
    assert error.notes == ()
    assert error.error_value["surprise_key"] == [{"nested": [1.5, b"\x00", None]}]
    assert error.__cause__ is None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        error.nope  # noqa: B018
    entries = traceback.extract_tb(error.__traceback__)
    assert [(e.filename, e.lineno, e.name) for e in entries[-1:]] == [("fake.rs", 12, "plain_fields_error")]


def test_a_plain_errors_attributes_are_decoded_once_and_never_replace_what_was_set(fake: ferryman.Library) -> None:
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.plain_fields_error()
    error = caught.value
    assert "fields" not in vars(error)  # not decoded yet
    error.function = "set by hand"
    copied = copy.copy(error)
    assert error.variant == "Odd"
    assert error.function == "set by hand"
    assert error.error_value is error.error_value
    assert (copied.function, copied.variant, copied.ok) == ("set by hand", "Odd", 3)


def test_a_plain_error_of_another_rust_type_has_its_own_class(fake: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustError) as caught:
        fake.other_rust_type_error()
    other = type(caught.value)
    assert other is not fake.errors.FakeError
    assert other is fake.errors["other::FakeError"] is fake.errors.other_FakeError
    assert (other.__name__, other.rust_type, other.type_name) == ("other_FakeError", "other::FakeError", "FakeError")
    assert caught.value.rust_type == "other::FakeError"
    # The declared type keeps the short name.
    assert fake.errors.FakeError.rust_type == "fake::FakeError"
    with pytest.raises(other):
        fake.other_rust_type_error()
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.no_rust_type_error()
    assert caught.value.rust_type is None
    assert caught.value.error_value["rust_type"] is None


def test_a_plain_errors_odd_frames_get_defaults(fake: ferryman.Library) -> None:
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.odd_frames_error()
    entries = traceback.extract_tb(caught.value.__traceback__)
    assert [(e.filename, e.lineno, e.name) for e in entries[-2:]] == [("<rust>", 1, "<rust>"), ("y.rs", 1_000_000, "g")]
    assert caught.value.frames[0] == {"function": 7, "line": -3, "file": ""}


def test_a_plain_error_that_does_not_decode_is_a_protocol_error_at_once(fake: ferryman.Library) -> None:
    message = r"^bad_utf8_in_fields_error\(\) failed with status 1, but its error value does not decode"
    with pytest.raises(ferryman.ProtocolError, match=message):
        fake.bad_utf8_in_fields_error()


def test_a_plain_error_in_a_library_box(fake: ferryman.Library) -> None:
    with pytest.raises(fake.errors.FakeError) as caught:
        fake.boxed_plain_error()
    assert str(caught.value) == "m" * 10_000
    assert caught.value.error_value["message"] == "m" * 10_000


def test_float_results_in_every_encoding_arguments_accept(fake: ferryman.Library) -> None:
    """wire.md, "Results": a float result may arrive as float 32, float 64 or an int."""
    assert fake.f64_as_f32() == 2.5
    assert fake.f32_as_f64() == 0.25
    assert fake.f64_as_int() == 3
    assert fake.f32_as_negative_int() == -2


def test_an_int_float_result_becomes_a_python_float(fake: ferryman.Library) -> None:
    for name in ("f64_as_int", "f32_as_negative_int", "f64_as_uint64", "f64_as_int_boxed"):
        result = fake[name]()
        assert isinstance(result, float), f"{name}: {result!r} is not a float"
    assert fake.f64_as_uint64() == float(2**64 - 1)
    assert fake.f64_as_int_boxed() == 7.0


def exactly(value: object) -> object:
    """`value` with the type of every number in it, so `1 == 1.0` does not pass."""
    if isinstance(value, (list, tuple)):
        return type(value), [exactly(item) for item in value]
    if isinstance(value, dict):
        return dict, {exactly(key): exactly(item) for key, item in value.items()}
    return type(value), value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("i64_stays_int", 3),
        ("unknown_int_stays_int", 3),
        ("f64_list_with_ints", [1.0, 2.5, -3.0, float(2**64 - 1)]),
        ("f64_option_int", 4.0),
        ("f64_option_none", None),
        ("f64_list_of_options", [1.0, None, 0.5]),
        ("f64_nested_lists", [[1.0], [], [2.0, 3.5]]),
        ("f64_tuple_beside_ints", (1.0, 2, "a", [3.0])),
        ("f64_map_values", {"a": 1.0, "b": 0.5}),
        ("f64_map_int_keys", {1: 2.0}),
        # Not a number at all: decoded as it is, as before.
        ("f64_as_str", "x"),
        ("f32_list_of_floats", [0.25, -1.5]),
        ("f64_deep", {"k": (1.0, [2.0, None]), "n": None}),
    ],
)
def test_ints_become_floats_wherever_the_descriptor_says_f32_or_f64(
    fake: ferryman.Library, name: str, expected: object
) -> None:
    """wire.md, "Results": inside lists, options, tuples and map values too; nowhere else."""
    assert exactly(fake[name]()) == exactly(expected)
