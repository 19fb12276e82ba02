#!/usr/bin/env python3
"""Fastest repeat of each case, ferryman against PyO3, for A/B comparisons.

    .venv/bin/python bench/min_ratio.py method_int,add [--repeats 41] [--calls 20000]

`bench/run.py` reports the median of its repeats, which a busy neighbour on this
shared machine moves by ±0.15 in ratio. To compare two builds of the same code
(swap the extension in `bindings/python/python/ferryman/` or the library in
`target/release/` between runs, and alternate), the fastest of many short
repeats is steadier: interference only ever adds time. Each case runs the same
timed statement as `bench/run.py`, the two columns' repeats interleaved, and
prints one line: ``case: ferryman/pyo3 ns=×ratio`` per case. Nothing here runs
in CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from columns import LOADERS  # noqa: E402
from run import CASES, make_timer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", help="comma-separated case keys (bench/run.py's)")
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--calls", type=int, default=20_000, help="calls per repeat")
    options = parser.parse_args()
    known = {case.key: case for case in CASES}
    keys = [key for key in options.cases.split(",") if key]
    unknown = [key for key in keys if key not in known]
    if unknown:
        parser.error(f"unknown cases: {', '.join(unknown)}")
    columns = {key: LOADERS[key]() for key in ("ferryman", "pyo3")}
    cells = []
    for key in keys:
        timers = {name: make_timer(known[key], column) for name, column in columns.items()}
        best = dict.fromkeys(timers, float("inf"))
        for _ in range(options.repeats):
            for name, timer in timers.items():
                best[name] = min(best[name], timer.timeit(options.calls) / options.calls * 1e9)
        ratio = best["ferryman"] / best["pyo3"]
        cells.append(f"{key}: {best['ferryman']:.1f}/{best['pyo3']:.1f} ns=×{ratio:.3f}")
    print("  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
