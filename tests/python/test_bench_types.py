"""mypy finds no errors in the benchmark's Python files (``bench/*.py``).

They need nothing built to be checked: the modules ``bench/build.sh`` makes
(``bench_pyo3``, ``bench_uniffi``) are imported by name (``columns.built_module``),
so mypy never looks for them. numpy is optional there as in the suite: without
it, only its import is let go.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

# scripts/test.sh installs mypy and sets this: there it must run.
REQUIRED = os.environ.get("FERRYMAN_REQUIRE_TYPECHECKERS") == "1"


def test_mypy_accepts_the_benchmark_scripts(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        if REQUIRED:
            pytest.fail("mypy is not installed (scripts/requirements.txt)")
        pytest.skip("mypy is not installed (scripts/requirements.txt)")
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\n" + ("" if importlib.util.find_spec("numpy") else "[mypy-numpy]\nignore_missing_imports = True\n")
    )
    files = sorted(str(path.relative_to(REPO)) for path in (REPO / "bench").glob("*.py"))
    assert "bench/run.py" in files and "bench/columns.py" in files
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--no-incremental",
         "--cache-dir", os.devnull, *files],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
