"""Rust objects as Python classes (tests/fixture/src/objects.rs): classes per
library, lifetimes (garbage collection, close(), with), wrong objects,
protocols, pickling, help and signatures, errors and panics of members,
`&mut self` and BorrowError, callbacks receiving objects, threads."""

from __future__ import annotations

import copy
import gc
import inspect
import pickle
import pydoc
import shutil
import threading
import traceback
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import ferryman
from ferryman import _native

@pytest.fixture(autouse=True)
def _nothing_leaks(lib: ferryman.Library) -> Iterator[None]:
    gc.collect()
    lib.drop_kept_counters()
    before = lib.live_objects()
    yield
    gc.collect()
    lib.drop_kept_counters()
    assert lib.live_objects() == before
    assert _native.pending_count() == 0


def frame_names(error: BaseException) -> list[str]:
    return [frame["function"] for frame in error.frames]  # type: ignore[attr-defined]


# ---- the class ---------------------------------------------------------------


def test_a_class_per_library(lib: ferryman.Library) -> None:
    Counter = lib.Counter
    assert isinstance(Counter, type) and issubclass(Counter, ferryman.RustObject)
    assert lib.classes["Counter"] is Counter is lib["Counter"]
    assert Counter.__name__ == "Counter" and Counter.__qualname__ == "Counter"
    assert Counter.__module__ == "ferryman_fixture"
    assert Counter.__doc__ == "A counter with a name."
    counter = Counter("a", 1)
    assert type(counter) is Counter and isinstance(counter, Counter)
    assert type(counter).__name__ == "Counter"
    assert not isinstance(counter, lib.Vocabulary)
    assert {"Counter", "Vocabulary", "Tracked", "counter_total"} <= set(dir(lib))
    assert "Counter.add" not in dir(lib) and "Counter.add" in lib.functions


def test_methods_statics_and_the_constructor(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 5)
    assert counter.value() == 5
    assert counter.add(3) == 8
    assert counter.add(n=2) == 10
    assert counter.name() == "a"
    named = lib.Counter.named("b")
    assert type(named) is lib.Counter and (named.name(), named.value()) == ("b", 0)
    assert lib.Counter.add(counter, 1) == 11
    bound = counter.add
    assert bound(1) == 12 and bound.__self__ is counter


def test_the_method_path_is_a_method_descriptor(lib: ferryman.Library) -> None:
    add = lib.Counter.__dict__["add"]
    assert type(add) is ferryman.Method
    assert inspect.ismethoddescriptor(add)
    assert add.__name__ == "add" and add.__qualname__ == "Counter.add"
    assert isinstance(lib.Counter.__dict__["named"], staticmethod)


def test_help_signatures_and_docs(lib: ferryman.Library) -> None:
    Counter = lib.Counter
    assert str(inspect.signature(Counter)) == "(name: str, start: int)"
    assert str(inspect.signature(Counter.add)) == "(self: ferryman_fixture.Counter, n: int) -> int"
    assert str(inspect.signature(Counter("x", 0).add)) == "(n: int) -> int"
    assert "ferryman_fixture.Counter" in str(inspect.signature(Counter.named))
    assert Counter.value.__doc__ and Counter.named.__doc__
    text = pydoc.render_doc(Counter, renderer=pydoc.plaintext)
    for needle in ("A counter with a name.", "add(self", "named(name", "Static methods"):
        assert needle in text, needle


def test_objects_as_values(lib: ferryman.Library) -> None:
    a, b = lib.Counter("a", 2), lib.Counter("b", 3)
    assert lib.counter_value(a) == 2
    assert lib.counter_total([a, b, a]) == 7
    made = lib.counters(3)
    assert [counter.name() for counter in made] == ["c0", "c1", "c2"]
    assert all(type(counter) is lib.Counter for counter in made)
    assert lib.maybe_counter(False) is None
    assert type(lib.maybe_counter(True)) is lib.Counter
    other = a.clone_counter()
    assert other is not a and other.value() == 2
    other.add(1)
    assert a.value() == 2


def test_a_list_may_hold_any_number_of_objects(lib: ferryman.Library) -> None:
    # Each object of a list parameter is entered for the call (Counter has
    # `&mut self` methods); a thread keeps 32 such records inline, the rest
    # aside: 33 and more were refused as "inside too many objects at once".
    counters = [lib.Counter(f"c{i}", 1) for i in range(1000)]
    assert lib.counter_total(counters[:33]) == 33
    assert lib.counter_total(counters) == 1000
    assert lib.counter_total(counters * 3) == 3000
    assert lib.counter_total([counters[0]] * 100) == 100
    # Every object was left again: a `&mut self` call on the first and the last works.
    counters[0].rename("first")
    counters[-1].rename("last")
    assert counters[0].name() == "first" and counters[-1].name() == "last"


