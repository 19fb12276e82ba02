"""Times (spec/wire.md, "Times"): ``timedelta``, ``datetime`` and ``date``
for std's ``Duration`` and ``SystemTime`` and chrono's ``DateTime<Utc>``,
``NaiveDate``, ``NaiveDateTime`` and ``TimeDelta``, both ways, at any depth."""

from __future__ import annotations

import datetime as dt
import typing

import msgpack
import pytest

import ferryman

UTC = dt.timezone.utc
AT = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_std_durations(lib: ferryman.Library) -> None:
    result = lib.scale_duration(dt.timedelta(seconds=1.5), 3)
    assert type(result) is dt.timedelta and result == dt.timedelta(seconds=4.5)
    assert lib.duration_seconds(dt.timedelta(milliseconds=250)) == 0.25
    assert lib.duration_seconds(dt.timedelta(days=2, microseconds=1)) == 172_800.000001
    # The wire form itself is accepted too.
    assert lib.duration_seconds([2, 500_000_000]) == 2.5


def test_a_negative_std_duration_is_refused_naming_the_parameter(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError) as caught:
        lib.duration_seconds(dt.timedelta(seconds=-1))
    assert caught.value.param == "d" and caught.value.function == "duration_seconds"


def test_system_times(lib: ferryman.Library) -> None:
    echoed = lib.echo_system_time(AT)
    assert echoed == AT and echoed.tzinfo is not None and echoed.utcoffset() == dt.timedelta(0)
    assert lib.seconds_since_epoch(AT) == pytest.approx(1_714_564_800.123456)
    # Another offset is the same instant.
    plus_two = AT.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert lib.echo_system_time(plus_two) == AT
    # In a list, with a duration beside it.
    assert lib.later_times([AT, AT], dt.timedelta(hours=1)) == [AT + dt.timedelta(hours=1)] * 2


def test_a_system_time_before_1970_or_naive_is_refused(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.ArgumentError, match="after 1970"):
        lib.echo_system_time(dt.datetime(1969, 12, 31, tzinfo=UTC))
    with pytest.raises(ferryman.ArgumentError, match="RFC 3339"):
        lib.echo_system_time(dt.datetime(2024, 1, 1))


def test_chrono_instants_and_deltas(lib: ferryman.Library) -> None:
    assert lib.echo_utc(AT) == AT
    assert lib.utc_plus(AT, dt.timedelta(days=-1, microseconds=5)) == AT - dt.timedelta(days=1) + dt.timedelta(
        microseconds=5
    )
    # chrono's TimeDelta is signed.
    assert lib.scale_delta(dt.timedelta(seconds=-1.5), 3) == dt.timedelta(seconds=-4.5)
    assert lib.scale_delta(dt.timedelta(microseconds=1), -1) == dt.timedelta(microseconds=-1)


def test_chrono_dates_and_naive_times(lib: ferryman.Library) -> None:
    assert lib.next_day(dt.date(2024, 2, 28)) == dt.date(2024, 2, 29)
    assert type(lib.next_day(dt.date(2024, 2, 28))) is dt.date
    result = lib.naive_plus(dt.datetime(2024, 1, 1, 23, 59, 0, 500), 120)
    assert result == dt.datetime(2024, 1, 2, 0, 1, 0, 500) and result.tzinfo is None
    assert lib.date_of(dt.datetime(2024, 1, 1, 5)) == dt.date(2024, 1, 1)


def test_annotations(lib: ferryman.Library) -> None:
    assert typing.get_type_hints(lib.scale_duration) == {"d": dt.timedelta, "k": int, "return": dt.timedelta}
    assert typing.get_type_hints(lib.echo_utc)["return"] is dt.datetime
    assert typing.get_type_hints(lib.next_day)["return"] == typing.Optional[dt.date]
    assert typing.get_type_hints(lib.later_times)["at"] == list[dt.datetime]


def test_the_wire_forms(lib: ferryman.Library) -> None:
    """What crosses, as spec/wire.md's table says: descriptors, and the bytes
    of a SystemTime result (std's serde map, which the host converts)."""
    described = {f["name"]: f for f in lib.describe()["functions"]}
    assert described["scale_duration"]["params"][0]["type"] == "duration"
    assert described["echo_system_time"]["returns"]["type"] == "timestamp"
    assert described["echo_utc"]["returns"]["type"] == "timestamp"
    assert described["next_day"]["returns"]["type"] == {"option": "date"}
    assert described["naive_plus"]["params"][0]["type"] == "datetime"
    assert described["utc_plus"]["params"][1]["type"] == "duration"
    packed = ferryman._native.pack([AT, dt.timedelta(seconds=-1.5), dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3)])
    assert msgpack.unpackb(packed) == [
        "2024-05-01T12:00:00.123456Z",
        [-2, 500_000_000],
        "2024-01-02",
        "2024-01-02T03:00:00",
    ]
