"""The classes a library exports (describe's ``classes``): one subclass of
:class:`ferryman.RustObject` per class, made once when the library loads,
with its constructor, methods, static methods and opted-in protocols."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import _native

__all__ = ["attach_members", "class_entries", "make_classes", "member_name"]


def class_entries(description: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Describe's ``classes``, in id order (empty for a library without objects)."""
    entries = description.get("classes")
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)]


def member_name(entry: Mapping[str, Any]) -> str | None:
    """``add`` for the function entry ``Counter.add`` of a class; ``None`` for a free function."""
    owner = entry.get("class")
    name = entry.get("name")
    if not isinstance(owner, str) or not isinstance(name, str):
        return None
    prefix = owner + "."
    return name[len(prefix) :] if name.startswith(prefix) else name


def make_classes(entries: Sequence[Mapping[str, Any]], module: str) -> list[type[_native.RustObject]]:
    """An empty class per entry (members come later: their signatures name the
    classes); instances keep only the native handle (no ``__dict__``), and
    those of a class with the ``hash`` protocol the last hash, for after
    ``close()``."""
    classes = []
    for entry in entries:
        doc = entry.get("doc")
        protocols = entry.get("protocols")
        hashed = isinstance(protocols, list) and "hash" in protocols
        cls = _native.object_class(module, entry["name"], hashed)
        cls.__doc__ = inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None
        cls._ferryman_new = None  # type: ignore[attr-defined]
        classes.append(cls)
    return classes


def attach_members(
    cls: type[_native.RustObject],
    entry: Mapping[str, Any],
    by_id: Mapping[int, Any],
) -> None:
    """Puts the class's constructor, methods, statics and protocols on it."""
    protocols = entry.get("protocols")
    protocols = set(protocols) if isinstance(protocols, list) else set()
    constructor = by_id.get(entry.get("constructor"))  # type: ignore[arg-type]
    if constructor is not None:
        cls._ferryman_new = constructor  # type: ignore[attr-defined]
        sig = getattr(constructor, "__signature__", None)
        if isinstance(sig, inspect.Signature):
            cls.__signature__ = sig.replace(return_annotation=inspect.Signature.empty)  # type: ignore[attr-defined]
    for key, wrap in (("methods", _method), ("statics", staticmethod)):
        ids = entry.get(key)
        for member_id in ids if isinstance(ids, list) else []:
            function = by_id.get(member_id)
            if function is None:
                continue
            name = function.__name__
            for attribute, value in _protocol_members(cls, name, function):
                setattr(cls, attribute, value)
            if not name.startswith("__"):
                setattr(cls, name, wrap(function))
    if "eq" in protocols and "hash" not in protocols:
        # Python's rule: a class that defines equality but not hashing is unhashable.
        cls.__hash__ = None  # type: ignore[assignment]


def _method(function: Any) -> Any:
    return function


def _protocol_members(cls: type, name: str, function: Any) -> list[tuple[str, Any]]:
    """The Python protocol methods made from the member ``name``."""
    if name in ("__str__", "__repr__"):
        return [(name, _text(cls, name, function))]
    if name in ("__hash__", "__iter__"):
        return [(name, function)]
    if name == "__eq__":
        return [("__eq__", _eq(cls, function))]
    if name == "__cmp__":
        return [
            (f"__{op}__", _ordering(cls, function, f"__{op}__", symbol, test))
            for op, symbol, test in _ORDERINGS
        ]
    return []


def _text(cls: type, name: str, text: Callable[[Any], str]) -> Callable[[Any], str]:
    """``__repr__``/``__str__`` from Rust's ``Debug``/``Display``; a closed
    object gets the default repr instead of an error (repr must not fail:
    logging, debuggers and tracebacks call it)."""

    def method(self: Any) -> str:
        if isinstance(self, cls) and self.closed:
            return _native.RustObject.__repr__(self)
        return text(self)

    return _named(method, cls, name, text.__doc__)


def _named(method: Any, cls: type, name: str, doc: str | None) -> Any:
    method.__name__ = name
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    method.__doc__ = doc
    return method


def _eq(cls: type, eq: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if not isinstance(self, cls):
            return eq(self, other)  # the native method's error, naming `self`
        # Another type, or a closed object: Python's default (identity).
        if not isinstance(other, cls) or self.closed or other.closed:
            return NotImplemented
        return eq(self, other)

    return _named(__eq__, cls, "__eq__", eq.__doc__ or "Return self == other (Rust's `PartialEq`).")


_ORDERINGS: tuple[tuple[str, str, Callable[[int], bool]], ...] = (
    ("lt", "<", lambda c: c < 0),
    ("le", "<=", lambda c: c <= 0),
    ("gt", ">", lambda c: c > 0),
    ("ge", ">=", lambda c: c >= 0),
)


def _ordering(
    cls: type,
    cmp: Callable[[Any, Any], int | None],
    name: str,
    symbol: str,
    test: Callable[[int], bool],
) -> Callable[[Any, Any], Any]:
    def compare(self: Any, other: Any) -> Any:
        if not isinstance(self, cls):
            return cmp(self, other)  # the native method's error, naming `self`
        if not isinstance(other, cls) or self.closed or other.closed:
            return NotImplemented
        # `partial_cmp` gave `None`: unordered, like a NaN.
        result = cmp(self, other)
        return result is not None and test(result)

    return _named(compare, cls, name, f"Return self {symbol} other (Rust's `PartialOrd`).")
