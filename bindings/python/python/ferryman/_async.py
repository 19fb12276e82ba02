"""Async functions and streams on an asyncio event loop (``spec/abi.md``,
"Futures" and "Streams"; ``spec/host-guide.md``, step 12).

Calling an async export makes a coroutine. Awaited, it calls the function
at once: a future ready at its first poll answers like a sync call, with
no trip through the event loop. A pending one (``_native.PendingCall``)
gets an ``asyncio.Future`` of the running loop and a token naming it; the
library completes it on one of its threads, which queues the outcome in the
native core without the GIL and writes one byte to the loop's wake-up
socket; the loop reads the socket and resolves every queued future in one
go (``_Waker``). Cancelling the awaiting task cancels the Rust future.

A stream function returns a :class:`RustStream`, an async iterator that
pulls batches of items (``MAX_ITEMS``) and serves them without the loop;
only a batch that is not ready waits for a completion.
"""

from __future__ import annotations

import functools
import sys
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _native

if TYPE_CHECKING:
    import asyncio
    import socket

__all__ = ["RustStream", "wrap"]

#: The most items one ``ferryman_stream_next`` asks for.
MAX_ITEMS = 64

_PendingCall = _native.PendingCall


class _Waker:
    """The completions of one event loop: a native queue the library's
    threads fill without the GIL, and the socket that wakes the loop."""

    __slots__ = ("__weakref__", "_read", "base", "next", "queue", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import socket  # noqa: PLC0415 - only once a loop awaits Rust

        read, write = socket.socketpair()
        read.setblocking(False)
        write.setblocking(False)
        # The queue writes to its own duplicate of the write end.
        self.queue = _native.CompletionQueue(write.fileno())
        write.close()
        self._read = read
        self.base: int = self.queue.base
        self.next = 0
        # token -> (future, decode(status, bytes))
        self.waiting: dict[int, tuple[asyncio.Future[Any], Callable[[int, bytes], Any]]] = {}
        loop.add_reader(read.fileno(), self._drain)
        weakref.finalize(loop, _close, read, self.queue, self.waiting)

    def token(self) -> int:
        """A token of this loop's queue (the low 32 bits count)."""
        self.next = (self.next + 1) & 0xFFFFFFFF
        return self.base | self.next

    def expect(self, token: int, future: asyncio.Future[Any], decode: Callable[[int, bytes], Any]) -> None:
        self.waiting[token] = (future, decode)

    def discard_all(self) -> None:
        """Reads and drops every completion queued so far, and forgets the
        futures still waiting (their loop is closed)."""
        _discard_queued(self.queue, self.waiting)

    def _drain(self) -> None:
        try:
            while self._read.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        for token, status, data in self.queue.take():
            entry = self.waiting.pop(token, None)
            if entry is None:
                continue
            future, decode = entry
            if future.done():
                # Cancelled by its task: the Rust future's FERRY_CANCELLED
                # completion (or a result that crossed the cancel) goes
                # nowhere, but is still read: what it hands this host (an
                # exception kept for it, objects, closures) is taken and let go.
                _discard(decode, status, data)
                continue
            try:
                value = decode(status, data)
            except _cancelled_error():
                future.cancel()
            except BaseException as error:  # noqa: BLE001 - the awaiting task raises it
                future.set_exception(error)
            else:
                future.set_result(value)


def _discard(decode: Callable[[int, bytes], Any], status: int, data: bytes) -> None:
    """Reads a completion nothing awaits any more, and drops what it made."""
    try:
        decode(status, data)
    except BaseException:  # noqa: BLE001, S110 - nobody is left to raise it to
        pass


def _discard_queued(queue: Any, waiting: dict[int, Any]) -> None:
    """Reads and drops what `queue` holds for the futures in `waiting`, and
    forgets them: the exceptions and objects it hands over would otherwise
    stay kept for this host."""
    for token, status, data in queue.take():
        entry = waiting.pop(token, None)
        if entry is not None:
            _discard(entry[1], status, data)
    waiting.clear()


def _close(read: socket.socket, queue: Any, waiting: dict[int, Any]) -> None:
    # The loop is gone: what is queued for it is read and dropped.
    _discard_queued(queue, waiting)
    queue.close()
    read.close()


_wakers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waker] = weakref.WeakKeyDictionary()


