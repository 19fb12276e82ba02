"""Two ferryman libraries in one process (spec/abi.md, "Threads and
processes"): the fixture and the example (examples/geometry), each with its
own copy of the runtime, panic hook, registered hosts and closures."""

from __future__ import annotations

import gc
import threading
import traceback
from pathlib import Path

import pytest

import ferryman

from conftest import REPO, source_line
from wire import RawLibrary

GEOMETRY_SRC = REPO / "examples" / "geometry" / "src" / "lib.rs"
SQUARE = [{"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 0.0}, {"x": 2.0, "y": 2.0}, {"x": 0.0, "y": 2.0}]


def geometry_line(needle: str) -> int:
    lines = GEOMETRY_SRC.read_text().splitlines()
    matches = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(matches) == 1, needle
    return matches[0]


@pytest.fixture(scope="module")
def geometry(geometry_file: Path) -> ferryman.Library:
    return ferryman.load(geometry_file)


def test_each_library_describes_itself(lib: ferryman.Library, geometry: ferryman.Library) -> None:
    assert (lib.name, geometry.name) == ("ferryman-fixture", "geometry")
    assert lib.handshake()["library"] == "ferryman-fixture"
    assert geometry.handshake()["library"] == "geometry"
    for library in (lib, geometry):
        handshake, description = library.handshake(), library.describe()
        assert handshake["functions"] == len(description["functions"]) == len(library)
        assert {entry["name"] for entry in description["functions"]} == set(library.functions)
    assert "vertex" in geometry and "vertex" not in lib
    assert "add" in lib and "add" not in geometry


def test_symbols_are_looked_up_per_library(fixture_file: Path, geometry_file: Path) -> None:
    fixture, geometry = RawLibrary(fixture_file), RawLibrary(geometry_file)
    assert fixture.function_id("add") >= 0 and geometry.function_id("add") == -1
    assert fixture.read_map("ferryman_handshake")["library"] == "ferryman-fixture"
    assert geometry.read_map("ferryman_handshake")["library"] == "geometry"
    # Both libraries export `area`, with different ids, parameters and results.
    assert fixture.call("area", {"Square": 3.0}) == (0, 9.0)
    assert geometry.call("area", SQUARE) == (0, 4.0)


def test_calls_and_errors_of_both(lib: ferryman.Library, geometry: ferryman.Library) -> None:
    assert geometry.area(SQUARE) == pytest.approx(4.0)
    assert lib.area({"Square": 3.0}) == pytest.approx(9.0)
    assert lib.add(2, 3) == 5
    with pytest.raises(geometry.errors.GeometryError) as caught:
        geometry.area([])
    assert caught.value.rust_type == "geometry::GeometryError"
    assert (caught.value.variant, caught.value.got) == ("TooFewVertices", 0)
    assert not isinstance(caught.value, tuple(lib.errors))
    assert type(caught.value).__module__ == "geometry"
    with pytest.raises(lib.errors.MathError) as caught_math:
        lib.divide(1, 0)
    assert not isinstance(caught_math.value, tuple(geometry.errors))
    with pytest.raises(ferryman.ArgumentError, match=r"^area\(\) argument 'polygon'"):
        geometry.area(3)


def test_panics_of_both_keep_their_own_location(
    lib: ferryman.Library, geometry: ferryman.Library, capfd: pytest.CaptureFixture[str]
) -> None:
    vertex_line = geometry_line("polygon[n]")
    panic_line = source_line("panics.rs", 'panic!("{message}")')
    for _ in range(2):  # interleaved: neither hook takes the other's panics
        with pytest.raises(ferryman.RustPanic) as in_geometry:
            geometry.vertex(SQUARE, 10)
        with pytest.raises(ferryman.RustPanic) as in_fixture:
            lib.panic_now("fixture panic")
        last = traceback.extract_tb(in_geometry.value.__traceback__)[-1]
        assert Path(last.filename).as_posix().endswith("examples/geometry/src/lib.rs")
        assert (last.lineno, in_geometry.value.function) == (vertex_line, "vertex")
        assert "index out of bounds" in str(in_geometry.value)
        last = traceback.extract_tb(in_fixture.value.__traceback__)[-1]
        assert Path(last.filename).as_posix().endswith("tests/fixture/src/panics.rs")
        assert (last.lineno, str(in_fixture.value)) == (panic_line, "fixture panic")
    # Each library's hook kept its panics quiet.
    assert "panicked" not in capfd.readouterr().err


def test_python_callbacks_into_both(lib: ferryman.Library, geometry: ferryman.Library) -> None:
    assert lib.apply(lambda x: x + 1, 41) == 42
    moved = geometry.transform(SQUARE, lambda p: {"x": p["x"] + 1, "y": p["y"]})
    assert moved[0] == {"x": 1.0, "y": 0.0}

    class Stop(Exception):
        pass

    def stop(_: object) -> object:
        raise Stop("from a callback")

    for call in (lambda: lib.apply(stop, 1), lambda: geometry.transform(SQUARE, stop)):
        with pytest.raises(Stop, match="from a callback"):
            call()


def test_a_closure_of_one_library_called_by_the_other(lib: ferryman.Library, geometry: ferryman.Library) -> None:
    double = geometry.scaler(2.0)
    assert lib.map_point(double, {"x": 1.5, "y": -2.0}) == {"x": 3.0, "y": -4.0}
    assert geometry.transform(SQUARE, double)[2] == {"x": 4.0, "y": 4.0}
    # Types that do not match are a clean argument error, from either side.
    add5 = lib.adder(5)
    with pytest.raises(ferryman.ArgumentError, match=r"^closure\(\) argument 0: expected i64"):
        geometry.transform(SQUARE, add5)
    with pytest.raises(ferryman.ArgumentError, match=r"^closure\(\) argument 0: expected Point, but found integer 3$"):
        lib.apply(double, 3)
    assert lib.apply(add5, 1) == 6
    # Each library counts only its own closures.
    assert [entry["signature"] for entry in geometry.live_closures()] == ["(Point) -> Point"]
    assert [entry["signature"] for entry in lib.live_closures()] == ["(i64) -> i64"]
    del double, add5
    gc.collect()
    assert geometry.live_closures() == []
    assert lib.live_closures() == []


def test_threads_mixing_both(lib: ferryman.Library, geometry: ferryman.Library) -> None:
    failures: list[str] = []
    double = geometry.scaler(2.0)

    def work(seed: int) -> None:
        try:
            for i in range(100):
                assert lib.add(seed, i) == seed + i
                assert geometry.area(SQUARE) == 4.0
                assert lib.apply(lambda x: x * 2, i) == 2 * i
                assert geometry.transform(SQUARE[:1], lambda p: p) == SQUARE[:1]
                assert lib.map_point(double, {"x": float(i), "y": 0.0}) == {"x": 2.0 * i, "y": 0.0}
                if i % 10 == 0:
                    with pytest.raises(ferryman.RustPanic):
                        geometry.vertex([], seed)
                    with pytest.raises(ferryman.RustPanic, match="thread panic"):
                        lib.panic_now("thread panic")
                    with pytest.raises(geometry.errors.GeometryError):
                        geometry.perimeter([])
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(f"thread {seed}: {error!r}")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
