"""Async callbacks (tests/fixture/src/async_callbacks.rs): an `async def`
passed to a `ferryman::AsyncCallback` parameter runs as a task on the event
loop of the call that passed it — also when Rust calls it from a tokio
thread — and Rust awaits its result; its exception comes back as the same
object; two run at once; a Rust future that stops waiting leaves nothing
live (the autouse leak check of conftest.py: closures, futures, host
objects)."""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import ferryman
from ferryman import _native

from conftest import settled_futures


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_describe_names_async_callbacks(lib: ferryman.Library) -> None:
    entries = {entry["name"]: entry for entry in lib.describe()["functions"]}
    params = entries["apply_async"]["params"]
    assert params[0]["type"] == {"async_callback": [["i64"], "i64"]}
    assert entries["notify_async"]["params"][0]["type"] == {"async_callback": [["str"], "unit"]}


def test_an_async_def_is_awaited(lib: ferryman.Library) -> None:
    seen: list[tuple[int, int]] = []

    async def double(x: int) -> int:
        await asyncio.sleep(0.01)
        seen.append((x, threading.get_ident()))
        return 2 * x

    async def main() -> int:
        return await lib.apply_async(double, 21)

    assert run(main()) == 42
    # The coroutine ran on the loop's thread (this one).
    assert seen == [(21, threading.get_ident())]


def test_a_callable_returning_an_awaitable_or_a_value(lib: ferryman.Library) -> None:
    async def triple(x: int) -> int:
        return 3 * x

    async def main() -> tuple[int, int, int]:
        loop = asyncio.get_running_loop()

        def future_of(x: int) -> asyncio.Future[int]:
            future = loop.create_future()
            loop.call_later(0.01, future.set_result, x + 1)
            return future

        return (
            await lib.apply_async(lambda x: triple(x), 5),
            await lib.apply_async(future_of, 5),
            # Not awaitable: the value is the result at once.
            await lib.apply_async(lambda x: x - 1, 5),
        )

    assert run(main()) == (15, 6, 4)


def test_called_from_a_tokio_thread_it_runs_on_the_loop(lib: ferryman.Library) -> None:
    threads: list[int] = []

    async def double(x: int) -> int:
        threads.append(threading.get_ident())
        await asyncio.sleep(0.001)
        return 2 * x

    async def main() -> int:
        return await lib.apply_async_later(double, 8)

    assert run(main()) == 16
    assert threads == [threading.get_ident()]


def test_its_exception_is_the_same_object(lib: ferryman.Library) -> None:
    raised = ValueError("no odd numbers")

    async def refuse(x: int) -> int:
        await asyncio.sleep(0.001)
        raise raised

    async def main() -> BaseException:
        with pytest.raises(ValueError) as caught:
            await lib.apply_async(refuse, 3)
        return caught.value

    caught = run(main())
    assert caught is raised


def test_an_exception_from_a_tokio_thread_is_the_same_object(lib: ferryman.Library) -> None:
    raised = KeyError("late")

    async def refuse(x: int) -> int:
        raise raised

    async def main() -> None:
        with pytest.raises(KeyError) as caught:
            await lib.apply_async_later(refuse, 1)
        assert caught.value is raised

    run(main())


def test_an_exception_raised_before_the_coroutine_is_the_same_object(lib: ferryman.Library) -> None:
    raised = RuntimeError("cannot even start")

    def refuse_at_once(x: int) -> Any:
        raise raised

    async def main() -> None:
        with pytest.raises(RuntimeError) as caught:
            await lib.apply_async(refuse_at_once, 1)
        assert caught.value is raised

    run(main())


def test_two_run_at_once(lib: ferryman.Library) -> None:
    async def main() -> int:
        f_started = asyncio.Event()
        g_started = asyncio.Event()

        async def f(x: int) -> int:
            f_started.set()
            # Only returns once g has started: both run at once.
            await asyncio.wait_for(g_started.wait(), 5)
            return x * 10

        async def g(x: int) -> int:
            g_started.set()
            await asyncio.wait_for(f_started.wait(), 5)
            return x * 100

        return await lib.apply_async_both(f, 1, g, 2)

    assert run(main()) == 210


def test_many_at_once(lib: ferryman.Library) -> None:
    async def double(x: int) -> int:
        await asyncio.sleep(0.005)
        return 2 * x

    async def main() -> list[int]:
        return await asyncio.gather(*(lib.apply_async(double, i) for i in range(200)))

    assert run(main()) == [2 * i for i in range(200)]


def test_a_unit_result_ignores_the_value(lib: ferryman.Library) -> None:
    got: list[str] = []

    async def note(text: str) -> int:
        got.append(text)
        return 7  # ignored: the callback returns ()

    assert run(lib.notify_async(note, "hello")) is None
    assert got == ["hello"]


def test_a_result_that_cannot_be_sent_is_an_argument_error(lib: ferryman.Library) -> None:
    async def unsendable(x: int) -> Any:
        return object()

    async def main() -> None:
        with pytest.raises(ferryman.ArgumentError):
            await lib.apply_async(unsendable, 1)

    run(main())


def test_a_result_of_the_wrong_type_is_refused_by_rust(lib: ferryman.Library) -> None:
    async def wrong(x: int) -> Any:
        return "not an int"

    async def main() -> None:
        with pytest.raises(ferryman.ArgumentError, match="expected i64"):
            await lib.apply_async(wrong, 1)

    run(main())


