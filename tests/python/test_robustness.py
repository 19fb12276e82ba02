"""Hostile arguments fail cleanly; threads; nothing crashes the process."""

from __future__ import annotations

import datetime
import decimal
import gc
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import pytest

import ferryman

from conftest import REPO


def test_a_cyclic_list_is_refused(lib: ferryman.Library) -> None:
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(
        ferryman.ArgumentError,
        match=r"^sum\(\) argument 'values': expected Vec<i64>, but found a value nested deeper than 256 levels",
    ):
        lib.sum(cycle)


def test_a_cyclic_dict_is_refused(lib: ferryman.Library) -> None:
    cycle: dict = {}
    cycle["self"] = cycle
    with pytest.raises(ferryman.ArgumentError, match="deeper than"):
        lib.echo_map(cycle)


def test_deep_nesting_is_refused_without_a_stack_overflow(lib: ferryman.Library) -> None:
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ferryman.ArgumentError, match="deeper than"):
        lib.echo_nested(deep)


def test_nesting_within_the_limit_reaches_the_library(lib: ferryman.Library) -> None:
    deep: list = [1]
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ferryman.ArgumentError) as caught:  # well-formed, but the wrong type
        lib.echo_vec_i64(deep)
    assert caught.value.kind == "type"


@pytest.mark.parametrize("bits", [64, -64, 333, -333, 100_000])
def test_huge_ints_overflow_cleanly(lib: ferryman.Library, bits: int) -> None:
    value = 2 ** abs(bits) if bits > 0 else -(2 ** abs(bits)) - 1
    with pytest.raises(
        ferryman.ArgumentOverflowError,
        match=r"^echo_i64\(\) argument 'value': expected i64, but found (an )?integer .*, which is out of range$",
    ):
        lib.echo_i64(value)


@pytest.mark.parametrize(
    "value",
    [
        object(),
        1j,
        decimal.Decimal("1.5"),
        datetime.date(2020, 1, 1),
        lambda: 1,
        range(3),
        iter([1]),
        Ellipsis,
        int,
        {object()},
        [1, object()],
        {"k": object()},
        {(1, 2): object()},
    ],
)
def test_unsendable_objects_are_argument_errors(lib: ferryman.Library, value: object) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.echo_nested(value)
    assert caught.value.param == "value"
    assert caught.value.function == "echo_nested"


def test_unsendable_dict_key(lib: ferryman.Library) -> None:
    expected = r"^echo_map\(\) argument 'map': expected HashMap<String, i64>, but found object at item \[<object "
    with pytest.raises(ferryman.ArgumentError, match=expected):
        lib.echo_map({object(): 1})


def test_a_raising_memoryview_source_is_an_argument_error(lib: ferryman.Library) -> None:
    view = memoryview(b"abc")
    view.release()
    with pytest.raises(ferryman.ArgumentError):
        lib.echo_bytes(view)


def test_threads_get_their_own_buffers(lib: ferryman.Library) -> None:
    failures: list[str] = []

    def work(seed: int) -> None:
        for round_ in range(200):
            size = (seed * 7919 + round_ * 104729) % 20_000
            data = bytes([seed]) * size
            if lib.echo_bytes(data) != data:
                failures.append(f"echo_bytes {seed} {round_}")
            if lib.add(seed, round_) != seed + round_:
                failures.append(f"add {seed} {round_}")
            try:
                lib.divide(seed, 0)
            except lib.errors.MathError:
                pass
            else:
                failures.append("divide did not raise")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_errors_do_not_keep_caller_locals_alive(lib: ferryman.Library) -> None:
    class Big:
        pass

    def call() -> weakref.ref:
        local = Big()
        ref = weakref.ref(local)
        try:
            lib.divide(1, 0)
        except ferryman.RustError:
            pass
        return ref

    gc.disable()
    try:
        ref = call()
        assert ref() is None  # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_hostile_inputs_in_a_child_process_do_not_crash(fixture_file: Path) -> None:
    script = f"""
import ferryman, sys
lib = ferryman.load({str(fixture_file)!r})
cycle = []; cycle.append(cycle)
deep = []
for _ in range(50_000):
    deep = [deep]
deep_dict = {{}}
for _ in range(50_000):
    deep_dict = {{"k": deep_dict}}
hostile = [cycle, deep, deep_dict, 2**10_000, object(), "\\ud800", [object()] * 3, {{1: object()}}]
for function in lib:
    for value in hostile:
        try:
            function(*([value] * len(function.parameters)))
        except ferryman.FerrymanError:
            pass
print("survived")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"


def test_the_gil_is_released_while_rust_runs(lib: ferryman.Library) -> None:
    text = "a b c " * 300_000  # word_counts takes a while on this (longer in debug builds)
    ticks = 0
    stop = threading.Event()
    started = threading.Event()

    def count() -> None:
        nonlocal ticks
        started.set()
        while not stop.is_set():
            ticks += 1

    thread = threading.Thread(target=count)
    thread.start()
    started.wait()
    try:
        before, start = ticks, time.perf_counter()
        result = lib.word_counts(text)
        during, elapsed = ticks - before, time.perf_counter() - start
        before = ticks
        time.sleep(elapsed)  # how far the counter gets when nothing else holds the GIL
        idle = ticks - before
    finally:
        stop.set()
        thread.join()
    assert result == {"a": 300_000, "b": 300_000, "c": 300_000}
    # Had the call held the GIL, the counter could barely have moved.
    assert during > idle * 0.1, (during, idle)


# ---- containers that change while they are sent (issue 12) ------------------------


def _changing(container: Any) -> type:
    """A class whose `__index__` (run while `container` is being sent) empties it."""

    class Changing:
        def __index__(self) -> int:
            container.clear()
            if isinstance(container, dict):
                container["z"] = 1
            return 0

        def __hash__(self) -> int:
            return 1

    return Changing


@pytest.mark.parametrize("where", ["argument", "callback result"])
def test_a_dict_that_changes_while_sent_is_an_argument_error_not_a_panic(lib: ferryman.Library, where: str) -> None:
    d: dict[str, Any] = {}
    d["a"] = _changing(d)()
    d["b"] = 2
    with pytest.raises(ferryman.ArgumentError, match="a dict that changed size while it was being sent"):
        if where == "argument":
            lib.echo_map(d)
        else:
            lib.map_from_callback(lambda: d)


@pytest.mark.parametrize("where", ["argument", "callback result"])
def test_a_list_that_changes_while_sent_is_an_argument_error(lib: ferryman.Library, where: str) -> None:
    items: list[Any] = []
    items.extend([_changing(items)(), 2, 3])
    with pytest.raises(ferryman.ArgumentError, match="a list that changed size while it was being sent"):
        if where == "argument":
            lib.echo_vec_i64(items)
        else:
            lib.list_from_callback(lambda: items)


def test_a_set_that_changes_while_sent_sends_what_it_held(lib: ferryman.Library) -> None:
    # A set is copied before its items are sent (no Python code runs while
    # it is read): what it held is sent.
    items: set[Any] = set()
    items.update([_changing(items)(), 2, 3])
    assert sorted(lib.distinct(items)) == [0, 2, 3]


def test_a_tuple_or_frozenset_of_changing_items_is_sent(lib: ferryman.Library) -> None:
    inner: list[Any] = []
    assert lib.echo_vec_i64((_changing(inner)(), 2)) == [0, 2]
    assert sorted(lib.distinct(frozenset([_changing(inner)(), 2]))) == [0, 2]
