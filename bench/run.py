#!/usr/bin/env python3
"""ferryman's benchmark harness: every case × every column in one Python process.

    .venv/bin/python bench/run.py            # the full run: markdown tables on stdout
    .venv/bin/python bench/run.py --smoke    # a few calls of every cell, results checked

Build first with ``bash bench/build.sh`` (``bash bench/run.sh`` does both).

Timing: for each case, every column is calibrated so that one repeat (``number``
calls in a timeit loop, ``f(args)`` with ``f`` bound beforehand) lasts about
``--target-ms``; then the repeats of all columns are interleaved, so a noisy
neighbour slows every column alike. A cell reports the median of the per-call
times of its repeats, their 10th–90th percentile spread, and its ratio to PyO3.
The subprocess column runs one call per repeat.

Memory: a child process makes 1,000,000 ferryman calls (mostly ``add``, some of
every other case, errors included) and reports its resident set after warm-up
and every 100,000 calls, and its peak; the same for PyO3 for comparison.

Benchmarks are not tests: nothing here asserts a time. ``--smoke`` only checks
that every column returns the right results, and exits non-zero when one does not.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import timeit
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from columns import LOADERS, ROOT, Column  # noqa: E402

# --- cases --------------------------------------------------------------------


class Record(TypedDict):
    """The record the `record` case sends and `bump` returns bumped."""

    name: str
    id: int
    score: float
    tags: list[int]


RECORD: Record = {"name": "ferry", "id": 41, "score": 1.25, "tags": list(range(10))}
BUMPED: Record = {"name": "ferry!", "id": 42, "score": 2.5, "tags": list(range(10))}
ERROR_MESSAGE = "failed with code 7"


def _payload(size: int) -> bytes:
    return bytes(i % 251 for i in range(size))


@dataclass
class Case:
    """One benchmark case: a function of every column, its arguments, its result."""

    key: str
    label: str
    function: str
    args: Callable[[Column], tuple]
    check: Callable[[Column, Any], bool]
    raises: bool = False
    # Names to pass the arguments by (keyword calls), and the only columns
    # that run the case (empty: all of them).
    keywords: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    # The object cases: the callable to time, made afresh from the column (None
    # when the column cannot do the case: "—"), instead of `getattr(column, function)`.
    bind: Callable[[Column], Callable | None] | None = None
    # Time `for _ in f(args): pass` (and check `list(f(args))`) instead of `f(args)`.
    loop: bool = False
    # The target for ferryman, as a ratio to PyO3 (shown in the table).
    goal: float | None = None

    def runs_on(self, key: str) -> bool:
        return not self.columns or key in self.columns


def _equals(expected: Any) -> Callable[[Column, Any], bool]:
    return lambda column, result: type(result) is type(expected) and result == expected


def _bytes_case(key: str, label: str, size: int) -> Case:
    data = _payload(size)
    return Case(
        key,
        label,
        "echo",
        lambda column: (data,),
        lambda column, result: isinstance(result, bytes) and result == data,
    )


def _list_case(key: str, label: str, size: int) -> Case:
    values = list(range(size))
    return Case(key, label, "sum", lambda column: (values,), _equals(sum(values)))


def _numpy_values(column: Column) -> tuple:
    import numpy

    return (numpy.arange(10_000, dtype=numpy.float64),)


def _numpy_sum(column: Column) -> Callable | None:
    """A column's `sum_f64`, when it has one and numpy is installed (else "—")."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return None
    return column.extra.get("sum_f64")


CASES = [
    Case("add", "add(1, 2)", "add", lambda column: (1, 2), _equals(3)),
    # Issue 10: a keyword call against its positional twin, where keywords bind.
    Case(
        "add_kw",
        "add(a=1, b=2)",
        "add",
        lambda column: (1, 2),
        _equals(3),
        keywords=("a", "b"),
        columns=("ferryman", "pyo3"),
    ),
    _bytes_case("echo16", "echo 16 B", 16),
    _bytes_case("echo64k", "echo 64 KiB", 64 * 1024),
    _bytes_case("echo1m", "echo 1 MiB", 1024 * 1024),
    _list_case("sum10", "sum of 10 ints", 10),
    _list_case("sum10k", "sum of 10,000 ints", 10_000),
    # Issue 11: a numpy array where Rust takes `&[f64]` (optional: numpy).
    Case(
        "sum10k_f64",
        "sum of 10,000 f64 from a numpy array",
        "sum_f64",
        _numpy_values,
        _equals(float(sum(range(10_000)))),
        bind=_numpy_sum,
    ),
    Case(
        "record",
        "record round trip",
        "bump",
        lambda column: (column.record(dict(RECORD, tags=list(RECORD["tags"]))),),
        lambda column, result: column.unrecord(result) == BUMPED,
    ),
    Case(
        "error",
        "error raised and caught",
        "fail",
        lambda column: (7,),
        lambda column, error: isinstance(error, Exception) and ERROR_MESSAGE in str(error),
        raises=True,
    ),
]

