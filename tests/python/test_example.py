"""The example (examples/geometry/main.py) runs against the debug geometry library
and prints what its comments promise, callbacks, closures and the `Polyline`
object included."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, cdylib

EXAMPLE = REPO / "examples" / "geometry" / "main.py"


@pytest.fixture(scope="module")
def output() -> str:
    library = Path(os.environ.get("FERRYMAN_GEOMETRY", cdylib("geometry")))
    if not library.exists() and "FERRYMAN_GEOMETRY" not in os.environ and shutil.which("cargo"):
        subprocess.run(["cargo", "build", "-p", "geometry"], cwd=REPO, check=False)
    if not library.exists():
        pytest.fail(f"{library} not found: build it with `cargo build -p geometry`", pytrace=False)
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), str(library)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return run.stdout


def section(output: str, title: str) -> str:
    """The lines after ``title`` up to the next blank line."""
    start = output.index(title + "\n") + len(title) + 1
    end = output.find("\n\n", start)
    return output[start : end if end != -1 else len(output)]


def test_the_example_calls_the_library(output: str) -> None:
    assert "area         = 16.0" in output
    assert "Polygon      = 4 vertices, area 16.0" in output
    assert "first vertex = {'x': 0.0, 'y': 0.0}" in output
    assert "caught GeometryError.TooFewVertices: a polygon needs at least 3 vertices, got 2 (got=2)" in output


def test_the_example_passes_callbacks_and_gets_closures_back(output: str) -> None:
    lines = output.splitlines()
    assert "transformed  = [{'x': 0.0, 'y': 0.0}, {'x': 8.0, 'y': 0.0}, {'x': 8.0, 'y': 8.0}, {'x': 0.0, 'y': 8.0}]" in lines
    assert "scaler(0.5)  = <ferryman closure (Point) -> Point> -> {'x': 4.0, 'y': 1.0}" in lines
    assert "round trip   = True" in lines


def test_the_examples_polyline_is_a_stateful_class(output: str) -> None:
    lines = output.splitlines()
    assert "path         = Polyline of 3 points, 7 long" in lines
    assert "points       = [{'x': 0.0, 'y': 0.0}, {'x': 3.0, 'y': 0.0}, {'x': 3.0, 'y': 4.0}]" in lines
    assert "segments     = [3.0, 4.0]" in lines
    assert "closed area  = 6.0" in lines
    assert "parsed       = Polyline of 4 points, 12 long is a Polyline True" in lines


def test_the_examples_polyline_guards_mut_self_and_is_released(output: str) -> None:
    lines = output.splitlines()
    assert "push while iterating: BorrowError" in lines
    assert "after close  = Polyline of 4 points, 12 long" in lines
    assert "with         = 5.0" in lines
    live = [line for line in lines if line.startswith("live objects =")]
    assert live == ["live objects = {'Polyline': 2}", "live objects = {}"]


def test_the_examples_callback_exception_reads_script_rust_callback(output: str) -> None:
    traceback = section(output, "A Python exception raised inside a Rust call, as Python prints it:")
    places = re.findall(r'File "([^"]+)", line \d+, in (\S+)', traceback)
    assert [(Path(file).name, function) for file, function in places] == [
        ("main.py", "<module>"),
        ("lib.rs", "transform"),
        ("main.py", "reject_negative"),
    ]
    assert traceback.endswith("ValueError: negative x in {'x': -10.0, 'y': 0.0}")


def test_the_examples_panic_points_at_the_rust_line(output: str) -> None:
    traceback = section(output, "A Rust panic, as Python prints it:")
    assert 'examples/geometry/src/lib.rs", line' in traceback
    assert "ferryman.RustPanic: index out of bounds: the len is 4 but the index is 10" in traceback
