"""`ferryman build`: the example crate becomes a wheel that installs, with
ferryman's own wheel, into a fresh venv with no index, and imports as a
normal package under whichever CPython runs this suite (scripts/test-abi3.sh
runs it under every other one installed here)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from packaging_support import example_dist, ferryman_wheel

USE = r"""
import importlib.resources, geometry
from geometry import GeometryError, Point, area

square = geometry.parse_polygon("0,0 4,0 4,4 0,4")
assert geometry.area(square) == 16.0, geometry.area(square)
assert geometry.translate(square, dx=1, dy=0)[0] == {"x": 1.0, "y": 0.0}
try:
    area(square[:2])
except GeometryError as e:
    assert e.got == 2 and e.variant == "TooFewVertices", (e.got, e.variant)
else:
    raise AssertionError("no GeometryError")
assert GeometryError is geometry.errors.GeometryError
assert {"area", "GeometryError", "Point", "vertex"} <= set(geometry.__all__), geometry.__all__
files = importlib.resources.files("geometry")
assert files.joinpath("py.typed").is_file() and files.joinpath("__init__.pyi").is_file()
print("ok", geometry.library.path)
"""


@pytest.fixture(scope="module")
def dist() -> Path:
    return example_dist()


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("geometry-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv of this interpreter with the two wheels, installed offline."""
    own = ferryman_wheel()
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = root / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index"]
    subprocess.run([*install, "--find-links", str(dist), "--find-links", str(own.parent), "geometry"], check=True)
    return root


def test_the_wheel_is_tagged_for_every_cpython_and_a_manylinux_glibc(wheel: Path) -> None:
    tag = wheel.name.removesuffix(".whl").split("-", 2)[2]
    assert re.fullmatch(r"py3-none-(manylinux_2_\d+_x86_64(\.manylinux\w+)?|linux_\w+|macosx_\w+|win_\w+)", tag), tag
    if sys.platform.startswith("linux"):
        assert "manylinux_2_" in tag, f"auditwheel gave no manylinux tag: {tag}"


