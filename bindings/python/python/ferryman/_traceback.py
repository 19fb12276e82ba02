"""Rust frames as real entries of a Python traceback.

A Rust error value carries ``frames`` (outermost first), each with a file, a
line and a function. For each frame we run a one-statement code object whose
file name, line number and name are the Rust ones, catch what it raises and
keep the resulting frame; chaining ``types.TracebackType`` objects over those
frames gives a traceback that ``traceback``, ``pytest``, IDEs and the default
``sys.excepthook`` print like any other::

    File "tests/fixture/src/errors.rs", line 20, in divide

Frames are cached per (file, line, function) and shared by every exception
raised there: a traceback only reads a frame's code and line. The native core
(``src/errors/rust_traceback.rs``) asks :func:`_shared_frame` for each wire frame
once and builds its tracebacks itself. Each is made once,
on a short-lived thread, so the frame's ``f_back`` chain holds that thread's
bootstrap frames and never the frames (and locals) of the code that raised.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["build_traceback", "frame_location"]

_MARKER_NAME = "__ferryman_exception__"


class _Marker(BaseException):
    """Raised by a synthetic frame; never escapes this module."""


_codes: dict[tuple[str, int, str], types.CodeType] = {}
_codes_lock = threading.Lock()
_MAX_CACHED = 4096


def _no_columns(code: types.CodeType) -> bytes:
    """A 3.11+ location table putting every instruction on ``co_firstlineno``,
    without column information (so no ``^^^^`` under the Rust source line)."""
    units = len(code.co_code) // 2
    table = bytearray()
    while units:
        count = min(units, 8)
        # 1 | code 13 ("no column info") | length - 1, then the line delta 0.
        table.append(0x80 | (13 << 3) | (count - 1))
        table.append(0)
        units -= count
    return bytes(table)


def _compile(file: str, line: int, function: str) -> types.CodeType:
    source = f"raise {_MARKER_NAME}"
    if sys.version_info >= (3, 11):
        try:
            code = compile(source, file, "exec")
            code = code.replace(
                co_name=function,
                co_qualname=function,
                co_firstlineno=line,
                co_linetable=_no_columns(code),
            )
            if all(position == (line, line, None, None) for position in code.co_positions()):
                return code
        except (ValueError, TypeError, SyntaxError):  # pragma: no cover - defensive
            pass
    code = compile("\n" * (line - 1) + source, file, "exec")
    if sys.version_info >= (3, 11):
        return code.replace(co_name=function, co_qualname=function)
    return code.replace(co_name=function)


def _code_for(file: str, line: int, function: str) -> types.CodeType:
    key = (file, line, function)
    code = _codes.get(key)
    if code is None:
        code = _compile(file, line, function)
        with _codes_lock:
            if len(_codes) >= _MAX_CACHED:
                _codes.clear()
            _codes[key] = code
    return code


def _frame(code: types.CodeType) -> tuple[types.FrameType, int]:
    """Runs ``code`` and returns the frame it raised in and its last instruction."""
    try:
        exec(code, {_MARKER_NAME: _Marker, "__builtins__": {}, "__name__": "rust"})
    except _Marker as marker:
        inner = marker.__traceback__.tb_next  # type: ignore[union-attr]
        assert inner is not None
        try:
            return inner.tb_frame, inner.tb_lasti
        finally:
            # The frame returned points back at this one: drop what would
            # make that a reference cycle.
            marker.__traceback__ = None
            del inner
    raise AssertionError("unreachable: the synthetic frame did not raise")  # pragma: no cover


def frame_location(frame: Mapping[str, Any]) -> tuple[str, int, str]:
    """(file, line, function) of one wire frame, with defaults for missing keys."""
    file = frame.get("file")
    line = frame.get("line")
    function = frame.get("function")
    if not isinstance(file, str) or not file:
        file = "<rust>"
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        line = 1
    if not isinstance(function, str) or not function:
        function = "<rust>"
    return file, min(line, 1_000_000), function


_frames: dict[tuple[str, int, str], tuple[types.FrameType, int]] = {}


def _shared_frame(file: str, line: int, function: str) -> tuple[types.FrameType, int]:
    key = (file, line, function)
    made = _frames.get(key)
    if made is not None:
        return made
    code = _code_for(file, line, function)
    box: list[tuple[types.FrameType, int]] = []
    try:
        maker = threading.Thread(target=lambda: box.append(_frame(code)), name="ferryman-frames")
        maker.start()
        maker.join()
    except RuntimeError:  # no threads now (interpreter shutting down): a fresh frame
        return _frame(code)
    if not box:  # pragma: no cover - the thread failed
        return _frame(code)
    with _codes_lock:
        if len(_frames) >= _MAX_CACHED:
            _frames.clear()
        _frames[key] = box[0]
    return box[0]


def build_traceback(
    frames: Iterable[Mapping[str, Any]], tail: types.TracebackType | None = None
) -> types.TracebackType | None:
    """A traceback whose entries are ``frames`` (outermost first, as on the wire),
    followed by the entries of ``tail`` (a callback's own traceback, say)."""
    tb: types.TracebackType | None = tail
    for wire_frame in reversed(list(frames)):
        if not isinstance(wire_frame, dict):
            continue
        file, line, function = frame_location(wire_frame)
        frame, lasti = _shared_frame(file, line, function)
        tb = types.TracebackType(tb, frame, lasti, line)
        del frame
    try:
        return tb
    finally:
        del tb
