"""Async functions and streams (tests/fixture/src/async_fns.rs, streams.rs):
this package does not await futures or pull streams yet, so it refuses to
call them with a clear error, and everything else keeps working."""

from __future__ import annotations

import inspect

import pytest

import ferryman


def test_describe_marks_async_functions_and_streams(lib: ferryman.Library) -> None:
    assert lib.handshake()["futures"] is True
    entries = {entry["name"]: entry for entry in lib.describe()["functions"]}
    assert entries["async_add"]["async"] is True
    assert entries["async_add"]["stream"] is False
    assert entries["async_add"]["returns"]["type"] == "i64"
    assert entries["AsyncCounter.add_later"]["async"] is True
    assert entries["stream_count"]["stream"] is True
    assert entries["stream_count"]["returns"]["type"] == {"stream": "i64"}
    assert entries["count_failing"]["error"]["name"] == "BadItem"
    assert entries["async_drops"]["async"] is False


def test_an_async_function_is_refused_by_name(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.UnsupportedFunctionError) as raised:
        lib.async_add(1, 2)
    message = str(raised.value)
    assert message.startswith("`async_add()` is an async function; ")
    assert "async functions need a host that supports them" in message
    assert raised.value.function == "async_add"
    assert isinstance(raised.value, NotImplementedError)


def test_a_stream_is_refused_by_name(lib: ferryman.Library) -> None:
    with pytest.raises(ferryman.UnsupportedFunctionError, match="streams need a host that supports them"):
        lib.stream_count(3)


def test_an_async_method_is_refused(lib: ferryman.Library) -> None:
    counter = lib.AsyncCounter(1)
    with pytest.raises(ferryman.UnsupportedFunctionError, match=r"`AsyncCounter\.add_later\(\)` is an async"):
        counter.add_later(1, 2)


def test_refused_functions_keep_their_signature_and_doc(lib: ferryman.Library) -> None:
    assert str(inspect.signature(lib.async_sleep)) == "(ms: int, value: str) -> str"
    assert lib.async_sleep.__doc__ == "Waits `ms` milliseconds on tokio's timer, then answers `value`."


def test_sync_functions_next_to_them_work(lib: ferryman.Library) -> None:
    assert lib.async_drops() >= 0
    assert lib.ticker_report() == (0, False, False) or isinstance(lib.ticker_report(), tuple)
