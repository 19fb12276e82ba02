"""Async functions (tests/fixture/src/async_fns.rs) awaited on asyncio:
ready at once without the event loop, pending ones resolved from the
library's completion, errors and panics as from sync functions, and
cancellation (task.cancel, wait_for, TaskGroup, Ctrl-C) dropping the Rust
future."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

import ferryman

from conftest import settled_futures, source_line


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def wait_for_drops(lib: ferryman.Library, target: int, within: float = 5.0) -> int:
    """`async_drops()` once it reaches `target`, or after `within` seconds."""
    deadline = time.monotonic() + within
    while (drops := lib.async_drops()) < target and time.monotonic() < deadline:
        time.sleep(0.005)
    return drops


def test_describe_marks_async_functions(lib: ferryman.Library) -> None:
    assert lib.handshake()["futures"] is True
    entries = {entry["name"]: entry for entry in lib.describe()["functions"]}
    assert entries["async_add"]["async"] is True
    assert entries["async_add"]["returns"]["type"] == "i64"
    assert entries["AsyncCounter.add_later"]["async"] is True
    assert entries["async_drops"]["async"] is False


def test_an_async_export_is_a_coroutine_function_with_its_signature(lib: ferryman.Library) -> None:
    assert inspect.iscoroutinefunction(lib.async_sleep)
    assert str(inspect.signature(lib.async_sleep)) == "(ms: int, value: str) -> str"
    assert lib.async_sleep.__doc__ == "Waits `ms` milliseconds on tokio's timer, then answers `value`."
    assert lib.async_sleep.name == "async_sleep"
    assert not inspect.iscoroutinefunction(lib.async_drops)


def test_a_ready_future_answers_without_the_event_loop(lib: ferryman.Library) -> None:
    assert run(lib.async_add(2, 3)) == 5
    # Driven by hand, with no loop at all: it never yields to one.
    coroutine = lib.async_add(20, 22)
    with pytest.raises(StopIteration) as stopped:
        coroutine.send(None)
    assert stopped.value.value == 42


def test_a_pending_future_completes_on_the_loop(lib: ferryman.Library) -> None:
    async def main() -> tuple[str, str]:
        first = asyncio.create_task(lib.async_sleep(100, "later"))
        # The loop is free meanwhile (100 ms: a few 1 ms ticks even on a
        # loaded machine).
        ticks = 0
        while not first.done():
            ticks += 1
            await asyncio.sleep(0.001)
        assert ticks > 3
        return await first, await lib.async_sleep(1, "again")

    assert run(main()) == ("later", "again")
    assert lib.live_futures() == []


def test_a_pending_future_lists_in_live_futures(lib: ferryman.Library) -> None:
    async def main() -> list[dict[str, Any]]:
        task = asyncio.create_task(lib.async_sleep(200, "x"))
        await asyncio.sleep(0.02)
        live = lib.live_futures()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return live

    live = run(main())
    assert [(entry["kind"], entry["function"]) for entry in live] == [("future", "async_sleep")]


def test_awaiting_outside_an_event_loop_is_a_clear_error(lib: ferryman.Library) -> None:
    coroutine = lib.async_sleep(1000, "never")
    with pytest.raises(RuntimeError, match=r"`async_sleep\(\)` waits for Rust in an asyncio event loop"):
        coroutine.send(None)
    del coroutine
    assert settled_futures(lib) == []


def test_an_async_err_raises_its_error_class_with_the_rust_frame(lib: ferryman.Library) -> None:
    with pytest.raises(lib.errors.AsyncError, match="failed after 5 ms") as raised:
        run(lib.async_fail(5))
    assert raised.value.function == "async_fail"
    rust = [entry for entry in traceback.extract_tb(raised.value.__traceback__) if entry.filename.endswith(".rs")]
    assert rust, traceback.format_exception(raised.value)
    assert rust[-1].filename == "tests/fixture/src/async_fns.rs"
    assert rust[-1].lineno == source_line("async_fns.rs", "Err(AsyncError::Late(ms))")


def test_an_async_panic_raises_rust_panic(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic, match="async panic after 5 ms") as raised:
        run(lib.async_panic(5))
    rust = [entry for entry in traceback.extract_tb(raised.value.__traceback__) if entry.filename.endswith(".rs")]
    assert rust and rust[-1].filename.endswith("async_fns.rs"), traceback.format_exception(raised.value)


def test_bad_arguments_raise_as_for_sync_functions(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError, match="ms"):
        run(lib.async_sleep("soon", "x"))


def test_a_thousand_concurrent_awaits(lib: ferryman.Library) -> None:
    async def main() -> list[str]:
        return await asyncio.gather(*(lib.async_sleep(20, str(i)) for i in range(1000)))

    assert run(main()) == [str(i) for i in range(1000)]
    assert lib.live_futures() == []


def test_task_cancel_drops_the_rust_future(lib: ferryman.Library) -> None:
    before = lib.async_drops()

    async def main() -> None:
        task = asyncio.create_task(lib.async_guarded(60_000))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    run(main())
    assert wait_for_drops(lib, before + 1) == before + 1
    assert time.monotonic() - started < 5
    assert settled_futures(lib) == []


def test_a_wait_for_timeout_drops_the_rust_future(lib: ferryman.Library) -> None:
    before = lib.async_drops()

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):  # TimeoutError from 3.11
            await asyncio.wait_for(lib.async_guarded(60_000), 0.05)

    run(main())
    assert wait_for_drops(lib, before + 1) == before + 1
    assert settled_futures(lib) == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.TaskGroup is Python 3.11+")
def test_a_failing_task_group_drops_the_other_rust_futures(lib: ferryman.Library) -> None:
    before = lib.async_drops()

    async def main() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(3):
                group.create_task(lib.async_guarded(60_000))
            group.create_task(lib.async_fail(10))

    with pytest.raises(ExceptionGroup) as raised:  # noqa: F821 - 3.11+
        run(main())
    assert raised.group_contains(lib.errors.AsyncError)  # type: ignore[attr-defined]
    assert wait_for_drops(lib, before + 3) == before + 3
    assert settled_futures(lib) == []


def test_a_cancellation_storm_leaves_nothing_behind(lib: ferryman.Library) -> None:
    before = lib.async_drops()
    problems: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: problems.append(context))
        tasks = [asyncio.create_task(lib.async_guarded(60_000)) for _ in range(1000)]
        await asyncio.sleep(0.05)
        assert len(lib.live_futures()) == 1000
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(result, asyncio.CancelledError) for result in results)
        # Let the FERRY_CANCELLED completions arrive: they must go nowhere.
        await asyncio.sleep(0.1)

    run(main())
    assert wait_for_drops(lib, before + 1000) == before + 1000
    assert settled_futures(lib) == []
    assert problems == []


def test_an_async_method_keeps_its_object(lib: ferryman.Library) -> None:
    async def main() -> tuple[int, int]:
        counter = lib.AsyncCounter(10)
        pending = asyncio.ensure_future(counter.add_later(20, 5))
        del counter  # the method's future keeps the Rust object alive
        first = await pending
        other = lib.AsyncCounter(1)
        return first, await other.add_later(1, 2)

    assert run(main()) == (15, 3)
    assert inspect.iscoroutinefunction(lib.AsyncCounter.add_later)


def test_an_async_fn_may_borrow_its_own_parameters(lib: ferryman.Library) -> None:
    assert run(lib.async_describe("seen", b"abc")) == "seen: 3 bytes"
    assert str(inspect.signature(lib.async_describe)).startswith("(text: str, bytes: bytes)")
    with pytest.raises(ferryman.ArgumentError, match="text"):
        run(lib.async_describe(3, b""))


def test_a_method_may_return_a_stream(lib: ferryman.Library) -> None:
    async def main() -> list[int]:
        counter = lib.AsyncCounter(10)
        stream = counter.upcoming(3)
        del counter  # the stream owns what it needs
        return [item async for item in stream]

    assert run(main()) == [11, 12, 13]
    assert isinstance(lib.AsyncCounter(0).upcoming(1), ferryman.RustStream)
    assert lib.live_futures() == []


def test_two_event_loops_in_two_threads(lib: ferryman.Library) -> None:
    import threading

    results: dict[int, list[str]] = {}

    def worker(n: int) -> None:
        async def main() -> list[str]:
            return await asyncio.gather(*(lib.async_sleep(10, f"{n}-{i}") for i in range(50)))

        results[n] = asyncio.run(main())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [f"{n}-{i}" for i in range(50)] for n in range(2)}


def test_ctrl_c_during_asyncio_run_cancels_the_rust_future(fixture_file: Path) -> None:
    from test_interrupts import interrupt_child

    call = (
        "(__import__('asyncio').run(lib.async_guarded(60_000)) if lib.async_drops() >= 0 else None)"
    )
    report = interrupt_child(fixture_file, call)
    assert report["outcome"] == "KeyboardInterrupt", report
    assert report["elapsed"] < 10, report


def test_closing_the_coroutine_cancels_the_rust_future(lib: ferryman.Library) -> None:
    before = lib.async_drops()

    async def main() -> None:
        coroutine = lib.async_guarded(60_000)
        coroutine.send(None)  # now waiting on its future
        coroutine.close()

    run(main())
    assert wait_for_drops(lib, before + 1) == before + 1
    assert lib.live_futures() == []


def _sleep_in_a_child(i: int) -> str:
    import ferryman as fm  # noqa: PLC0415 - in the forked child

    child_lib = fm.load(os.environ["FERRYMAN_FORK_FIXTURE"])
    return asyncio.run(child_lib.async_sleep(5, f"child {i}"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_runs_async_functions(lib: ferryman.Library, fixture_file: Path) -> None:
    # A forked child has none of its parent's threads: the library makes its
    # executor again there (it was made in the parent by this first call).
    import multiprocessing  # noqa: PLC0415

    assert run(lib.async_sleep(5, "parent")) == "parent"
    os.environ["FERRYMAN_FORK_FIXTURE"] = str(fixture_file)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        answers = pool.map_async(_sleep_in_a_child, range(2))
        assert answers.get(timeout=20) == ["child 0", "child 1"]
    # And the parent's still runs.
    assert run(lib.async_sleep(5, "parent again")) == "parent again"


def test_a_second_load_of_the_library_awaits_too(lib: ferryman.Library, fixture_file: Path) -> None:
    # The same library loaded again: its first load's host takes the
    # completions (it answered FERRY_PENDING, which this load could not take).
    again = ferryman.load(fixture_file)
    assert again is not lib

    async def both() -> list[str]:
        return list(await asyncio.gather(lib.async_sleep(3, "first"), again.async_sleep(3, "second")))

    assert run(both()) == ["first", "second"]
    assert settled_futures(lib) == []
