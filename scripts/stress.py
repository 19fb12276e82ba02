"""Mixed calls into the fixture from several threads, every result checked.

    python scripts/stress.py [--threads 8] [--calls 1000000] [--fixture PATH]

Each call of the mix is one of: a plain call, an `Err` (an exception of the
Rust error type), a panic, a bad argument, a callback into Python, a Rust
closure made and called, lent bytes (copied per call, and kept by
reference), an object made, used and dropped, and a callback raising. At the
end the library holds nothing: no live closure, no live object, no host
object of this package's table beyond what the fixture keeps on purpose.

What runs it: scripts/test.sh (8 threads, a few thousand calls: a smoke run),
scripts/sanitizers.sh (against the AddressSanitizer build of the fixture),
and by hand for the long run (8 threads x 10^6 calls; fuzz/README.md has the
figures). scripts/soak.py imports `mixed_call` from here.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from pathlib import Path

import ferryman
from ferryman import _native

REPO = Path(__file__).resolve().parent.parent
KINDS = 10
# Kinds of `mixed_call` per 100 calls: 20 plain calls, 5 errors, 1 panic,
# 5 bad arguments, 20 callbacks, 20 closures, 5 lent bytes, 10 objects,
# 5 raising callbacks, 9 maps. (A panic of a debug build costs ~1 ms, with its
# backtrace: one call in a hundred panics, so that millions of calls take
# minutes, not hours.)
WEIGHTS = {0: 20, 1: 5, 2: 1, 3: 5, 4: 20, 5: 20, 6: 5, 7: 10, 8: 5, 9: 9}
SCHEDULE = [kind for step in range(20) for kind, weight in WEIGHTS.items() if weight > step]
BIG = bytes(range(256)) * 48  # 12 KiB: lent as a host object (above LEND_OBJECT_AT)
MEDIUM = bytes(range(256)) * 12  # 3 KiB: lent for the call (above LEND_FOR_CALL_AT)


def mixed_call(lib: ferryman.Library, i: int, kind: int | None = None) -> None:
    """Call number `i` of the mix (of kind `kind`, by default `i % KINDS`);
    raises AssertionError on a wrong result."""
    if kind is None:
        kind = i % KINDS
    if kind == 0:
        assert lib.add(i, 1) == i + 1
    elif kind == 1:
        try:
            lib.divide(i, 0)
        except lib.errors.MathError:
            pass
        else:
            raise AssertionError("divide by zero did not raise")
    elif kind == 2:
        try:
            lib.panic_now("stress")
        except ferryman.RustPanic:
            pass
        else:
            raise AssertionError("panic_now did not raise")
    elif kind == 3:
        try:
            lib.add("not a number", 1)
        except ferryman.ArgumentError:
            pass
        else:
            raise AssertionError("a str for an i64 was accepted")
    elif kind == 4:
        assert lib.apply(lambda x: x * 2, i) == 2 * i
    elif kind == 5:
        adder = lib.adder(i)
        assert adder(1) == i + 1
        assert lib.apply(adder, 2) == i + 2
    elif kind == 6:
        assert lib.byte_sum(MEDIUM) == sum(MEDIUM)
        assert lib.bytes_echo(BIG) == BIG
    elif kind == 7:
        counter = lib.Counter("stress", i)
        assert counter.add(1) == i + 1
        assert lib.counter_value(counter) == i + 1
    elif kind == 8:
        def fail(x: int) -> int:
            raise ValueError(x)

        try:
            lib.apply(fail, i)
        except ValueError:
            pass
        else:
            raise AssertionError("a raising callback did not raise")
    else:
        assert lib.echo_map({"a": i, "b": -i}) == {"a": i, "b": -i}


def leaks(lib: ferryman.Library, host_objects_before: int) -> list[str]:
    """What the library still holds after the mix (nothing is expected)."""
    gc.collect()
    found = []
    if lib.live_closures():
        found.append(f"live closures: {lib.live_closures()}")
    live_objects = {k: v for k, v in lib.live_objects().items() if v}
    if live_objects:
        found.append(f"live objects: {live_objects}")
    if _native.live_host_objects() > host_objects_before:
        found.append(f"host objects: {_native.live_host_objects()} (was {host_objects_before})")
    return found


def run(lib: ferryman.Library, threads: int, calls: int) -> float:
    """`calls` mixed calls on each of `threads` threads; seconds taken."""
    errors: list[BaseException] = []

    def worker(offset: int) -> None:
        try:
            for i in range(offset, offset + calls):
                mixed_call(lib, i, SCHEDULE[i % len(SCHEDULE)])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(t * calls,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def fixture_path(given: str | None) -> Path:
    if given:
        return Path(given)
    return REPO / "target" / "debug" / "libferryman_fixture.so"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--calls", type=int, default=1000, help="calls per thread")
    parser.add_argument("--fixture", help="the fixture library (default: target/debug)")
    args = parser.parse_args()
    lib = ferryman.load(fixture_path(args.fixture))
    host_objects = _native.live_host_objects()
    seconds = run(lib, args.threads, args.calls)
    found = leaks(lib, host_objects)
    total = args.threads * args.calls
    print(f"stress: {args.threads} threads x {args.calls} calls = {total} calls in {seconds:.1f} s, results checked")
    for line in found:
        print(f"stress: leak: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
