"""The columns of the benchmark: one way each of calling the same Rust functions.

Every column exposes the same five functions with the same behaviour:

- ``add(a, b)``: ``a + b`` on i64;
- ``echo(data)``: the bytes back, as a new ``bytes`` object;
- ``sum(values)``: the sum of a list of ints;
- ``bump(record)``: the record with ``id + 1``, ``score * 2`` and ``"!"`` appended to ``name``;
- ``fail(code)``: always raises an exception whose message is ``failed with code {code}``.

A record is a ``dict`` with the keys ``name``, ``id``, ``score`` and ``tags``
everywhere except UniFFI, whose generated bindings take and return their own
``Record`` class: ``Column.record`` turns the canonical dict into the column's
input once, outside the timed loop, and ``Column.unrecord`` turns the result
back into a dict to check it.

The object cases use one more thing, ``Column.objects`` (``None`` for a column
that has no objects: its cells show "—"): a class ``Counter(start)`` holding an
i64, with

- ``add(n)``: adds ``n`` and returns the new value;
- ``label()``: the short string ``f"Counter({value})"``;
- ``count(n)``: an iterator of the ints ``0 .. n-1``, pulled one ``next`` at a
  time by a ``for`` loop (``Objects.iterate`` says how the column gets it).

Each ``load_*`` function returns a ``Column`` or raises; ``bench/run.py``
reports a column that cannot be loaded instead of measuring it.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import subprocess
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
UNIFFI_BINDINGS = ROOT / "target" / "bench" / "uniffi-py"


def built_module(name: str) -> ModuleType:
    """A module ``bench/build.sh`` makes: the PyO3 extension ``bench_pyo3`` or
    UniFFI's generated ``bench_uniffi``. Imported by name because neither
    carries types (no stubs, no ``py.typed``) and mypy checks these files
    without them built: their attributes are ``Any``."""
    return importlib.import_module(name)


def _identity(value: Any) -> Any:
    return value


def _count_method(counter: Any) -> Callable[[int], Iterable[int]]:
    return counter.count


@dataclass
class Objects:
    """The object cases of a column: its ``Counter`` class and how to iterate one."""

    counter: Callable[[int], Any]
    # From a counter, the callable `f` timed as `for _ in f(n): pass`.
    iterate: Callable[[Any], Callable[[int], Iterable[int]]] = _count_method


@dataclass
class Column:
    """One way of calling the benchmark functions."""

    key: str
    label: str
    add: Callable[[int, int], int]
    echo: Callable[[bytes], bytes]
    sum: Callable[[list], int]
    bump: Callable[[Any], Any]
    fail: Callable[[int], int]
    record: Callable[[dict], Any] = _identity
    unrecord: Callable[[Any], dict] = _identity
    extra: dict = field(default_factory=dict)
    objects: Objects | None = None


class BenchError(Exception):
    """The exception that the pure-Python, ctypes and subprocess columns raise."""


# --- ferryman -------------------------------------------------------------


def load_ferryman() -> Column:
    """``#[ferryman::export]`` functions, loaded with ``ferryman.load``."""
    import ferryman

    lib = ferryman.load(str(RELEASE / "libbench_ferryman.so"))
    # Until the package has objects (`ferryman.RustObject`), the object cells show "—";
    # once it has, `lib.Counter` must be there.
    objects = Objects(lib.Counter) if hasattr(ferryman, "RustObject") else None
    return Column(
        "ferryman",
        "ferryman",
        add=lib.add,
        echo=lib.echo,
        sum=lib.sum,
        bump=lib.bump,
        fail=lib.fail,
        extra={"lib": lib, "sum_f64": lib.sum_f64},
        objects=objects,
    )


# --- PyO3 -----------------------------------------------------------------


