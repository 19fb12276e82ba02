"""Rust closures handed out: their failures, their panics' frames, their arity."""

from __future__ import annotations

import gc
import inspect
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ferryman
from ferryman import _native

from conftest import fn_line, source_line

CLOSURES = "tests/fixture/src/closures.rs"
THIS_FILE = Path(__file__).name


@pytest.fixture(autouse=True)
def _nothing_leaks(lib: ferryman.Library) -> Iterator[None]:
    gc.collect()
    host_objects, closures = _native.live_host_objects(), len(lib.live_closures())
    yield
    gc.collect()
    assert _native.pending_count() == 0
    assert _native.live_host_objects() == host_objects
    assert len(lib.live_closures()) == closures


def frames(error: BaseException) -> list[tuple[str, int, str]]:
    """The error value's frames as (file, line, function); files relative to the repo."""
    root = Path.cwd().as_posix() + "/"
    return [(f["file"].removeprefix(root), f["line"], f["function"]) for f in error.frames]  # type: ignore[attr-defined]


def entries(error: BaseException) -> list[tuple[str, str]]:
    return [(Path(e.filename).name, e.name) for e in traceback.extract_tb(error.__traceback__)]


def raised(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - returned for inspection
        return error
    pytest.fail("did not raise")


# ---- a closure's panic: its own frames, cheaply --------------------------------

PANIC_LINE = source_line("closures.rs", 'panic!("blew up on {x}")')
CLOSURE_LINE = source_line("closures.rs", "blow_up(x) + 1")


def test_a_closure_panic_called_from_python_has_only_its_own_frames(lib: ferryman.Library) -> None:
    explode = lib.panicking_closure()

    def caller() -> int:
        return explode(3)

    error = raised(caller)
    assert isinstance(error, ferryman.RustPanic)
    assert str(error).startswith("blew up on 3")
    assert error.function == "panicking_closure::{{closure}}"
    assert frames(error) == [
        (CLOSURES, CLOSURE_LINE, "panicking_closure::{{closure}}"),
        (CLOSURES, PANIC_LINE, "blow_up"),
    ]
    assert entries(error)[-3:] == [
        (THIS_FILE, "caller"),
        ("closures.rs", "panicking_closure::{{closure}}"),
        ("closures.rs", "blow_up"),
    ]


def test_a_closure_panic_called_through_rust_shows_no_runtime_internals(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.apply(lib.panicking_closure(), 3))
    assert isinstance(error, ferryman.RustPanic)
    apply = frames(error)[0]
    # The backtrace's line of `apply`: its `fn`, or the call in its body.
    assert apply[0::2] == ("tests/fixture/src/callbacks.rs", "apply")
    assert apply[1] in (fn_line("callbacks.rs", "apply"), fn_line("callbacks.rs", "apply") + 1)
    assert frames(error)[1:] == [
        (CLOSURES, CLOSURE_LINE, "panicking_closure::{{closure}}"),
        (CLOSURES, PANIC_LINE, "blow_up"),
    ]


def test_a_closure_panic_costs_about_what_an_exported_functions_does(lib: ferryman.Library) -> None:
    explode = lib.panicking_closure()
    raised(lambda: explode(0))  # the library's debug info is read once
    start = time.perf_counter()
    for i in range(5):
        assert isinstance(raised(lambda: explode(i)), ferryman.RustPanic)
    per_panic = (time.perf_counter() - start) / 5
    # About 0.2 ms; symbolising the interpreter's whole stack took 0.3-0.8 s.
    assert per_panic < 0.1, f"{per_panic * 1000:.1f} ms per panic"


# ---- closures that fail -----------------------------------------------------------


def test_a_closure_err_is_the_exception_the_exported_function_raises(lib: ferryman.Library) -> None:
    from_closure = raised(lambda: lib.sqrt_closure()(-4))
    from_export = raised(lambda: lib.integer_sqrt(-4))
    assert type(from_closure) is type(from_export) is lib.errors.MathError.Negative
    for attribute in ("kind", "rust_type", "variant", "fields"):
        assert getattr(from_closure, attribute) == getattr(from_export, attribute), attribute
    assert str(from_closure) == str(from_export) == "negative input: -4"
    assert (from_closure.variant, from_closure.fields) == ("Negative", {"0": -4})
    line = source_line("closures.rs", "Result<i64, WithFields<MathError>>")
    assert frames(from_closure) == [(CLOSURES, line, "sqrt_closure::{{closure}}")]
    assert entries(from_closure)[-1] == ("closures.rs", "sqrt_closure::{{closure}}")
    assert lib.sqrt_closure()(16) == 4


def test_without_with_fields_the_same_exception_has_no_fields(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.sqrt_closure_without_fields()(-4))
    # Not `WithFields`: no fields, but the variant still, from `Debug`.
    assert type(error) is lib.errors.MathError.Negative
    assert str(error) == "negative input: -4"
    assert (error.variant, error.fields) == ("Negative", None)


def test_a_closure_errs_causes_are_the_exported_functions(lib: ferryman.Library) -> None:
    def chain(error: BaseException | None) -> list[str]:
        messages = []
        while error is not None:
            messages.append(f"{type(error).__name__}: {error}")
            error = error.__cause__
        return messages

    from_closure = raised(lambda: lib.config_closure("app")("x1"))
    from_export = raised(lambda: lib.load_config("app", "x1"))
    assert type(from_closure) is lib.errors.ConfigError
    assert chain(from_closure) == chain(from_export)
    assert len(chain(from_closure)) == 3


def test_a_closure_may_fail_with_a_string(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.string_error_closure()(-1))
    assert isinstance(error, ferryman.RustError)
    assert str(error) == "negative -1"
    assert error.rust_type == "alloc::string::String"
    assert lib.string_error_closure()(2) == 2


def test_a_closure_err_through_rust_keeps_its_class_and_frames(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.apply(lib.sqrt_closure(), -9))
    assert type(error) is lib.errors.MathError.Negative
    assert [function for _, _, function in frames(error)] == ["apply", "sqrt_closure::{{closure}}"]


def test_python_closure_python_the_callbacks_exception_comes_out(lib: ferryman.Library) -> None:
    raised_here: list[BaseException] = []

    def failing(x: int) -> int:
        error = ValueError(f"callback failed on {x}")
        raised_here.append(error)
        raise error

    closure = lib.propagating_closure(failing)

    def caller() -> int:
        return closure(5)

    error = raised(caller)
    assert error is raised_here[0]
    assert entries(error)[-3:] == [
        (THIS_FILE, "caller"),
        ("closures.rs", "propagating_closure::{{closure}}"),
        (THIS_FILE, "failing"),
    ]
    rust = traceback.extract_tb(error.__traceback__)[-2]
    assert (rust.filename, rust.lineno) == (CLOSURES, source_line("closures.rs", "f.call((x,))?"))
    assert lib.propagating_closure(lambda x: x * 10)(5) == 51
    # The closure holds `failing`, whose list holds the exception, whose traceback
    # holds the closure: a cycle through Rust that Python's collector cannot see.
    raised_here.clear()


def test_python_rust_closure_python_keeps_every_frame(lib: ferryman.Library) -> None:
    raised_here: list[BaseException] = []

    def failing(x: int) -> int:
        error = KeyError(x)
        raised_here.append(error)
        raise error

    closure = lib.propagating_closure(failing)

    def caller() -> int:
        return lib.apply(closure, 7)

    error = raised(caller)
    assert error is raised_here[0]
    assert entries(error)[-4:] == [
        (THIS_FILE, "caller"),
        ("callbacks.rs", "apply"),
        ("closures.rs", "propagating_closure::{{closure}}"),
        (THIS_FILE, "failing"),
    ]
    raised_here.clear()  # see above: a cycle through the closure


def test_a_failing_closure_is_described_by_what_it_returns(lib: ferryman.Library) -> None:
    assert lib.describe()["functions"][list(lib.functions).index("sqrt_closure")]["returns"]["type"] == {
        "callback": [["i64"], "i64"]
    }
    assert inspect.signature(lib.sqrt_closure).return_annotation == Callable[[int], int]
    sqrt = lib.sqrt_closure()
    assert sqrt.annotation == "(int) -> int"
    (entry,) = [entry for entry in lib.live_closures() if entry["handle"] == sqrt.handle]
    assert entry["signature"] == "(i64) -> Result<i64, WithFields<MathError>>"


# ---- arity ------------------------------------------------------------------------


def test_a_closure_called_with_too_few_arguments_says_how_many_it_takes(lib: ferryman.Library) -> None:
    join = lib.joiner("-")
    error = raised(lambda: join("a"))
    assert isinstance(error, ferryman.ArgumentError)
    assert str(error) == "closure() takes 2 arguments but 1 was given"
    assert (error.kind, error.expected, error.found) == ("arity", "2 arguments", "1 argument")
    error = raised(lambda: lib.adder(1)())
    assert str(error) == "closure() takes 1 argument but 0 were given"
    error = raised(lambda: lib.adder(1)(1, 2, 3))
    assert str(error) == "closure() takes 1 argument but 3 were given"


def test_a_closure_rust_calls_with_the_wrong_arity_says_so(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.call_with_one(lib.joiner("-"), "a"))
    assert isinstance(error, ferryman.ArgumentError)
    assert "`joiner()`'s closure takes 2 arguments (String, String) but was given 1 argument" in str(error)
    assert "{{" not in str(error)


def test_a_closure_argument_of_the_wrong_type_names_position_and_type(lib: ferryman.Library) -> None:
    error = raised(lambda: lib.three_argument_closure()("a", "b", True))
    assert isinstance(error, ferryman.ArgumentError)
    assert str(error) == 'closure() argument 1: expected i64, but found string "b"'
    assert (error.index, error.expected) == (1, "i64")
    assert lib.three_argument_closure()("a", 1, True) == "a1true"


# ---- closures called in-process ---------------------------------------------------


def test_a_rust_closure_called_in_process_with_a_closure_argument_leaks_nothing(lib: ferryman.Library) -> None:
    # Passed back as a callable, a Rust closure runs in-process: the closure
    # among its arguments (and in its result) was registered for a host that
    # never sees it, and is released once the closure ran (issue 12).
    gc.collect()
    before = len(lib.live_closures())
    adder, applying, maker = lib.adder(1), lib.applying_closure(), lib.adder_maker()
    for _ in range(20_000):
        with pytest.raises(ferryman.ArgumentError):
            lib.apply_with_doubler(adder, 5)  # adder takes an int, not a closure
    assert lib.apply_with_doubler(applying, 5) == 10
    assert lib.make_and_apply(maker, 3, 4) == 7
    for _ in range(1_000):
        lib.apply_with_doubler(applying, 5)
        lib.make_and_apply(maker, 3, 4)
    del adder, applying, maker
    gc.collect()
    assert len(lib.live_closures()) == before
