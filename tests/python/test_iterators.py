"""Lazy Rust iterators (tests/fixture/src/iterators.rs): pulled on demand in
batches, errors and panics at their item, the Rust iterator dropped on
exhaustion, close(), with and garbage collection."""

from __future__ import annotations

import gc
import itertools
import pickle
import threading
import weakref
from collections.abc import Iterator

import pytest

import ferryman
from ferryman import _native


@pytest.fixture(autouse=True)
def _nothing_leaks(lib: ferryman.Library) -> Iterator[None]:
    gc.collect()
    closures = len(lib.live_closures())
    yield
    gc.collect()
    assert len(lib.live_closures()) == closures
    assert _native.pending_count() == 0


def test_an_iterator_yields_every_item(lib: ferryman.Library) -> None:
    numbers = lib.count_up(1000)
    assert isinstance(numbers, ferryman.RustIterator)
    assert iter(numbers) is numbers
    assert list(numbers) == list(range(1000))
    assert numbers.closed
    assert list(numbers) == []
    with pytest.raises(StopIteration):
        next(numbers)


def test_strings_and_empty_iterators(lib: ferryman.Library) -> None:
    assert list(lib.words("a bc  def")) == ["a", "bc", "def"]
    assert list(lib.words("")) == []
    assert list(lib.count_up(0)) == []


def test_iterators_are_lazy(lib: ferryman.Library) -> None:
    drops = lib.iterator_drops()
    numbers = lib.droppable(10**12)
    assert list(itertools.islice(numbers, 5)) == [0, 1, 2, 3, 4]
    assert not numbers.closed and lib.iterator_drops() == drops
    del numbers
    gc.collect()
    assert lib.iterator_drops() == drops + 1


def test_batches_grow(lib: ferryman.Library) -> None:
    numbers = lib.count_up(10_000)
    assert next(numbers) == 0
    # The first batch held one item: the live closure is still there.
    assert len([c for c in lib.live_closures() if "iterator" in c["signature"]]) >= 1
    assert sum(1 for _ in numbers) == 9_999


def test_exhaustion_drops_the_rust_iterator(lib: ferryman.Library) -> None:
    drops = lib.iterator_drops()
    numbers = lib.droppable(3)
    assert list(numbers) == [0, 1, 2]
    assert lib.iterator_drops() == drops + 1
    del numbers
    gc.collect()
    assert lib.iterator_drops() == drops + 1


def test_close_and_with(lib: ferryman.Library) -> None:
    drops = lib.iterator_drops()
    numbers = lib.droppable(100)
    assert next(numbers) == 0
    numbers.close()
    assert numbers.closed and lib.iterator_drops() == drops + 1
    with pytest.raises(StopIteration):
        next(numbers)
    numbers.close()
    with lib.droppable(100) as inside:
        assert next(inside) == 0
    assert inside.closed and lib.iterator_drops() == drops + 2


def test_next_during_a_pull_raises_like_a_running_generator(lib: ferryman.Library) -> None:
    # The callback runs inside the pull: from there, this thread and any
    # other find the iterator busy (not PyO3's "Already borrowed").
    errors: list[str] = []

    def next_elsewhere() -> None:
        try:
            next(numbers)
        except ValueError as error:
            errors.append(str(error))

    def inside(i: int) -> int:
        if i == 0:
            with pytest.raises(ValueError, match="RustIterator already executing"):
                next(numbers)
            other = threading.Thread(target=next_elsewhere)
            other.start()
            other.join()
            assert repr(numbers) == "<ferryman.RustIterator (pulling a batch)>"
            assert not numbers.closed
        return i * 10

    numbers = lib.droppable_through(3, inside)
    assert list(numbers) == [0, 10, 20]
    assert len(errors) == 1 and "already executing" in errors[0]


def test_close_during_a_pull_drops_the_iterator_once_its_batch_is_in(lib: ferryman.Library) -> None:
    drops = lib.iterator_drops()

    def inside(i: int) -> int:
        closer = threading.Thread(target=numbers.close)  # another thread asks
        closer.start()
        closer.join()
        assert numbers.closed  # asked: nothing more will be served
        return i

    numbers = lib.droppable_through(100, inside)
    with pytest.raises(StopIteration):
        next(numbers)
    assert numbers.closed and lib.iterator_drops() == drops + 1
    numbers.close()  # closing again does nothing
    assert lib.iterator_drops() == drops + 1


