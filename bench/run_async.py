"""Awaiting Rust from asyncio: ferryman beside UniFFI's async and PyO3 with
pyo3-async-runtimes, in one process and one event loop.

Cases (each column's functions behave the same, `bench/*/src/asynchronous.rs`):

- ``await add_async(1, 2)``: an ``async fn`` ready at its first poll;
- ``await add_yield(1, 2)``: one that yields to its executor once, so its
  outcome comes back to the loop from another thread;
- a stream of 100,000 ints consumed with ``async for`` (items per second;
  only ferryman has streams).

Every cell is the median of ``--repeats`` timed loops, the columns taking turns
inside each repeat. Targets (issue 14): a trivial await costs at most a fifth
of UniFFI's; a stream gives at least 1,000,000 items/s.

    .venv/bin/python bench/run_async.py [--smoke] [--repeats 9]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from columns import RELEASE, UNIFFI_BINDINGS, built_module

STREAM_ITEMS = 100_000


@dataclass
class AsyncColumn:
    key: str
    label: str
    add_async: Callable[[int, int], Awaitable[int]]
    add_yield: Callable[[int, int], Awaitable[int]]
    # `count_stream(n)`: an async iterator of 0..n-1, or None.
    stream: Callable[[int], Any] | None = None


def load_ferryman() -> AsyncColumn:
    import ferryman

    lib = ferryman.load(str(RELEASE / "libbench_ferryman.so"))
    return AsyncColumn("ferryman", "ferryman", lib.add_async, lib.add_yield, lib.count_stream)


def load_uniffi() -> AsyncColumn:
    sys.path.insert(0, str(UNIFFI_BINDINGS))
    bench_uniffi = built_module("bench_uniffi")

    return AsyncColumn("uniffi", "UniFFI", bench_uniffi.add_async, bench_uniffi.add_yield)


def load_pyo3() -> AsyncColumn:
    bench_pyo3 = built_module("bench_pyo3")

    return AsyncColumn(
        "pyo3", "PyO3 + pyo3-async-runtimes", bench_pyo3.add_async, bench_pyo3.add_yield
    )


LOADERS = {"ferryman": load_ferryman, "uniffi": load_uniffi, "pyo3": load_pyo3}


async def awaits_per_call(f: Callable[[int, int], Awaitable[int]], n: int) -> float:
    """Nanoseconds per ``await f(1, 2)`` over ``n`` awaits."""
    start = time.perf_counter_ns()
    for _ in range(n):
        await f(1, 2)
    return (time.perf_counter_ns() - start) / n


async def stream_items_per_second(stream: Callable[[int], Any], n: int) -> float:
    start = time.perf_counter_ns()
    count = 0
    async for _ in stream(n):
        count += 1
    assert count == n, (count, n)
    return n / ((time.perf_counter_ns() - start) / 1e9)


async def smoke(columns: list[AsyncColumn]) -> None:
    for column in columns:
        for f in (column.add_async, column.add_yield):
            assert await f(1, 2) == 3, (column.key, f)
            assert await asyncio.gather(*(f(i, 1) for i in range(50))) == [
                i + 1 for i in range(50)
            ]
        if column.stream is not None:
            assert [i async for i in column.stream(1000)] == list(range(1000))
        print(f"ok {column.label}")


async def measure(columns: list[AsyncColumn], repeats: int, target_ms: float) -> None:
    cases = [("await, ready at once", "add_async"), ("await, pending once", "add_yield")]
    rows = []
    for title, name in cases:
        # Size each loop to about `target_ms` from one calibration run per column.
        sizes = {}
        for column in columns:
            f = getattr(column, name)
            ns = await awaits_per_call(f, 200)
            sizes[column.key] = max(200, int(target_ms * 1e6 / ns))
        samples: dict[str, list[float]] = {c.key: [] for c in columns}
        for _ in range(repeats):
            for column in columns:
                f = getattr(column, name)
                samples[column.key].append(await awaits_per_call(f, sizes[column.key]))
        rows.append((title, {k: statistics.median(v) for k, v in samples.items()}))

    print(f"\nns per await (median of {repeats}); lower is better")
    labels = [c.label for c in columns]
    width = max(len(t) for t, _ in rows) + 2
    print("case".ljust(width) + "".join(f"{label:>28}" for label in labels) + "   ferryman ÷ UniFFI")
    for title, cells in rows:
        line = title.ljust(width) + "".join(f"{cells[c.key]:>28,.0f}" for c in columns)
        if "ferryman" in cells and "uniffi" in cells:
            line += f"   {cells['ferryman'] / cells['uniffi']:>8.3f}"
        print(line)

    for column in columns:
        if column.stream is None:
            continue
        rates = [
            await stream_items_per_second(column.stream, STREAM_ITEMS) for _ in range(repeats)
        ]
        print(
            f"\n{column.label}: async for over a stream of {STREAM_ITEMS:,} ints: "
            f"{statistics.median(rates):,.0f} items/s (median of {repeats})"
        )
    print("\ntargets: a trivial await ≤ 0.2 × UniFFI's; ≥ 1,000,000 stream items/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few checked awaits of every cell")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--target-ms", type=float, default=50.0, help="length of one timed loop")
    parser.add_argument(
        "--columns", default=",".join(LOADERS), help="comma-separated: " + ",".join(LOADERS)
    )
    args = parser.parse_args()
    columns = []
    for key in args.columns.split(","):
        try:
            columns.append(LOADERS[key]())
        except Exception as e:  # a column that does not load is reported, not fatal
            print(f"skipping {key}: {type(e).__name__}: {e}")
    if not columns:
        return 1
    if args.smoke:
        asyncio.run(smoke(columns))
    else:
        asyncio.run(measure(columns, args.repeats, args.target_ms))
    return 0


def exit_without_finalizing(code: int) -> None:
    """Ends the process without finalizing Python.

    pyo3-async-runtimes completes a future from a tokio thread by calling
    ``loop.call_soon_threadsafe``, whose wake-up write lets go of the GIL. The
    awaiting coroutine can resume, and the script end, while that thread is
    still in the write; CPython <= 3.13 then ends it with ``pthread_exit`` as
    it asks for the GIL back during finalization, and the forced unwind through
    its Rust frames aborts the process (rust-lang/rust#135929). ferryman's
    completions never touch Python (``state/completions.rs``), so only the
    PyO3 column needs this; the tables are flushed first.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_without_finalizing(main())
