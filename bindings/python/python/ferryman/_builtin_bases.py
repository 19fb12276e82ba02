"""The Python classes a Rust error is raised as besides its own
(``spec/wire.md``, "Error bases" and ``os_error``).

- An error type's *base* (``#[ferryman::error(base = "value")]``; ``os`` for
  ``std::io::Error``) makes its class a subclass of the matching builtin
  (``ValueError``): ``except ValueError`` catches it, and so does
  ``except lib.errors.MyError``.
- An error value with an ``os_error`` (an ``std::io::Error``, also boxed) is
  raised as a subclass of its type's class and of the ``OSError`` subclass for
  its ``errno`` — the one ``OSError(errno, ...)`` itself picks — or, without
  an ``errno``, for its ``io::ErrorKind``. The exception's ``errno`` and
  ``strerror`` are set (``strerror`` from ``os.strerror``, when there is an
  ``errno``); ``filename`` stays ``None`` (``io::Error`` has none). ``str(e)``
  is still the Rust message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["BASES", "base_class", "os_class", "set_os_attributes", "with_builtin"]

# The categories of spec/wire.md, "Error bases", and their Python classes.
BASES: dict[str, type[Exception]] = {
    "value": ValueError,
    "type": TypeError,
    "key": KeyError,
    "index": IndexError,
    "lookup": LookupError,
    "arithmetic": ArithmeticError,
    "overflow": OverflowError,
    "zero_division": ZeroDivisionError,
    "not_implemented": NotImplementedError,
    "runtime": RuntimeError,
    "timeout": TimeoutError,
    "permission": PermissionError,
    "not_found": FileNotFoundError,
    "already_exists": FileExistsError,
    "connection": ConnectionError,
    "os": OSError,
}

# `io::ErrorKind` (snake case) → the class Python uses for the same condition,
# for an `io::Error` without an errno.
_KINDS: dict[str, type[OSError]] = {
    "not_found": FileNotFoundError,
    "permission_denied": PermissionError,
    "already_exists": FileExistsError,
    "timed_out": TimeoutError,
    "connection_refused": ConnectionRefusedError,
    "connection_reset": ConnectionResetError,
    "connection_aborted": ConnectionAbortedError,
    "broken_pipe": BrokenPipeError,
    "would_block": BlockingIOError,
    "interrupted": InterruptedError,
    "not_a_directory": NotADirectoryError,
    "is_a_directory": IsADirectoryError,
}


def base_class(base: object) -> type[Exception] | None:
    """The builtin for a ``base`` category; ``None`` for nil or one this
    package does not know (the spec says to ignore it)."""
    return BASES.get(base) if isinstance(base, str) else None


def _errno(os_error: Mapping[str, Any]) -> int | None:
    errno = os_error.get("errno")
    return errno if isinstance(errno, int) and not isinstance(errno, bool) else None


def os_class(os_error: object) -> type[OSError] | None:
    """The ``OSError`` subclass for an ``os_error`` map, ``None`` for nil."""
    if not isinstance(os_error, Mapping):
        return None
    errno = _errno(os_error)
    if errno is not None:
        # What `OSError(errno, ...)` picks is Python's own errno table.
        return type(OSError(errno, ""))
    kind = os_error.get("kind")
    return _KINDS.get(kind, OSError) if isinstance(kind, str) else OSError


def set_os_attributes(exception: BaseException, os_error: object) -> None:
    """``errno`` and ``strerror`` of an ``OSError`` built for ``os_error``."""
    if not isinstance(exception, OSError) or not isinstance(os_error, Mapping):
        return
    errno = _errno(os_error)
    exception.errno = errno
    if errno is not None:
        try:
            exception.strerror = os.strerror(errno)
        except ValueError:  # a number this platform does not know
            exception.strerror = None


_LOCK = threading.Lock()
# (class, builtin) → their subclass, for classes that are not a library's.
_MIXED: dict[tuple[type, type], type] = {}


def with_builtin(cls: type, builtin: type[BaseException]) -> type:
    """``cls`` when it already is a ``builtin``, else the subclass of both,
    made once (kept on the class for a library's error classes):
    ``__qualname__`` ``Error.FileNotFoundError``."""
    if issubclass(cls, builtin):
        return cls
    own = cls.__dict__.get("_ferryman_builtins")
    cache: dict[Any, type] = own if isinstance(own, dict) else _MIXED
    key: Any = builtin if own is not None else (cls, builtin)
    found = cache.get(key)
    if found is not None:
        return found
    with _LOCK:
        found = cache.get(key)
        if found is None:
            found = type(cls)(
                builtin.__name__,
                (cls, builtin),
                {
                    "__module__": cls.__module__,
                    "__qualname__": f"{cls.__qualname__}.{builtin.__name__}",
                    "__doc__": cls.__doc__,
                    "_ferryman_builtin": builtin.__name__,
                    "_ferryman_builtins": {},
                },
            )
            cache[key] = found
    return found
