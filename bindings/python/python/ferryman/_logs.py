"""Rust logs in :mod:`logging` (``spec/abi.md``, "Logs").

Each loaded library sends its ``log`` / ``tracing`` records to an emitter made
here, called from whichever Rust thread logged (it takes the GIL like any
callback). A record becomes a :class:`logging.LogRecord` of the logger named
after its Rust target: ``textkit::tokenizer`` → ``textkit.tokenizer``. A
target outside the library's own crate (a dependency's, ``tracing::span``, or
a custom ``target:``) is put under the library's logger:
``textkit.hyper.client``; so ``logging.getLogger("textkit")`` governs
everything a library logs.

A disabled level costs no crossing: each library caches the most verbose level
any of its loggers has enabled (``ferryman_log_level``), refreshed at load and
whenever :mod:`logging` clears its level cache (``Logger.setLevel``,
``logging.disable``, ``basicConfig``, ``dictConfig``, ``fileConfig``).
Anything else (assigning ``logger.level`` directly) is seen at the next of
those, or at :func:`sync_log_levels`. A record the cache lets through but
its own logger does not want is dropped here.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["TRACE", "connect", "logger_name", "sync_log_levels"]

#: Rust's ``trace``, below :data:`logging.DEBUG`.
TRACE = 5
if logging.getLevelName(TRACE) == f"Level {TRACE}":
    logging.addLevelName(TRACE, "TRACE")

#: Wire level (1 error … 5 trace) → logging level.
_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG, 5: TRACE}

#: Connected libraries, for re-syncing levels: path → (native library, logger
#: prefix). A library has one connection (the last load's), and is never unloaded.
_connected: dict[str, tuple[Any, str]] = {}
_lock = threading.Lock()


def logger_name(prefix: str, target: str) -> str:
    """The logger of a record with Rust ``target`` from library ``prefix``."""
    name = target.replace("::", ".") if target else prefix
    if name != prefix and not name.startswith(prefix + "."):
        name = f"{prefix}.{name}"
    return name


def connect(native: Any, library_name: str) -> str:
    """Connects ``native`` (a ``_native.Library``) to :mod:`logging`; returns
    its answer (``"sending"``, ``"not offered"``, ``"refused"``)."""
    prefix = library_name.replace("-", "_")
    answer: str = native.connect_logs(_Emitter(prefix), _max_level(prefix))
    if answer == "sending":
        with _lock:
            _connected[native.path] = (native, prefix)
        _hook_level_changes()
    return answer


def sync_log_levels() -> None:
    """Tells every loaded library which Rust levels :mod:`logging` wants now.

    Runs by itself whenever a level changes through :mod:`logging`'s API;
    call it after changing levels some other way.
    """
    with _lock:
        connected = list(_connected.values())
    for native, prefix in connected:
        native.set_log_level(_max_level(prefix))


def _max_level(prefix: str) -> int:
    """The most verbose wire level any logger under ``prefix`` wants: 0 (off) to 5."""
    manager = logging.Logger.manager
    loggers = [logging.getLogger(prefix)]
    for name, logger in list(manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.startswith(prefix + "."):
            loggers.append(logger)
    lowest = min(logger.getEffectiveLevel() for logger in loggers)
    lowest = max(lowest, manager.disable + 1)
    wanted = [wire for wire, level in _LEVELS.items() if level >= lowest]
    return max(wanted, default=0)


_hooked = False


def _hook_level_changes() -> None:
    """Re-syncs the libraries whenever :mod:`logging` clears its level cache,
    which every level change through its API does."""
    global _hooked
    manager = logging.Logger.manager
    original: Callable[[], None] | None = getattr(manager, "_clear_cache", None)
    if _hooked or original is None:
        return
    _hooked = True

    def clear_cache() -> None:
        original()
        sync_log_levels()

    setattr(manager, "_clear_cache", clear_cache)


class _Emitter:
    """What a library calls with each record (a dict, ``spec/abi.md``, "Logs")."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, record: Mapping[str, Any]) -> None:
        # A failing handler or filter must not fail the Rust code that
        # logged: reported the way logging reports its handlers' errors.
        try:
            self._emit(record)
        except Exception:
            if logging.raiseExceptions and sys.stderr is not None:
                sys.stderr.write("--- Logging error (a Rust log record from ferryman) ---\n")
                import traceback

                traceback.print_exc(file=sys.stderr)

    def _emit(self, record: Mapping[str, Any]) -> None:
        level = _LEVELS.get(record.get("level"), logging.INFO)  # type: ignore[arg-type]
        name = logger_name(self.prefix, str(record.get("target") or ""))
        logger = logging.getLogger(name)
        if not logger.isEnabledFor(level):
            return
        file = record.get("file")
        line = record.get("line")
        made = logger.makeRecord(
            name,
            level,
            file if isinstance(file, str) else "(rust)",
            line if isinstance(line, int) else 0,
            str(record.get("message", "")),
            (),
            None,
        )
        module = record.get("module")
        if isinstance(module, str):
            made.rust_module = module
        made.rust_target = record.get("target")
        _set_thread(made, record)
        logger.handle(made)


def _set_thread(made: logging.LogRecord, record: Mapping[str, Any]) -> None:
    """The Rust thread that logged, not the one delivering: a Python thread's
    ident and name when it is one (POSIX: ``thread_id`` is ``pthread_self``),
    else the Rust thread's name (or ``rust-<id>``)."""
    ident = record.get("thread_id")
    name = record.get("thread")
    if not isinstance(ident, int):
        return
    made.thread = ident
    python_thread = None
    if os.name == "posix":
        # Not the placeholder `threading` makes for a foreign thread (a Rust
        # thread that took the GIL): that one has no name of its own.
        dummy = getattr(threading, "_DummyThread", ())
        python_thread = next(
            (t for t in threading.enumerate() if t.ident == ident and not isinstance(t, dummy)),
            None,
        )
    if python_thread is not None:
        made.threadName = python_thread.name
    else:
        made.threadName = name if isinstance(name, str) else f"rust-{ident}"

