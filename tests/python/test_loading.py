"""Loading libraries: ours, not ours, the wrong ABI, twice (two different
libraries at once: test_two_libraries.py)."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import msgpack
import pytest

import ferryman


needs_cc = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler")


def build_c_library(tmp_path: Path, name: str, source: str) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler is not None
    c_file = tmp_path / f"{name}.c"
    c_file.write_text(source)
    library = tmp_path / f"lib{name}.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(c_file)], check=True)
    return library


def test_fixture_loads_with_its_metadata(lib: ferryman.Library, fixture_file: Path) -> None:
    handshake = lib.handshake()
    assert lib.name == handshake["library"] == "ferryman-fixture"
    assert lib.version == handshake["library_version"]
    assert lib.abi_version == ferryman.ABI_VERSION == 1
    assert lib.wire_version == ferryman.WIRE_VERSION == 1
    assert lib.path == str(fixture_file)
    assert len(lib) == handshake["functions"] == len(lib.describe()["functions"])
    assert "ferryman-fixture" in repr(lib)
    assert f"{len(lib)} functions" in repr(lib)


def test_describe_is_the_raw_map(lib: ferryman.Library) -> None:
    description = lib.describe()
    names = [entry["name"] for entry in description["functions"]]
    assert names == sorted(names)
    assert [entry["id"] for entry in description["functions"]] == list(range(len(names)))
    assert set(names) == set(lib.functions)
    assert lib.describe() is not lib.describe()  # a fresh dict each time


def test_functions_mapping_is_read_only(lib: ferryman.Library) -> None:
    assert lib.functions["add"] is lib.add is lib["add"]
    assert "add" in lib
    with pytest.raises(TypeError):
        lib.functions["add"] = None  # type: ignore[index]


@needs_cc
def test_a_shared_object_without_ferryman_symbols_is_refused(tmp_path: Path) -> None:
    path = build_c_library(tmp_path, "plain", "int answer(void) { return 42; }\n")
    with pytest.raises(ferryman.NotAFerrymanLibrary) as caught:
        ferryman.load(path)
    error = caught.value
    assert isinstance(error, ferryman.LibraryLoadError)
    assert isinstance(error, OSError)
    assert isinstance(error, ferryman.FerrymanError)
    assert str(error) == (
        f"{path} is not a ferryman library: it does not export `ferryman_abi_version`; "
        "build a crate with `#[ferryman::export]` functions as a cdylib"
    )
    assert error.path == str(path)


@needs_cc
def test_a_newer_abi_version_is_refused_with_advice(tmp_path: Path) -> None:
    source = "#include <stdint.h>\nuint32_t ferryman_abi_version(void) { return 999; }\n"
    path = build_c_library(tmp_path, "future", source)
    with pytest.raises(ferryman.AbiMismatch) as caught:
        ferryman.load(path)
    message = str(caught.value)
    assert "ABI version 999" in message
    assert "speaks ABI version 1" in message
    assert "upgrade the ferryman Python package" in message
    assert isinstance(caught.value, ferryman.LibraryLoadError)


@needs_cc
def test_an_older_abi_version_is_refused_with_advice(tmp_path: Path) -> None:
    source = "#include <stdint.h>\nuint32_t ferryman_abi_version(void) { return 0; }\n"
    path = build_c_library(tmp_path, "past", source)
    with pytest.raises(ferryman.AbiMismatch, match="rebuild the library against a ferryman release with ABI version 1"):
        ferryman.load(path)


@needs_cc
def test_a_library_missing_entry_points_is_refused(tmp_path: Path) -> None:
    source = "#include <stdint.h>\nuint32_t ferryman_abi_version(void) { return 1; }\n"
    path = build_c_library(tmp_path, "half", source)
    with pytest.raises(ferryman.LibraryLoadError, match=r"but not `ferryman_handshake`") as caught:
        ferryman.load(path)
    assert not isinstance(caught.value, ferryman.NotAFerrymanLibrary)
    assert "ferryman_handshake" in str(caught.value)


@needs_cc
def test_two_functions_with_one_name_are_refused(tmp_path: Path) -> None:
    def function(id: int, name: str, file: str, line: int) -> dict[str, object]:
        returns = {"type": "unit", "rust": "()"}
        return {"id": id, "name": name, "doc": "", "params": [], "returns": returns, "error": None,
                "file": file, "line": line}  # fmt: skip

    identity = {"abi": 1, "wire": 1, "ferryman": "0.1.0", "library": "twice", "library_version": "0.1.0"}
    functions = [function(0, "f", "a/src/lib.rs", 3), function(1, "f", "b/src/lib.rs", 9), function(2, "g", "x", 1)]
    handshake = ", ".join(map(str, msgpack.packb({**identity, "functions": 3})))
    describe = ", ".join(map(str, msgpack.packb({**identity, "functions": functions})))
    source = f"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
typedef struct {{ uint8_t *ptr; size_t len; size_t cap; }} FerryBox;
static const uint8_t handshake[] = {{{handshake}}};
static const uint8_t describe[] = {{{describe}}};
static int32_t put(FerryBox *out, const uint8_t *p, size_t n) {{
    out->ptr = malloc(n); memcpy(out->ptr, p, n); out->len = n; out->cap = n; return 0;
}}
uint32_t ferryman_abi_version(void) {{ return 1; }}
int32_t ferryman_handshake(FerryBox *out) {{ return put(out, handshake, sizeof handshake); }}
int32_t ferryman_describe(FerryBox *out) {{ return put(out, describe, sizeof describe); }}
int64_t ferryman_function_id(const FerryBox *name) {{ (void)name; return -1; }}
int32_t ferryman_call(uint32_t id, const FerryBox *args, FerryBox *out) {{ (void)id; (void)args; (void)out; return 5; }}
void ferryman_box_free(FerryBox *box) {{ free(box->ptr); box->ptr = NULL; box->len = box->cap = 0; }}
"""
    path = build_c_library(tmp_path, "twice", source)
    with pytest.raises(ferryman.LibraryLoadError) as caught:
        ferryman.load(path)
    assert str(caught.value) == (
        f"{path} exports 2 functions named 'f' (a/src/lib.rs:3, b/src/lib.rs:9); "
        'give each its own name, e.g. with #[ferryman::export(name = "...")], and rebuild it'
    )
    assert not isinstance(caught.value, ferryman.NotAFerrymanLibrary)