def _cancelled_error() -> type[BaseException]:
    import asyncio  # noqa: PLC0415 - loaded by now: a loop is running

    return asyncio.CancelledError


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop, without importing asyncio when nothing has:
    then no loop can be running (``import ferryman`` stays light)."""
    events = sys.modules.get("asyncio.events")
    return None if events is None else events._get_running_loop()


def _waker(name: str) -> tuple[asyncio.AbstractEventLoop, _Waker]:
    loop = _running_loop()
    if loop is None:
        raise RuntimeError(
            f"`{name}()` waits for Rust in an asyncio event loop, and none is running in this "
            "thread: await it in a coroutine that asyncio runs (asyncio.run(...), or anyio "
            "with its asyncio backend); trio's loop is not supported"
        )
    waker = _wakers.get(loop)
    if waker is None:
        _let_go_of_closed_loops()
        waker = _wakers[loop] = _Waker(loop)
    return loop, waker


def _let_go_of_closed_loops() -> None:
    """Loops closed while futures still waited (their tasks were never
    finished): what has come for them is read and dropped, and their
    futures let go, which were keeping the loop, and so what the library
    handed over, alive. Looked at when another loop starts awaiting Rust."""
    for loop in [loop for loop in list(_wakers.keys()) if loop.is_closed()]:
        waker = _wakers.pop(loop, None)
        if waker is not None:
            waker.discard_all()


async def _pending(pending: Any, name: str) -> Any:
    loop, waker = _waker(name)
    future = loop.create_future()
    token = waker.token()
    waker.expect(token, future, pending.outcome)
    pending.start(token)
    try:
        return await future
    finally:
        if not future.done() or future.cancelled():
            # The task was cancelled (task.cancel(), a wait_for timeout, a
            # TaskGroup failing, Ctrl-C in asyncio.run), or the coroutine
            # closed: drop the Rust future; its completion goes nowhere.
            future.cancel()
            pending.cancel()


def _async_function(function: Any) -> Callable[..., Any]:
    name = function.name

    async def call(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if type(result) is _PendingCall:
            return await _pending(result, name)
        return result

    return call


class RustStream:
    """The items of a Rust stream, as an async iterator (``async for``).

    Items come in batches of up to ``MAX_ITEMS``; those ready at once are
    served without a trip through the event loop. An error item raises at
    that item (iteration may go on after it). ``break``, :meth:`aclose`,
    ``async with``, cancelling the task that awaits an item, or garbage
    collection drop the Rust stream: its producer sees the end.
    """

    __slots__ = ("_closing", "_items", "_name", "_stream", "_token", "_waker")

    def __init__(self, stream: Any, name: str) -> None:
        self._stream = stream
        self._closing = False
        self._name = name
        self._items: deque[Any] = deque()
        self._waker: _Waker | None = None
        self._token = 0

    def __aiter__(self) -> RustStream:
        return self

    async def __anext__(self) -> Any:
        items = self._items
        if items:
            return items.popleft()
        stream = self._stream
        if self._waker is None:
            if stream.closed:
                raise StopAsyncIteration
            # Pending nexts complete to this loop: set once, before the first.
            _, self._waker = _waker(self._name)
            self._token = self._waker.token()
            stream.start(self._token)
        batch = stream.next(MAX_ITEMS)
        if batch is ...:
            batch = await self._wait(stream)
        if batch is None:
            stream.release()
            raise StopAsyncIteration
        items.extend(batch)
        return items.popleft()

    async def _wait(self, stream: Any) -> Any:
        loop, waker = _waker(self._name)
        if waker is not self._waker:
            # Its pending nexts complete to the loop that first pulled it.
            stream.release()
            raise RuntimeError(
                f"this stream of `{self._name}()` was first pulled in another event loop, "
                "where its items arrive: iterate a stream in one event loop"
            )
        future = loop.create_future()
        waker.expect(self._token, future, stream.batch)
        try:
            return await future
        except Exception:
            if self._closing:
                # aclose() from another task while this one waited: the
                # pending next was cancelled, and iteration ends.
                return None
            raise
        finally:
            if not future.done() or future.cancelled():
                future.cancel()
                self._items.clear()
                stream.release()

    async def aclose(self) -> None:
        """Drops the Rust stream now; iteration then ends (also for a task
        waiting for an item meanwhile)."""
        self._closing = True
        self._items.clear()
        self._stream.release()

    async def __aenter__(self) -> RustStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def closed(self) -> bool:
        """Whether the Rust stream is gone (closed, ended or released)."""
        return bool(self._stream.closed)

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        return f"<ferryman.RustStream of {self._name}(){state}>"


def _stream_function(function: Any) -> Callable[..., Any]:
    name = function.name

    def call(*args: Any, **kwargs: Any) -> RustStream:
        return RustStream(function(*args, **kwargs), name)

    return call


def wrap(function: Any, entry: Mapping[str, Any]) -> Any:
    """``function``, or for an async function (describe's ``"async"``) a
    coroutine function, for a stream function (``"stream"``) one returning
    a :class:`RustStream`; with the native function's name, signature, doc
    and attributes."""
    if entry.get("stream") is True:
        made = _stream_function(function)
    elif entry.get("async") is True:
        made = _async_function(function)
    else:
        return function
    functools.update_wrapper(made, function)
    # What the native `Function` offers besides calling.
    for attribute in ("id", "name", "parameters", "rust_types"):
        setattr(made, attribute, getattr(function, attribute))
    made.__wrapped__ = function  # type: ignore[attr-defined]
    return made
