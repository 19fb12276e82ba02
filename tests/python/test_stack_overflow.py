"""Rust running out of stack (README, "Limits"): a cdylib has no stack-overflow
handler (Rust installs one only in its own `main` and the threads it spawns),
so unbounded recursion in Rust kills the process with SIGSEGV. What the user
gets is Python's faulthandler, which names the Python line of the call when it
is on (`python -X faulthandler`, or `PYTHONFAULTHANDLER=1`). Each case runs in
a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path


def run(fixture_file: Path, body: str, *flags: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import ferryman
        lib = ferryman.load({str(fixture_file)!r})
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, *flags, "-c", script], capture_output=True, text=True, timeout=120
    )


def test_recursion_within_the_stack_returns(fixture_file: Path) -> None:
    done = run(fixture_file, "print(lib.recurse(1000))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1000"


def test_a_stack_overflow_in_rust_is_a_segfault_that_faulthandler_names(fixture_file: Path) -> None:
    body = """
    def deep_call():
        return lib.recurse(10**9)
    deep_call()
    """
    done = run(fixture_file, body, "-X", "faulthandler")
    assert done.returncode == -signal.SIGSEGV, (done.returncode, done.stderr)
    assert "Fatal Python error: Segmentation fault" in done.stderr
    assert "deep_call" in done.stderr, done.stderr