# --- object cases ---------------------------------------------------------------
# Each makes its own `Counter(41)` (`Counter(0)` to iterate) when it is bound, so
# the checked call and the timed loop do not share state.

COUNT = 10_000


def _objects(bind: Callable[[Any], Callable]) -> Callable[[Column], Callable | None]:
    return lambda column: None if column.objects is None else bind(column.objects)


def _is_counter_41(column: Column, result: Any) -> bool:
    return type(result).__name__ == "Counter" and result.label() == "Counter(41)"


def _counts(column: Column, result: Any) -> bool:
    return result == list(range(COUNT)) and all(type(i) is int for i in result)


OBJECT_CASES = [
    Case(
        "new_drop",
        "construct + drop",
        "Counter",
        lambda column: (41,),
        _is_counter_41,
        bind=_objects(lambda o: o.counter),
        goal=3,
    ),
    Case(
        "method_int",
        "method(int) -> int",
        "Counter.add",
        lambda column: (1,),
        _equals(42),
        bind=_objects(lambda o: o.counter(41).add),
        goal=2,
    ),
    Case(
        "method_str",
        "method() -> short str",
        "Counter.label",
        lambda column: (),
        _equals("Counter(41)"),
        bind=_objects(lambda o: o.counter(41).label),
        goal=2,
    ),
    Case(
        "iter10k",
        "iterate 10,000 ints",
        "Counter.count",
        lambda column: (COUNT,),
        _counts,
        bind=_objects(lambda o: o.iterate(o.counter(0))),
        loop=True,
        goal=2,
    ),
]
CASES += OBJECT_CASES

# --- running one cell -------------------------------------------------------------


def supports(case: Case, column: Column) -> bool:
    """Whether the column runs the case at all (else its cell shows "—")."""
    if not case.runs_on(column.key):
        return False
    return case.bind is None or case.bind(column) is not None


def target(case: Case, column: Column) -> Callable:
    """The callable the case calls (a fresh object's method for the object cases)."""
    if case.bind is None:
        return getattr(column, case.function)
    function = case.bind(column)
    assert function is not None, f"{case.key}: column {column.key} cannot do it"
    return function


def call_once(case: Case, column: Column) -> Any:
    """Calls the case once; returns its result, or the exception for `raises` cases."""
    function = target(case, column)
    args = case.args(column)
    if case.keywords:
        return function(**dict(zip(case.keywords, args)))
    if case.loop:
        return list(function(*args))
    if case.raises:
        try:
            result = function(*args)
        except Exception as error:  # noqa: BLE001 - any exception is the expected outcome
            return error
        raise AssertionError(f"{case.label}: no exception, returned {result!r}")
    return function(*args)


def make_timer(case: Case, column: Column) -> timeit.Timer:
    """A timeit loop calling the column's function directly: `f(a0, a1, …)`."""
    args = case.args(column)
    namespace: dict[str, Any] = {"f": target(case, column)}
    names = []
    for i, arg in enumerate(args):
        namespace[f"a{i}"] = arg
        names.append(f"{case.keywords[i]}=a{i}" if case.keywords else f"a{i}")
    call = f"f({', '.join(names)})"
    if case.raises:
        stmt = f"try:\n    {call}\nexcept Exception:\n    pass"
    elif case.loop:
        stmt = f"for _ in {call}:\n    pass"
    else:
        stmt = call
    return timeit.Timer(stmt, globals=namespace)


