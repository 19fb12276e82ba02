"""Async callbacks (``spec/callbacks.md``, "Async callbacks").

A Python function passed to a ``ferryman::AsyncCallback`` parameter is called
when Rust calls it; what it returns (a coroutine, or any awaitable) runs as a
task on the event loop of the call that passed the function, and its outcome
settles the library's resolver (``_native.AsyncCallbackResolver``). Rust may
call it from any thread: the task is started with
``loop.call_soon_threadsafe`` unless the call comes on the loop's own thread.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any


def start(returned: Any, loop: asyncio.AbstractEventLoop | None, settle: Any) -> None:
    """Runs ``returned`` on ``loop`` (or this thread's running loop) and
    settles the call with its outcome; a value that is not awaitable settles
    it at once."""
    if not inspect.isawaitable(returned):
        settle.result(returned)
        return
    running = asyncio._get_running_loop()
    if loop is None:
        loop = running
    if loop is None:
        _close(returned)
        raise RuntimeError(
            "an async callback needs a running asyncio event loop: pass it to the "
            "library from async code (await lib.function(callback))"
        )
    if loop.is_closed():
        _close(returned)
        # Settled, not raised: a raised exception's traceback would hold this
        # frame, hence the loop, for as long as the library keeps the
        # exception, and the loop's queue is drained only once it is gone.
        settle.exception(RuntimeError("the event loop of the call that passed this async callback is closed"))
        return

    def begin() -> None:
        task = asyncio.ensure_future(returned, loop=loop)
        # The loop keeps only a weak reference to its tasks: without this
        # one, a task awaiting something nothing else holds could be
        # collected mid-run ("Task was destroyed but it is pending!").
        _running.add(task)
        task.add_done_callback(_running.discard)
        task.add_done_callback(lambda done: _settle(done, settle))

    if running is loop:
        begin()
    else:
        # If the loop stops before it runs `begin`, `settle` is dropped
        # unsettled, which releases the resolver: Rust learns no outcome comes.
        loop.call_soon_threadsafe(begin)


# The tasks running async callbacks, until they are done.
_running: set[asyncio.Future[Any]] = set()


def _settle(task: asyncio.Future[Any], settle: Any) -> None:
    if task.cancelled():
        settle.exception(asyncio.CancelledError())
        return
    exception = task.exception()
    if exception is None:
        settle.result(task.result())
    else:
        settle.exception(exception)


def _close(awaitable: Any) -> None:
    """Closes a coroutine that will never run (no "never awaited" warning)."""
    close = getattr(awaitable, "close", None)
    if inspect.iscoroutine(awaitable) and close is not None:
        close()
