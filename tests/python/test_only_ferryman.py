"""A user crate whose only dependency is ``ferryman`` (tests/only-ferryman):
its own serde structs, enums and error fields work through ferryman's
re-exports of serde."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

import ferryman

from conftest import REPO


@pytest.fixture(scope="module")
def user(only_ferryman_file: Path) -> ferryman.Library:
    return ferryman.load(only_ferryman_file)


def test_the_crate_depends_on_ferryman_alone() -> None:
    metadata = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    packages = json.loads(metadata.stdout)["packages"]
    package = next(p for p in packages if p["name"] == "only-ferryman")
    normal = [d["name"] for d in package["dependencies"] if d["kind"] is None]
    assert normal == ["ferryman"]
    assert all(d["kind"] == "dev" for d in package["dependencies"] if d["name"] != "ferryman")
    assert package["targets"][0]["crate_types"] == ["cdylib"]


def test_its_own_structs_and_enums_cross(user: ferryman.Library) -> None:
    assert user.midpoint({"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 4.0}) == {"x": 1.0, "y": 2.0}
    circle = {"Circle": {"center": {"x": 0.0, "y": 0.0}, "radius": 1.0}}
    assert user.area(circle) == pytest.approx(math.pi)
    square = {"Polygon": [{"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 0.0}, {"x": 2.0, "y": 2.0}, {"x": 0.0, "y": 2.0}]}
    assert user.area(square) == pytest.approx(4.0)
    assert user.area("Empty") == 0.0
    assert user.census([circle, square, "Empty", "Empty"]) == {"circle": 1, "empty": 2, "polygon": 1}
    assert user.describe()["functions"][user["area"].id]["params"][0]["type"] == {"named": "Shape"}


def test_its_error_fields_reach_python(user: ferryman.Library) -> None:
    with pytest.raises(user.errors.ShapeError) as caught:
        user.area({"Polygon": [{"x": 0.0, "y": 0.0}]})
    error = caught.value
    assert str(error) == "a polygon needs 3 points, this one has 1"
    assert (error.variant, error.fields, error.count) == ("TooFewPoints", {"count": 1}, 1)
    with pytest.raises(user.errors.ShapeError) as caught:
        user.area({"Circle": {"center": {"x": 0.0, "y": 0.0}, "radius": -1.0}})
    assert caught.value.fields == {"0": -1.0}


def test_a_boxed_error_needs_no_error_crate(user: ferryman.Library) -> None:
    assert user.parse_point("1, 2.5") == {"x": 1.0, "y": 2.5}
    with pytest.raises(ferryman.RustError, match="expected `x,y`"):
        user.parse_point("nope")
    with pytest.raises(ferryman.RustError, match="invalid float literal"):
        user.parse_point("a,b")
    with pytest.raises(ferryman.ArgumentError, match="midpoint"):
        user.midpoint({"x": 1.0}, {"x": 0.0, "y": 0.0})