def calibrate(timer: timeit.Timer, target: float) -> int:
    """The number of calls that makes one repeat last about `target` seconds."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target / 5 or number >= 1 << 26:
            break
        number *= 4 if elapsed < target / 50 else 2
    return max(1, round(number * target / max(elapsed, 1e-9)))


@dataclass
class Cell:
    """The measurements of one case × column."""

    number: int
    samples: list[float]  # ns per call, one per repeat

    def median(self) -> float:
        return statistics.median(self.samples)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.samples)
        position = q * (len(ordered) - 1)
        low, high = math.floor(position), math.ceil(position)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- loading -----------------------------------------------------------------------


def load_columns(keys: list[str]) -> tuple[dict[str, Column], dict[str, str]]:
    """Loads the columns; returns the loaded ones and why the others failed."""
    loaded, failed = {}, {}
    for key in keys:
        try:
            loaded[key] = LOADERS[key]()
        except Exception as error:  # noqa: BLE001 - reported, not fatal for a full run
            failed[key] = f"{type(error).__name__}: {error}"
    return loaded, failed


def check_cell(case: Case, column: Column) -> str | None:
    """None when the column gets the case right, else what went wrong."""
    try:
        result = call_once(case, column)
    except Exception:  # noqa: BLE001
        return traceback.format_exc(limit=3).strip()
    if not case.check(column, result):
        shown = repr(result)
        return f"wrong result: {shown[:200]}{'…' if len(shown) > 200 else ''}"
    return None


# --- smoke ------------------------------------------------------------------------


def smoke(keys: list[str], cases: list[Case]) -> int:
    started = time.perf_counter()
    columns, failed = load_columns(keys)
    problems = [f"column {key} does not load: {why}" for key, why in failed.items()]
    for case in cases:
        for key, column in columns.items():
            if not supports(case, column):
                print(f"—   {case.label:<24} {column.label} (not run in this column)")
                continue
            for _ in range(3):
                problem = check_cell(case, column)
                if problem:
                    problems.append(f"{case.label} / {column.label}: {problem}")
                    break
            else:
                make_timer(case, column).repeat(repeat=2, number=2)
                print(f"ok  {case.label:<24} {column.label}")
    if "ferryman" in columns:
        report = rss_child_run("ferryman", 20_000)
        if report is None:
            problems.append("the memory experiment's child failed")
        else:
            print(f"ok  memory experiment (20,000 calls, {len(report['points'])} checkpoints)")
    elapsed = time.perf_counter() - started
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    verdict = "FAILED" if problems else "passed"
    print(f"smoke run {verdict}: {len(cases)} cases × {len(columns)} columns in {elapsed:.1f} s")
    return 1 if problems else 0


# --- full run ------------------------------------------------------------------------


def measure(
    columns: dict[str, Column],
    cases: list[Case],
    repeats: int,
    target: float,
    subprocess_repeats: int,
) -> dict[tuple[str, str], Cell | str | None]:
    """Every cell: a `Cell`, why it was not measured, or None when the column cannot do it."""
    cells: dict[tuple[str, str], Cell | str | None] = {}
    for case in cases:
        # The measured cells of this case: their timer, calls per repeat and samples.
        timers: dict[str, tuple[timeit.Timer, int, Cell]] = {}
        for key, column in columns.items():
            if not supports(case, column):
                cells[case.key, key] = None
                continue
            problem = check_cell(case, column)
            if problem:
                cells[case.key, key] = problem.splitlines()[-1]
                continue
            timer = make_timer(case, column)
            number = 1 if key == "subprocess" else calibrate(timer, target)
            cell = Cell(number, [])
            timers[key] = (timer, number, cell)
            cells[case.key, key] = cell
        for r in range(max(repeats, subprocess_repeats)):
            for key, (timer, number, cell) in timers.items():
                wanted = subprocess_repeats if key == "subprocess" else repeats
                if r < wanted:
                    elapsed = timer.timeit(number)
                    cell.samples.append(elapsed / number * 1e9)
        gc.collect()
        done = ", ".join(
            f"{key} {cell.median():,.0f} ns"
            for key, cell in ((k, cells.get((case.key, k))) for k in columns)
            if isinstance(cell, Cell)
        )
        print(f"  {case.label}: {done}", file=sys.stderr, flush=True)
    return cells


def fmt_ns(ns: float) -> str:
    if ns >= 100:
        return f"{ns:,.0f}"
    return f"{ns:,.1f}"


def fmt_ratio(ratio: float) -> str:
    if ratio >= 100:
        return f"×{ratio:,.0f}"
    if ratio >= 10:
        return f"×{ratio:.1f}"
    return f"×{ratio:.2f}"


def print_tables(
    columns: dict[str, Column],
    failed: dict[str, str],
    cases: list[Case],
    cells: dict[tuple[str, str], Cell | str | None],
) -> None:
    keys = [k for k in LOADERS if k in columns]
    labels = {k: columns[k].label for k in keys}

    def ratio(case: Case, key: str) -> str:
        base, cell = cells.get((case.key, "pyo3")), cells.get((case.key, key))
        if isinstance(base, Cell) and isinstance(cell, Cell):
            return fmt_ratio(cell.median() / base.median())
        return "–"

    goals = any(case.goal is not None for case in cases)
    print("### Median ns per call (ratio to PyO3)\n")
    print("| case | " + " | ".join(labels[k] for k in keys) + " |" + (" target |" if goals else ""))
    print("|---|" + "---:|" * len(keys) + ("---|" if goals else ""))
    for case in cases:
        row = []
        for key in keys:
            cell = cells.get((case.key, key))
            if isinstance(cell, Cell):
                row.append(f"{fmt_ns(cell.median())} ({ratio(case, key)})")
            elif cell is None:
                row.append("—")
            else:
                row.append("error")
        if goals:
            row.append(goal_verdict(case, cells))
        print(f"| {case.label} | " + " | ".join(row) + " |")

    print("\n### Every cell: median, spread (p10–p90 of the repeats), ratio to PyO3\n")
    print("| case | column | median ns | p10–p90 ns | × PyO3 | calls × repeats |")
    print("|---|---|---:|---:|---:|---:|")
    for case in cases:
        for key in keys:
            cell = cells.get((case.key, key))
            if cell is None:
                continue
            if isinstance(cell, Cell):
                spread = f"{fmt_ns(cell.percentile(0.1))}–{fmt_ns(cell.percentile(0.9))}"
                print(
                    f"| {case.label} | {labels[key]} | {fmt_ns(cell.median())} | {spread} | "
                    f"{ratio(case, key)} | {cell.number:,} × {len(cell.samples)} |"
                )
            else:
                print(f"| {case.label} | {labels[key]} | error: {cell} | | | |")
    for key, why in failed.items():
        print(f"\nColumn `{key}` was not measured: {why}")
    bad = {(c, k): v for (c, k), v in cells.items() if isinstance(v, str)}
    for (case_key, key), why in bad.items():
        print(f"\nCell {case_key} / {key} gave a wrong result and was not measured: {why}")


def goal_verdict(case: Case, cells: dict[tuple[str, str], Cell | str | None]) -> str:
    """The target column: ferryman's ratio to PyO3 against the case's goal."""
    if case.goal is None:
        return ""
    wanted = f"≤ {case.goal:g}×"
    ours, base = cells.get((case.key, "ferryman")), cells.get((case.key, "pyo3"))
    if not (isinstance(ours, Cell) and isinstance(base, Cell)):
        return wanted
    met = ours.median() / base.median() <= case.goal
    return f"{wanted} {'met' if met else 'missed'}"


# --- memory ---------------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE")
ROUND = 100  # calls per round of the memory experiment


def current_rss_kib() -> int:
    """The resident set now (`/proc/self/statm`)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE // 1024


