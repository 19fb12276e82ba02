"""Paths and times inside named types and containers (spec/wire.md, "Paths",
"Times", "Named types"): a record's ``PathBuf``, ``Duration``,
``SystemTime``, chrono, ``time`` and jiff fields arrive as ``pathlib.Path``,
``timedelta``, ``datetime`` and ``date`` at any depth — struct fields, tuple
structs, newtypes, enum variants, lists, options and maps — and are sent
from the same types inside a dict or a dataclass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import typing

import pytest

import ferryman
from ferryman._wire_values import from_wire

UTC = dt.timezone.utc
AT = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def entry(**changes: typing.Any) -> dict[str, typing.Any]:
    fields: dict[str, typing.Any] = {
        "path": pathlib.Path("/srv/data.txt"),
        "age": dt.timedelta(seconds=90, microseconds=5),
        "modified": AT,
        "day": dt.date(2024, 2, 29),
        "seen": AT + dt.timedelta(hours=1),
        "local": dt.datetime(2024, 5, 1, 8, 30, 0, 250000),
        "others": [pathlib.Path("/a"), "/b"],
        "timeout": None,
        "by_name": {"first": AT, "second": AT - dt.timedelta(days=1)},
        "opens": "08:30:00",
        "size": 7,
        "ratio": 0.5,
        "pair": (1, pathlib.Path("/p")),
    }
    fields.update(changes)
    return fields


def test_a_records_fields_are_pythons_own_types(lib: ferryman.Library) -> None:
    result = lib.echo_file_entry(entry())
    assert result == {
        "path": pathlib.Path("/srv/data.txt"),
        "age": dt.timedelta(seconds=90, microseconds=5),
        "modified": AT,
        "day": dt.date(2024, 2, 29),
        "seen": AT + dt.timedelta(hours=1),
        "local": dt.datetime(2024, 5, 1, 8, 30, 0, 250000),
        "others": [pathlib.Path("/a"), pathlib.Path("/b")],
        "timeout": None,
        "by_name": {"first": AT, "second": AT - dt.timedelta(days=1)},
        "opens": "08:30:00",
        "size": 7,
        "ratio": 0.5,
        # A tuple inside a named type stays a list, as in any record.
        "pair": [1, pathlib.Path("/p")],
    }
    # Equality alone would let a str pass for a path only if it were one.
    assert isinstance(result["path"], pathlib.Path)
    assert all(isinstance(other, pathlib.Path) for other in result["others"])
    assert type(result["day"]) is dt.date and type(result["age"]) is dt.timedelta
    assert result["modified"].tzinfo is not None and result["local"].tzinfo is None
    # An Option holding a Duration.
    assert lib.echo_file_entry(entry(timeout=dt.timedelta(minutes=2)))["timeout"] == dt.timedelta(minutes=2)


def test_records_in_an_option_of_a_list(lib: ferryman.Library) -> None:
    assert lib.echo_file_entries(None) is None
    results = lib.echo_file_entries([entry(), entry(path="/other")])
    assert [result["path"] for result in results] == [pathlib.Path("/srv/data.txt"), pathlib.Path("/other")]
    assert all(type(result["modified"]) is dt.datetime for result in results)


@dataclasses.dataclass
class Entry:
    path: pathlib.Path
    age: dt.timedelta
    modified: dt.datetime
    day: dt.date
    seen: dt.datetime
    local: dt.datetime
    others: list[pathlib.Path]
    timeout: dt.timedelta | None
    by_name: dict[str, dt.datetime]
    opens: str
    size: int
    ratio: float
    pair: tuple[int, pathlib.Path]


def test_a_dataclass_with_paths_and_times_is_sent_as_the_record(lib: ferryman.Library) -> None:
    sent = Entry(**entry(others=[pathlib.Path("/a")], timeout=dt.timedelta(seconds=-0)))
    result = lib.echo_file_entry(sent)
    assert result["path"] == sent.path and result["modified"] == sent.modified
    assert result["others"] == [pathlib.Path("/a")] and result["timeout"] == dt.timedelta(0)


def test_an_aware_time_of_another_offset_in_a_record_is_the_same_instant(lib: ferryman.Library) -> None:
    plus_two = AT.astimezone(dt.timezone(dt.timedelta(hours=2)))
    result = lib.echo_file_entry(entry(modified=plus_two, seen=plus_two))
    assert result["modified"] == AT and result["seen"] == AT


def test_enum_variants_carry_paths_and_times(lib: ferryman.Library) -> None:
    events = [
        "Idle",
        {"Started": AT},
        {"Moved": [pathlib.Path("/from"), "/to"]},
        {"Timed": {"took": dt.timedelta(milliseconds=1500), "at": AT}},
        {"Timed": {"took": dt.timedelta(0), "at": None}},
    ]
    assert lib.echo_events(events) == [
        "Idle",
        {"Started": AT},
        {"Moved": [pathlib.Path("/from"), pathlib.Path("/to")]},
        {"Timed": {"took": dt.timedelta(seconds=1.5), "at": AT}},
        {"Timed": {"took": dt.timedelta(0), "at": None}},
    ]
    moved = lib.echo_events([{"Moved": ["/x", "/y"]}])[0]["Moved"]
    assert all(isinstance(path, pathlib.Path) for path in moved)


def test_tuple_structs_and_newtypes(lib: ferryman.Library) -> None:
    stamped, home = lib.stamp("/home/ann/notes", AT)
    assert stamped == [pathlib.Path("/home/ann/notes"), AT] and isinstance(stamped[0], pathlib.Path)
    assert isinstance(home, pathlib.Path) and home == pathlib.Path("/home/ann")
    # The newtype in an Option: None stays None.
    assert lib.stamp("/", AT)[1] is None


def test_a_recursive_record_converts_at_every_depth(lib: ferryman.Library) -> None:
    node = lib.tree("/r", 4)
    paths = []
    while True:
        paths.append(node["path"])
        if not node["children"]:
            break
        (node,) = node["children"]
    assert paths == [pathlib.Path("/r/" + "/".join(["d"] * n)) if n else pathlib.Path("/r") for n in range(5)]
    assert all(isinstance(path, pathlib.Path) for path in paths)


def test_a_result_deeper_than_the_wire_allows_is_an_error_not_a_crash(lib: ferryman.Library) -> None:
    # A tree of depth d nests 2(d + 1) arrays and maps: 127 is the deepest within 256.
    assert lib.tree("/r", 127)["path"] == pathlib.Path("/r")
    for depth in (128, 20_000):
        with pytest.raises(ferryman.FerrymanError, match="nested deeper than 256 levels"):
            lib.tree("/r", depth)


def test_time_and_jiff_fields(lib: ferryman.Library) -> None:
    sent = {
        "at": AT,
        "day": dt.date(2024, 12, 31),
        "local": dt.datetime(2024, 12, 31, 23, 59, 58, 500000),
        "took": dt.timedelta(seconds=-1.5),
        "jiff_at": AT,
        "jiff_day": dt.date(2024, 1, 1),
        "jiff_local": dt.datetime(2024, 1, 1, 0, 0, 1),
        "jiff_took": dt.timedelta(hours=1, microseconds=1),
        "zoned": AT,
        "span": "P1MT2H",
    }
    result = lib.echo_crate_times(sent)
    assert result == sent
    assert {name: type(value) for name, value in result.items()} == {name: type(value) for name, value in sent.items()}
    assert result["zoned"].utcoffset() == dt.timedelta(0)


def test_jiff_zoned_is_an_aware_datetime_in_its_zone(lib: ferryman.Library) -> None:
    # A zone that is a fixed offset (no tz database in the fixture's jiff).
    result = lib.zoned_at_offset(AT, -3)
    assert result == AT and result.utcoffset() == dt.timedelta(hours=-3)
    assert result.hour == 9
    # Sent: the instant, in its offset (a zone's name does not cross).
    echoed = lib.echo_zoned(AT.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))))
    assert echoed == AT and echoed.utcoffset() == dt.timedelta(0)
    assert lib.echo_zoned("2024-05-01T08:00:00-04:00[-04:00]").utcoffset() == dt.timedelta(hours=-4)


def test_an_iana_zone_becomes_a_zoneinfo() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        new_york = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    result = from_wire("timestamp", "2024-05-01T08:00:00-04:00[America/New_York]")
    assert result == AT.replace(microsecond=0) and result.tzinfo is new_york
    # A name this Python does not know: the text's offset.
    unknown = from_wire("timestamp", "2024-05-01T14:00:00+02:00[Nowhere/Land]")
    assert unknown.utcoffset() == dt.timedelta(hours=2) and unknown == AT.replace(microsecond=0)
    # A critical flag and further annotations are read past.
    assert from_wire("timestamp", "2024-05-01T14:00:00+02:00[!Europe/Paris][u-ca=iso8601]") == AT.replace(
        microsecond=0
    )
    # A zone without an offset, or on a naive time, is not a timestamp.
    assert from_wire("datetime", "2024-05-01T14:00:00[Europe/Paris]") == "2024-05-01T14:00:00[Europe/Paris]"


def test_a_jiff_span_stays_text(lib: ferryman.Library) -> None:
    # Months and days have no fixed length: no timedelta can hold them.
    assert lib.span_of(2, 3) == "P2MT3H"
    assert lib.echo_span("PT2H30M") == "PT2H30M"


def test_describe_gives_the_descriptors_of_fields(lib: ferryman.Library) -> None:
    types = {entry["name"]: entry for entry in lib.describe()["types"]}
    fields = {field["name"]: field["type"] for field in types["FileEntry"]["fields"]}
    assert fields == {
        "path": "path",
        "age": "duration",
        "modified": "timestamp",
        "day": "date",
        "seen": "timestamp",
        "local": "datetime",
        "others": {"list": "path"},
        "timeout": {"option": "duration"},
        "by_name": {"map": ["str", "timestamp"]},
        "opens": "str",
        "size": "u64",
        "ratio": "f64",
        "pair": {"tuple": ["i64", "path"]},
    }
    assert types["Home"] == {"name": "Home", "doc": None, "kind": "newtype_struct", "type": "path"}
    assert types["Stamped"]["items"] == ["path", "timestamp"]
    assert [field["type"] for field in types["CrateTimes"]["fields"]] == [
        "timestamp",
        "date",
        "datetime",
        "duration",
        "timestamp",
        "date",
        "datetime",
        "duration",
        "timestamp",
        "str",
    ]
    # std's own structs are descriptors now, not types; nothing of the
    # tracing's marks shows.
    assert not {"Duration", "SystemTime"} & set(types)
    assert not [name for name in types if name.startswith("ferryman::")]
    functions = {function["name"]: function for function in lib.describe()["functions"]}
    assert functions["echo_zoned"]["returns"]["type"] == "timestamp"
    assert functions["echo_span"]["returns"]["type"] == "str"


def test_record_types_annotate_paths_and_times(lib: ferryman.Library) -> None:
    hints = typing.get_type_hints(lib.types.FileEntry)
    assert hints["path"] is pathlib.Path and hints["others"] == list[pathlib.Path]
    assert hints["modified"] is dt.datetime and hints["day"] is dt.date and hints["age"] is dt.timedelta
    assert hints["by_name"] == dict[str, dt.datetime]
    assert typing.get_type_hints(lib.types.CrateTimes)["zoned"] is dt.datetime
