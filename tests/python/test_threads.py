"""Threads and the GIL: Rust runs without it, callbacks take it themselves."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import ferryman

THREADS = 8
CALLS = 500


def run_threads(count: int, work: Callable[[int], Any], timeout: float = 120.0) -> list[Any]:
    """Runs `work(i)` on `count` threads started together; their results in order.
    Fails (instead of hanging) when a thread does not finish."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=target, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish: deadlock?"
    if errors:
        raise errors[0]
    return results


def test_another_python_thread_runs_during_a_long_rust_call(lib: ferryman.Library) -> None:
    ticks = 0
    stop = threading.Event()
    started = threading.Event()

    def count() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1  # pure Python: needs the GIL for every step

    thread = threading.Thread(target=count, daemon=True)
    thread.start()
    started.wait()
    try:
        before = ticks
        start = time.perf_counter()
        assert lib.sleep_ms(300) == 300
        elapsed = time.perf_counter() - start
        during = ticks - before
    finally:
        stop.set()
        thread.join()
    assert elapsed >= 0.29
    # Holding the GIL for 300 ms would have frozen the counter.
    assert during > 10_000, during


def test_the_gil_policy_always_lets_a_thread_started_by_c_run(lib: ferryman.Library) -> None:
    import ctypes

    ran_at: list[float] = []
    done = threading.Event()

    @ctypes.CFUNCTYPE(None)
    def from_c() -> None:  # runs on a thread Rust started: its first Python code
        ran_at.append(time.perf_counter())
        done.set()

    previous = ferryman.gil_policy()
    assert previous == "auto"
    ferryman.set_gil_policy("always")
    try:
        assert ferryman.gil_policy() == "always"
        start = time.perf_counter()
        lib.call_c_later(ctypes.cast(from_c, ctypes.c_void_p).value, 50)
        assert lib.sleep_ms(600) == 600
        assert done.wait(10)
    finally:
        ferryman.set_gil_policy(previous)
    # With the GIL released the C thread's callback runs at about 50 ms, not
    # when the 600 ms call returns.
    assert ran_at[0] - start < 0.4, ran_at[0] - start


def test_an_unknown_gil_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="auto"):
        ferryman.set_gil_policy("never")


def test_sleeping_calls_on_many_threads_overlap(lib: ferryman.Library) -> None:
    start = time.perf_counter()
    assert run_threads(THREADS, lambda _: lib.sleep_ms(200)) == [200] * THREADS
    # Serialised by a lock they would take 8 x 200 ms.
    assert time.perf_counter() - start < 0.2 * THREADS * 0.6


def test_eight_threads_times_many_calls_get_their_own_results(lib: ferryman.Library) -> None:
    def work(index: int) -> bool:
        for call in range(CALLS):
            value = index * 1_000_000 + call
            assert lib.add(value, index) == value + index
            text = f"thread {index} call {call} " + "x" * (call % 50)
            assert lib.echo_string(text) == text
            assert lib.echo_bytes(text.encode()) == text.encode()
        return True

    assert run_threads(THREADS, work) == [True] * THREADS


def test_eight_threads_calling_with_callbacks(lib: ferryman.Library) -> None:
    def work(index: int) -> bool:
        me = threading.get_ident()
        for call in range(CALLS // 5):

            def callback(x: int) -> int:
                assert threading.get_ident() == me  # called on the calling thread
                return x * 2 + index

            assert lib.apply(callback, call) == call * 2 + index
        assert lib.map_values(list(range(10)), lambda x: x + index) == [x + index for x in range(10)]
        return True

    assert run_threads(THREADS, work) == [True] * THREADS


def test_callbacks_from_rust_threads_on_many_python_threads(lib: ferryman.Library) -> None:
    def work(index: int) -> int:
        return lib.call_from_threads(lambda x: x + index, 4)

    assert run_threads(THREADS, work) == [sum(range(4)) + 4 * index for index in range(THREADS)]


def test_closures_from_many_threads(lib: ferryman.Library) -> None:
    add_ten = lib.adder(10)

    def work(index: int) -> bool:
        for call in range(CALLS // 5):
            assert add_ten(call) == call + 10
            assert lib.apply(add_ten, index) == index + 10
        return True

    assert run_threads(THREADS, work) == [True] * THREADS


def test_a_long_call_waiting_on_a_thread_that_calls_back_does_not_deadlock(lib: ferryman.Library) -> None:
    # The main thread waits in Rust (joining a Rust thread) while that thread
    # needs the GIL to run the Python callback.
    lib.store_callback(lambda text: text + "!")
    try:
        assert run_threads(1, lambda _: lib.call_stored_on_thread("hi"), timeout=60) == ["hi!"]
        assert lib.call_stored_on_thread("again") == "again!"
    finally:
        lib.drop_stored()


@pytest.mark.parametrize("threads", [1, 8, 32])
def test_call_from_threads_scales(lib: ferryman.Library, threads: int) -> None:
    assert run_threads(1, lambda _: lib.call_from_threads(lambda x: x, threads))[0] == sum(range(threads))
