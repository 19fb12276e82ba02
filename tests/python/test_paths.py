"""Paths (spec/wire.md, "Paths"): any ``str`` or ``os.PathLike`` for a
``PathBuf``/``&Path`` parameter, ``pathlib.Path`` back for a ``PathBuf``
result; paths that are not UTF-8 fail clearly both ways."""

from __future__ import annotations

import inspect
import os
import pathlib
import sys
import typing

import pytest

import ferryman


class Custom(os.PathLike[str]):
    def __init__(self, text: str) -> None:
        self.text = text

    def __fspath__(self) -> str:
        return self.text


def test_every_kind_of_path_is_accepted(lib: ferryman.Library) -> None:
    for path in ("/a/b", pathlib.Path("/a/b"), pathlib.PurePosixPath("/a/b"), Custom("/a/b")):
        assert lib.path_parts(path) == ["/", "a", "b"], path
    # os.fspath may give bytes: UTF-8 bytes are the same path.
    class BytesPath:
        def __fspath__(self) -> bytes:
            return b"/a/b"

    assert lib.path_parts(BytesPath()) == ["/", "a", "b"]


def test_results_are_pathlib_paths(lib: ferryman.Library) -> None:
    joined = lib.join_path(pathlib.Path("/tmp"), "f.txt")
    assert type(joined) is type(pathlib.Path()) and joined == pathlib.Path("/tmp/f.txt")
    # Inside lists, tuples and options too.
    under, parent = lib.paths_under("/r/s", ["a", "b"])
    assert under == [pathlib.Path("/r/s/a"), pathlib.Path("/r/s/b")]
    assert all(isinstance(path, pathlib.Path) for path in under)
    assert parent == pathlib.Path("/r")
    assert lib.paths_under("/", []) == ([], None)


def test_annotations(lib: ferryman.Library) -> None:
    hints = typing.get_type_hints(lib.join_path)
    assert hints["base"] == typing.Union[str, os.PathLike[str]]
    assert hints["return"] is pathlib.Path
    signature = inspect.signature(lib.join_path)
    assert signature.return_annotation is pathlib.Path
    assert signature.parameters["base"].annotation == typing.Union[str, os.PathLike[str]]
    # The function's own text, as repr and help show it.
    assert "(base: str | PathLike[str], name: str) -> Path" in repr(lib.join_path)


@pytest.mark.skipif(sys.platform == "win32", reason="undecodable file names are a POSIX thing")
def test_a_path_that_is_not_utf8_is_refused_by_name(lib: ferryman.Library) -> None:
    undecodable = os.fsdecode(b"/tmp/caf\xe9")
    for path in (undecodable, pathlib.Path(undecodable)):
        with pytest.raises(ferryman.ArgumentError) as caught:
            lib.path_parts(path)
        message = str(caught.value)
        assert "path_parts() argument 'path'" in message or "`path_parts()` argument `path`" in message
        if isinstance(path, pathlib.Path):
            assert "a path that is not valid UTF-8" in message


def test_a_result_path_that_is_not_utf8_fails_clearly(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.FerrymanError, match="path contains invalid UTF-8"):
        lib.non_utf8_path()


def test_ferryman_describe_shows_the_python_types(lib: ferryman.Library) -> None:
    from ferryman._describe_text import describe_text

    lines = describe_text(lib.describe()).splitlines()
    assert "  join_path(base: Path, name: str) -> Path" in lines
    assert "  next_day(day: date) -> date | None" in lines
    assert "  scale_duration(d: timedelta, k: int) -> timedelta" in lines
    assert "  echo_utc(at: datetime) -> datetime" in lines
