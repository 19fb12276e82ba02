"""Python → Rust → Python recursion raises RecursionError instead of crashing.

Each level uses a few kilobytes of C stack, so a thread with a small stack (a
Rust thread has 2 MiB, a Python thread may have 1 MiB) runs out long before
Python's recursion limit. The host checks the stack left whenever Rust calls
back into Python. Every case runs in a child process: without the check it
dies of a segmentation fault.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

PRELUDE = """
import json, sys, threading
import ferryman
lib = ferryman.load({path!r})
deepest = 0

def recurse(n):
    global deepest
    deepest = n
    return lib.apply(recurse, n + 1)

def report(error):
    print(json.dumps({{"outcome": type(error).__name__, "depth": deepest, "message": str(error)}}), flush=True)
"""

CASES = {
    # A stored callback run on a Rust thread (std's 2 MiB stack) recurses
    # through `apply`.
    "on a Rust thread": """
        lib.store_callback(lambda text: str(recurse(0)))
        try:
            lib.call_stored_on_thread("go")
        except BaseException as error:
            report(error)
    """,
    # A Python thread with a 1 MiB stack.
    "on a Python thread with a 1 MiB stack": """
        threading.stack_size(1 << 20)
        def run():
            try:
                lib.apply(recurse, 0)
            except BaseException as error:
                report(error)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    """,
    # The main thread, with Python's own limit out of the way.
    "on the main thread with a high recursion limit": """
        sys.setrecursionlimit(1_000_000)
        try:
            lib.apply(recurse, 0)
        except BaseException as error:
            report(error)
    """,
}


def run_child(fixture_file: Path, case: str) -> dict[str, Any]:
    script = PRELUDE.format(path=str(fixture_file)) + textwrap.dedent(CASES[case])
    child = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, (child.returncode, child.stderr[-3000:])
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(CASES))
def test_deep_recursion_through_rust_raises_recursion_error(fixture_file: Path, case: str) -> None:
    report = run_child(fixture_file, case)
    assert report["outcome"] == "RecursionError", report
    assert report["depth"] > 20, report
    assert "recursion" in report["message"], report
