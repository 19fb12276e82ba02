"""The conformance suite (tests/conformance) through the Python runner: every
case of cases.json as a test of its own, the runner script as a user runs it,
and the cases file itself checked against the fixture and the spec."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import ferryman
import spec_text

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "tests" / "conformance"
RUNNER = SUITE / "run_python.py"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_run_python", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _runner()
SUITE_DATA: dict[str, Any] = runner.load_cases()
CASES: list[dict[str, Any]] = SUITE_DATA["cases"]
FIXTURE = REPO / SUITE_DATA["fixture"]


def _spec_kinds() -> set[str]:
    """The kinds of spec/wire.md's error value table (its `kind` row)."""
    table = spec_text.section(spec_text.read("wire.md"), "## Error values")
    row = next(line for line in table.splitlines() if line.startswith("| `kind` |"))
    meaning = row.split("|")[3]
    return set(re.findall(r"`([a-z_]+)`", meaning))


KINDS = _spec_kinds()
ERROR_KEYS = {
    "kind", "type", "variant", "fields", "message", "message_contains", "function",
    "param", "index", "expected", "frame", "causes",
}


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(lib: ferryman.Library, case: dict[str, Any]) -> None:
    problems = runner.run_case(lib, case, FIXTURE)
    assert not problems, "; ".join(problems)


def test_the_runner_passes_every_case(fixture_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(fixture_file)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f"{len(CASES)} passed, 0 failed"


# Cases each runner must fail, and what it must say (Python's words, C's words;
# Go's are in GO_WORDS).
BROKEN = [
    ({"id": "good", "function": "add", "args": [2, 3], "result": 5}, None, None),
    ({"id": "wrong-result", "function": "add", "args": [2, 3], "result": 6},
     "FAIL wrong-result: result: expected 6, got 5", "FAIL wrong-result: result: expected 6, got 5"),
    ({"id": "wrong-kind", "function": "add", "args": [1], "error": {"kind": "type", "function": "add"}},
     "FAIL wrong-kind: expected a 'type' error", 'FAIL wrong-kind: kind: expected "type", got "arity"'),
    ({"id": "wrong-variant", "function": "divide", "args": [1, 0],
      "error": {"kind": "error", "type": "MathError", "variant": "Overflow"}},
     "FAIL wrong-variant: variant: expected 'Overflow', got 'DivisionByZero'",
     'FAIL wrong-variant: variant: expected "Overflow", got "DivisionByZero"'),
    ({"id": "wrong-line", "function": "panic_now", "args": ["x"],
      "error": {"kind": "panic", "frame": {"file": "src/panics.rs", "line_of": "pub fn panic_now("}}},
     "FAIL wrong-line: frame line: expected", "FAIL wrong-line: frame line: expected"),
    ({"id": "ambiguous-line", "function": "panic_now", "args": ["x"],
      "error": {"kind": "panic", "frame": {"file": "src/panics.rs", "line_of": "pub fn"}}},
     "FAIL ambiguous-line: line_of 'pub fn' occurs 3 times",
     'FAIL ambiguous-line: frame: line_of "pub fn" occurs 3 times'),
    ({"id": "wrong-big-int", "function": "echo_u128", "args": [{"$int": "340282366920938463463374607431768211455"}],
      "result": {"$int": "340282366920938463463374607431768211454"}},
     "FAIL wrong-big-int: result: expected", "FAIL wrong-big-int: result: expected"),
]


GO_WORDS = [
    None,
    "FAIL wrong-result: result: expected 6, got 5",
    'FAIL wrong-kind: expected a "type" error, got *ferryman.ArgumentError',
    'FAIL wrong-variant: variant: expected "Overflow", got "DivisionByZero"',
    "FAIL wrong-line: frame line: expected",
    'FAIL ambiguous-line: line_of "pub fn" occurs 3 times',
    "FAIL wrong-big-int: result: expected",
]


def _broken_suite(tmp_path: Path) -> Path:
    suite = tmp_path / "cases.json"
    cases = [case for case, _, _ in BROKEN]
    suite.write_text(json.dumps({"format": 1, "fixture": SUITE_DATA["fixture"], "cases": cases}))
    return suite


def _check_failures(output: str, words: list[str | None]) -> None:
    lines = output.splitlines()
    assert lines[-1] == f"1 passed, {len(BROKEN) - 1} failed", output
    for start in words:
        if start is not None:
            assert any(line.startswith(start) for line in lines), (start, output)


def test_the_python_runner_names_each_failed_case_and_what_differed(fixture_file: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(fixture_file), "--cases", str(_broken_suite(tmp_path))],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    _check_failures(done.stdout, [python for _, python, _ in BROKEN])


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_the_c_runner_names_each_failed_case_and_what_differed(fixture_file: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(SUITE / "run_c.sh"), str(fixture_file)],
        env={**os.environ, "CASES": str(_broken_suite(tmp_path))},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    _check_failures(done.stdout, [c for _, _, c in BROKEN])


@pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain")
def test_the_go_runner_names_each_failed_case_and_what_differed(fixture_file: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(SUITE / "run_go.sh"), str(fixture_file)],
        env={**os.environ, "CASES": str(_broken_suite(tmp_path))},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    _check_failures(done.stdout, GO_WORDS)


def test_the_cases_are_well_formed(lib: ferryman.Library) -> None:
    """Ids are unique; every case calls a function the fixture exports, with
    either a result or an error of a kind the spec defines, and each frame's
    line_of is found exactly once in the fixture's source."""
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    exported = set(lib.functions)
    for case in CASES:
        assert case["function"] in exported, case["id"]
        assert isinstance(case["args"], list), case["id"]
        assert ("result" in case) != ("error" in case), case["id"]
        runner.value(case["args"])  # tags known and well-formed
        if "error" in case:
            error = case["error"]
            assert error["kind"] in KINDS, case["id"]
            assert set(error) <= ERROR_KEYS, (case["id"], set(error) - ERROR_KEYS)
            if "line_of" in error.get("frame", {}):
                runner.source_line(FIXTURE, error["frame"]["file"], error["frame"]["line_of"])
        else:
            runner.value(case["result"])


def test_the_suite_covers_what_the_issue_asks_for() -> None:
    """At least 80 cases, every error kind a host can provoke with plain
    values, and the tagged forms."""
    assert len(CASES) >= 80
    kinds = {case["error"]["kind"] for case in CASES if "error" in case}
    assert {"error", "panic", "arity", "type", "overflow"} <= kinds
    text = (SUITE / "cases.json").read_text()
    for tag in ("$bytes", "$int", "$float", "$map", "$tuple"):
        assert f'"{tag}"' in text, tag


def test_the_readme_documents_every_error_key_and_tag() -> None:
    """The format's spec (tests/conformance/README.md) names each key a case's
    error may hold, each tag, and each kind of the wire spec."""
    readme = (SUITE / "README.md").read_text()
    for key in ERROR_KEYS:
        assert f"`{key}`" in readme, key
    for tag in ("$bytes", "$int", "$float", "$map", "$tuple"):
        assert f'{{"{tag}":' in readme, tag
    assert {"error", "panic", "arity", "type", "overflow", "malformed", "no_function", "internal", "host"} == KINDS
    for kind in KINDS:
        assert f"`{kind}`" in readme, kind
