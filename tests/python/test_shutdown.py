"""The interpreter exits while Rust threads still call, or hold, Python callables.

CPython ends a thread that wants the GIL once finalization has begun; a Rust
thread inside (or entering) a callback then would be torn down through Rust
frames, which aborts the process. Each case runs in a child process, whose
exit code must be 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

PRELUDE = """
import sys, time
import ferryman
lib = ferryman.load({path!r})

def detached(source):
    # A function whose globals are not this module's: a callable Rust keeps
    # forever does not keep this module (and `slow` below) alive.
    namespace = {{"time": time}}
    exec(source, namespace)
    return namespace["callback"]

class SlowTeardown:
    # Deleted while the interpreter finalizes (this module's globals are
    # cleared), and keeps it busy for a while, the GIL released.
    def __del__(self, sleep=time.sleep):
        sleep(0.5)
"""

SLEEPING_CALLBACK = """
def callback(x):
    time.sleep(0.05)
    return x + 1
"""

CASES = {
    # A detached Rust thread calls a callback that sleeps (the GIL released)
    # back to back: one is running when the script ends.
    "in a callback at exit": f"""
        lib.spawn_calling(detached({SLEEPING_CALLBACK!r}), 0)
        time.sleep(0.3)
        assert lib.background_calls() > 0
    """,
    # The same while finalization takes half a second: the thread is inside a
    # callback, or about to enter one, after finalization has begun.
    "in a callback during finalization": f"""
        lib.spawn_calling(detached({SLEEPING_CALLBACK!r}), 0)
        time.sleep(0.3)
        assert lib.background_calls() > 0
        slow = SlowTeardown()
    """,
    # A thread that calls every 20 ms, entering callbacks during finalization.
    "calling during finalization": """
        lib.spawn_calling(abs, 20)
        time.sleep(0.1)
        assert lib.background_calls() > 0
        slow = SlowTeardown()
    """,
    # The thread drops its last clone of the callback (a release) while the
    # interpreter finalizes.
    "releasing during finalization": """
        lib.spawn_holding(detached("def callback(x):\\n    return x"), 150)
        slow = SlowTeardown()
    """,
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_process_exits_cleanly(fixture_file: Path, case: str) -> None:
    script = PRELUDE.format(path=str(fixture_file)) + textwrap.dedent(CASES[case]) + "\nprint('end of script', flush=True)\n"
    for _ in range(3):
        child = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert child.returncode == 0, (child.returncode, child.stderr[-3000:])
        assert "end of script" in child.stdout
        assert "Fatal Python error" not in child.stderr, child.stderr[-3000:]


def test_a_callback_busy_past_the_wait_is_abandoned_without_an_abort(fixture_file: Path) -> None:
    # The callback stays in Python (taking the GIL again and again) longer than
    # exit waits (FERRYMAN_EXIT_WAIT_MS, shortened here from 5 s): the process
    # ends without finalizing, with one line on stderr, not SIGABRT (issue 12).
    busy = """
def callback(x):
    end = time.monotonic() + 5
    while time.monotonic() < end:
        time.sleep(0.001)
    return x
"""
    script = PRELUDE.format(path=str(fixture_file)) + textwrap.dedent(f"""
        lib.spawn_calling(detached({busy!r}), 0)
        time.sleep(0.2)
        print('end of script', flush=True)
    """)
    child = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "FERRYMAN_EXIT_WAIT_MS": "300"},
    )
    assert child.returncode == 0, (child.returncode, child.stderr[-3000:])
    assert "end of script" in child.stdout
    lines = [line for line in child.stderr.splitlines() if line.startswith("ferryman:")]
    assert lines == [
        "ferryman: exiting without finalizing Python: 1 callback(s) from Rust threads still running "
        "after 0.3 s were abandoned"
    ], child.stderr[-3000:]