def test_copy_is_another_handle_to_the_same_object(lib: ferryman.Library) -> None:
    a = lib.Counter("a", 1)
    b = copy.copy(a)
    assert b is not a and type(b) is lib.Counter
    b.add(1)
    assert a.value() == 2
    a.close()
    assert b.value() == 2


# ---- lifetimes ---------------------------------------------------------------


def test_the_last_reference_drops_the_rust_value(lib: ferryman.Library) -> None:
    drops = lib.counter_drops()
    counter = lib.Counter("a", 0)
    assert lib.live_objects().get("Counter", 0) >= 1
    del counter
    assert lib.counter_drops() == drops + 1


def test_live_objects_counts_per_class(lib: ferryman.Library) -> None:
    gc.collect()
    base = lib.live_objects()
    counters = [lib.Counter(str(i), i) for i in range(2)]
    vocabulary = lib.Vocabulary(["a"])
    live = lib.live_objects()
    assert live["Counter"] == base.get("Counter", 0) + 2
    assert live["Vocabulary"] == base.get("Vocabulary", 0) + 1
    del counters, vocabulary
    assert lib.live_objects() == base
    assert all(count > 0 for count in lib.live_objects().values())


def test_close_and_with(lib: ferryman.Library) -> None:
    drops = lib.counter_drops()
    counter = lib.Counter("a", 0)
    assert not counter.closed
    counter.close()
    assert counter.closed and lib.counter_drops() == drops + 1
    counter.close()  # a second close does nothing
    with lib.Counter("b", 0) as inside:
        assert inside.add(2) == 2
    assert inside.closed and lib.counter_drops() == drops + 2


def test_a_closed_object_raises_closed_object_error(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    counter.close()
    with pytest.raises(ferryman.ClosedObjectError, match=r"Counter\.add\(\).*closed Counter") as raised:
        counter.add(1)
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, ferryman.FerrymanError)
    with pytest.raises(ferryman.ClosedObjectError, match=r"counter_value\(\) argument 'counter'"):
        lib.counter_value(counter)
    with pytest.raises(ferryman.ClosedObjectError, match="Counter"):
        with counter:
            pass


def test_an_object_closed_after_it_was_sent_raises_closed_object_error(lib: ferryman.Library) -> None:
    # Another thread may close an object between the moment a call wrote
    # its handle and the moment the library looks it up (the call lets go of
    # the GIL in between). `__index__` runs in that window, deterministically.
    class Closes:
        """An int argument that closes `target` while the call encodes it."""

        def __init__(self, target: object) -> None:
            self.target = target

        def __index__(self) -> int:
            self.target.close()  # type: ignore[attr-defined]
            return 1

    counter = lib.Counter("a", 0)
    with pytest.raises(ferryman.ClosedObjectError, match=r"Counter\.add\(\) argument 'self'.*closed Counter"):
        counter.add(Closes(counter))  # type: ignore[arg-type]
    counter = lib.Counter("a2", 0)
    with pytest.raises(ferryman.ClosedObjectError, match=r"Counter\.add\(\) argument 'self'"):
        counter.add(n=Closes(counter))  # type: ignore[arg-type]
    other = lib.Counter("b", 0)
    with pytest.raises(ferryman.ClosedObjectError, match=r"counter_in_thread\(\) argument 'counter'"):
        lib.counter_in_thread(other, Closes(other))
    # By keyword (bound to the parameters in another order than sent).
    other = lib.Counter("c", 0)
    with pytest.raises(ferryman.ClosedObjectError, match=r"counter_in_thread\(\) argument 'counter'"):
        lib.counter_in_thread(n=Closes(other), counter=other)  # type: ignore[arg-type]
    assert lib.live_objects() == {}


def test_an_object_in_a_list_closed_by_another_thread_raises_closed_object_error(
    lib: ferryman.Library,
) -> None:
    # The thread closes the last item while the call is on its way: either
    # before it is encoded or after (then the library refuses its handle).
    # Both are ClosedObjectError naming the item, never an ArgumentError.
    for i in range(200):
        counters = [lib.Counter(f"{i}.{k}", 1) for k in range(10)]
        closer = threading.Thread(target=counters[-1].close)
        closer.start()
        try:
            lib.counter_total(counters)
        except ferryman.ClosedObjectError as error:
            assert "closed Counter object at item [9]" in str(error)
        closer.join()
    assert lib.live_objects() == {"Counter": 9}


