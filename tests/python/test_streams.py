"""Streams (tests/fixture/src/streams.rs) as async iterators: items in
batches, an error item raising at that item, and every way of stopping
early (break, aclose, async with, task cancellation, garbage collection)
dropping the Rust stream so that its producer sees the close."""

from __future__ import annotations

import asyncio
import gc
import inspect
import time
from typing import Any

import pytest

import ferryman

from conftest import settled_futures


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def collect(stream: Any) -> list[Any]:
    return [item async for item in stream]


def ticker_report(lib: ferryman.Library, within: float = 10.0) -> tuple[int, bool, bool]:
    """The last ticker's report once its producer finished (or `within` s)."""
    deadline = time.monotonic() + within
    while not (report := lib.ticker_report())[2] and time.monotonic() < deadline:
        time.sleep(0.01)
    return report


def test_describe_marks_streams(lib: ferryman.Library) -> None:
    entries = {entry["name"]: entry for entry in lib.describe()["functions"]}
    assert entries["stream_count"]["stream"] is True
    assert entries["stream_count"]["returns"]["type"] == {"stream": "i64"}
    assert entries["count_failing"]["error"]["name"] == "BadItem"


def test_a_stream_is_an_async_iterator(lib: ferryman.Library) -> None:
    stream = lib.stream_count(5)
    assert isinstance(stream, ferryman.RustStream)
    assert not inspect.iscoroutinefunction(lib.stream_count)
    assert str(inspect.signature(lib.stream_count)).startswith("(n: int)")
    assert run(collect(stream)) == [0, 1, 2, 3, 4]
    assert stream.closed
    assert run(collect(lib.stream_count(0))) == []


def test_many_items_come_in_batches(lib: ferryman.Library) -> None:
    assert run(collect(lib.stream_count(10_000))) == list(range(10_000))
    assert lib.live_futures() == []


def test_items_ready_at_once_need_no_event_loop(lib: ferryman.Library) -> None:
    stream = lib.stream_count(3)
    # The first item needs the running loop (pending nexts complete to it).
    with pytest.raises(RuntimeError, match=r"`stream_count\(\)` waits for Rust in an asyncio event loop"):
        stream.__anext__().send(None)
    del stream
    gc.collect()
    assert lib.live_futures() == []


def test_an_error_item_raises_at_that_item_and_the_stream_goes_on(lib: ferryman.Library) -> None:
    async def main() -> tuple[list[int], BaseException, list[int]]:
        stream = lib.count_failing(5, 2)
        before = [await stream.__anext__(), await stream.__anext__()]
        with pytest.raises(lib.errors.BadItem, match="item 2 is bad") as raised:
            await stream.__anext__()
        return before, raised.value, await collect(stream)

    before, error, after = run(main())
    assert before == [0, 1]
    assert error.function == "count_failing"  # type: ignore[attr-defined]
    assert after == [3, 4]


def test_a_pending_next_completes_from_the_producer(lib: ferryman.Library) -> None:
    assert run(collect(lib.ticker(5, 5, 1))) == [0, 1, 2, 3, 4]
    assert ticker_report(lib) == (5, False, True)
    assert lib.live_futures() == []


def test_break_drops_the_stream_and_the_producer_sees_the_close(lib: ferryman.Library) -> None:
    async def main() -> list[int]:
        seen = []
        async for item in lib.ticker(1000, 2, 1):
            seen.append(item)
            if item == 3:
                break
        return seen

    assert run(main()) == [0, 1, 2, 3]
    sent, saw_close, finished = ticker_report(lib)
    assert finished and saw_close and sent < 1000
    assert lib.live_futures() == []


def test_aclose_and_async_with_drop_the_stream(lib: ferryman.Library) -> None:
    async def main() -> None:
        stream = lib.ticker(1000, 2, 1)
        assert await stream.__anext__() == 0
        assert len(lib.live_futures()) == 1
        await stream.aclose()
        assert stream.closed
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()

    run(main())
    assert ticker_report(lib)[1] is True

    async def scoped() -> int:
        async with lib.ticker(1000, 2, 1) as stream:
            return await stream.__anext__()

    assert run(scoped()) == 0
    assert ticker_report(lib)[1] is True
    assert lib.live_futures() == []


def test_aclose_from_another_task_ends_the_iteration_waiting_for_an_item(lib: ferryman.Library) -> None:
    async def main() -> list[int]:
        stream = lib.ticker(100, 200, 1)  # an item every 200 ms

        async def consume() -> list[int]:
            return [item async for item in stream]

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0.3)  # item 0 came; the consumer waits for item 1
        await stream.aclose()
        return await consumer  # "iteration then ends": no error

    assert run(main()) == [0]
    assert settled_futures(lib) == []


def test_cancelling_a_task_waiting_for_an_item_drops_the_stream(lib: ferryman.Library) -> None:
    async def main() -> None:
        stream = lib.ticker(10, 300, 1)  # the first item comes after 300 ms
        task = asyncio.create_task(stream.__anext__())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.closed

    started = time.monotonic()
    run(main())
    # The stream is gone at once; the producer notices at its next send.
    assert lib.live_futures() == []
    assert time.monotonic() - started < 5
    assert ticker_report(lib) == (0, True, True)


def test_garbage_collection_drops_the_stream(lib: ferryman.Library) -> None:
    async def main() -> None:
        stream = lib.ticker(1000, 2, 1)
        assert await stream.__anext__() == 0
        del stream
        gc.collect()
        assert lib.live_futures() == []

    run(main())
    assert ticker_report(lib)[1] is True


def test_sync_iterators_stay_sync(lib: ferryman.Library) -> None:
    entries = {entry["name"]: entry for entry in lib.describe()["functions"]}
    sync_iterators = [name for name, entry in entries.items() if "iter" in str(entry["returns"]["type"])]
    assert sync_iterators
    for name in sync_iterators:
        assert not inspect.iscoroutinefunction(lib.functions[name])
        assert isinstance(lib.functions[name], (ferryman._native.Function, ferryman._native.Method))


def test_a_stream_stays_with_the_event_loop_that_first_pulled_it(lib: ferryman.Library) -> None:
    stream = lib.ticker(1000, 2, 1)
    assert run(stream.__anext__()) == 0

    async def elsewhere() -> None:
        while True:  # items already buffered come first; then a pending next
            await stream.__anext__()

    with pytest.raises(RuntimeError, match="first pulled in another event loop"):
        run(elsewhere())
    assert stream.closed
    assert ticker_report(lib)[1] is True
