"""Reading a Rust error's fields: tuple-variant fields by position, a field
named ``args`` (Python's own attribute), and the variant of an enum error that
is not ``Serialize`` (read from its derived ``Debug``)."""

from __future__ import annotations

import pickle

import pytest

import ferryman


def raised(call, *args: object) -> ferryman.RustError:
    with pytest.raises(ferryman.RustError) as caught:
        call(*args)
    return caught.value


def test_tuple_variant_fields_are_read_by_position(lib: ferryman.Library) -> None:
    error = raised(lib.command_failure, True)
    assert type(error) is lib.errors.CommandError.Exit
    assert error.fields == {"0": 3, "1": "boom"}
    assert (error.fields[0], error.fields[1]) == (3, "boom")
    assert isinstance(error.fields, ferryman.ErrorFields) and isinstance(error.fields, dict)
    with pytest.raises(KeyError):
        error.fields[2]
    with pytest.raises(KeyError):
        error.fields[-1]
    negative = raised(lib.integer_sqrt, -4)
    assert negative.fields[0] == -4
    # Position is for numbered fields only.
    named = raised(lib.checked_add, 2**62, 2**62)
    with pytest.raises(KeyError):
        named.fields[0]
    assert named.fields["left"] == 2**62


def test_a_field_named_args_never_replaces_pythons_args(lib: ferryman.Library) -> None:
    error = raised(lib.command_failure, False)
    assert type(error) is lib.errors.CommandError.BadArgs
    assert error.args == ('bad arguments ["-x", "--why"]',)
    assert error.fields["args"] == ["-x", "--why"]
    copy = pickle.loads(pickle.dumps(error))
    assert copy.args == error.args and copy.fields["args"] == ["-x", "--why"]


@pytest.mark.parametrize(
    ("which", "variant", "message"),
    [
        (0, "UnexpectedEnd", "unexpected end of input"),
        (1, "BadChar", "bad character '§' at 7"),
        (2, "Unclosed", "unclosed string"),
    ],
)
def test_the_variant_of_an_enum_that_is_not_serialize_comes_from_debug(
    lib: ferryman.Library, which: int, variant: str, message: str
) -> None:
    error = raised(lib.lex_failure, which)
    assert error.variant == variant
    assert type(error) is getattr(lib.errors.LexError, variant)
    assert str(error) == message
    assert error.fields is None  # not Serialize: no fields
    assert error.error_value["variant"] == variant


def test_a_struct_error_without_serialize_has_no_variant(lib: ferryman.Library) -> None:
    error = raised(lib.load_config, "settings", "x")
    assert error.variant is None
    assert type(error) is lib.errors.ConfigError
    io = raised(lib.read_file, "/no/such/file")
    assert io.variant is None  # std's io::Error Debug (`Os { .. }`) names no variant


def test_a_misspelt_variant_is_refused_when_describe_lists_the_variants(lib: ferryman.Library) -> None:
    errors = {f["name"]: f["error"] for f in lib.describe()["functions"]}
    assert errors["text_failure"]["variants"] == ["BadPattern", "Empty"]
    assert errors["set_setting"]["variants"] == ["TooLarge", "Unknown"]
    assert errors["divide"]["variants"] is None  # not marked: describe does not know
    with pytest.raises(AttributeError) as caught:
        lib.errors.TextError.BadPatern
    message = str(caught.value)
    assert "has no variant 'BadPatern'" in message
    assert "did you mean 'BadPattern'?" in message
    assert "its variants: BadPattern, Empty" in message
    error = raised(lib.text_failure, "[")
    assert type(error) is lib.errors.TextError.BadPattern
    assert error.variant == "BadPattern"
    assert isinstance(raised(lib.text_failure, ""), lib.errors.TextError.Empty)
    # Without the list, any capitalised name is a (lazily made) variant class.
    assert issubclass(lib.errors.MathError.NoSuchVariant, lib.errors.MathError)


def test_a_described_error_type_has_the_fields_describe_gives(lib: ferryman.Library) -> None:
    """describe's `error.type` (wire.md, "Describe") names an entry whose
    variants and fields are what the error values carry; serde's renamed
    variants are classes of the error type before any is raised."""
    errors = {f["name"]: f["error"] for f in lib.describe()["functions"]}
    assert errors["ratio"]["variants"] == ["not_finite", "bad_text", "out_of_bounds"]
    assert errors["ratio"]["type"] == {"named": "RatioError"}
    assert errors["divide"]["type"] is None
    not_finite = lib.errors.RatioError.not_finite  # lowercase: serde's `rename_all`
    assert issubclass(not_finite, lib.errors.RatioError) and issubclass(not_finite, ArithmeticError)
    with pytest.raises(AttributeError, match="did you mean 'not_finite'"):
        lib.errors.RatioError.not_finit
    error = raised(lib.ratio, 1.0, 0.0, {"low": 0.0, "high": 1.0})
    assert type(error) is not_finite
    entry = next(t for t in lib.describe()["types"] if t["name"] == "RatioError")
    shown = [f["name"] for f in entry["variants"][0]["fields"]]
    assert shown == list(error.fields) == ["numerator", "denominator", "hint"]
    assert (error.numerator, error.denominator, error.hint) == (1.0, 0.0, "the denominator is zero")
    without = raised(lib.ratio, 1.0, float("nan"), {"low": 0.0, "high": 1.0})
    assert "hint" not in without.fields and not hasattr(without, "hint")  # `optional`: may be missing
    quota = raised(lib.take_items, "ann", 5)
    quota_type = errors["take_items"]["type"]["named"]
    quota_entry = next(t for t in lib.describe()["types"] if t["name"] == quota_type)
    assert [f["name"] for f in quota_entry["fields"]] == list(quota.fields) == ["userName", "maxItems"]
    assert (quota.userName, quota.maxItems) == ("ann", 3)
