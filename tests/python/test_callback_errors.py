"""Exceptions raised by callbacks: the same object comes out, with every frame."""

from __future__ import annotations

import gc
import sys
import traceback
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import ferryman
from ferryman import _native

from conftest import fn_line, source_line

CALLBACKS = "tests/fixture/src/callbacks.rs"


class Boom(ValueError):
    """A ValueError that can be weakly referenced."""


@pytest.fixture(autouse=True)
def _nothing_pending(lib: ferryman.Library) -> Iterator[None]:
    host_objects = _native.live_host_objects()
    yield
    lib.drop_stored()
    gc.collect()
    assert _native.pending_count() == 0
    assert _native.live_host_objects() == host_objects


def entries(error: BaseException) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(error.__traceback__))


def where(entry: traceback.FrameSummary) -> tuple[str, str]:
    return Path(entry.filename).name, entry.name


def test_the_callbacks_exception_comes_out_as_the_same_object(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = ValueError(f"bad value {x}")
        raised.append(error)
        raise error

    with pytest.raises(ValueError) as caught:
        lib.apply(failing, 3)
    assert caught.value is raised[0]
    assert str(caught.value) == "bad value 3"
    assert type(caught.value) is ValueError


def test_traceback_reads_caller_then_rust_then_callback(lib: ferryman.Library) -> None:
    def failing(x: int) -> int:
        raise ValueError("in the callback")

    def caller() -> int:
        return lib.apply(failing, 1)

    with pytest.raises(ValueError) as caught:
        caller()
    names = [where(entry) for entry in entries(caught.value)]
    this_file = Path(__file__).name
    assert names[-3:] == [(this_file, "caller"), ("callbacks.rs", "apply"), (this_file, "failing")]
    rust = entries(caught.value)[-2]
    assert rust.filename == CALLBACKS
    # The body's value, `f.call((x,))`, made the `Err`.
    assert rust.lineno == fn_line("callbacks.rs", "apply") + 1
    text = "".join(traceback.format_exception(caught.value))
    assert text.index("in caller") < text.index(f'File "{CALLBACKS}"') < text.index("in failing")
    assert 'raise ValueError("in the callback")' in text
    assert text.rstrip().endswith("ValueError: in the callback")


def test_any_exception_type_and_its_attributes_survive(lib: ferryman.Library) -> None:
    class Custom(Exception):
        def __init__(self, code: int) -> None:
            super().__init__(f"code {code}")
            self.code = code

    def failing(x: int) -> int:
        raise Custom(x)

    with pytest.raises(Custom) as caught:
        lib.map_values([1, 2], failing)
    assert caught.value.code == 1


def test_a_base_exception_travels_too(lib: ferryman.Library) -> None:
    class Stop(BaseException):
        pass

    def failing(x: int) -> int:
        raise Stop()

    with pytest.raises(Stop):
        lib.apply(failing, 1)


def test_a_wrapped_callback_error_is_the_cause(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = ValueError("inner problem")
        raised.append(error)
        raise error

    with pytest.raises(lib.errors.ProcessingError) as caught:
        lib.apply_wrapped(failing, 5)
    error = caught.value
    assert str(error) == "the callback failed while processing 5"
    assert error.__cause__ is raised[0]
    assert where(entries(error)[-1]) == ("callbacks.rs", "apply_wrapped")
    assert where(entries(error.__cause__)[-1]) == (Path(__file__).name, "failing")
    text = "".join(traceback.format_exception(error))
    assert text.index("ValueError: inner problem") < text.index("direct cause") < text.index("ProcessingError")


def test_a_rust_error_raised_in_a_callback_keeps_all_frames(lib: ferryman.Library) -> None:
    """Python → Rust → Python → Rust: the inner MathError comes out of `apply`."""
    raised: list[BaseException] = []

    def divide_by_zero(x: int) -> int:
        try:
            return lib.divide(x, 0)
        except lib.errors.MathError as error:
            raised.append(error)
            raise

    def caller() -> int:
        return lib.apply(divide_by_zero, 1)

    with pytest.raises(lib.errors.MathError) as caught:
        caller()
    assert caught.value is raised[0]
    assert str(caught.value) == "division by zero"
    names = [where(entry) for entry in entries(caught.value)]
    this_file = Path(__file__).name
    assert names[-4:] == [
        (this_file, "caller"),
        ("callbacks.rs", "apply"),
        (this_file, "divide_by_zero"),
        ("errors.rs", "divide"),
    ]


def test_two_levels_of_callbacks_keep_every_frame(lib: ferryman.Library) -> None:
    def inner(x: int) -> int:
        raise KeyError(x)

    def outer(x: int) -> int:
        return lib.apply(inner, x + 1)

    def caller() -> int:
        return lib.apply(outer, 1)

    with pytest.raises(KeyError) as caught:
        caller()
    assert caught.value.args == (2,)
    names = [name for _, name in map(where, entries(caught.value))]
    assert names[-5:] == ["caller", "apply", "outer", "apply", "inner"]


def test_a_panic_inside_a_callback_chain_keeps_all_frames(lib: ferryman.Library) -> None:
    def panicking(x: int) -> int:
        lib.panic_now(f"deep panic {x}")
        return x

    def caller() -> int:
        return lib.apply(panicking, 4)

    with pytest.raises(ferryman.RustPanic, match="deep panic 4") as caught:
        caller()
    names = [where(entry) for entry in entries(caught.value)]
    this_file = Path(__file__).name
    index = names.index((this_file, "caller"))
    assert names[index : index + 3] == [(this_file, "caller"), ("callbacks.rs", "apply"), (this_file, "panicking")]
    last = entries(caught.value)[-1]
    assert Path(last.filename).as_posix().endswith("tests/fixture/src/panics.rs")
    assert last.lineno == source_line("panics.rs", 'panic!("{message}")')


def test_rust_panicking_on_a_callback_error_is_a_rust_panic(lib: ferryman.Library) -> None:
    def failing(x: int) -> int:
        raise ValueError("boom")

    with pytest.raises(ferryman.RustPanic, match=r"callback failed: ValueError: boom") as caught:
        lib.apply_or_panic(failing, 1)
    assert caught.value.function == "apply_or_panic"
    assert lib.apply_or_panic(lambda x: x + 1, 1) == 2


def test_a_panic_about_a_callback_error_keeps_the_exception_as_its_context(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = KeyError(f"k{x}")
        raised.append(error)
        raise error

    with pytest.raises(ferryman.RustPanic) as caught:
        lib.apply_or_panic(failing, 1)
    assert caught.value.__context__ is raised[0]
    assert where(entries(raised[0])[-1]) == (Path(__file__).name, "failing")
    text = "".join(traceback.format_exception(caught.value))
    assert text.index("KeyError: 'k1'") < text.index("During handling") < text.index("RustPanic")


def test_a_closure_panicking_about_a_callback_error_keeps_its_context(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = ValueError(f"inner {x}")
        raised.append(error)
        raise error

    wrapped = lib.panicking_wrapper(failing)
    with pytest.raises(ferryman.RustPanic, match="wrapped callback failed: ValueError: inner 2") as caught:
        wrapped(2)
    assert caught.value.__context__ is raised[0]
    del wrapped, caught
    gc.collect()


def test_an_exception_rust_swallows_is_not_kept(lib: ferryman.Library) -> None:
    raised: list[weakref.ref[BaseException]] = []

    def failing(x: int) -> int:
        error = Boom("swallowed")
        raised.append(weakref.ref(error))
        raise error

    assert lib.count_successes(failing, 3) == 0
    assert _native.pending_count() == 0
    gc.collect()
    assert [ref() for ref in raised] == [None] * 3


def test_exceptions_rust_swallows_are_freed_while_the_call_runs(lib: ferryman.Library) -> None:
    class Payload:
        """A large local of the raising frame, which its traceback keeps."""

        def __init__(self) -> None:
            self.data = bytearray(100_000)

    alive: list[weakref.ref[Payload]] = []
    most_alive = most_pending = 0

    def failing(x: int) -> int:
        nonlocal most_alive, most_pending
        alive[:] = [ref for ref in alive if ref() is not None]
        most_alive = max(most_alive, len(alive))
        most_pending = max(most_pending, _native.pending_count())
        payload = Payload()
        alive.append(weakref.ref(payload))
        raise ValueError(x)

    assert lib.count_successes(failing, 2000) == 0
    # Without release they would all be alive until the call returned (200 MB).
    assert most_pending <= 2, most_pending
    assert most_alive <= 2, most_alive


def test_an_exception_from_a_rust_thread_is_the_same_object(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(text: str) -> str:
        error = ValueError(f"stored callback failed on {text}")
        raised.append(error)
        raise error

    def caller() -> str | None:
        return lib.call_stored_on_thread("x")

    lib.store_callback(failing)
    with pytest.raises(ValueError) as caught:
        caller()
    assert caught.value is raised[0]
    names = [where(entry) for entry in entries(caught.value)]
    this_file = Path(__file__).name
    assert names[-3:] == [(this_file, "caller"), ("callbacks.rs", "call_stored_on_thread"), (this_file, "failing")]


def test_a_rust_error_from_a_callback_on_a_rust_thread_keeps_its_class(lib: ferryman.Library) -> None:
    """Python → Rust → (Rust thread) Python → Rust: `except MathError` works."""
    raised: list[BaseException] = []

    def divide_by_zero(text: str) -> str:
        try:
            return str(lib.divide(1, 0))
        except lib.errors.MathError as error:
            raised.append(error)
            raise

    lib.store_callback(divide_by_zero)
    with pytest.raises(lib.errors.MathError) as caught:
        lib.call_stored_on_thread("x")
    assert caught.value is raised[0]
    names = [name for _, name in map(where, entries(caught.value))]
    assert names[-3:] == ["call_stored_on_thread", "divide_by_zero", "divide"]


def test_a_base_exception_from_a_rust_thread_is_the_same_object(lib: ferryman.Library) -> None:
    def exiting(text: str) -> str:
        raise SystemExit(3)

    lib.store_callback(exiting)
    with pytest.raises(SystemExit) as caught:
        lib.call_stored_on_thread("x")
    assert caught.value.code == 3


def test_errors_from_rust_threads_are_the_original_exceptions(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = RuntimeError(f"thread {x}")
        raised.append(error)
        raise error

    with pytest.raises(RuntimeError, match=r"^thread \d$") as caught:
        lib.call_from_threads(failing, 4)
    assert any(caught.value is error for error in raised)
    del raised[:]
    gc.collect()


def test_a_stored_error_propagated_by_a_later_call_is_the_same_object(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(x: int) -> int:
        error = LookupError(f"kept {x}")
        raised.append(error)
        raise error

    assert lib.keep_error_of(failing, 4) is True
    assert _native.pending_count() == 1, "Rust keeps the error, so the host keeps the exception"
    with pytest.raises(LookupError) as caught:
        lib.take_kept_error()
    assert caught.value is raised[0]
    del caught
    assert _native.pending_count() == 0
    assert lib.take_kept_error() is None


def test_the_same_thread_calling_a_stored_callback_gets_the_object(lib: ferryman.Library) -> None:
    raised: list[BaseException] = []

    def failing(text: str) -> str:
        error = ValueError(text)
        raised.append(error)
        raise error

    lib.store_callback(failing)
    with pytest.raises(ValueError) as caught:
        lib.call_stored("on this thread")
    assert caught.value is raised[0]


def test_an_unsendable_result_is_a_type_error_naming_the_callback(lib: ferryman.Library) -> None:
    def returns_object(x: int) -> object:
        return object()

    expected = (
        r"^callback 'test_an_unsendable.*returns_object' result: expected a value ferryman can send, but found object$"
    )
    with pytest.raises(TypeError, match=expected) as caught:
        lib.apply(returns_object, 1)
    assert isinstance(caught.value, ferryman.FerrymanError)


def test_a_result_too_large_to_send_is_an_overflow_error_naming_the_callback(lib: ferryman.Library) -> None:
    def huge(x: int) -> int:
        return 2**70

    expected = r"^callback .*huge. result: expected a value ferryman can send, but found integer \d+, which is out"
    with pytest.raises(OverflowError, match=expected) as caught:
        lib.apply(huge, 1)
    assert isinstance(caught.value, ferryman.FerrymanError)


def test_a_result_of_the_wrong_type_is_a_type_error_naming_the_function_and_type(lib: ferryman.Library) -> None:
    with pytest.raises(TypeError) as caught:
        lib.apply(lambda x: "not a number", 1)
    error = caught.value
    assert isinstance(error, ferryman.FerrymanError)
    message = str(error)
    assert message.startswith("apply(): "), message
    assert "i64" in message and "string" in message, message
    assert "marker" not in message and "FixStr" not in message, message
    assert error.expected == "i64"


def test_a_result_out_of_range_is_an_overflow_error(lib: ferryman.Library) -> None:
    with pytest.raises(OverflowError) as caught:
        lib.apply(lambda x: 2**63, 1)
    error = caught.value
    assert isinstance(error, ferryman.FerrymanError)
    assert "apply()" in str(error) and "i64" in str(error), str(error)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note is 3.11+")
def test_notes_on_a_callback_exception_survive(lib: ferryman.Library) -> None:
    def failing(x: int) -> int:
        error = ValueError("noted")
        error.add_note("a note from the callback")
        raise error

    with pytest.raises(ValueError) as caught:
        lib.apply(failing, 1)
    assert caught.value.__notes__ == ["a note from the callback"]