class _Refused(Exception):
    pass


def test_a_callbacks_exception_in_an_item_comes_out_as_itself(lib: ferryman.Library) -> None:
    # `Result<u64, CallbackError>` items: the callback's own exception, as
    # from a function, not the library's CallbackError around it.
    def refuse(i: int) -> int:
        if i == 2:
            raise _Refused(f"no {i}")
        return i

    numbers = lib.droppable_through(5, refuse)
    assert next(numbers) == 0
    assert next(numbers) == 1  # the batch of 1 and 2: 2 failed, raised next
    with pytest.raises(_Refused, match="no 2") as raised:
        next(numbers)
    frames = [entry.name for entry in raised.traceback]
    assert "droppable_through" in frames and "refuse" in frames
    assert next(numbers) == 3
    # A failed item the host never pulls holds no exception once the
    # iterator is gone (the autouse fixture checks `pending_count()`).
    alive = []

    def refuse_kept(i: int) -> int:
        if i == 2:
            error = _Refused("never pulled")
            alive.append(weakref.ref(error))
            raise error
        return i

    numbers = lib.droppable_through(5, refuse_kept)
    assert [next(numbers), next(numbers)] == [0, 1]
    del numbers
    gc.collect()
    assert alive and alive[0]() is None


def test_errors_raise_at_their_item_and_the_iterator_goes_on(lib: ferryman.Library) -> None:
    parsed = lib.parse_all(["1", "2", "x", "4"])
    assert next(parsed) == 1
    assert next(parsed) == 2
    # describe names the items' error type: its class exists before any error.
    with pytest.raises(lib.errors.ParseError) as raised:
        next(parsed)
    assert str(raised.value) == 'not a number: "x"'
    assert raised.value.text == "x"
    assert raised.value.function == "parse_all"
    assert next(parsed) == 4
    with pytest.raises(StopIteration):
        next(parsed)


def test_errors_raise_at_their_item_inside_a_batch(lib: ferryman.Library) -> None:
    parsed = lib.parse_all([str(i) for i in range(40)] + ["bad"] + ["7"])
    seen = []
    with pytest.raises(ferryman.RustError, match="not a number"):
        for item in parsed:
            seen.append(item)
    assert seen == list(range(40))
    assert list(parsed) == [7]


def test_a_panic_raises_at_its_item_and_ends_the_iterator(lib: ferryman.Library) -> None:
    numbers = lib.panic_at(50)
    seen = []
    with pytest.raises(ferryman.RustPanic):
        for item in numbers:
            seen.append(item)
    assert seen == list(range(50))
    assert list(numbers) == []
    assert numbers.closed


def test_an_iterator_cannot_be_pickled(lib: ferryman.Library) -> None:
    with pytest.raises(TypeError, match="cannot pickle"):
        pickle.dumps(lib.count_up(3))


def test_a_method_returning_an_iterator_keeps_its_object(lib: ferryman.Library) -> None:
    vocabulary = lib.Vocabulary(["a", "b", "c"])
    words = vocabulary.words()
    del vocabulary
    gc.collect()
    assert list(words) == ["a", "b", "c"]
    assert "Vocabulary" not in lib.live_objects()


def test_the_signature_says_iterator(lib: ferryman.Library) -> None:
    assert "Iterator[int]" in repr(lib.count_up)


def test_a_class_with_the_iter_protocol_is_iterable(lib: ferryman.Library) -> None:
    vocabulary = lib.Vocabulary(["a", "b", "c"])
    assert list(vocabulary) == ["a", "b", "c"]
    assert [w for w in vocabulary if w != "b"] == ["a", "c"]
    it = iter(vocabulary)
    assert isinstance(it, ferryman.RustIterator)
    assert next(it) == "a"
    it.close()
    assert "__iter__" not in vars(lib.Counter)


def test_an_iterator_of_objects_yields_instances_of_the_class(lib: ferryman.Library) -> None:
    gc.collect()
    before = lib.live_objects().get("Counter", 0)
    counters = list(lib.Vocabulary(["x", "y", "z"]).counters())
    assert [type(c) for c in counters] == [lib.Counter] * 3
    assert [(c.name(), c.value()) for c in counters] == [("x", 0), ("y", 1), ("z", 2)]
    assert lib.live_objects().get("Counter", 0) == before + 3
    del counters
    gc.collect()
    assert lib.live_objects().get("Counter", 0) == before