def peak_rss_kib() -> int:
    """The peak resident set of this process image (`VmHWM`).

    `ru_maxrss` would do, except that Linux carries it across `execve`: a child
    spawned by a bigger parent (with `vfork`, as `subprocess` does) starts with the
    parent's peak. `VmHWM` starts afresh with the new image.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return maxrss_kib()


def maxrss_kib() -> int:
    """`getrusage(RUSAGE_SELF).ru_maxrss` (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_child(key: str, calls: int) -> None:
    """The child of the memory experiment: `calls` calls, RSS checkpoints as JSON."""
    column = LOADERS[key]()
    add, echo, sum_, bump, fail = column.add, column.echo, column.sum, column.bump, column.fail
    small, big = _payload(16), _payload(64 * 1024)
    values = list(range(10))
    record = column.record(dict(RECORD))
    rounds = max(1, calls // ROUND)
    checkpoint_every = max(1, rounds // 10)
    points = [{"calls": 0, "rss_kib": current_rss_kib(), "peak_kib": peak_rss_kib()}]
    wrong = 0
    for r in range(1, rounds + 1):
        for _ in range(ROUND - 10):  # 90 adds
            if add(1, 2) != 3:
                wrong += 1
        for _ in range(2):  # and two of each other case: 10 calls
            wrong += echo(small) != small
            wrong += echo(big) != big
            wrong += sum_(values) != 45
            wrong += column.unrecord(bump(record)) != BUMPED
            try:
                fail(7)
                wrong += 1
            except Exception:  # noqa: BLE001
                pass
        if r % checkpoint_every == 0 or r == rounds:
            points.append(
                {"calls": r * ROUND, "rss_kib": current_rss_kib(), "peak_kib": peak_rss_kib()}
            )
    report = {
        "column": key,
        "calls": rounds * ROUND,
        "wrong": wrong,
        "points": points,
        "ru_maxrss_kib": maxrss_kib(),
    }
    print(json.dumps(report))
    sys.exit(1 if wrong else 0)


def rss_child_run(key: str, calls: int) -> dict | None:
    done = subprocess.run(
        [sys.executable, __file__, "--rss-child", key, "--calls", str(calls)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_memory(reports: dict[str, dict | None]) -> None:
    print("\n### Memory: one process making 1,000,000 calls\n")
    print(
        "Each round is 100 calls: 90 × `add(1, 2)`, then 2 × each of echo 16 B, "
        "echo 64 KiB, sum of 10 ints, record round trip and a caught error. "
        "RSS is `/proc/self/statm`'s resident set; peak is `VmHWM` of `/proc/self/status` "
        "(`ru_maxrss` is given too; the memory children run before the parent loads any "
        "column, so the peak it inherits across `execve` is smaller than theirs). "
        "Warm-up is the first 100,000 calls.\n"
    )
    print("| column | calls | RSS KiB | peak RSS KiB |")
    print("|---|---:|---:|---:|")
    for key, report in reports.items():
        if report is None:
            print(f"| {key} | failed | | |")
            continue
        for point in report["points"]:
            print(f"| {key} | {point['calls']:,} | {point['rss_kib']:,} | {point['peak_kib']:,} |")
    print()
    for key, report in reports.items():
        if report is None or len(report["points"]) < 3:
            continue
        warm, end = report["points"][1], report["points"][-1]
        growth = end["rss_kib"] - warm["rss_kib"]
        print(
            f"- {key}: peak RSS {end['peak_kib'] / 1024:.1f} MiB "
            f"(ru_maxrss {report['ru_maxrss_kib'] / 1024:.1f} MiB); RSS after warm-up "
            f"({warm['calls']:,} calls) {warm['rss_kib']:,} KiB, at the end "
            f"({end['calls']:,} calls) {end['rss_kib']:,} KiB: "
            f"{'+' if growth >= 0 else ''}{growth:,} KiB after warm-up; "
            f"{report['wrong']} wrong results."
        )


# --- main ---------------------------------------------------------------------------------


def header(repeats: int, target: float, subprocess_repeats: int) -> str:
    lines = [
        "## ferryman benchmark",
        "",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Release builds. "
        f"{repeats} repeats of ~{target * 1000:.0f} ms per cell, interleaved across columns; "
        f"subprocess: {subprocess_repeats} calls. Loop overhead is included in every column "
        f"(an empty `f()` call to a Python function costs ~{empty_call_ns():.0f} ns here).",
        "",
    ]
    return "\n".join(lines)


def empty_call_ns() -> float:
    def f() -> None:
        return None

    timer = timeit.Timer("f()", globals={"f": f})
    return min(timer.repeat(repeat=5, number=200_000)) / 200_000 * 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few checked calls of every cell")
    parser.add_argument(
        "--columns",
        default=",".join(LOADERS),
        help=f"comma-separated subset of: {', '.join(LOADERS)}",
    )
    parser.add_argument(
        "--cases",
        default=",".join(c.key for c in CASES),
        help=f"comma-separated subset of: {', '.join(c.key for c in CASES)}",
    )
    parser.add_argument("--repeats", type=int, default=21, help="repeats per cell (default 21)")
    parser.add_argument(
        "--target-ms", type=float, default=40, help="duration of one repeat (default 40 ms)"
    )
    parser.add_argument(
        "--subprocess-repeats", type=int, default=21, help="calls of the subprocess column"
    )
    parser.add_argument(
        "--memory-calls",
        type=int,
        default=1_000_000,
        help="calls of the memory experiment (0 to skip it)",
    )
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=1_000_000, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.rss_child:
        rss_child(options.rss_child, options.calls)
        return 0

    keys = [k for k in options.columns.split(",") if k]
    unknown = [k for k in keys if k not in LOADERS]
    if unknown:
        parser.error(f"unknown columns: {', '.join(unknown)}")
    wanted = [k for k in options.cases.split(",") if k]
    cases = [c for c in CASES if c.key in wanted]
    if len(cases) != len(wanted):
        parser.error(f"unknown cases in {options.cases}")

    if options.smoke:
        return smoke(keys, cases)

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    # The memory children first, while this process is small (see `peak_rss_kib`).
    reports = {
        key: rss_child_run(key, options.memory_calls)
        for key in ("ferryman", "pyo3")
        if key in keys and options.memory_calls > 0
    }
    columns, failed = load_columns(keys)
    for key, why in failed.items():
        print(f"warning: column {key} does not load: {why}", file=sys.stderr)
    target = options.target_ms / 1000
    print(header(options.repeats, target, options.subprocess_repeats))
    cells = measure(columns, cases, options.repeats, target, options.subprocess_repeats)
    print_tables(columns, failed, cases, cells)
    if reports:
        print_memory(reports)
    print(
        f"\n_Whole run: {time.perf_counter() - started:.0f} s; load average "
        f"{load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end._"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
