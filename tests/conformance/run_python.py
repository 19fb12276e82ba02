#!/usr/bin/env python3
"""The Python runner of the conformance suite (tests/conformance/README.md).

    python tests/conformance/run_python.py path/to/libferryman_fixture.so [-k TEXT]

Loads the fixture library as a user would (``ferryman.load``), calls every
case of cases.json with its arguments as Python values and checks the result,
or the exception against the expected error by the Python host's documented
mapping (kind → class: ``error`` → the ``lib.errors`` class of the Rust type,
a ``ferryman.RustError``; ``panic`` → ``ferryman.RustPanic``; ``overflow`` →
``ferryman.ArgumentOverflowError``; ``arity`` and ``type`` →
``ferryman.ArgumentError``). Prints each failure with its case id and what
differed, then ``N passed, M failed``; exits 1 when a case failed.

tests/python/test_conformance.py runs the same cases under pytest through
:func:`run_case`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ferryman

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.json"
REPO = HERE.parents[1]

# ---- the tagged forms -> Python values ---------------------------------------


def value(v: Any) -> Any:
    """A case's JSON value as the Python value a user would pass."""
    if isinstance(v, list):
        return [value(item) for item in v]
    if isinstance(v, dict):
        tag = _tag(v)
        if tag == "$bytes":
            return base64.b64decode(v[tag], validate=True)
        if tag == "$int":
            return int(v[tag])
        if tag == "$float":
            return float(v[tag])  # "nan", "inf", "-inf" and decimals alike
        if tag == "$tuple":
            return tuple(value(item) for item in v[tag])
        if tag == "$map":
            return {_key(value(k)): value(item) for k, item in v[tag]}
        return {key: value(item) for key, item in v.items()}
    return v


def _tag(v: dict[str, Any]) -> str | None:
    if len(v) == 1:
        (key,) = v
        if key.startswith("$"):
            if key not in ("$bytes", "$int", "$float", "$tuple", "$map"):
                raise ValueError(f"unknown tag {key}")
            return key
    return None


def _key(k: Any) -> Any:
    # A dict key must be hashable: arrays (tuple keys) become tuples.
    return tuple(_key(item) for item in k) if isinstance(k, (list, tuple)) else k


# ---- comparing ---------------------------------------------------------------


def differences(want: Any, got: Any, where: str = "result") -> list[str]:
    """What differs between an expected Python value and an actual one.

    Numbers compare by value (an int result matches a float of the same value
    and back: hosts without the distinction share the cases), NaN matches NaN,
    a bool is never a number, lists and tuples are both sequences, and map
    keys are looked up by equality.
    """
    if want is None or isinstance(want, bool):
        return [] if got is want else [f"{where}: expected {want!r}, got {got!r}"]
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return [f"{where}: expected the number {want!r}, got {got!r}"]
        if isinstance(want, float) and math.isnan(want):
            return [] if isinstance(got, float) and math.isnan(got) else [f"{where}: expected nan, got {got!r}"]
        return [] if want == got else [f"{where}: expected {want!r}, got {got!r}"]
    if isinstance(want, (str, bytes)):
        return [] if type(got) is type(want) and got == want else [f"{where}: expected {want!r}, got {got!r}"]
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return [f"{where}: expected {want!r}, got {got!r}"]
        return [d for i, (w, g) in enumerate(zip(want, got)) for d in differences(w, g, f"{where}[{i}]")]
    if isinstance(want, dict):
        if not isinstance(got, Mapping) or len(got) != len(want):
            return [f"{where}: expected {want!r}, got {got!r}"]
        found: list[str] = []
        for key, item in want.items():
            matches = [k for k in got if not differences(key, k)]
            if not matches:
                found.append(f"{where}: key {key!r} missing in {got!r}")
            else:
                found.extend(differences(item, got[matches[0]], f"{where}[{key!r}]"))
        return found
    raise TypeError(f"cannot compare {want!r}")


# ---- errors ------------------------------------------------------------------


def kind_of(exception: BaseException) -> str | None:
    """The error kind an exception stands for, by the Python host's mapping."""
    if isinstance(exception, ferryman.RustError):
        return "error"
    if isinstance(exception, ferryman.RustPanic):
        return "panic"
    if isinstance(exception, ferryman.ArgumentOverflowError):
        return "overflow"
    if isinstance(exception, ferryman.ArgumentError):
        kind = exception.kind
        return kind if kind in ("arity", "type") else f"ArgumentError with kind {kind!r}"
    return None


def source_line(fixture: Path, file: str, text: str) -> int:
    """The 1-based line of ``fixture/file`` holding ``text``; it must hold it once."""
    lines = (fixture / file).read_text(encoding="utf-8").splitlines()
    numbers = [n for n, line in enumerate(lines, 1) if text in line]
    if len(numbers) != 1:
        raise LookupError(f"line_of {text!r} occurs {len(numbers)} times in {file}")
    return numbers[0]


def frame_differences(want: Mapping[str, Any], frames: Sequence[Mapping[str, Any]], fixture: Path) -> list[str]:
    """The innermost frame against the case's ``frame``."""
    if not frames:
        return ["frame: the exception has no Rust frames"]
    frame = frames[-1]
    found: list[str] = []
    file = str(frame.get("file", "")).replace("\\", "/")
    if file != want["file"] and not file.endswith("/" + want["file"]):
        found.append(f"frame file: expected …/{want['file']}, got {file!r}")
    line = want["line"] if "line" in want else source_line(fixture, want["file"], want["line_of"])
    if frame.get("line") != line:
        found.append(f"frame line: expected {line}, got {frame.get('line')!r} ({file})")
    for key in ("column", "function"):
        if key in want and frame.get(key) != want[key]:
            found.append(f"frame {key}: expected {want[key]!r}, got {frame.get(key)!r}")
    return found


