"""The wheels test_packaging.py and test_cli.py install: the example's
(``ferryman build examples/geometry``, built once) and ferryman's own abi3 wheel.

``scripts/test-abi3.sh`` builds both once and passes them in
(``FERRYMAN_WHEEL``, ``FERRYMAN_EXAMPLE_DIST``) to the suite it runs under
every other CPython.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

WORK = REPO / "target" / "packaging"


def example_dist() -> Path:
    """A directory holding the geometry wheel."""
    given = os.environ.get("FERRYMAN_EXAMPLE_DIST")
    if given:
        return Path(given)
    if importlib.util.find_spec("wheel") is None or shutil.which("cargo") is None:
        pytest.skip("ferryman build needs `wheel` (pip install 'ferryman[build]') and cargo")
    from ferryman._build import build_wheel

    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    build_wheel(REPO / "examples" / "geometry", dist, quiet=True)
    return dist


def ferryman_wheel() -> Path:
    """ferryman's abi3 wheel, built by maturin from this tree (cargo reuses
    the `wheel` profile's build of ``scripts/venv.sh``)."""
    given = os.environ.get("FERRYMAN_WHEEL")
    if given:
        return Path(given)
    maturin = shutil.which("maturin", path=str(Path(sys.executable).parent)) or shutil.which("maturin")
    if maturin is None:
        pytest.skip("maturin is not installed: cannot build ferryman's wheel")
    out = WORK / "ferryman-wheel"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYO3_PYTHON=sys.executable)
    subprocess.run(
        [maturin, "build", "--profile", "wheel", "--quiet", "-m", "bindings/python/Cargo.toml", "-o", str(out)],
        cwd=REPO,
        env=env,
        check=True,
    )
    return next(out.glob("ferryman-*-abi3-*.whl"))
