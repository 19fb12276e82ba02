"""The `ferryman` command (`python -m ferryman`): describe, stubs, call, check."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ferryman
from ferryman._compat import compare_libraries


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ferryman", *map(str, args)], capture_output=True, text=True)


def test_describe_lists_signatures_errors_and_types(geometry_file: Path) -> None:
    run = cli("describe", geometry_file)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("geometry 0.1.0 (ferryman ")
    assert "  area(polygon: list[Point]) -> float  raises GeometryError\n" in out
    assert "  translate(polygon: list[Point], dx: float, dy: float) -> list[Point]\n" in out
    assert "  transform(polygon: list[Point], f: Callable[[Point], Point]) -> list[Point]  raises CallbackError" in out
    assert "errors:\n  CallbackError\n  GeometryError\n" in out
    assert "struct Point {x: float, y: float}" in out


def test_describe_shows_classes_with_their_methods(fixture_file: Path) -> None:
    run = cli("describe", fixture_file)
    assert run.returncode == 0, run.stderr
    if "classes:" in run.stdout:
        assert "  class Counter\n" in run.stdout


def test_describe_json_is_the_describe_map(geometry_file: Path) -> None:
    run = cli("describe", geometry_file, "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["functions"] == ferryman.load(geometry_file).describe()["functions"]


def test_call_takes_json_arguments_and_prints_json(geometry_file: Path) -> None:
    square = json.dumps([{"x": 0, "y": 0}, {"x": 4, "y": 0}, {"x": 4, "y": 4}, {"x": 0, "y": 4}])
    run = cli("call", geometry_file, "translate", square, "1", "-1")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)[0] == {"x": 1.0, "y": -1.0}


def test_call_reports_a_rust_error_and_a_bad_argument(geometry_file: Path) -> None:
    run = cli("call", geometry_file, "area", "[]")
    assert run.returncode == 1
    assert "GeometryError.TooFewVertices: a polygon needs at least 3 vertices, got 0" in run.stderr
    run = cli("call", geometry_file, "area", "[{x: 1}]")
    assert run.returncode == 2 and "argument 1 ('[{x: 1}]') is not JSON" in run.stderr
    run = cli("call", geometry_file, "areaa", "[]")
    assert run.returncode == 1 and "did you mean" in run.stderr and "'area'" in run.stderr


def test_stubs_writes_the_package_stub(geometry_file: Path, tmp_path: Path) -> None:
    run = cli("stubs", geometry_file, "-o", tmp_path)
    assert run.returncode == 0, run.stderr
    stub = (tmp_path / "__init__.pyi").read_text()
    assert "def area(" in stub


def test_check_of_a_library_against_itself_passes(geometry_file: Path) -> None:
    run = cli("check", geometry_file, geometry_file)
    assert run.returncode == 0, run.stdout + run.stderr
    count = len(ferryman.load(geometry_file).functions)
    assert run.stdout.endswith(f"{count} functions: {count} unchanged, 0 incompatible — compatible\n")


def test_check_reports_each_function_and_fails_on_a_break(geometry_file: Path, fixture_file: Path) -> None:
    run = cli("check", geometry_file, fixture_file)
    assert run.returncode == 1
    assert "incompatible area\n    ✗ parameter 'polygon' (position 0) was renamed to 'shape'\n" in run.stdout
    assert "    ✗ its error type changed from 'GeometryError' to None\n" in run.stdout
    assert "removed      centroid\n    ✗ centroid was removed\n" in run.stdout
    assert "added        add\n" in run.stdout


@pytest.fixture(scope="module")
def old(geometry_file: Path) -> dict[str, Any]:
    return ferryman.load(geometry_file).describe()


def _function(description: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in description["functions"] if f["name"] == name)


def _by_name(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {r.name: r for r in compare_libraries(old, new)}


def test_compatible_changes(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    translate = _function(new, "translate")
    translate["params"].append({"name": "dz", "type": "f64", "rust": "f64", "default": 0.0})
    extra = copy.deepcopy(_function(new, "vertex"))
    extra["name"] = "vertex_count"
    new["functions"].append(extra)
    reports = _by_name(old, new)
    assert reports["translate"].status == "compatible" and reports["translate"].problems == []
    assert reports["translate"].notes == ["parameter 'dz' was added, with a default"]
    assert reports["vertex_count"].status == "added"
    assert reports["area"].status == "unchanged"


def test_incompatible_changes_are_named_per_function(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    _function(new, "vertex")["params"][1]["type"] = "str"
    _function(new, "perimeter")["returns"]["type"] = "f32"
    _function(new, "translate")["params"].append({"name": "dz", "type": "f64", "rust": "f64"})
    new["functions"] = [f for f in new["functions"] if f["name"] != "centroid"]
    reports = _by_name(old, new)
    assert reports["vertex"].problems == ["parameter 'n': type changed from usize to str"]
    assert reports["perimeter"].problems == ["the result: type changed from f64 to f32"]
    assert reports["translate"].problems == ["parameter 'dz' was added without a default: old calls lack it"]
    assert reports["centroid"].status == "removed"
    assert reports["area"].status == "unchanged"


def test_record_and_enum_changes_depend_on_the_direction(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    point = next(t for t in new["types"] if t["name"] == "Point")
    point["fields"].append({"name": "z", "type": "f64", "optional": False})
    reports = _by_name(old, new)
    # Sent by the host: a new required field breaks old callers.
    assert "parameter 'polygon' (Point): required field 'z' was added: old callers do not send it" in (
        reports["area"].problems
    )
    # Only received (centroid's result): a new field is harmless.
    assert reports["centroid"].problems == [
        "parameter 'polygon' (Point): required field 'z' was added: old callers do not send it"
    ]
    assert "the result (Point): field 'z' was added" in reports["centroid"].notes
    enum_old = {
        "types": [{"name": "Mode", "kind": "enum", "variants": [{"name": "A", "kind": "unit"}]}],
        "functions": [{"name": "mode", "params": [], "returns": {"type": {"named": "Mode"}}, "error": None}],
    }
    enum_new = copy.deepcopy(enum_old)
    enum_new["types"][0]["variants"].append({"name": "B", "kind": "unit"})
    (report,) = compare_libraries(enum_old, enum_new)
    assert report.status == "compatible" and report.notes == ["the result (Mode): variant 'B' was added"]
