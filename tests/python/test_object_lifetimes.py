"""Hypothesis: random sequences of creating, cloning, passing to Rust,
keeping in Rust, closing and dropping objects end with no live object and
every Rust `Drop` run exactly once (the fixture's `Counter` and its drop
counter; `Tracked` for the plain case)."""

from __future__ import annotations

import copy
import gc
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import ferryman

ACTIONS = ["create", "copy", "clone", "pass", "pass_all", "keep", "close", "drop", "callback"]
STEPS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=1000)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(steps=STEPS)
def test_random_lifetimes_end_with_every_drop_once(lib: ferryman.Library, steps: list[tuple[str, int]]) -> None:
    gc.collect()
    lib.drop_kept_counters()
    drops = lib.counter_drops()
    created = 0
    held: list[Any] = []
    for action, n in steps:
        pick = held[n % len(held)] if held else None
        if action == "create" or pick is None:
            held.append(lib.Counter(str(n), n))
            created += 1
        elif action == "copy" and not pick.closed:
            held.append(copy.copy(pick))
        elif action == "clone" and not pick.closed:
            held.append(pick.clone_counter())
            created += 1
        elif action == "pass" and not pick.closed:
            assert lib.counter_value(pick) == pick.value()
        elif action == "pass_all":
            open_ones = [obj for obj in held if not obj.closed]
            assert lib.counter_total(open_ones) == sum(obj.value() for obj in open_ones)
            del open_ones
        elif action == "keep" and not pick.closed:
            lib.keep_counter(pick)
        elif action == "close":
            pick.close()
        elif action == "drop":
            del held[n % len(held)]
        elif action == "callback" and not pick.closed:
            assert lib.with_counter(pick, lambda given: given.value()) == pick.value()
        del pick
    del held
    gc.collect()
    lib.drop_kept_counters()
    assert "Counter" not in lib.live_objects()
    assert lib.counter_drops() == drops + created


@settings(max_examples=30, deadline=None)
@given(ids=st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=30), close=st.lists(st.booleans()))
def test_tracked_objects_drop_once(lib: ferryman.Library, ids: list[int], close: list[bool]) -> None:
    gc.collect()
    drops = lib.tracked_drops()
    objects = [lib.Tracked(i) for i in ids]
    obj = None
    assert [obj.id() for obj in objects] == ids
    for obj, closing in zip(objects, close):
        if closing:
            obj.close()
    del objects, obj
    assert "Tracked" not in lib.live_objects()
    assert lib.tracked_drops() == drops + len(ids)