def test_rust_stops_waiting_and_the_coroutine_runs_on(lib: ferryman.Library) -> None:
    finished = []

    async def slow(x: int) -> int:
        await asyncio.sleep(0.2)
        finished.append(x)
        return x

    async def main() -> Any:
        gave_up = await lib.apply_async_within(slow, 4, 20)
        assert finished == []
        # The coroutine ends later and settles a resolver nobody waits for.
        while not finished:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)
        return gave_up

    assert run(main()) is None
    assert lib.live_closures() == []


def test_cancelling_the_awaiting_task_drops_the_rust_future(lib: ferryman.Library) -> None:
    finished = []
    raised = ValueError("nobody listens")

    async def slow(x: int) -> int:
        await asyncio.sleep(0.1)
        finished.append(x)
        raise raised  # released by the library at once: nobody waits for it

    async def main() -> None:
        task = asyncio.create_task(lib.apply_async(slow, 1))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        while not finished:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)

    run(main())
    assert settled_futures(lib) == []
    assert lib.live_closures() == []


def test_a_cancelled_coroutine_raises_cancelled_error_in_rust(lib: ferryman.Library) -> None:
    async def main() -> None:
        holder: list[asyncio.Task[Any]] = []

        async def never(x: int) -> int:
            holder.append(asyncio.current_task())  # type: ignore[arg-type]
            await asyncio.sleep(10)
            return x

        outer = asyncio.ensure_future(lib.apply_async(never, 1))
        while not holder:
            await asyncio.sleep(0.001)
        holder[0].cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer

    run(main())


def test_a_rust_closure_is_refused(lib: ferryman.Library) -> None:
    add_one = lib.adder(1)

    async def main() -> None:
        with pytest.raises(ferryman.ArgumentError, match="cannot be awaited"):
            await lib.apply_async(add_one, 1)

    run(main())
    del add_one


def test_without_a_running_loop_the_callback_fails_clearly(lib: ferryman.Library) -> None:
    # Driven by hand, outside any event loop: the call passes the function
    # with no loop to run it on.
    async def double(x: int) -> int:
        return 2 * x

    coroutine = lib.apply_async(double, 1)
    with pytest.raises(RuntimeError, match="needs a running asyncio event loop"):
        coroutine.send(None)
    coroutine.close()
    time.sleep(0.01)


def test_the_signature_says_the_callable_is_awaited(lib: ferryman.Library) -> None:
    annotation = inspect.signature(lib.apply_async).parameters["f"].annotation
    assert annotation == Callable[[int], Awaitable[int]]


# ---- what a finished or abandoned call hands back is let go -----------------------


class _Boom(Exception):
    pass


def test_a_task_cancelled_after_its_future_finished_keeps_no_exception(lib: ferryman.Library) -> None:
    # The Rust future completes with the callback's exception, but the task
    # awaiting it is cancelled before the loop reads the completion: it is
    # still read, so the exception the library kept for this host is let go.
    alive: list[weakref.ref[BaseException]] = []
    calls: list[asyncio.Task[int]] = []

    def cancel_before_the_loop_reads(_: object) -> None:
        time.sleep(0.05)  # (after the resolver got the exception) Rust completes
        calls[0].cancel()

    async def boom(x: int) -> int:
        task = asyncio.current_task()
        assert task is not None
        # Runs after the callbacks that settle the call, in the same turn.
        task.add_done_callback(cancel_before_the_loop_reads)
        error = _Boom(x)
        alive.append(weakref.ref(error))
        raise error

    async def main() -> None:
        calls.append(asyncio.create_task(lib.apply_async(boom, 1)))
        with pytest.raises(asyncio.CancelledError):
            await calls[0]
        await asyncio.sleep(0.05)

    run(main())
    calls.clear()
    gc.collect()
    assert len(alive) == 1 and alive[0]() is None
    assert _native.pending_count() == 0


# The tasks left pending in the closed loop are destroyed pending: asyncio says so.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_loop_closed_with_calls_waiting_is_let_go_of(lib: ferryman.Library) -> None:
    async def double(x: int) -> int:
        return 2 * x

    loop = asyncio.new_event_loop()
    tasks = [loop.create_task(lib.apply_async_later(double, i)) for i in range(5)]
    loop.run_until_complete(asyncio.sleep(0.001))  # started: Rust waits 10 ms
    loop.close()  # before Rust calls the callbacks, whose error it then keeps
    time.sleep(0.2)
    del tasks, loop
    gc.collect()
    # When another loop starts awaiting Rust, the closed one's completions
    # are read and dropped, and its futures let go.
    assert run(lib.apply_async(double, 4)) == 8
    gc.collect()
    assert _native.pending_count() == 0
    assert settled_futures(lib) == []


def test_the_task_of_an_async_callback_is_kept_until_it_ends(lib: ferryman.Library) -> None:
    # The loop holds its tasks weakly: a callback's task awaiting a future
    # nothing else holds could be collected mid-run.
    waited: list[weakref.ref[asyncio.Future[int]]] = []

    async def waits(x: int) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        waited.append(weakref.ref(future))
        return x + await future

    async def main() -> int:
        call = asyncio.create_task(lib.apply_async(waits, 1))
        await asyncio.sleep(0.05)
        gc.collect()
        future = waited[0]()
        assert future is not None, "the callback's task was collected while it ran"
        future.set_result(41)
        return await call

    assert run(main()) == 42
