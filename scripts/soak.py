"""Soak: 10^7 mixed calls into the fixture with the process's RSS sampled.

    python scripts/soak.py [--calls 10000000] [--every 250000] [--fixture PATH]

The mix is `scripts/stress.py`'s (errors, panics, bad arguments, callbacks,
raising callbacks, closures, lent bytes, objects, maps), on one thread,
weighted as stress.py's `SCHEDULE` says (one call in a hundred panics). RSS
is read from /proc/self/statm every `--every` calls; after a warm-up (the
first 10% of the calls) it must stay flat: the script fails when the last
sample exceeds the one after warm-up by more than `--tolerance-mb` (8 MB),
or when the library holds anything at the end. Outside CI (minutes); the
figure of the last run is in fuzz/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ferryman  # noqa: E402
from ferryman import _native  # noqa: E402
from stress import SCHEDULE, fixture_path, leaks, mixed_call  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--every", type=int, default=250_000)
    parser.add_argument("--tolerance-mb", type=float, default=8.0)
    parser.add_argument("--fixture")
    args = parser.parse_args()
    lib = ferryman.load(fixture_path(args.fixture))
    host_objects = _native.live_host_objects()
    warm_up = args.calls // 10
    samples: list[tuple[int, float]] = []
    started = time.perf_counter()
    for i in range(args.calls):
        mixed_call(lib, i, SCHEDULE[i % len(SCHEDULE)])
        if (i + 1) % args.every == 0:
            samples.append((i + 1, rss_mb()))
            print(f"soak: {i + 1:>10} calls  rss {samples[-1][1]:7.1f} MB  {time.perf_counter() - started:7.1f} s", flush=True)
    after_warm_up = next(mb for calls, mb in samples if calls >= warm_up)
    last = samples[-1][1]
    peak = max(mb for calls, mb in samples if calls >= warm_up)
    found = leaks(lib, host_objects)
    print(
        f"soak: {args.calls} calls in {time.perf_counter() - started:.0f} s; RSS after warm-up "
        f"{after_warm_up:.1f} MB, peak {peak:.1f} MB, last {last:.1f} MB (growth {last - after_warm_up:+.1f} MB)"
    )
    for line in found:
        print(f"soak: leak: {line}")
    if last - after_warm_up > args.tolerance_mb:
        print(f"soak: RSS grew by more than {args.tolerance_mb} MB after warm-up")
        return 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