def load_pyo3() -> Column:
    """A hand-written PyO3 extension module (installed into the venv by maturin)."""
    bench_pyo3 = built_module("bench_pyo3")

    return Column(
        "pyo3",
        "PyO3",
        add=bench_pyo3.add,
        echo=bench_pyo3.echo,
        sum=bench_pyo3.sum,
        extra={"sum_f64": bench_pyo3.sum_f64},
        bump=bench_pyo3.bump,
        fail=bench_pyo3.fail,
        objects=Objects(bench_pyo3.Counter),
    )


# --- plain C ABI through ctypes ----------------------------------------------


class BenchRecord(ctypes.Structure):
    """``BenchRecord`` of ``bench/cabi-lib``."""

    _fields_ = [
        ("name", ctypes.c_void_p),
        ("name_len", ctypes.c_size_t),
        ("name_cap", ctypes.c_size_t),
        ("id", ctypes.c_int64),
        ("score", ctypes.c_double),
        ("tags", ctypes.c_void_p),
        ("tags_len", ctypes.c_size_t),
    ]


def load_ctypes() -> Column:
    """A plain ``extern "C"`` cdylib through ctypes, ``argtypes``/``restype`` set.

    The caller owns every buffer (no allocation crosses the boundary); the
    wrappers below are the code a ctypes user writes around such an API.
    """
    lib = ctypes.CDLL(str(RELEASE / "libbench_cabi.so"))
    i64, size = ctypes.c_int64, ctypes.c_size_t

    lib.bench_add.argtypes = [i64, i64]
    lib.bench_add.restype = i64
    lib.bench_echo.argtypes = [ctypes.c_char_p, size, ctypes.c_char_p]
    lib.bench_echo.restype = None
    lib.bench_sum.argtypes = [ctypes.POINTER(i64), size]
    lib.bench_sum.restype = i64
    lib.bench_bump.argtypes = [ctypes.POINTER(BenchRecord)]
    lib.bench_bump.restype = ctypes.c_int32
    lib.bench_fail.argtypes = [i64, ctypes.POINTER(i64)]
    lib.bench_fail.restype = ctypes.c_int32

    c_echo, c_sum, c_bump, c_fail = lib.bench_echo, lib.bench_sum, lib.bench_bump, lib.bench_fail
    create_buffer, addressof, byref = ctypes.create_string_buffer, ctypes.addressof, ctypes.byref

    def echo(data: bytes) -> bytes:
        n = len(data)
        out = create_buffer(n)
        c_echo(data, n, out)
        return out.raw

    def sum_(values: list) -> int:
        # `array` converts a list of ints several times faster than `(c_int64 * n)(*values)`.
        packed = array("q", values)
        n = len(packed)
        return c_sum((i64 * n).from_buffer(packed), n)

    def bump(record: dict) -> dict:
        name = record["name"].encode()
        n = len(name)
        name_buf = create_buffer(name, n + 1)
        tags = array("q", record["tags"])
        address, t = tags.buffer_info()
        c_record = BenchRecord(
            addressof(name_buf), n, n + 1, record["id"], record["score"], address, t
        )
        if c_bump(byref(c_record)) != 0:
            raise BenchError("name buffer too small")
        return {
            "name": name_buf.raw[: c_record.name_len].decode(),
            "id": c_record.id,
            "score": c_record.score,
            "tags": tags.tolist(),
        }

    def fail(code: int) -> int:
        out = i64()
        if c_fail(code, byref(out)) != 0:
            raise BenchError(f"failed with code {out.value}")
        return out.value

    return Column(
        "ctypes",
        "ctypes C ABI",
        add=lib.bench_add,
        echo=echo,
        sum=sum_,
        bump=bump,
        fail=fail,
        extra={"lib": lib},
    )


# --- UniFFI -------------------------------------------------------------------


