"""The Rust frame of a returned ``Err`` points at the ``?``, ``return`` or the
branch of the function's value that made it (``spec/wire.md``, "Error
values"), not at the function's ``fn`` line."""

from __future__ import annotations

import traceback

import pytest

import ferryman
from conftest import fn_line, source_line


def first_frame(call, *args: object) -> tuple[int, int]:
    with pytest.raises(ferryman.RustError) as caught:
        call(*args)
    error = caught.value
    frame = error.frames[0]
    # The traceback's Rust entry says the same line.
    assert traceback.extract_tb(error.__traceback__)[-1].lineno == frame["line"]
    return frame["line"], frame["column"]


def column_of(file: str, needle: str, token: str) -> int:
    from conftest import FIXTURE_SRC

    line = (FIXTURE_SRC / file).read_text().splitlines()[source_line(file, needle) - 1]
    return line.index(token) + 1


def test_each_question_mark_is_its_own_place(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    first = "let a: i64 = a.parse()?;"
    second = "let b: i64 = b.parse()?;"
    assert first_frame(lib.parse_and_divide, "x", "1") == (source_line(file, first), column_of(file, first, "?"))
    assert first_frame(lib.parse_and_divide, "1", "y") == (source_line(file, second), column_of(file, second, "?"))


def test_a_return_points_at_the_return(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    needle = 'return Err("division by zero".into());'
    assert first_frame(lib.parse_and_divide, "1", "0") == (source_line(file, needle), column_of(file, needle, "return"))
    assert first_frame(lib.divide, 1, 0)[0] == source_line("errors.rs", "return Err(MathError::DivisionByZero);")


def test_the_branch_of_the_value_that_failed_is_named(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    zero = '0 => Err("branch zero".into()),'
    one = '1 => parse("not a number"),'
    assert first_frame(lib.pick_failure, 0) == (source_line(file, zero), column_of(file, zero, "Err"))
    # The closure's own `?` is the closure's; the function's place is the branch.
    assert first_frame(lib.pick_failure, 1) == (source_line(file, one), column_of(file, one, "parse"))
    assert lib.pick_failure(7) == 7


def test_a_tail_call_is_the_place_and_the_fn_line_is_no_longer_used(lib: ferryman.Library) -> None:
    line, _ = first_frame(lib.read_file, "/no/such/file")
    assert line == source_line("error_types.rs", "std::fs::read_to_string(path)")
    assert line != fn_line("error_types.rs", "read_file")
