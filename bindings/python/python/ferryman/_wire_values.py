"""Python values that travel in a wire form of their own (``spec/wire.md``,
"Paths", "Times" and "Records from objects"), both ways.

The native encoder asks ``to_wire`` about an object it does not know (never
about ``int``, ``str``, ``list``… nor on the common path), and the decoder
hands ``from_wire`` a value whose type descriptor is ``"path"``,
``"duration"``, ``"timestamp"``, ``"date"`` or ``"datetime"``."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import pathlib
import re
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["from_wire", "to_wire"]

# `to_wire`'s answer for an object it has no wire form for.
_UNKNOWN: Any = NotImplemented

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def to_wire(value: Any) -> Any:
    """What to send instead of ``value``: a str for an ``os.PathLike`` and
    for dates and times, ``[secs, nanos]`` for a ``timedelta``, a dict of the
    fields for a dataclass or attrs instance, a float or bool for a numpy
    scalar; ``NotImplemented`` for anything else. A path that is not valid
    UTF-8 raises ``ValueError``."""
    if isinstance(value, _dt.datetime):
        return _datetime_text(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        # Whole seconds rounded down and the nanoseconds after them, as
        # timedelta keeps them: -1.5 s is [-2, 500000000].
        return [value.days * 86_400 + value.seconds, value.microseconds * 1000]
    if isinstance(value, os.PathLike):
        return _path_text(value)
    fields = _record_fields(value)
    if fields is not None:
        return fields
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.floating):
            return float(value)
        if isinstance(value, numpy.bool_):
            return bool(value)
    return _UNKNOWN


def _datetime_text(value: _dt.datetime) -> str:
    """RFC 3339: an aware datetime as its UTC instant (``…Z``), a naive one
    without an offset (``"datetime"``)."""
    offset = value.utcoffset()
    if offset is None:
        return value.isoformat()
    utc = (value - offset).replace(tzinfo=None)
    return utc.isoformat() + "Z"


def _path_text(value: os.PathLike[Any]) -> str:
    path = os.fspath(value)
    if isinstance(path, bytes):
        try:
            return path.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"a path that is not valid UTF-8 ({path!r}): paths travel as UTF-8 text") from None
    if isinstance(path, str):
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            # os.fsdecode keeps undecodable bytes as lone surrogates.
            raise ValueError(
                f"a path that is not valid UTF-8 ({path!r}): paths travel as UTF-8 text"
            ) from None
        return path
    raise TypeError(f"{type(value).__name__}.__fspath__ returned {type(path).__name__}, not str or bytes")


def _record_fields(value: Any) -> dict[str, Any] | None:
    """The fields of a dataclass or attrs instance, by name (not recursive:
    the encoder meets nested ones in turn)."""
    kind = type(value)
    if dataclasses.is_dataclass(kind):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    attributes = getattr(kind, "__attrs_attrs__", None)
    if attributes is not None and not isinstance(value, type):
        return {attribute.name: getattr(value, attribute.name) for attribute in attributes}
    return None


# RFC 3339 (and the naive form without an offset); fractions of up to 9 digits;
# RFC 9557's time zone in brackets after an offset (jiff's `Zoned`), then any
# `[key=value]` annotations.
_TIME = re.compile(
    r"(?P<date>[+-]?\d{4,}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
    r"(?:\[!?(?P<zone>[^\]=]+)\])?(?:\[!?[^\]]+=[^\]]*\])*"
)


def from_wire(kind: str, value: Any) -> Any:
    """A decoded value of descriptor ``kind`` as the Python type it stands
    for; a value not in the expected form is returned as it is (a user type
    that happens to share a time type's name)."""
    try:
        if kind == "path":
            return pathlib.Path(value) if isinstance(value, str) else value
        if kind == "duration":
            return _duration(value)
        if kind == "timestamp":
            return _timestamp(value)
        if kind == "date":
            if isinstance(value, str):
                return _dt.date.fromisoformat(value)
            return _time_crate_date(value)
        if kind == "datetime":
            if isinstance(value, str):
                return _parse_time(value, aware=False)
            return _time_crate_datetime(value, 6)
    except (ValueError, OverflowError, TypeError):
        return value
    return value


def _seconds_and_nanos(value: Any, names: tuple[str, str]) -> tuple[int, int] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        secs, nanos = value
    elif isinstance(value, Mapping) and len(value) == 2 and all(name in value for name in names):
        secs, nanos = value[names[0]], value[names[1]]
    else:
        return None
    if isinstance(secs, int) and isinstance(nanos, int):
        return secs, nanos
    return None


def _duration(value: Any) -> Any:
    """``[secs, nanos]``, std's ``{"secs", "nanos"}`` or jiff's ISO 8601
    text (``-PT1H30M0.5S``): a ``timedelta`` (whole microseconds: the
    nanoseconds below one are dropped)."""
    if isinstance(value, str):
        return _iso_duration(value)
    pair = _seconds_and_nanos(value, ("secs", "nanos"))
    if pair is None:
        return value
    secs, nanos = pair
    return _dt.timedelta(seconds=secs, microseconds=nanos // 1000)


_ISO_DURATION = re.compile(
    r"(?P<sign>[+-]?)PT(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)(?:\.(?P<frac>\d{1,9}))?S)?",
    re.IGNORECASE,
)


def _iso_duration(text: str) -> Any:
    match = _ISO_DURATION.fullmatch(text)
    if match is None or text[-1] in "Tt":
        return text
    nanos = int((match["frac"] or "0").ljust(9, "0"))
    span = _dt.timedelta(
        hours=int(match["h"] or 0),
        minutes=int(match["m"] or 0),
        seconds=int(match["s"] or 0),
        microseconds=nanos // 1000,
    )
    return -span if match["sign"] == "-" else span


def _ints(value: Any, count: int) -> list[int] | None:
    if isinstance(value, (list, tuple)) and len(value) == count and all(type(n) is int for n in value):
        return list(value)
    return None


def _time_crate_date(value: Any) -> Any:
    """The ``time`` crate's ``Date``: ``[year, day of year]``."""
    ints = _ints(value, 2)
    if ints is None:
        return value
    year, ordinal = ints
    return _dt.date(year, 1, 1) + _dt.timedelta(days=ordinal - 1)


def _time_crate_datetime(value: Any, count: int) -> Any:
    """The ``time`` crate's ``PrimitiveDateTime`` (``[year, day of year,
    hour, minute, second, nanosecond]``) as a naive ``datetime``, or its
    ``OffsetDateTime`` (the same and ``offset hours, minutes, seconds``) as
    an aware one."""
    ints = _ints(value, count)
    if ints is None:
        return value
    date = _time_crate_date(ints[:2])
    hour, minute, second, nanos = ints[2:6]
    tz = None
    if count == 9:
        offset = _dt.timedelta(hours=ints[6], minutes=ints[7], seconds=ints[8])
        tz = _dt.timezone.utc if not offset else _dt.timezone(offset)
    return _dt.datetime(date.year, date.month, date.day, hour, minute, second, nanos // 1000, tzinfo=tz)


def _timestamp(value: Any) -> Any:
    """RFC 3339 text, ``SystemTime``'s ``{"secs_since_epoch",
    "nanos_since_epoch"}`` or the ``time`` crate's ``OffsetDateTime`` tuple:
    an aware ``datetime`` (UTC, or the value's offset)."""
    if isinstance(value, str):
        return _parse_time(value, aware=True)
    if isinstance(value, (list, tuple)) and len(value) == 9:
        return _time_crate_datetime(value, 9)
    pair = _seconds_and_nanos(value, ("secs_since_epoch", "nanos_since_epoch"))
    if pair is None:
        return value
    secs, nanos = pair
    return _EPOCH + _dt.timedelta(seconds=secs, microseconds=nanos // 1000)


def _parse_time(text: str, aware: bool) -> Any:
    match = _TIME.fullmatch(text)
    if match is None:
        return text
    date = _dt.date.fromisoformat(match["date"])
    second = min(int(match["s"]), 59)  # a leap second: the last one before it
    micro = int((match["frac"] or "0").ljust(9, "0")[:6])
    offset = match["offset"]
    if offset is None:
        if aware:
            return text
        tz = None
    elif offset in ("Z", "z"):
        tz = _dt.timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        delta = _dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        tz = _dt.timezone.utc if not delta else _dt.timezone(sign * delta)
    if tz is not None and not aware:
        return text
    at = _dt.datetime(date.year, date.month, date.day, int(match["h"]), int(match["m"]), second, micro, tzinfo=tz)
    zone = match["zone"]
    if zone is None or tz is None:
        return at if zone is None else text
    named = _zone(zone)
    # The same instant in the named zone; its offset, when there is no such
    # zone here (an offset in brackets, a POSIX rule, no tz database).
    return at.astimezone(named) if named is not None else at


def _zone(name: str) -> Any:
    """``zoneinfo.ZoneInfo(name)`` for an IANA name this Python knows, else
    ``None`` (an offset such as ``+02:00``, a POSIX rule, no tz database)."""
    if name[:1] in "+-":
        return None
    if name == "UTC":
        return _dt.timezone.utc
    try:
        import zoneinfo

        return zoneinfo.ZoneInfo(name)
    except (ImportError, ValueError, KeyError, OSError):
        return None
