"""Python callables passed into Rust, Rust closures handed out to Python."""

from __future__ import annotations

import functools
import gc
import inspect
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ferryman
from ferryman import _native


def collect() -> None:
    for _ in range(3):
        gc.collect()


@pytest.fixture(autouse=True)
def _nothing_leaks(lib: ferryman.Library) -> Iterator[None]:
    """Every test leaves no host object, closure or pending exception behind."""
    lib.drop_stored()
    collect()
    host_objects, closures = _native.live_host_objects(), len(lib.live_closures())
    yield
    lib.drop_stored()
    collect()
    assert _native.live_host_objects() == host_objects
    assert len(lib.live_closures()) == closures
    assert _native.pending_count() == 0


# ---- Python callables into Rust ----------------------------------------------


@pytest.mark.parametrize("returned", [2, [1, "a"], None, {"any": object}])
def test_a_callback_declared_to_return_nothing_ignores_what_it_returns(
    lib: ferryman.Library, returned: object
) -> None:
    seen: list[int] = []

    def record(value: int) -> object:
        seen.append(value)
        return returned

    assert lib.for_each_value([1, 2, 3], record) == 3
    assert seen == [1, 2, 3]


def test_a_callback_returning_nothing_still_propagates_its_exception(
    lib: ferryman.Library,
) -> None:
    def fail(value: int) -> None:
        raise KeyError(value)

    with pytest.raises(KeyError):
        lib.for_each_value([1], fail)


def test_apply_calls_a_python_function(lib: ferryman.Library) -> None:
    calls: list[int] = []

    def double(x: int) -> int:
        calls.append(x)
        return x * 2

    assert lib.apply(double, 21) == 42
    assert calls == [21]


@pytest.mark.parametrize(
    "make",
    [
        lambda: lambda x: x + 1,
        lambda: functools.partial(lambda offset, x: x + offset, 1),
        lambda: (1).__add__,
        lambda: type("Adder", (), {"__call__": lambda self, x: x + 1})(),
    ],
    ids=["lambda", "partial", "bound-method", "callable-instance"],
)
def test_any_callable_works(lib: ferryman.Library, make: Callable[[], Callable[[int], int]]) -> None:
    assert lib.apply(make(), 41) == 42


def test_a_class_is_a_callable_too(lib: ferryman.Library) -> None:
    assert lib.apply(int, 7) == 7


def test_map_values_calls_once_per_value(lib: ferryman.Library) -> None:
    seen: list[int] = []

    def square(x: int) -> int:
        seen.append(x)
        return x * x

    assert lib.map_values([1, 2, 3, -4], square) == [1, 4, 9, 16]
    assert seen == [1, 2, 3, -4]
    assert lib.map_values([], square) == []


def test_two_arguments_of_their_types(lib: ferryman.Library) -> None:
    received: list[tuple[Any, ...]] = []

    def repeat(text: str, n: int) -> str:
        received.append((text, n))
        return text * n

    assert lib.apply_two(repeat, "ab", 3) == "ababab"
    assert received == [("ab", 3)]
    assert [type(value) for value in received[0]] == [str, int]


def test_the_same_callable_twice_in_one_call(lib: ferryman.Library) -> None:
    def inc(x: int) -> int:
        return x + 1

    assert lib.compose_apply(inc, inc, 0) == 2


def test_callback_parameters_are_annotated_as_callable(lib: ferryman.Library) -> None:
    sig = inspect.signature(lib.apply_two)
    assert sig.parameters["f"].annotation == Callable[[str, int], str]
    assert "f: Callable[[str, int], str]" in repr(lib.apply_two)
    assert inspect.signature(lib.adder).return_annotation == Callable[[int], int]


