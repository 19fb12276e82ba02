"""Rust errors raised as the Python classes people catch: ``std::io::Error``
as ``OSError`` subclasses with ``errno`` (``spec/wire.md``, ``os_error``), and
error types given a base category with ``#[ferryman::error(base = "…")]``
("Error bases")."""

from __future__ import annotations

import errno
import os
import pickle
import traceback

import pytest

import ferryman
from conftest import source_line

IO_ERROR = "std::io::error::Error"


@pytest.mark.parametrize(
    ("number", "cls"),
    [
        (errno.ENOENT, FileNotFoundError),
        (errno.EACCES, PermissionError),
        (errno.EEXIST, FileExistsError),
        (errno.ETIMEDOUT, TimeoutError),
        (errno.ECONNREFUSED, ConnectionRefusedError),
        (errno.EPIPE, BrokenPipeError),
        (errno.EIO, OSError),
    ],
)
def test_an_os_error_is_the_oserror_subclass_of_its_errno(lib: ferryman.Library, number: int, cls: type) -> None:
    with pytest.raises(cls) as caught:
        lib.os_failure(number)
    error = caught.value
    assert type(error) is type(OSError(number, "")) or issubclass(type(error), type(OSError(number, "")))
    assert isinstance(error, lib.errors[IO_ERROR])
    assert isinstance(error, ferryman.RustError)
    assert (error.errno, error.strerror, error.filename) == (number, os.strerror(number), None)
    # Still the Rust message and the Rust frame.
    assert str(error) == f"{os.strerror(number)} (os error {number})"
    assert error.error_value["os_error"] == {"errno": number, "kind": error.error_value["os_error"]["kind"]}
    assert error.error_value["base"] == "os"
    frames = traceback.extract_tb(error.__traceback__)
    assert frames[-1].lineno == source_line("native_errors.rs", "    Err(io::Error::from_raw_os_error(errno))")


def test_a_real_missing_file_is_file_not_found(lib: ferryman.Library) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        lib.read_file("/no/such/file")
    assert caught.value.errno == errno.ENOENT
    try:
        lib.read_file("/no/such/file")
    except lib.errors[IO_ERROR] as error:  # the type's class catches it too
        assert error.errno == errno.ENOENT


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("not_found", FileNotFoundError),
        ("permission_denied", PermissionError),
        ("timed_out", TimeoutError),
        ("already_exists", FileExistsError),
        ("other", OSError),
    ],
)
def test_an_io_error_without_errno_is_chosen_by_kind(lib: ferryman.Library, kind: str, cls: type) -> None:
    with pytest.raises(cls) as caught:
        lib.io_kind_failure(kind)
    error = caught.value
    assert error.errno is None and error.strerror is None
    assert error.error_value["os_error"] == {"errno": None, "kind": kind}
    assert str(error).startswith("made up: ")


def test_a_boxed_io_error_is_an_os_error_of_the_box_type(lib: ferryman.Library) -> None:
    with pytest.raises(FileExistsError) as caught:
        lib.boxed_os_failure(errno.EEXIST)
    error = caught.value
    assert error.errno == errno.EEXIST
    boxed = lib.errors["alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"]
    assert isinstance(error, boxed)
    # The box type itself is no OSError (it holds any error): only this value is.
    assert not issubclass(boxed, OSError)
    assert error.error_value["base"] is None


def test_a_user_error_over_an_io_error_keeps_its_class_and_its_cause_is_the_os_error(
    lib: ferryman.Library,
) -> None:
    with pytest.raises(lib.errors.ConfigFileError) as caught:
        lib.read_config("/no/such/config")
    error = caught.value
    assert not isinstance(error, OSError)
    assert str(error) == "cannot load config /no/such/config"
    cause = error.__cause__
    assert isinstance(cause, FileNotFoundError) and isinstance(cause, ferryman.RustError)
    assert cause.errno == errno.ENOENT
    assert error.error_value["os_error"] is None
    assert error.error_value["causes"][0]["os_error"] == {"errno": errno.ENOENT, "kind": "not_found"}


def test_os_errors_pickle_with_their_errno(lib: ferryman.Library) -> None:
    with pytest.raises(PermissionError) as caught:
        lib.os_failure(errno.EACCES)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is type(caught.value)
    assert (copy.errno, copy.strerror, str(copy)) == (errno.EACCES, os.strerror(errno.EACCES), str(caught.value))
    with pytest.raises(lib.errors.ConfigFileError) as config:
        lib.read_config("/no/such/config")
    copy = pickle.loads(pickle.dumps(config.value))
    assert type(copy) is lib.errors.ConfigFileError


def test_a_base_category_makes_the_class_a_subclass_of_the_builtin(lib: ferryman.Library) -> None:
    assert issubclass(lib.errors.NoSuchUser, KeyError)
    assert issubclass(lib.errors.SettingError, ValueError)
    assert not issubclass(lib.errors.MathError, ValueError)
    with pytest.raises(KeyError) as caught:
        lib.find_user("bob")
    error = caught.value
    assert type(error) is lib.errors.NoSuchUser
    # The Rust message, not KeyError's repr of it.
    assert str(error) == "no user named bob"
    assert error.fields == {"0": "bob"}
    assert error.error_value["base"] == "key"
    assert lib.find_user("ada") == 1815


def test_each_variant_of_an_enum_with_a_base_is_caught_by_the_builtin(lib: ferryman.Library) -> None:
    with pytest.raises(ValueError) as caught:
        lib.set_setting("level", 12)
    error = caught.value
    assert type(error) is lib.errors.SettingError.TooLarge
    assert (error.name, error.max, error.given) == ("level", 9, 12)
    try:
        lib.set_setting("colour", 1)
    except lib.errors.SettingError.Unknown as unknown:
        assert isinstance(unknown, ValueError)
        assert str(unknown) == "unknown setting colour"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is lib.errors.SettingError.TooLarge and isinstance(copy, ValueError)


def test_describe_names_each_error_types_base(lib: ferryman.Library) -> None:
    errors = {f["name"]: f["error"] for f in lib.describe()["functions"]}
    assert errors["find_user"]["base"] == "key"
    assert errors["set_setting"]["base"] == "value"
    assert errors["os_failure"]["base"] == "os"
    assert errors["divide"]["base"] is None


def test_the_stub_declares_the_builtin_base(lib: ferryman.Library, tmp_path) -> None:
    from ferryman._stubs import write_stubs

    write_stubs(lib.describe(), "fixture_stub", tmp_path)
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*.pyi"))
    assert "class NoSuchUser(_ferryman.RustError, _b.KeyError):" in text
    assert "class SettingError(_ferryman.RustError, _b.ValueError):" in text
    # Its variants (describe lists them: the type is marked #[ferryman::error]).
    assert "    TooLarge: _t.ClassVar[type[_SettingError_TooLarge]]" in text
    assert "class _SettingError_TooLarge(SettingError):" in text