def test_rust_keeps_its_own_reference(lib: ferryman.Library) -> None:
    drops = lib.counter_drops()
    counter = lib.Counter("kept", 1)
    lib.keep_counter(counter)
    counter.close()
    assert lib.counter_drops() == drops
    assert lib.drop_kept_counters() == 1
    assert lib.counter_drops() == drops + 1


def test_weak_references(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    ref = weakref.ref(counter)
    assert ref() is counter
    del counter
    assert ref() is None


def test_a_hundred_thousand_objects(lib: ferryman.Library) -> None:
    drops = lib.tracked_drops()
    seen = 0

    def gone(_: object) -> None:
        nonlocal seen
        seen += 1

    objects = [lib.Tracked(i) for i in range(100_000)]
    refs = [weakref.ref(obj, gone) for obj in objects]
    assert objects[99_999].id() == 99_999
    assert lib.live_objects()["Tracked"] >= 100_000
    del objects
    assert seen == 100_000 and all(ref() is None for ref in refs)
    assert lib.tracked_drops() == drops + 100_000
    assert "Tracked" not in lib.live_objects()


# ---- wrong objects -------------------------------------------------------------


def test_an_object_of_another_class(lib: ferryman.Library) -> None:
    vocabulary = lib.Vocabulary(["a"])
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.counter_value(vocabulary)
    assert raised.value.param == "counter"
    assert "Counter" in str(raised.value) and "Vocabulary" in str(raised.value)
    with pytest.raises(ferryman.ArgumentError, match="Vocabulary"):
        lib.Counter.add(vocabulary, 1)
    # In a list, the message says which item.
    counter = lib.Counter("c", 1)
    with pytest.raises(ferryman.ArgumentError, match=r"found a Vocabulary object at item \[2\]"):
        lib.counter_total([counter, counter, vocabulary])


def test_an_object_of_another_library(lib: ferryman.Library, fixture_file: Path, tmp_path: Path) -> None:
    # A copy of the file is another library to the loader: its own runtime
    # and handles.
    copied = tmp_path / fixture_file.name
    shutil.copy(fixture_file, copied)
    try:
        other = ferryman.load(copied)
    finally:
        copied.unlink()  # the loaded copy stays mapped; the disk space goes
    foreign = other.Counter("f", 1)
    assert other.Counter is not lib.Counter
    with pytest.raises(ferryman.ArgumentError) as raised:
        lib.counter_value(foreign)
    assert raised.value.param == "counter"
    assert "another library" in str(raised.value) and "Counter" in str(raised.value)
    # As the receiver of a method (the method's short path takes only its own class).
    with pytest.raises(ferryman.ArgumentError, match="another library"):
        lib.Counter.add(foreign, 1)
    # The same library loaded again shares the runtime: its objects are accepted.
    again = ferryman.load(fixture_file)
    assert lib.counter_value(again.Counter("g", 4)) == 4
    assert lib.Counter.add(again.Counter("h", 4), 1) == 5
    del foreign


def test_only_object_classes_are_given_to_a_library(lib: ferryman.Library) -> None:
    # The method's short path relies on it: an instance of a given class has
    # the layout of `RustObject`.
    with pytest.raises(TypeError, match="item 1 is not a subclass of ferryman.RustObject"):
        lib._native.set_classes([lib.Counter, int])


def test_a_class_cannot_be_made_without_a_library(lib: ferryman.Library) -> None:
    with pytest.raises(TypeError):
        ferryman.RustObject()

    class Mine(ferryman.RustObject):
        pass

    # Not an AttributeError about the private constructor attribute.
    with pytest.raises(TypeError, match="cannot create Mine objects: only the classes a ferryman library exports"):
        Mine()


# ---- protocols -----------------------------------------------------------------


def test_str_repr_eq_hash_and_ordering(lib: ferryman.Library) -> None:
    a, a2, b = lib.Counter("a", 1), lib.Counter("a", 1), lib.Counter("b", 0)
    assert str(a) == "Counter(a=1)"
    assert "Counter" in repr(a) and "a" in repr(a)
    assert a == a2 and a != b and a != "a"
    assert hash(a) == hash(a2)
    assert a < b and b > a and a <= a2 and a >= a2
    assert sorted([b, a]) == [a, b]
    with pytest.raises(TypeError):
        _ = a < 1  # noqa: B018


def test_protocol_methods_check_their_receiver_and_are_named(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 1)
    with pytest.raises(ferryman.ArgumentError, match=r"argument 'self': expected &Counter, but found integer"):
        lib.Counter.__lt__(5, counter)
    with pytest.raises(ferryman.ArgumentError, match=r"Counter\.__eq__\(\) argument 'self'"):
        lib.Counter.__eq__(None, counter)
    for name, symbol in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
        method = getattr(lib.Counter, name)
        assert method.__qualname__ == f"Counter.{name}" and method.__name__ == name
        assert f"self {symbol} other" in method.__doc__
    assert lib.Counter.__eq__.__qualname__ == "Counter.__eq__" and lib.Counter.__eq__.__doc__


def test_a_closed_object_still_has_a_repr(lib: ferryman.Library) -> None:
    # Debug/Display need the Rust value; a closed object prints the default
    # repr instead of raising (printing a list holding one must not fail).
    counter = lib.Counter("a", 1)
    counter.close()
    assert repr(counter).startswith("<ferryman_fixture.Counter object at 0x")
    assert str([counter]).startswith("[<ferryman_fixture.Counter object at 0x")
    assert lib.Counter.__repr__.__qualname__ == "Counter.__repr__"
    with pytest.raises(ferryman.ClosedObjectError):
        counter.add(1)


def test_a_closed_object_keeps_the_hash_it_had(lib: ferryman.Library) -> None:
    # Python's rule: a hash never changes while the object lives. A set or
    # dict holding an object closed since must still find it.
    counter = lib.Counter("a", 1)
    registry = {counter}
    index = {counter: "first"}
    before = hash(counter)
    counter.close()
    assert hash(counter) == before
    assert counter.__hash__() == lib.Counter.__hash__(counter)
    assert index[counter] == "first"
    registry.discard(counter)
    assert not registry
    with lib.Counter("a", 1) as scoped:
        registry.add(scoped)
    assert scoped in registry and hash(scoped) == before
    # Never hashed, so in no set: using it is the usual error.
    never = lib.Counter("b", 2)
    never.close()
    with pytest.raises(ferryman.ClosedObjectError, match=r"Counter\.__hash__\(\)"):
        hash(never)
    # Other failures still raise.
    with pytest.raises(ferryman.ArgumentError, match="argument 'self'"):
        lib.Counter.__hash__(5)


def test_exported_classes_cannot_be_subclassed(lib: ferryman.Library) -> None:
    # The constructor makes instances of the exported class itself: a
    # subclass would silently get those, so Python refuses it up front.
    with pytest.raises(TypeError, match="not an acceptable base type"):

        class Named(lib.Counter):  # type: ignore[misc, name-defined]
            pass


def test_defaults_without_protocols(lib: ferryman.Library) -> None:
    vocabulary = lib.Vocabulary(["a"])
    assert repr(vocabulary).startswith("<ferryman_fixture.Vocabulary object at 0x")
    assert vocabulary != lib.Vocabulary(["a"]) and vocabulary == vocabulary
    assert hash(vocabulary) == hash(vocabulary)


def test_pickling_is_refused(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 1)
    with pytest.raises(TypeError, match="cannot pickle 'Counter' object"):
        pickle.dumps(counter)
    with pytest.raises(TypeError, match="cannot pickle"):
        copy.deepcopy(counter)


# ---- errors and panics -----------------------------------------------------------


def test_errors_of_members_are_named_after_them(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    with pytest.raises(lib.errors.CounterError) as raised:
        counter.fail("no luck")
    assert raised.value.function == "Counter.fail"
    assert "Counter.fail" in frame_names(raised.value)
    with pytest.raises(lib.errors.CounterError) as raised:
        lib.Counter.named("")
    assert raised.value.function == "Counter.named"


def test_a_panic_in_a_method(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    with pytest.raises(ferryman.RustPanic, match="counter boom") as raised:
        counter.boom()
    assert raised.value.function == "Counter.boom"
    assert counter.value() == 0  # the object is still usable


def test_a_panic_frame_in_a_method_is_named_after_the_member(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    with pytest.raises(ferryman.RustPanic) as raised:
        counter.boom()
    counter.close()  # the kept traceback must not keep the object alive
    assert "Counter.boom" in frame_names(raised.value)
    names = [entry.name for entry in traceback.extract_tb(raised.value.__traceback__)]
    assert "Counter.boom" in names


def test_argument_errors_name_the_method(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    with pytest.raises(ferryman.ArgumentError, match=r"Counter\.add\(\) argument 'n'"):
        counter.add("one")
    with pytest.raises(ferryman.ArgumentError, match=r"Counter.new\(\)|Counter\(\)"):
        lib.Counter("a")


# ---- &mut self and the guard -------------------------------------------------------


def test_mut_self(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 3)
    counter.rename("b")
    assert counter.name() == "b"


def test_mut_self_while_rust_holds_the_object_is_a_borrow_error(lib: ferryman.Library) -> None:
    counter = lib.Counter("kept", 1)
    lib.keep_counter(counter)
    with pytest.raises(ferryman.BorrowError) as raised:
        counter.rename("other")
    assert isinstance(raised.value, RuntimeError)
    assert "rename" in str(raised.value)
    assert lib.drop_kept_counters() == 1
    counter.rename("other")
    assert counter.name() == "other"


# ---- callbacks and threads -----------------------------------------------------------


def test_a_callback_receives_an_object_of_the_class(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 4)
    received: list[object] = []

    def callback(given: object) -> int:
        received.append(given)
        assert type(given) is lib.Counter
        return given.add(1)  # type: ignore[attr-defined]

    assert lib.with_counter(counter, callback) == 5
    assert counter.value() == 5
    assert received[0] is not counter and received[0] == counter
    del received


def test_an_object_in_a_rust_thread(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 0)
    assert lib.counter_in_thread(counter, 5) == 5
    assert counter.value() == 5


def test_eight_threads_on_one_object(lib: ferryman.Library) -> None:
    counter = lib.Counter("shared", 0)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(2000):
                counter.add(1)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counter.value() == 16_000


def test_objects_dropped_on_other_threads(lib: ferryman.Library) -> None:
    drops = lib.counter_drops()
    counters = [lib.Counter(str(i), i) for i in range(50)]

    def drop_some(part: list[object]) -> None:
        part.clear()

    parts = [counters[i::4] for i in range(4)]
    del counters
    threads = [threading.Thread(target=drop_some, args=(part,)) for part in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lib.counter_drops() == drops + 50


def test_a_name_both_a_class_and_a_function_is_refused() -> None:
    from ferryman._library import _refuse_class_names

    entries = [{"name": "Counter", "class": None}, {"name": "Counter.add", "class": "Counter"}]
    with pytest.raises(ferryman.LibraryLoadError, match="both a class and a function named 'Counter'"):
        _refuse_class_names("libx.so", entries, [{"name": "Counter"}])
    _refuse_class_names("libx.so", entries[1:], [{"name": "Counter"}])


def test_reentering_an_object_from_a_callback_is_a_borrow_error(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 1)

    def rename_inside(name: str) -> int:
        counter.rename(name + "!")  # `&mut self` while `visit(&self)` runs
        return 0

    with pytest.raises(ferryman.BorrowError, match="rename"):
        counter.visit(rename_inside)

    def read_inside(name: str) -> str:
        counter.value()  # `&self` while `rename_with(&mut self)` runs
        return name

    with pytest.raises(ferryman.BorrowError):
        counter.rename_with(read_inside)
    assert counter.visit(lambda name: len(name)) == 1
    counter.rename_with(lambda name: name + "b")
    assert counter.name() == "ab"


def test_objects_inside_values(lib: ferryman.Library) -> None:
    counter = lib.Counter("a", 7)
    labelled = lib.labelled(counter, "x")
    assert labelled["label"] == "x"
    assert type(labelled["counter"]) is lib.Counter and labelled["counter"].value() == 7
    labelled["counter"].add(1)
    assert counter.value() == 8
    lib.keep_counter(counter)
    (kept,) = lib.kept_counters()
    assert kept == counter and kept is not counter
    assert lib.maybe_counter_value(None) == -1 and lib.maybe_counter_value(counter) == 8
    del kept, labelled


def test_objects_under_the_always_release_gil_policy(lib: ferryman.Library) -> None:
    drops = lib.counter_drops()
    ferryman.set_gil_policy("always")
    try:
        counters = [lib.Counter(str(i), i) for i in range(100)]
        assert sum(counter.add(1) for counter in counters) == sum(range(1, 101))
        with counters[0]:
            pass
        del counters
    finally:
        ferryman.set_gil_policy("auto")
    assert lib.counter_drops() == drops + 100