def test_a_callable_where_a_value_is_expected_is_an_argument_error(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.add(lambda: 1, 2)
    assert caught.value.param == "a"


def test_the_host_drops_its_reference_when_the_call_returns(lib: ferryman.Library) -> None:
    def double(x: int) -> int:
        return x * 2

    before = _native.live_host_objects()
    ref = weakref.ref(double)
    assert lib.apply(double, 1) == 2
    assert _native.live_host_objects() == before
    del double
    collect()
    assert ref() is None


# ---- stored callbacks ----------------------------------------------------------


def test_a_stored_callback_works_until_the_last_clone_is_dropped(lib: ferryman.Library) -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    ref = weakref.ref(shout)
    lib.store_callback(shout)
    del shout
    collect()
    assert ref() is not None, "Rust holds the callback"

    assert lib.call_stored("hello") == "HELLO"
    assert lib.call_stored_on_thread("from a rust thread") == "FROM A RUST THREAD"
    assert calls == ["hello", "from a rust thread"]

    assert lib.drop_stored() is True
    collect()
    assert ref() is None, "dropping the last clone released the Python callable"
    assert lib.call_stored("gone") is None


def test_a_stored_callback_dropped_on_a_rust_thread_is_released(lib: ferryman.Library) -> None:
    def shout(text: str) -> str:
        return text.upper()

    ref = weakref.ref(shout)
    lib.store_callback(shout)
    del shout
    collect()
    assert ref() is not None, "Rust holds the callback"

    assert lib.drop_stored_on_thread() is True
    collect()
    assert ref() is None, "the release made on a Rust thread reached Python"
    assert lib.call_stored("gone") is None


def test_replacing_a_stored_callback_releases_the_old_one(lib: ferryman.Library) -> None:
    def first(text: str) -> str:
        return "first " + text

    def second(text: str) -> str:
        return "second " + text

    first_ref = weakref.ref(first)
    lib.store_callback(first)
    lib.store_callback(second)
    del first
    collect()
    assert first_ref() is None
    assert lib.call_stored("x") == "second x"


def test_a_stored_callback_called_from_a_thread_while_python_waits(lib: ferryman.Library) -> None:
    thread_names: list[str] = []

    def record(text: str) -> str:
        thread_names.append(threading.current_thread().name)
        return text[::-1]

    lib.store_callback(record)
    assert lib.call_stored_on_thread("abc") == "cba"
    assert thread_names and thread_names[0] != threading.main_thread().name


# ---- callbacks from Rust threads ----------------------------------------------


def run_bounded(function: Callable[[], Any], seconds: float = 60.0) -> Any:
    """Runs `function` in a thread; fails instead of hanging on a deadlock."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # pragma: no cover - reported below
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "deadlock: the call did not return"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_callbacks_from_eight_rust_threads_while_the_call_waits(lib: ferryman.Library) -> None:
    lock = threading.Lock()
    seen: list[int] = []

    def times_ten(x: int) -> int:
        with lock:
            seen.append(x)
        return x * 10

    assert run_bounded(lambda: lib.call_from_threads(times_ten, 8)) == sum(range(8)) * 10
    assert sorted(seen) == list(range(8))


def test_rust_threads_calling_back_from_the_main_thread(lib: ferryman.Library) -> None:
    # No helper thread: the main thread itself waits in Rust for threads that
    # need the GIL.
    assert lib.call_from_threads(lambda x: x + 1, 8) == sum(range(8)) + 8


# ---- Rust closures out to Python ---------------------------------------------


def test_a_returned_closure_is_callable(lib: ferryman.Library) -> None:
    add_ten = lib.adder(10)
    assert isinstance(add_ten, ferryman.RustFunction)
    assert add_ten(5) == 15
    assert add_ten(-10) == 0
    assert callable(add_ten)


def test_a_closure_repr_shows_its_signature(lib: ferryman.Library) -> None:
    join = lib.joiner(", ")
    assert repr(join) == "<ferryman closure (str, str) -> str>"
    assert join.annotation == "(str, str) -> str"
    assert join("a", "b") == "a, b"


def test_a_closure_passed_back_into_rust(lib: ferryman.Library) -> None:
    add_ten = lib.adder(10)
    assert lib.apply(add_ten, 1) == 11
    assert lib.compose_apply(add_ten, lambda x: x * 2, 1) == 22
    assert lib.compose_apply(lambda x: x * 2, add_ten, 1) == 12
    assert lib.compose_apply(add_ten, lib.adder(100), 1) == 111
    assert lib.map_values([1, 2], add_ten) == [11, 12]
    assert add_ten(0) == 10, "passing it in did not consume it"


def test_a_closure_inside_a_python_callback(lib: ferryman.Library) -> None:
    add_ten = lib.adder(10)
    assert lib.apply(lambda x: add_ten(x) * 2, 1) == 22


def test_a_closure_is_released_when_python_drops_it(lib: ferryman.Library) -> None:
    before = {entry["handle"] for entry in lib.live_closures()}
    add_one = lib.adder(1)
    live = [entry for entry in lib.live_closures() if entry["handle"] not in before]
    assert [entry["handle"] for entry in live] == [add_one.handle]
    assert "i64" in live[0]["signature"]
    del add_one
    collect()
    assert {entry["handle"] for entry in lib.live_closures()} == before


def test_each_returned_closure_is_its_own_reference(lib: ferryman.Library) -> None:
    closures = [lib.adder(n) for n in range(5)]
    assert len({closure.handle for closure in closures}) == 5
    assert [closure(1) for closure in closures] == [1, 2, 3, 4, 5]
    del closures
    collect()


def test_closures_take_positional_arguments_of_the_right_types(lib: ferryman.Library) -> None:
    add_ten = lib.adder(10)
    with pytest.raises(ferryman.ArgumentError):
        add_ten("five")
    with pytest.raises(ferryman.ArgumentError):
        add_ten(1, 2)
    with pytest.raises(ferryman.ArgumentError, match=r"^closure\(\) takes no keyword arguments$"):
        add_ten(x=1)
    with pytest.raises(ferryman.ArgumentError):
        add_ten(object())
    assert add_ten(1) == 11


def test_an_exploding_closure_is_a_rust_panic(lib: ferryman.Library) -> None:
    explode = lib.exploding_closure()
    with pytest.raises(ferryman.RustPanic, match="closure exploded on 7"):
        explode(7)
    with pytest.raises(ferryman.RustPanic, match="closure exploded on 3"):
        lib.apply(explode, 3)
    assert lib.add(1, 2) == 3


def test_a_host_callable_returned_by_rust_is_the_same_object(lib: ferryman.Library) -> None:
    def plus_one(x: int) -> int:
        return x + 1

    assert lib.identity_callback(plus_one) is plus_one
    collect()
    probe = weakref.ref(plus_one)
    del plus_one
    collect()
    assert probe() is None, "the reference handed back with the result was released"


def test_a_callback_receives_a_rust_closure_it_can_call(lib: ferryman.Library) -> None:
    seen: list[Any] = []

    def outer(doubler: Callable[[int], int], x: int) -> int:
        seen.append(doubler)
        return doubler(x) + 1

    assert lib.apply_with_doubler(outer, 20) == 41
    assert isinstance(seen[0], ferryman.RustFunction)
    del seen[:]
    collect()
    assert lib.live_closures() == []


def test_a_host_object_inside_a_callbacks_arguments_is_the_same_object_and_released(lib: ferryman.Library) -> None:
    """callbacks.md, `invoke`: every callable in `args` comes with one reference
    for the host, which it drops after decoding."""
    seen: list[Any] = []

    def inner(x: int) -> int:
        return x * 2

    def outer(f: Callable[[int], int], x: int) -> int:
        seen.append(f)
        return f(x) + 1

    assert lib.apply_passing(outer, inner, 5) == 11
    assert seen == [inner] and seen[0] is inner
    del seen[:]
    probe = weakref.ref(inner)
    del inner
    collect()
    assert probe() is None, "the reference that came with the callback's argument was released"


def test_the_exception_class_follows_kind_not_status(lib: ferryman.Library) -> None:
    """abi.md, "Status and kind": status 1 carries a callback's kind, and the
    class is the kind's: a bad callback result is an ArgumentError, a closure's
    panic a RustPanic."""
    with pytest.raises(ferryman.ArgumentError) as bad_result:
        lib.apply(lambda x: "not an int", 1)
    assert bad_result.value.kind == "type"
    with pytest.raises(ferryman.RustPanic) as panic:
        lib.apply(lib.exploding_closure(), 3)
    assert panic.value.kind == "panic"
