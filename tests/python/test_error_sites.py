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


# ---- class members and iterators ----------------------------------------------------


def test_a_constructor_points_at_its_return_and_its_question_mark(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    empty = "return Err(LedgerError::Empty);"
    parsed = "let entries = entries_of(text)?;"
    assert first_frame(lib.Ledger, " ") == (source_line(file, empty), column_of(file, empty, "return"))
    # `?` converting a `ParseIntError` into `LedgerError` (`From`).
    assert first_frame(lib.Ledger, "1,x") == (source_line(file, parsed), column_of(file, parsed, "?"))
    assert lib.Ledger("1, 2").entry("1") == 2


def test_a_static_members_question_mark(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    needle = "let only: i64 = text.parse()?;"
    assert first_frame(lib.Ledger.single, "x") == (source_line(file, needle), column_of(file, needle, "?"))
    assert lib.Ledger.single("4").entry("0") == 4


def test_a_methods_frame_is_its_own_place_not_a_closures(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    ledger = lib.Ledger("1, 2")
    at = "let at = checked(index.parse()?)?;"
    tail = "found.ok_or(LedgerError::Missing(at))"
    line = source_line(file, at)
    # The inner `?` (a `ParseIntError` converted), then the outer one: the
    # closure's `return Err` made the error, but the method's place is its `?`.
    assert first_frame(ledger.entry, "x") == (line, column_of(file, at, "?)"))
    assert first_frame(ledger.entry, "100") == (line, column_of(file, at, ")?;") + 1)
    assert first_frame(ledger.entry, "5") == (source_line(file, tail), column_of(file, tail, "found"))
    with pytest.raises(ferryman.RustError) as caught:
        ledger.entry("5")
    assert caught.value.function == "Ledger.entry"
    names = [entry.name for entry in traceback.extract_tb(caught.value.__traceback__)]
    assert names[-1] == "Ledger.entry"


def test_a_mut_self_method_points_at_its_return(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    needle = "return Err(LedgerError::Negative(entry));"
    ledger = lib.Ledger("1")
    assert first_frame(ledger.push, "-3") == (source_line(file, needle), column_of(file, needle, "return"))
    assert ledger.push("3") == 2


def test_an_iterator_items_error_points_into_its_map_closure(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    empty = 'return Err("an empty item".into());'
    parsed = "let number: i64 = text.parse()?;"

    def item_frame(items: list[str]) -> tuple[int, int]:
        iterator = lib.parse_each(items)
        assert next(iterator) == 1
        return first_frame(next, iterator)

    assert item_frame(["1", ""]) == (source_line(file, empty), column_of(file, empty, "return"))
    assert item_frame(["1", "x"]) == (source_line(file, parsed), column_of(file, parsed, "?"))
    # The closure's expression itself, when it is the item.
    tail = ".map(|text| text.parse::<i64>().map_err(|_| ParseError { text }))"
    line, column = first_frame(next, lib.parse_all(["x"]))
    assert (line, column) == (source_line("iterators.rs", tail), column_of("iterators.rs", tail, "text."))


def test_an_iterator_methods_error_points_into_its_map_closure(lib: ferryman.Library) -> None:
    file = "error_sites.rs"
    needle = "return Err(LedgerError::Negative(value));"
    ledger = lib.Ledger("1, -4")
    checked = ledger.checked()
    assert next(checked) == 1
    with pytest.raises(ferryman.RustError) as caught:
        next(checked)
    frame = caught.value.frames[0]
    expected = ("Ledger.checked", source_line(file, needle), column_of(file, needle, "return"))
    assert (frame["function"], frame["line"], frame["column"]) == expected
    assert traceback.extract_tb(caught.value.__traceback__)[-1].lineno == frame["line"]


def test_an_iterator_whose_items_may_not_be_its_closures_keeps_the_fn_line(lib: ferryman.Library) -> None:
    iterator = lib.parse_then_fail(["1", "x"])
    assert next(iterator) == 1
    # Neither the closure's `?` nor the chained `Err` is located.
    assert first_frame(next, iterator) == (fn_line("error_sites.rs", "parse_then_fail"), 1)
    assert first_frame(next, iterator) == (fn_line("error_sites.rs", "parse_then_fail"), 1)
