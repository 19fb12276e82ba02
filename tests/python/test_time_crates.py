"""The ``time`` and ``jiff`` crates (spec/wire.md, "Times"): their common
types take and give ``timedelta``, ``datetime`` and ``date`` like std's and
chrono's, although their serde forms differ (``time`` writes tuples of ints,
jiff writes ISO 8601 durations)."""

from __future__ import annotations

import datetime as dt
import typing

import pytest

import ferryman

UTC = dt.timezone.utc
AT = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_time_instants_and_durations(lib: ferryman.Library) -> None:
    result = lib.time_plus(AT, dt.timedelta(hours=1, microseconds=1))
    assert result == AT + dt.timedelta(hours=1, microseconds=1)
    assert result.utcoffset() == dt.timedelta(0)
    # An aware datetime of another offset is the same instant.
    assert lib.time_plus(AT.astimezone(dt.timezone(dt.timedelta(hours=-5))), dt.timedelta()) == AT
    # time's Duration is signed; its result carries the sign in both parts.
    assert lib.time_scale(dt.timedelta(seconds=-1.5), 3) == dt.timedelta(seconds=-4.5)
    assert lib.time_scale(dt.timedelta(microseconds=7), -1) == dt.timedelta(microseconds=-7)
    # At depth, in a list.
    earlier = AT - dt.timedelta(days=400)
    assert lib.time_later_than([earlier, AT], earlier) == [AT]


def test_time_dates_and_civil_times(lib: ferryman.Library) -> None:
    assert lib.time_next_day(dt.date(2024, 2, 28)) == dt.date(2024, 2, 29)
    assert type(lib.time_next_day(dt.date(2024, 12, 31))) is dt.date
    assert lib.time_next_day(dt.date(2024, 12, 31)) == dt.date(2025, 1, 1)
    result = lib.time_civil_plus(dt.datetime(2024, 12, 31, 23, 59, 0, 500), 120)
    assert result == dt.datetime(2025, 1, 1, 0, 1, 0, 500) and result.tzinfo is None


def test_jiff_timestamps_dates_and_durations(lib: ferryman.Library) -> None:
    assert lib.jiff_plus(AT, dt.timedelta(days=-1, microseconds=5)) == AT - dt.timedelta(days=1) + dt.timedelta(
        microseconds=5
    )
    # jiff writes an ISO 8601 duration (PT4.5S, -PT1H30M): a timedelta here.
    assert lib.jiff_scale(dt.timedelta(seconds=-1.5), 3) == dt.timedelta(seconds=-4.5)
    assert lib.jiff_scale(dt.timedelta(minutes=45), 2) == dt.timedelta(hours=1, minutes=30)
    assert lib.jiff_scale(dt.timedelta(microseconds=1), 1) == dt.timedelta(microseconds=1)
    assert lib.jiff_scale(dt.timedelta(), 5) == dt.timedelta()
    assert lib.jiff_next_day(dt.date(2023, 2, 28)) == dt.date(2023, 3, 1)
    result = lib.jiff_civil_plus(dt.datetime(2024, 1, 1, 23, 59, 0, 500), 120)
    assert result == dt.datetime(2024, 1, 2, 0, 1, 0, 500) and result.tzinfo is None


def test_wrong_text_is_an_argument_error_naming_the_parameter(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError, match="2024-05-01") as caught:
        lib.time_next_day("May 1st")
    assert caught.value.function == "time_next_day" and caught.value.param == "day"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.time_civil_plus(AT, 1)  # an aware datetime where a civil one is expected
    assert caught.value.param == "at"
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.jiff_plus(dt.datetime(2024, 1, 1), dt.timedelta())  # naive where an instant is expected
    assert caught.value.param == "at"


def test_descriptors_and_annotations(lib: ferryman.Library) -> None:
    described = {f["name"]: f for f in lib.describe()["functions"]}
    assert [p["type"] for p in described["time_plus"]["params"]] == ["timestamp", "duration"]
    assert described["time_next_day"]["params"][0]["type"] == "date"
    assert described["time_civil_plus"]["params"][0]["type"] == "datetime"
    assert [p["type"] for p in described["jiff_plus"]["params"]] == ["timestamp", "duration"]
    assert described["jiff_next_day"]["returns"]["type"] == {"option": "date"}
    assert described["jiff_civil_plus"]["params"][0]["type"] == "datetime"
    hints = typing.get_type_hints(lib.time_later_than)
    assert hints == {"at": list[dt.datetime], "after": dt.datetime, "return": list[dt.datetime]}
    assert typing.get_type_hints(lib.jiff_scale)["d"] is dt.timedelta
