"""Returned errors and panics: exception classes, fields, causes, tracebacks."""

from __future__ import annotations

import subprocess
import sys
import threading
import traceback
from pathlib import Path

import pytest

import ferryman

from conftest import REPO, fn_line, source_line


def rust_entries(error: BaseException) -> list[traceback.FrameSummary]:
    return [entry for entry in traceback.extract_tb(error.__traceback__) if entry.filename.endswith(".rs")]


def test_err_raises_the_librarys_error_class(lib: ferryman.Library) -> None:
    with pytest.raises(lib.errors.MathError) as caught:
        lib.divide(1, 0)
    error = caught.value
    assert issubclass(lib.errors.MathError, ferryman.RustError)
    assert isinstance(error, ferryman.RustError)
    assert isinstance(error, ferryman.FerrymanError)
    assert isinstance(error, Exception)
    assert type(error) is lib.errors.MathError.DivisionByZero
    assert str(error) == "division by zero"
    assert error.kind == "error"
    assert error.function == "divide"
    assert error.type_name == "MathError"
    assert error.rust_type == "ferryman_fixture::errors::MathError"
    assert error.variant == "DivisionByZero"
    assert error.fields == {}
    assert error.__cause__ is None


def test_error_classes_are_cached_and_named(lib: ferryman.Library) -> None:
    cls = lib.errors.MathError
    assert cls is lib.errors.MathError
    assert cls.__name__ == "MathError"
    assert cls.__module__ == "ferryman_fixture"
    assert cls.rust_type == "ferryman_fixture::errors::MathError"
    for _ in range(3):
        with pytest.raises(cls):
            lib.divide(1, 0)
    assert "MathError" in dir(lib.errors)
    assert "ConfigError" in dir(lib.errors)
    assert "MathError" in lib.errors


def test_unknown_error_type_suggests(lib: ferryman.Library) -> None:
    with pytest.raises(AttributeError, match="did you mean 'MathError'"):
        lib.errors.MathErorr  # noqa: B018


def test_fields_become_attributes(lib: ferryman.Library) -> None:
    with pytest.raises(lib.errors.MathError) as caught:
        lib.checked_add(2**62, 2**62)
    error = caught.value
    assert error.variant == "Overflow"
    assert error.fields == {"left": 2**62, "right": 2**62}
    assert error.left == 2**62
    assert error.right == 2**62
    assert str(error) == f"{2**62} + {2**62} overflows i64"


def test_tuple_variant_fields(lib: ferryman.Library) -> None:
    with pytest.raises(lib.errors.MathError) as caught:
        lib.integer_sqrt(-4)
    assert caught.value.variant == "Negative"
    assert caught.value.fields == {"0": -4}
    assert str(caught.value) == "negative input: -4"
    assert lib.integer_sqrt(16) == 4


def test_field_names_never_clobber_python_attributes_and_win_over_ferrymans() -> None:
    value = {
        "kind": "error",
        "type": "Odd",
        "message": "m",
        "fields": {"args": 1, "function": "x", "with_traceback": 2, "ok": 3, "class": 4},
        "function": "f",
        "causes": [],
        "notes": [],
        "frames": [],
    }
    error = ferryman._errors.exception_from_value(value)
    assert error.args == ("m",)
    # The user's `function` wins; ferryman's stays in the error value.
    assert error.function == "x"
    assert error.error_value is not None and error.error_value["function"] == "f"
    assert callable(error.with_traceback)
    assert error.ok == 3
    assert error.fields["class"] == 4


def test_source_chain_becomes_cause(lib: ferryman.Library) -> None:
    with pytest.raises(lib.errors.ConfigError) as caught:
        lib.load_config("settings", "not a number")
    error = caught.value
    assert str(error) == "could not load config `settings`"
    first = error.__cause__
    assert isinstance(first, ferryman.RustError)
    assert str(first) == "line 1 is not a number"
    second = first.__cause__
    assert isinstance(second, ferryman.RustError)
    assert str(second) == "invalid digit found in string"
    assert second.__cause__ is None
    assert error.__suppress_context__
    text = "".join(traceback.format_exception(error))
    assert "The above exception was the direct cause of the following exception" in text
    assert (
        text.index("invalid digit found in string")
        < text.index("line 1 is not a number")
        < text.index("could not load config")
    )
    assert lib.load_config("settings", " 42 ") == 42


def test_an_error_type_without_serialize_has_no_fields(lib: ferryman.Library) -> None:
    # ConfigError has a source (its exception is built from the error value);
    # the boxed error is a plain Err (its attributes are decoded on first access).
    with pytest.raises(lib.errors.ConfigError) as caught:
        lib.load_config("settings", "x")
    assert caught.value.error_value["fields"] is None
    assert (caught.value.fields, caught.value.variant) == (None, None)
    with pytest.raises(ferryman.RustError) as caught:
        lib.boxed_failure(True)
    assert (caught.value.fields, caught.value.variant) == (None, None)
    assert caught.value.error_value["fields"] is None


def test_boxed_dyn_error(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustError) as caught:
        lib.boxed_failure(True)
    assert str(caught.value) == "something boxed went wrong"
    assert lib.boxed_failure(False) == "fine"


