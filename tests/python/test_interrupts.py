"""Ctrl-C during a long Rust call, in a child process we send SIGINT to."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import ferryman

from conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

# The child prints "ready" just before the call (or from inside a callback),
# then one JSON line saying how the call ended. SIGINT comes a little after
# "ready", when the call is running.
CHILD = """
import json, sys, time, traceback
import ferryman
lib = ferryman.load({path!r})
def report(**fields):
    print(json.dumps(fields), flush=True)
def ready():
    print("ready", flush=True)
def wait_in_python(x):
    ready()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pass  # pure Python: the KeyboardInterrupt is raised right here
    return x
{ready}
start = time.monotonic()
try:
    result = {call}
except KeyboardInterrupt as error:
    entries = traceback.extract_tb(error.__traceback__)
    report(outcome="KeyboardInterrupt", elapsed=time.monotonic() - start,
           frames=[[entry.filename, entry.name] for entry in entries])
except BaseException as error:
    report(outcome=type(error).__name__, elapsed=time.monotonic() - start, message=str(error))
else:
    report(outcome="returned", elapsed=time.monotonic() - start, result=result)
"""

# After "ready", how long the parent waits before signalling: the call is
# running by then (it starts right after the print).
SIGNAL_AFTER = 0.3


def interrupt_child(fixture_file: Path, call: str, timeout: float = 60.0) -> dict[str, Any]:
    ready = "" if "wait_in_python" in call else "ready()"
    call = call if call.startswith(("lib.", "list(", "ferryman.", "(")) else f"lib.{call}"
    script = CHILD.format(path=str(fixture_file), call=call, ready=ready)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready = child.stdout.readline().strip()
        assert ready == "ready", (ready, child.stderr.read() if child.stderr else "")
        time.sleep(SIGNAL_AFTER)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=timeout)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def test_check_interrupt_stops_a_long_call_early(fixture_file: Path) -> None:
    report = interrupt_child(fixture_file, "spin_until_interrupted(20_000)")
    assert report["outcome"] == "KeyboardInterrupt", report
    # 20 s if the call ignored the signal; it stops within milliseconds.
    assert report["elapsed"] < 10, report
    names = [name for _, name in report["frames"]]
    assert "spin_until_interrupted" in names, report
    rust = [file for file, name in report["frames"] if name == "spin_until_interrupted"]
    assert rust == ["tests/fixture/src/callbacks.rs"]


@pytest.mark.parametrize("policy", ["auto", "always"])
def test_check_interrupt_on_a_rust_worker_thread_stops_early(fixture_file: Path, policy: str) -> None:
    # The main thread waits (joins) while a thread Rust started checks for
    # Ctrl-C; under "auto" the single-threaded child keeps the GIL meanwhile.
    call = f"set_gil_policy({policy!r}) or lib.spin_on_worker_until_interrupted(20_000)"
    report = interrupt_child(fixture_file, f"ferryman.{call}")
    assert report["outcome"] == "KeyboardInterrupt", report
    assert report["elapsed"] < 10, report
    names = [name for _, name in report["frames"]]
    assert names[-2:] == ["<module>", "spin_on_worker_until_interrupted"], report


def test_a_worker_thread_sees_ctrl_c_again_after_asyncio_run(fixture_file: Path) -> None:
    # asyncio.run installs a SIGINT handler of its own and then restores the
    # default one, which drops ferryman's; the next calls put it back.
    asyncio = "__import__('asyncio')"
    call = (
        f"({asyncio}.run({asyncio}.sleep(0)), lib.spin_on_worker_until_interrupted(100),"
        " lib.spin_on_worker_until_interrupted(20_000))"
    )
    report = interrupt_child(fixture_file, call)
    assert report["outcome"] == "KeyboardInterrupt", report
    assert report["elapsed"] < 10, report


def test_a_programs_own_sigint_handler_is_not_overruled_on_worker_threads(fixture_file: Path) -> None:
    # The handler only takes note: the worker must not stop, the call returns.
    signal_module = "__import__('signal')"
    call = (
        f"({signal_module}.signal({signal_module}.SIGINT, lambda *args: None),"
        " lib.spin_on_worker_until_interrupted(1500))[1]"
    )
    report = interrupt_child(fixture_file, call)
    assert report["outcome"] == "returned", report
    assert report["result"] == 1500, report


def test_an_uncooperative_call_raises_when_it_returns(fixture_file: Path) -> None:
    report = interrupt_child(fixture_file, "spin_ignoring_interrupts(1500)")
    assert report["outcome"] == "KeyboardInterrupt", report
    # Not before the call returned (1.5 s), and right after it.
    assert 1.45 <= report["elapsed"] < 10, report


def test_calls_made_by_c_code_raise_when_the_interrupted_one_returns(fixture_file: Path) -> None:
    # `map` calls from C: no bytecode runs between the calls, so the
    # interpreter's own check would only come after all five (4 s).
    report = interrupt_child(fixture_file, "list(map(lib.spin_ignoring_interrupts, [800] * 5))")
    assert report["outcome"] == "KeyboardInterrupt", report
    assert 0.75 <= report["elapsed"] < 1.6, report


def test_ctrl_c_inside_a_python_callback_comes_out_of_the_rust_call(fixture_file: Path) -> None:
    report = interrupt_child(fixture_file, "apply(wait_in_python, 1)")
    assert report["outcome"] == "KeyboardInterrupt", report
    assert report["elapsed"] < 10, report
    names = [name for _, name in report["frames"]]
    assert names[-3:] == ["<module>", "apply", "wait_in_python"], report


def test_ctrl_c_in_a_callback_wins_over_a_rust_panic_about_it(fixture_file: Path) -> None:
    # `apply_or_panic` turns the callback's error into a panic; the user still
    # pressed Ctrl-C, and gets KeyboardInterrupt.
    report = interrupt_child(fixture_file, "apply_or_panic(wait_in_python, 1)")
    assert report["outcome"] == "KeyboardInterrupt", report
    assert report["elapsed"] < 10, report


def test_an_uninterrupted_call_returns_normally(lib: ferryman.Library) -> None:
    assert lib.spin_until_interrupted(30) == 30
    assert lib.spin_ignoring_interrupts(1) == 1


def test_a_python_thread_calling_check_interrupt_is_not_interrupted(lib: ferryman.Library) -> None:
    import threading

    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(lib.spin_until_interrupted(30)))
    thread.start()
    thread.join(30)
    assert results == [30]


# When a signal that arrived during a short call reaches Python's handler.
# `signal_self_at(i, 10, signal)` raises the signal inside call 10 and never
# checks for it; the handlers raise, so the first call not made tells when.


class Fired(Exception):
    pass


def fire(signum: int, frame: object) -> None:
    raise Fired


@pytest.fixture
def sigusr1_raises() -> Iterator[int]:
    previous = signal.signal(signal.SIGUSR1, fire)
    try:
        yield signal.SIGUSR1
    finally:
        signal.signal(signal.SIGUSR1, previous)


def calls_made_by_map(lib: ferryman.Library, signum: int, error: type[BaseException]) -> int:
    """How many calls `map` made (from C, no bytecode in between) before `error`."""
    numbers = iter(range(1000))
    with pytest.raises(error):
        list(map(lib.signal_self_at, numbers, itertools.repeat(10), itertools.repeat(signum)))
    return next(numbers)


def test_a_signal_in_a_call_made_from_python_code_is_handled_right_after_it(
    lib: ferryman.Library, sigusr1_raises: int
) -> None:
    # The interpreter looks for signals after every call it makes.
    handled_after = None
    try:
        for i in range(1000):
            lib.signal_self_at(i, 10, sigusr1_raises)
    except Fired:
        handled_after = i
    assert handled_after == 10


def test_a_signal_in_calls_made_from_c_is_handled_within_eight_calls(
    lib: ferryman.Library, sigusr1_raises: int
) -> None:
    # A call that kept the GIL looks every 8th call on its thread
    # (`calls/crossing.rs`); one that released it looks at once.
    assert 11 <= calls_made_by_map(lib, sigusr1_raises, Fired) <= 18


def test_ctrl_c_in_calls_made_from_c_is_raised_by_the_call_it_came_in(fixture_file: Path) -> None:
    # With SIGINT's default handler, ferryman's own C-level handler sees Ctrl-C
    # and the call it arrived in looks at once. (Loading puts that handler back
    # if an earlier test's `asyncio.run` replaced it.)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    lib = ferryman.load(str(fixture_file))
    assert calls_made_by_map(lib, signal.SIGINT, KeyboardInterrupt) == 11