def test_a_text_file_is_a_load_error_with_dlopens_message(tmp_path: Path) -> None:
    path = tmp_path / "notes.so"
    path.write_text("these are not the symbols you are looking for\n")
    with pytest.raises(ferryman.LibraryLoadError) as caught:
        ferryman.load(path)
    assert not isinstance(caught.value, ferryman.NotAFerrymanLibrary)
    message = str(caught.value)
    assert message.startswith(f"cannot load {path}: ")
    assert "notes.so" in message.removeprefix(f"cannot load {path}: ")  # dlopen's own text


def test_a_missing_file_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.so"
    with pytest.raises(ferryman.LibraryLoadError, match=r"nowhere\.so"):
        ferryman.load(path)


def test_paths_may_be_str_or_pathlike(fixture_file: Path) -> None:
    assert ferryman.load(str(fixture_file)).add(1, 2) == 3
    assert ferryman.load(fixture_file).add(1, 2) == 3


def test_functions_keep_their_library_alive(fixture_file: Path) -> None:
    library = ferryman.load(fixture_file)
    add = library.add
    del library
    gc.collect()
    assert add(20, 22) == 42


def test_loading_twice_gives_independent_working_objects(fixture_file: Path) -> None:
    first = ferryman.load(fixture_file)
    second = ferryman.load(fixture_file)
    assert first.add(1, 1) == second.add(1, 1) == 2
    assert first.errors is not second.errors


def test_loading_twice_registers_one_host(fixture_file: Path) -> None:
    # The dynamic loader hands back the same copy of the library: it keeps
    # seeing one host, so a callback's exception still comes back as itself.
    first = ferryman.load(fixture_file)
    second = ferryman.load(fixture_file)
    assert first._native.host_id == second._native.host_id is not None
    raised = ValueError("from the second load")

    def fail(_: int) -> int:
        raise raised

    for library in (first, second):
        try:
            library.apply(fail, 1)
        except ValueError as error:
            assert error is raised
        else:
            raise AssertionError("the callback's exception did not come back")


def test_each_load_raises_its_own_error_classes_also_from_closures(fixture_file: Path) -> None:
    first = ferryman.load(fixture_file)
    second = ferryman.load(fixture_file)
    for library in (first, second):
        with pytest.raises(library.errors.MathError):
            library.sqrt_closure()(-4)


def test_loading_again_and_again_leaks_nothing(fixture_file: Path) -> None:
    # Each load's error factory, error classes and object classes go with its
    # Library (the native core names them only weakly; issue 12). typing's
    # caches hold a few of the latest loads' classes: warm them up first.
    import gc
    import tracemalloc

    def loads(n: int) -> None:
        for _ in range(n):
            library = ferryman.load(fixture_file)
            del library

    loads(100)
    gc.collect()
    objects = len(gc.get_objects())
    loads(60)
    gc.collect()
    assert len(gc.get_objects()) - objects < 60, "more than one object per load is left behind"
    tracemalloc.start()
    try:
        # Memory freed that was allocated before tracing began is not counted:
        # the first traced loads replace the untraced ones.
        loads(40)
        gc.collect()
        before = tracemalloc.take_snapshot()
        loads(40)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # Caches and free lists make this vary by ±20 KB on CPython 3.12 with no
    # leak; the leak was 5.8 KB per load for a library without classes.
    assert grown < 40 * 3 * 1024, f"{grown} bytes left behind by 40 loads"


def test_loading_again_and_again_lets_other_threads_run(fixture_file: Path) -> None:
    import threading
    import time

    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        start = time.monotonic()
        for _ in range(30):
            ferryman.load(fixture_file)
        elapsed = time.monotonic() - start
    finally:
        done.set()
        thread.join()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 10, f"the other thread ran {len(ticks)} times in {elapsed:.1f} s"
    assert max(gaps) < 1.0, f"the other thread waited {max(gaps):.1f} s for the GIL"


def test_importing_and_loading_leave_asyncio_unimported(fixture_file: Path) -> None:
    # asyncio costs ~25 ms at start-up; only awaiting an async export needs it.
    code = (
        "import sys, ferryman\n"
        f"lib = ferryman.load({str(fixture_file)!r})\n"
        "assert lib.add(1, 2) == 3\n"
        "print(sorted(name for name in ('asyncio', 'socket') if name in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