def test_the_wheel_holds_the_package_the_library_and_depends_on_ferryman(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read("geometry-0.1.0.dist-info/METADATA").decode()
    assert {"geometry/__init__.py", "geometry/__init__.pyi", "geometry/py.typed", "geometry/libgeometry.so"} <= names
    assert "geometry-0.1.0.dist-info/RECORD" in names
    assert "Requires-Dist: ferryman>=0.1.0,<0.2" in metadata
    assert "Summary: ferryman example: a small geometry library called from Python" in metadata


def test_installed_package_imports_calls_and_raises_its_own_error_class(venv: Path) -> None:
    run = subprocess.run([str(venv / "bin" / "python"), "-c", USE], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok ") and "site-packages/geometry/libgeometry.so" in run.stdout


def test_the_console_script_comes_with_the_ferryman_wheel(venv: Path) -> None:
    so = next((venv / "lib").glob("python3*/site-packages/geometry/libgeometry.so"))
    run = subprocess.run([str(venv / "bin" / "ferryman"), "describe", str(so)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "area(polygon: list[Point]) -> float  raises GeometryError" in run.stdout


def test_a_changed_function_refuses_to_be_called_and_the_others_keep_working(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path)
    schema_file = tmp_path / "geometry" / "_ferryman_schema.json"
    built = json.loads(schema_file.read_text())
    # As if the package had been built against a library whose `area` took a str.
    area = built["functions"]["area"]
    area["schema"]["params"][0]["type"] = "str"
    area["hash"] = "0" * 16
    # A hash that differs while the schemas are compatible (here: equal) keeps the function.
    built["functions"]["perimeter"]["hash"] = "1" * 16
    schema_file.write_text(json.dumps(built))
    script = (
        "import geometry, ferryman\n"
        "square = geometry.parse_polygon('0,0 4,0 4,4 0,4')\n"
        "print(geometry.perimeter(square))\n"
        "try:\n    geometry.area(square)\n"
        "except ferryman.SchemaMismatchError as e:\n    print(e.function, '|', e)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path)}
    )
    assert run.returncode == 0, run.stderr
    perimeter, refusal = run.stdout.splitlines()
    assert perimeter == "16.0"
    assert refusal.startswith("area | geometry.area cannot be called: its Rust signature in ")
    assert "parameter 'polygon': type changed from str to list[Point]" in refusal
    assert "rebuild the package (ferryman build)" in refusal


def _tampered(wheel: Path, tmp_path: Path, change: Any) -> Path:
    """The wheel's package unpacked into ``tmp_path`` with its built schemas
    passed through ``change`` (as if built against another library)."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path)
    schema_file = tmp_path / "geometry" / "_ferryman_schema.json"
    built = json.loads(schema_file.read_text())
    change(built["functions"])
    schema_file.write_text(json.dumps(built))
    return tmp_path


def _run(where: Path, script: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=where, capture_output=True, text=True, env={"PYTHONPATH": str(where)}
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


REFUSALS = (
    "import geometry, ferryman\n"
    "def attempt(what, call):\n"
    "    try:\n        print(what, 'ok', call())\n"
    "    except ferryman.SchemaMismatchError as e:\n        print(what, 'refused', e.function, '|', e)\n"
)


def test_a_changed_class_member_refuses_to_be_called_and_the_others_keep_working(wheel: Path, tmp_path: Path) -> None:
    def change(functions: dict[str, Any]) -> None:
        # As if built against a library whose `push` took a str, whose static
        # `parse` took an int, and which had a method `gone`.
        functions["Polyline.push"]["schema"]["params"][1]["type"] = "str"
        functions["Polyline.push"]["hash"] = "0" * 16
        functions["Polyline.parse"]["schema"]["params"][0]["type"] = "i64"
        functions["Polyline.parse"]["hash"] = "0" * 16
        functions["Polyline.gone"] = dict(functions["Polyline.points"])
        # A hash that differs while the schemas are equal keeps the member.
        functions["Polyline.points"]["hash"] = "1" * 16

    where = _tampered(wheel, tmp_path, change)
    lines = _run(
        where,
        REFUSALS + "line = geometry.Polyline()\n"
        "attempt('points', line.points)\n"
        "attempt('push', lambda: line.push(1.0, 2.0))\n"
        "attempt('parse', lambda: geometry.Polyline.parse('0,0 1,1'))\n"
        "attempt('gone', lambda: line.gone())\n",
    )
    points, push, parse, gone = lines
    assert points == "points ok []"
    assert push.startswith("push refused Polyline.push | geometry.Polyline.push cannot be called: its Rust signature")
    assert "parameter 'x': type changed from str to f64" in push
    assert parse.startswith("parse refused Polyline.parse | geometry.Polyline.parse cannot be called")
    assert gone.startswith("gone refused Polyline.gone | ") and "Polyline.gone is not in " in gone


def test_a_changed_constructor_refuses_to_make_objects(wheel: Path, tmp_path: Path) -> None:
    def change(functions: dict[str, Any]) -> None:
        functions["Polyline.new"]["schema"]["params"] = [{"name": "capacity", "type": "u64"}]
        functions["Polyline.new"]["hash"] = "0" * 16

    where = _tampered(wheel, tmp_path, change)
    (made,) = _run(where, REFUSALS + "attempt('new', geometry.Polyline)\n")
    assert made.startswith("new refused Polyline.new | geometry.Polyline.new cannot be called")
    assert "rebuild the package (ferryman build)" in made


def test_pep517_backend_builds_the_wheel_pip_installs(tmp_path: Path) -> None:
    pytest.importorskip("wheel")
    out = tmp_path / "wheels"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO / "examples" / "geometry"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    (built,) = out.glob("geometry-0.1.0-py3-none-*.whl")
    with zipfile.ZipFile(built) as z:
        assert "geometry/libgeometry.so" in z.namelist()


def test_sdist_holds_the_crate_sources_and_pkg_info(tmp_path: Path) -> None:
    from ferryman.build_backend import build_sdist

    here = Path.cwd()
    try:
        os.chdir(REPO / "examples" / "geometry")
        name = build_sdist(str(tmp_path))
    finally:
        os.chdir(here)
    assert name == "geometry-0.1.0.tar.gz"
    with tarfile.open(tmp_path / name) as tar:
        names = set(tar.getnames())
        pkg_info = tar.extractfile("geometry-0.1.0/PKG-INFO").read().decode()  # type: ignore[union-attr]
    assert {"geometry-0.1.0/Cargo.toml", "geometry-0.1.0/src/lib.rs", "geometry-0.1.0/pyproject.toml"} <= names
    assert not any("/target/" in n for n in names)
    assert "Name: geometry" in pkg_info and "Requires-Dist: ferryman>=" in pkg_info


def _crate(root: Path, cargo_extra: str = "", crate_type: str = "cdylib") -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.rs").write_text("")
    (root / "Cargo.toml").write_text(
        '[package]\nname = "text-kit"\nversion = "1.2.3-beta.4"\nedition = "2021"\n'
        'description = "Tokenizers"\n\n[lib]\ncrate-type = ["' + crate_type + '"]\n' + cargo_extra
    )
    return root


def test_names_come_from_cargo_then_metadata_then_pyproject(tmp_path: Path) -> None:
    pytest.importorskip("wheel")
    from ferryman._build import read_project

    crate = _crate(tmp_path / "plain")
    project = read_project(crate)
    assert (project.name, project.package, project.version, project.description) == (
        "text-kit",
        "text_kit",
        "1.2.3b4",
        "Tokenizers",
    )
    crate = _crate(tmp_path / "meta", '\n[package.metadata.ferryman]\npackage = "textkit"\nversion = "1.2.3"\n')
    project = read_project(crate)
    assert (project.package, project.version) == ("textkit", "1.2.3")
    (crate / "pyproject.toml").write_text(
        '[project]\nname = "textkit-py"\nversion = "2.0"\n\n[tool.ferryman]\npackage = "tk"\n'
    )
    project = read_project(crate)
    assert (project.name, project.package, project.version) == ("textkit-py", "tk", "2.0")


def test_a_crate_without_a_cdylib_is_refused_with_the_fix(tmp_path: Path) -> None:
    from ferryman._build import BuildError, read_project

    with pytest.raises(BuildError, match=r'does not build a cdylib: add\n\[lib\]\ncrate-type = \["cdylib"\]'):
        read_project(_crate(tmp_path, crate_type="rlib"))
    with pytest.raises(BuildError, match=r"has no Cargo\.toml"):
        read_project(tmp_path / "nowhere")


def test_the_ferryman_requirement_is_the_release_series() -> None:
    from ferryman._build import ferryman_requirement

    assert ferryman_requirement("0.1.3") == "ferryman>=0.1.3,<0.2"
    assert ferryman_requirement("1.4.0") == "ferryman>=1.4.0,<2"