def error_differences(lib: Any, want: Mapping[str, Any], e: BaseException, fixture: Path) -> list[str]:
    kind = kind_of(e)
    if kind != want["kind"]:
        return [f"expected a {want['kind']!r} error, got {type(e).__name__}: {e} (kind {kind})"]
    found: list[str] = []
    if "message" in want and str(e) != want["message"]:
        found.append(f"message: expected {want['message']!r}, got {str(e)!r}")
    if "message_contains" in want and want["message_contains"] not in str(e):
        found.append(f"message: expected it to contain {want['message_contains']!r}, got {str(e)!r}")
    if kind == "error":
        assert isinstance(e, ferryman.RustError)
        found.extend(_rust_error_differences(lib, want, e))
    for key in ("function", "param", "index", "expected"):
        # A Rust error's own fields may shadow these names: ferryman's values
        # stay in `error_value`.
        got = (e.error_value or {}).get(key) if isinstance(e, ferryman.RustError) else getattr(e, key, None)
        if key in want and got != want[key]:
            found.append(f"{key}: expected {want[key]!r}, got {got!r}")
    if "frame" in want:
        found.extend(frame_differences(want["frame"], getattr(e, "frames", ()), fixture))
    if "causes" in want:
        found.extend(_cause_differences(want["causes"], e))
    return found


def _rust_error_differences(lib: Any, want: Mapping[str, Any], e: ferryman.RustError) -> list[str]:
    found: list[str] = []
    if "type" in want:
        if e.type_name != want["type"]:
            found.append(f"type: expected {want['type']!r}, got {e.type_name!r}")
        if e.rust_type is not None and not isinstance(e, lib.errors[e.rust_type]):
            found.append(f"class: {type(e).__qualname__} is not lib.errors[{e.rust_type!r}]")
    if "variant" in want:
        if e.variant != want["variant"]:
            found.append(f"variant: expected {want['variant']!r}, got {e.variant!r}")
        elif want["variant"] is not None and type(e).__name__ != want["variant"]:
            found.append(f"class: expected the variant class {want['variant']}, got {type(e).__qualname__}")
    if "fields" in want:
        expected = value(want["fields"])
        got = None if e.fields is None else dict(e.fields)
        found.extend(differences(expected, got, "fields"))
    return found


def _cause_differences(want: Sequence[Mapping[str, Any]], e: BaseException) -> list[str]:
    chain = []
    cause = e.__cause__
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__
    if len(chain) != len(want):
        return [f"causes: expected {len(want)}, got {[str(c) for c in chain]}"]
    found = []
    for i, (w, c) in enumerate(zip(want, chain)):
        if "message" in w and str(c) != w["message"]:
            found.append(f"causes[{i}] message: expected {w['message']!r}, got {str(c)!r}")
        if "type" in w and getattr(c, "type_name", None) != w["type"]:
            found.append(f"causes[{i}] type: expected {w['type']!r}, got {getattr(c, 'type_name', None)!r}")
    return found


# ---- one case ----------------------------------------------------------------


def flavor(lib: Any, name: str) -> str | None:
    """``"async"`` or ``"stream"`` when describe marks the function so."""
    for f in lib.describe()["functions"]:
        if f["name"] == name:
            return "async" if f.get("async") else "stream" if f.get("stream") else None
    return None


def outcome(lib: Any, name: str, args: list[Any], items: list[Any]) -> Any:
    """Calls the function: an async one is awaited on a new asyncio loop, a
    stream consumed to its end (its items, also gathered in ``items`` so that
    they are known when an error item raises)."""
    function = getattr(lib, name)
    kind = flavor(lib, name)
    if kind is None:
        return function(*args)

    async def run() -> Any:
        got = function(*args)
        if kind == "async":
            return await got
        async for item in got:
            items.append(item)
        return items

    return asyncio.run(run())


def run_case(lib: Any, case: Mapping[str, Any], fixture: Path) -> list[str]:
    """What went wrong with one case (empty when it passed)."""
    args = value(case["args"])
    items: list[Any] = []
    try:
        got = outcome(lib, case["function"], args, items)
    except Exception as e:  # every failure of the call is compared, never raised
        if "error" not in case:
            return [f"expected the result {case['result']!r}, got {type(e).__name__}: {e}"]
        problems = differences(value(case["items"]), items, "items") if "items" in case else []
        try:
            return problems + error_differences(lib, case["error"], e, fixture)
        except LookupError as problem:
            return [str(problem)]
    if "error" in case:
        return [f"expected a {case['error']['kind']!r} error, got the result {got!r}"]
    return differences(value(case["result"]), got)


def load_cases(path: Path = CASES) -> dict[str, Any]:
    suite: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return suite


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The Python runner of the ferryman conformance suite.")
    parser.add_argument("library", type=Path, help="the fixture library (libferryman_fixture.so)")
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("-k", dest="only", default="", help="run only the cases whose id contains this")
    options = parser.parse_args(argv)
    suite = load_cases(options.cases)
    fixture = REPO / suite["fixture"]
    lib = ferryman.load(options.library)
    passed = failed = 0
    for case in suite["cases"]:
        if options.only not in case["id"]:
            continue
        problems = run_case(lib, case, fixture)
        if problems:
            failed += 1
            print(f"FAIL {case['id']}: " + "; ".join(problems))
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