def test_error_traceback_has_the_python_caller_then_the_rust_function(lib: ferryman.Library) -> None:
    def caller() -> None:
        lib.divide(1, 0)

    with pytest.raises(lib.errors.MathError) as caught:
        caller()
    entries = traceback.extract_tb(caught.value.__traceback__)
    names = [entry.name for entry in entries]
    assert names[-2:] == ["caller", "divide"]
    last = entries[-1]
    assert last.filename == "tests/fixture/src/errors.rs"
    # The `return Err(MathError::DivisionByZero)` that made it.
    assert last.lineno == source_line("errors.rs", "return Err(MathError::DivisionByZero);")
    text = "".join(traceback.format_exception(caught.value))
    assert text.index("in caller") < text.index('File "tests/fixture/src/errors.rs"')
    assert f'File "tests/fixture/src/errors.rs", line {last.lineno}, in divide' in text
    assert "return Err(MathError::DivisionByZero);" in text  # the Rust source line, via linecache
    assert text.rstrip().endswith("ferryman_fixture.MathError.DivisionByZero: division by zero")


def test_panics_are_catchable_as_exception(lib: ferryman.Library) -> None:
    try:
        lib.panic_now("the sky is falling")
    except Exception as error:
        caught = error
    else:
        pytest.fail("no exception")
    assert isinstance(caught, ferryman.RustPanic)
    assert isinstance(caught, ferryman.FerrymanError)
    assert not isinstance(caught, ferryman.RustError)
    assert str(caught) == "the sky is falling"
    assert caught.kind == "panic"
    assert caught.function == "panic_now"
    assert lib.add(1, 1) == 2  # the library survives


def test_panic_traceback_ends_at_the_panic_line(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic) as caught:
        lib.panic_now("boom")
    entries = traceback.extract_tb(caught.value.__traceback__)
    last = entries[-1]
    assert Path(last.filename).as_posix().endswith("tests/fixture/src/panics.rs")
    assert last.lineno == source_line("panics.rs", 'panic!("{message}")')
    assert last.name == "panic_now"
    frame = caught.value.frames[-1]
    assert (frame["line"], frame["language"]) == (last.lineno, "rust")
    assert entries[0].name == "test_panic_traceback_ends_at_the_panic_line"


def test_nested_panic_shows_the_rust_call_chain(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic) as caught:
        lib.panic_nested(3)
    assert "unwrap()" in str(caught.value)
    rust = rust_entries(caught.value)
    assert rust[-1].lineno == source_line("panics.rs", "nothing.unwrap()")
    assert rust[-1].name.endswith("descend")
    names = [entry.name for entry in rust]
    if len(rust) > 1:  # frames from the backtrace, when debug info allows
        assert any(name.endswith("panic_nested") for name in names)
        assert names.index(next(n for n in names if n.endswith("panic_nested"))) < len(names) - 1


def test_index_out_of_bounds_panics(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic, match="index out of bounds"):
        lib.index_out_of_bounds([1, 2], 5)
    assert lib.index_out_of_bounds([1, 2], 1) == 2


def test_notes_are_added(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic) as caught:
        lib.panic_now("noted")
    error = caught.value
    assert list(error.notes) == error.error_value["notes"]
    if sys.version_info >= (3, 11):
        assert getattr(error, "__notes__", []) == list(error.notes)


def test_panic_in_a_thread(lib: ferryman.Library) -> None:
    results: list[BaseException] = []

    def work() -> None:
        try:
            lib.panic_now("in a thread")
        except ferryman.RustPanic as error:
            results.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [str(error) for error in results] == ["in a thread"] * 4


def test_uncaught_panic_prints_rust_frames_with_the_default_hook(fixture_file: Path) -> None:
    script = (
        "import ferryman, sys\n"
        f"lib = ferryman.load({str(fixture_file)!r})\n"
        "def handler():\n"
        "    lib.panic_now('unhandled')\n"
        "handler()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    panic_line = source_line("panics.rs", 'panic!("{message}")')
    assert lines[0] == "Traceback (most recent call last):"
    handler = next(i for i, line in enumerate(lines) if line.endswith("in handler"))
    rust = next(i for i, line in enumerate(lines) if f'panics.rs", line {panic_line}, in panic_now' in line)
    assert handler < rust
    assert "ferryman.RustPanic: unhandled" in lines


def test_a_field_named_like_a_ferryman_attribute_wins(lib: ferryman.Library) -> None:
    for attempt in range(2):  # the native path decodes lazily; read twice
        with pytest.raises(lib.errors.TokenError) as caught:
            lib.bad_token(7)
        error = caught.value
        assert (error.kind, error.index, error.function) == ("word", 7, "tokenize")
        # ferryman's own values stay in the error value.
        assert error.error_value is not None
        assert (error.error_value["kind"], error.error_value["function"]) == ("error", "bad_token")
        assert error.fields == {"kind": "word", "index": 7, "function": "tokenize"}
        assert str(error) == "bad token 7 (word) in tokenize"
        assert error.args == ("bad token 7 (word) in tokenize",)
