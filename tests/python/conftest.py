"""Shared fixtures: the fixture library (tests/fixture), built by
``cargo build -p ferryman-fixture``, loaded once per session.

``FERRYMAN_FIXTURE`` overrides the path of the library.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import ferryman
from ferryman import _native

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SRC = REPO / "tests" / "fixture" / "src"


def cdylib(name: str, profile: str = "debug") -> Path:
    """The path cargo gives the cdylib of crate ``name``."""
    if sys.platform == "darwin":
        file = f"lib{name}.dylib"
    elif sys.platform == "win32":
        file = f"{name}.dll"
    else:
        file = f"lib{name}.so"
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / profile / file


def fixture_path() -> Path:
    override = os.environ.get("FERRYMAN_FIXTURE")
    return Path(override) if override else cdylib("ferryman_fixture")


def source_line(file: str, needle: str) -> int:
    """The 1-based line of ``tests/fixture/src/<file>`` that contains ``needle``."""
    lines = (FIXTURE_SRC / file).read_text().splitlines()
    matches = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(matches) == 1, f"{needle!r} occurs {len(matches)} times in {file}"
    return matches[0]


def fn_line(file: str, name: str) -> int:
    """The line of ``pub fn <name>(`` in a fixture source file."""
    return source_line(file, f"pub fn {name}(")


def built(package: str, path: Path, may_build: bool = True) -> Path:
    """``path``, the cdylib of workspace package ``package``, built with cargo
    when it is missing."""
    if not path.exists() and may_build and shutil.which("cargo"):
        subprocess.run(["cargo", "build", "-p", package], cwd=REPO, check=False)
    if not path.exists():
        pytest.fail(f"{path} not found: build it with `cargo build -p {package}`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def fixture_file() -> Path:
    return built("ferryman-fixture", fixture_path(), may_build="FERRYMAN_FIXTURE" not in os.environ)


@pytest.fixture(scope="session")
def geometry_file() -> Path:
    """The example library (examples/geometry), a second ferryman library."""
    return built("geometry", cdylib("geometry"))


@pytest.fixture(scope="session")
def only_ferryman_file() -> Path:
    """tests/only-ferryman: a library whose only dependency is ferryman."""
    return built("only-ferryman", cdylib("only_ferryman"))


_loaded: list[ferryman.Library] = []


@pytest.fixture(scope="session")
def lib(fixture_file: Path) -> ferryman.Library:
    library = ferryman.load(fixture_file)
    _loaded.append(library)
    return library


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "keeps_references: the test deliberately leaves closures, objects or host objects alive "
        "(the leak check after it is skipped)",
    )


def settled_futures(library: ferryman.Library, within: float = 5.0) -> list[dict[str, object]]:
    """`library.live_futures()` once empty, or after `within` seconds. A
    cancel that meets a poll running on one of the library's threads drops
    the future right after that poll, there: not before the cancel returns."""
    deadline = time.monotonic() + within
    while (live := library.live_futures()) and time.monotonic() < deadline:
        time.sleep(0.005)
    return live


def _leaks() -> list[str]:
    """What is still held across the boundary: closures and objects of the
    session's fixture library, and Python objects any library holds."""
    found = []
    for library in _loaded:
        if closures := library.live_closures():
            found.append(f"live closures: {closures}")
        if objects := library.live_objects():
            found.append(f"live objects: {objects}")
        if futures := library.live_futures():
            found.append(f"live futures and streams: {futures}")
    if hosted := _native.live_host_objects():
        found.append(f"{hosted} host objects held by libraries")
    return found


@pytest.fixture(autouse=True)
def _nothing_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test: nothing it was handed is still held (issue 12).
    Releases may finish on other threads (a background thread dropping a
    callback), so the check waits briefly before it fails."""
    yield
    if request.node.get_closest_marker("keeps_references"):
        return
    deadline = time.monotonic() + 2.0
    while True:
        gc.collect()
        leaks = _leaks()
        if not leaks or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaks, "left behind by the test: " + "; ".join(leaks)


@pytest.fixture(autouse=True, scope="session")
def _run_from_repo_root() -> None:
    # Rust frames name files relative to the workspace root; linecache finds
    # them (and tracebacks show the Rust source) when that is the cwd.
    os.chdir(REPO)