def load_uniffi() -> Column:
    """UniFFI's generated Python module (proc-macro mode, library-mode bindgen)."""
    if str(UNIFFI_BINDINGS) not in sys.path:
        sys.path.insert(0, str(UNIFFI_BINDINGS))
    bench_uniffi = built_module("bench_uniffi")

    def record(d: dict) -> Any:
        return bench_uniffi.Record(name=d["name"], id=d["id"], score=d["score"], tags=d["tags"])

    def unrecord(r: Any) -> dict:
        return {"name": r.name, "id": r.id, "score": r.score, "tags": list(r.tags)}

    return Column(
        "uniffi",
        "UniFFI",
        add=bench_uniffi.add,
        echo=bench_uniffi.echo,
        sum=bench_uniffi.sum,
        bump=bench_uniffi.bump,
        fail=bench_uniffi.fail,
        record=record,
        unrecord=unrecord,
        objects=Objects(bench_uniffi.Counter, iterate=_uniffi_iterate),
    )


def _uniffi_iterate(counter: Any) -> Callable[[int], Iterable[int]]:
    """UniFFI has no iterators: `count(n)` returns an object whose `next()` gives
    the next int or `None`, which `iter(callable, sentinel)` turns into an iterator."""
    count = counter.count

    def iterate(n: int) -> Iterable[int]:
        return iter(count(n).next, None)

    return iterate


# --- pure Python ----------------------------------------------------------------


def load_python() -> Column:
    """The same functions in Python: the reference, not a binding."""

    def add(a: int, b: int) -> int:
        return a + b

    def echo(data: bytes) -> bytes:
        # `bytes(data)` of a bytes object is that object: no copy, unlike every
        # binding. This is what a Python programmer writes.
        return bytes(data)

    def sum_(values: list) -> int:
        return sum(values)

    def bump(record: dict) -> dict:
        return {
            "name": record["name"] + "!",
            "id": record["id"] + 1,
            "score": record["score"] * 2,
            "tags": list(record["tags"]),
        }

    def fail(code: int) -> int:
        raise BenchError(f"failed with code {code}")

    return Column(
        "python",
        "pure Python",
        add=add,
        echo=echo,
        sum=sum_,
        bump=bump,
        fail=fail,
        objects=Objects(Counter),
    )


class Counter:
    """The pure-Python counter of the object cases: a plain class."""

    def __init__(self, start: int) -> None:
        self.value = start

    def add(self, n: int) -> int:
        self.value += n
        return self.value

    def label(self) -> str:
        return f"Counter({self.value})"

    def count(self, n: int) -> Iterable[int]:
        # A generator, what a Python programmer writes for a lazy sequence of
        # their own (`iter(range(n))` would iterate in C).
        for i in range(n):
            yield i


# --- subprocess -------------------------------------------------------------------


def load_subprocess() -> Column:
    """A Rust program spawned once per call: JSON (or raw bytes) on stdin and stdout."""
    exe = RELEASE / "bench-subprocess"
    if not exe.is_file():
        raise FileNotFoundError(f"{exe} is missing: run bench/build.sh")
    exe_s = str(exe)
    run = subprocess.run

    def call(function: str, payload: bytes) -> bytes:
        done = run([exe_s, function], input=payload, capture_output=True)
        if done.returncode != 0:
            raise BenchError(done.stderr.decode().strip())
        return done.stdout

    def add(a: int, b: int) -> int:
        return json.loads(call("add", json.dumps([a, b]).encode()))

    def echo(data: bytes) -> bytes:
        return call("echo", data)

    def sum_(values: list) -> int:
        return json.loads(call("sum", json.dumps([values]).encode()))

    def bump(record: dict) -> dict:
        return json.loads(call("bump", json.dumps([record]).encode()))

    def fail(code: int) -> int:
        return json.loads(call("fail", json.dumps([code]).encode()))

    return Column(
        "subprocess", "subprocess", add=add, echo=echo, sum=sum_, bump=bump, fail=fail
    )


LOADERS: dict[str, Callable[[], Column]] = {
    "ferryman": load_ferryman,
    "pyo3": load_pyo3,
    "ctypes": load_ctypes,
    "uniffi": load_uniffi,
    "python": load_python,
    "subprocess": load_subprocess,
}
"""Every column, in the order of the table."""
