"""``lib.errors``: one class per Rust error *type* (full Rust path), however
many types share a short name, and exceptions of those classes pickle."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import ferryman

from conftest import REPO

# `std::any::type_name` of the error types of read_file, boxed_failure and
# boxed_local_failure (as rustc writes them; the tests read them from describe).
IO_ERROR = "std::io::error::Error"
BOXED = "alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
BOXED_LOCAL = "alloc::boxed::Box<dyn core::error::Error>"


def test_the_rust_type_names_are_rustcs(lib: ferryman.Library) -> None:
    errors = {f["name"]: f["error"] for f in lib.describe()["functions"]}
    assert errors["read_file"] == {"name": "Error", "rust": IO_ERROR, "base": "os", "variants": None, "type": None}
    assert errors["boxed_failure"] == {"name": "Error", "rust": BOXED, "base": None, "variants": None, "type": None}
    assert errors["boxed_local_failure"] == {
        "name": "Error",
        "rust": BOXED_LOCAL,
        "base": None,
        "variants": None,
        "type": None,
    }


def raised(call, *args: object) -> ferryman.RustError:
    with pytest.raises(ferryman.RustError) as caught:
        call(*args)
    return caught.value


def test_error_types_with_the_same_short_name_get_one_class_each(lib: ferryman.Library) -> None:
    io = raised(lib.read_file, "/no/such/file")
    boxed = raised(lib.boxed_failure, True)
    local = raised(lib.boxed_local_failure, True)
    assert io.type_name == boxed.type_name == local.type_name == "Error"
    assert (io.rust_type, boxed.rust_type, local.rust_type) == (IO_ERROR, BOXED, BOXED_LOCAL)
    classes = {type(io), type(boxed), type(local)}
    assert len(classes) == 3
    for error in (io, boxed, local):
        assert type(error).rust_type == error.rust_type
        assert isinstance(error, lib.errors[error.rust_type])
    # An io::Error is raised as its errno's OSError subclass of its type's class.
    assert type(io).__mro__[1] is lib.errors[IO_ERROR]
    assert type(boxed) is lib.errors[BOXED]
    # `except` tells them apart.
    with pytest.raises(ferryman.RustError) as caught:
        try:
            lib.boxed_failure(True)
        except lib.errors[IO_ERROR]:
            pytest.fail("a boxed error caught as std::io::Error")
    assert type(caught.value) is lib.errors[BOXED]
    # Raised again: the same classes.
    assert type(raised(lib.read_file, "/no/such/file")) is type(io)


def test_a_shared_short_name_is_spelled_qualified(lib: ferryman.Library) -> None:
    assert lib.errors.std_io_error_Error is lib.errors[IO_ERROR]
    assert lib.errors.alloc_boxed_Box_dyn_core_error_Error is lib.errors[BOXED_LOCAL]
    assert (
        lib.errors.alloc_boxed_Box_dyn_core_error_Error_core_marker_Send_core_marker_Sync is lib.errors[BOXED]
    )
    assert lib.errors.std_io_error_Error.__name__ == "std_io_error_Error"
    assert "std_io_error_Error" in dir(lib.errors)
    assert "Error" not in dir(lib.errors)
    with pytest.raises(AttributeError) as caught:
        lib.errors.Error  # noqa: B018
    message = str(caught.value)
    assert "has 3 error types named 'Error'" in message
    assert f"lib.errors.std_io_error_Error or lib.errors[{IO_ERROR!r}]" in message
    with pytest.raises(KeyError, match="3 error types named 'Error'"):
        lib.errors["Error"]
    assert "Error" not in lib.errors
    assert IO_ERROR in lib.errors


def test_a_unique_short_name_is_the_attribute(lib: ferryman.Library) -> None:
    error = raised(lib.local_failure, "no Send here")
    assert type(error) is lib.errors.LocalError is lib.errors["ferryman_fixture::error_types::LocalError"]
    assert lib.errors.LocalError is lib.errors.ferryman_fixture_error_types_LocalError
    assert str(error) == "local failure: no Send here"
    assert lib.errors.MathError.__name__ == "MathError"


def test_errors_that_are_not_send_and_plain_boxes_are_raised(lib: ferryman.Library) -> None:
    assert str(raised(lib.boxed_local_failure, True)) == "a plain boxed error"
    assert lib.boxed_local_failure(False) == 1
    error = raised(lib.local_failure, "why")
    assert error.function == "local_failure"
    assert error.frames[0]["function"] == "local_failure"


def test_each_variant_of_an_error_enum_is_a_subclass_of_its_type(lib: ferryman.Library) -> None:
    math_error = lib.errors.MathError
    # Named before any was raised: the class exists, and catches only its variant.
    with pytest.raises(math_error.DivisionByZero) as caught:
        try:
            lib.checked_add(2**62, 2**62)
        except math_error.DivisionByZero:
            pytest.fail("an Overflow was caught as DivisionByZero")
        except math_error as other:
            assert type(other) is math_error.Overflow
            lib.divide(1, 0)
    error = caught.value
    assert isinstance(error, math_error)
    assert isinstance(error, ferryman.RustError)
    assert type(error) is math_error.DivisionByZero
    assert issubclass(math_error.DivisionByZero, math_error)
    assert error.variant == "DivisionByZero"
    assert type(error).__name__ == "DivisionByZero"
    assert type(error).__qualname__ == "MathError.DivisionByZero"
    assert type(error).rust_type == math_error.rust_type
    # One class per variant, whichever path built the exception.
    assert type(raised(lib.integer_sqrt, -4)) is math_error.Negative
    assert raised(lib.integer_sqrt, -4).variant == "Negative"


def test_a_variant_subclass_reads_sensibly_in_a_traceback(lib: ferryman.Library) -> None:
    import traceback

    error = raised(lib.divide, 1, 0)
    assert traceback.format_exception_only(error)[-1] == (
        "ferryman_fixture.MathError.DivisionByZero: division by zero\n"
    )
    with pytest.raises(AttributeError):
        _ = lib.errors.MathError.lowercase_is_not_a_variant


def test_a_natively_built_error_pickles_to_the_same_class(lib: ferryman.Library) -> None:
    error = raised(lib.checked_add, 2**62, 2**62)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is lib.errors.MathError.Overflow
    assert str(copy) == str(error)
    assert (copy.variant, copy.left, copy.right) == ("Overflow", 2**62, 2**62)
    assert copy.fields == error.fields
    assert copy.error_value == error.error_value


def test_an_error_with_causes_pickles(lib: ferryman.Library) -> None:
    error = raised(lib.load_config, "settings", "x")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is lib.errors.ConfigError
    assert str(copy) == "could not load config `settings`"
    assert copy.error_value["causes"] == error.error_value["causes"]
    io = raised(lib.read_file, "/no/such/file")
    shared = pickle.loads(pickle.dumps(io))
    assert type(shared) is type(io)
    assert isinstance(shared, lib.errors[IO_ERROR])
    assert isinstance(shared, FileNotFoundError)
    assert (shared.errno, shared.strerror) == (io.errno, io.strerror) == (2, os.strerror(2))


def test_an_error_of_a_library_loaded_twice_unpickles_to_its_own_librarys_class(fixture_file: Path) -> None:
    first = ferryman.load(fixture_file)
    second = ferryman.load(fixture_file)
    assert first.errors.MathError is not second.errors.MathError
    copy = pickle.loads(pickle.dumps(raised(second.divide, 1, 0)))
    assert type(copy) is second.errors.MathError.DivisionByZero


def unpickle_elsewhere(data: bytes, load: Path | None) -> str:
    script = (
        "import pickle, sys, ferryman\n"
        + (f"lib = ferryman.load({str(load)!r})\n" if load else "")
        + "e = pickle.loads(sys.stdin.buffer.read())\n"
        "cls = type(e)\n"
        "print(cls.__module__, cls.__qualname__, cls.rust_type, isinstance(e, ferryman.RustError), e, e.variant)\n"
        + ("print(cls is lib.errors.MathError.DivisionByZero)\n" if load else "")
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=data, cwd=REPO, capture_output=True, timeout=60, check=True
    )
    return result.stdout.decode()


def test_an_error_unpickles_in_a_process_with_or_without_its_library(
    lib: ferryman.Library, fixture_file: Path
) -> None:
    data = pickle.dumps(raised(lib.divide, 1, 0))
    expected = (
        "ferryman_fixture MathError.DivisionByZero ferryman_fixture::errors::MathError True"
        " division by zero DivisionByZero\n"
    )
    assert unpickle_elsewhere(data, None) == expected
    assert unpickle_elsewhere(data, fixture_file) == expected + "True\n"


def test_the_other_exceptions_pickle(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.RustPanic) as panic:
        lib.panic_now("pickled")
    with pytest.raises(ferryman.ArgumentError) as bad:
        lib.add("x", 1)
    for error in (panic.value, bad.value):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
