#!/usr/bin/env python3
"""Instructions per call of the benchmark's cases, counted by callgrind.

    .venv/bin/python bench/instructions.py --cases add,method_int --columns ferryman,pyo3

Wall-clock ratios on a shared 2-core machine move by ±0.15 from run to run;
instruction counts do not. For each case × column this runs the same timeit
loop as ``bench/run.py`` (``f(a0, …)``, ``f`` bound beforehand) in a child
process under ``valgrind --tool=callgrind``, twice, with ``--low`` and
``--high`` calls, and reports (instructions of the high run − those of the low
run) ÷ (high − low): start-up, imports and loading cancel out. Only the main
thread is counted (``--separate-threads=yes``): a runtime's idle worker
threads run for as long as the process does, which valgrind's slow-down turns
into thousands of instructions that depend on the machine's load.

Instructions are not time (a cache miss or an atomic costs more than its one
instruction), so this is a tie-breaker beside ``bench/run.py``, not a
replacement: it tells whether a change removed work, however noisy the clock.
Needs valgrind (``callgrind_annotate`` is not needed: the totals are read from
the output file). Each cell of a small call takes ~10–30 s; give the heavy
cases (``sum10k``, ``iter10k``, the echoes of 64 KiB and more) fewer calls,
e.g. ``--low 20 --high 60``. Nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from columns import LOADERS  # noqa: E402
from run import CASES, make_timer, supports  # noqa: E402


def child(case_key: str, column_key: str, calls: int) -> int:
    """Runs `calls` calls of the case in this process (under callgrind)."""
    case = next(c for c in CASES if c.key == case_key)
    column = LOADERS[column_key]()
    if not supports(case, column):
        return 3
    timer = make_timer(case, column)
    timer.timeit(calls)
    return 0


def main_thread_total(path: Path) -> int:
    """The `totals:` (or `summary:`) line of a callgrind output file."""
    for line in reversed(path.read_text().splitlines()):
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise ValueError(f"{path}: no totals line")


def count(case_key: str, column_key: str, calls: int, scratch: Path) -> int | None:
    """The main thread's instructions for a run of `calls` calls, or None when
    the column does not run the case."""
    out = scratch / f"{case_key}.{column_key}.{calls}"
    env = dict(os.environ, PYTHONHASHSEED="0")
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--separate-threads=yes",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            case_key,
            column_key,
            str(calls),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode == 3:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"{case_key} × {column_key}: {done.stderr[-2000:]}")
    # Thread 1 is the main thread: `<out>-01`.
    return main_thread_total(Path(f"{out}-01"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="add,method_int", help="comma-separated case keys")
    parser.add_argument("--columns", default="ferryman,pyo3", help="comma-separated columns")
    parser.add_argument("--low", type=int, default=10_000, help="calls of the first run")
    parser.add_argument("--high", type=int, default=30_000, help="calls of the second run")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        case_key, column_key, calls = options.child
        return child(case_key, column_key, int(calls))

    cases = [k for k in options.cases.split(",") if k]
    columns = [k for k in options.columns.split(",") if k]
    known = {c.key for c in CASES}
    unknown = [k for k in cases if k not in known] + [k for k in columns if k not in LOADERS]
    if unknown:
        parser.error(f"unknown cases or columns: {', '.join(unknown)}")
    if options.high <= options.low:
        parser.error("--high must be more than --low")

    print("| case | " + " | ".join(columns) + " | " + " | ".join(
        f"{k} ÷ {columns[-1]}" for k in columns[:-1]
    ) + " |")
    print("|---|" + "---:|" * (2 * len(columns) - 1))
    with tempfile.TemporaryDirectory(prefix="ferryman-instructions-") as scratch:
        for case_key in cases:
            per_call: dict[str, float | None] = {}
            for column_key in columns:
                low = count(case_key, column_key, options.low, Path(scratch))
                high = count(case_key, column_key, options.high, Path(scratch))
                per_call[column_key] = (
                    None if low is None or high is None
                    else (high - low) / (options.high - options.low)
                )
            cells = [f"{v:,.0f}" if v is not None else "—" for v in per_call.values()]
            base = per_call[columns[-1]]
            ratios = [
                f"×{value / base:.2f}" if value is not None and base else "—"
                for value in (per_call[k] for k in columns[:-1])
            ]
            print(f"| {case_key} | " + " | ".join(cells + ratios) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
