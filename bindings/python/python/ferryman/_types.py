"""Type descriptors (``spec/wire.md``) → Python annotations and signatures."""

from __future__ import annotations

import collections.abc as abc
import datetime
import inspect
import os
import pathlib
import types
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ForwardRef, Literal, NewType, Optional, Union, get_args, get_origin

__all__ = [
    "annotation",
    "annotation_text",
    "annotations_of",
    "closure_signature",
    "render",
    "resolving",
    "signature",
]

# How `closure_signature` names types while a library loads (`resolving`).
_NAMED: ContextVar[Callable[[str], Any] | None] = ContextVar("_NAMED", default=None)

_SCALARS: dict[str, Any] = {
    "unit": None,
    "bool": bool,
    "i8": int,
    "i16": int,
    "i32": int,
    "i64": int,
    "i128": int,
    "isize": int,
    "u8": int,
    "u16": int,
    "u32": int,
    "u64": int,
    "u128": int,
    "usize": int,
    "f32": float,
    "f64": float,
    "char": str,
    "str": str,
    "bytes": bytes,
}

# Descriptors whose values are instances of a class outside builtins
# (``spec/wire.md``, "Paths" and "Times"), with that class's import path.
_NATIVE: dict[str, tuple[type, str]] = {
    "path": (pathlib.Path, "pathlib.Path"),
    "duration": (datetime.timedelta, "datetime.timedelta"),
    "timestamp": (datetime.datetime, "datetime.datetime"),
    "date": (datetime.date, "datetime.date"),
    "datetime": (datetime.datetime, "datetime.datetime"),
}
_NATIVE_NAMES: dict[Any, str] = {cls: name for cls, name in _NATIVE.values()}

_MAX_DEPTH = 64


def _single(descriptor: Any) -> tuple[str, Any] | None:
    if isinstance(descriptor, Mapping) and len(descriptor) == 1:
        ((key, inner),) = descriptor.items()
        if isinstance(key, str):
            return key, inner
    return None


def annotation(
    descriptor: Any, named: Callable[[str], Any] | None = None, _depth: int = 0, *, argument: bool = False
) -> Any:
    """The annotation for a type descriptor: ``{"list": "i64"}`` → ``list[int]``,
    ``{"callback": [["i64"], "i64"]}`` → ``Callable[[int], int]``,
    ``{"async_callback": [["i64"], "i64"]}`` → ``Callable[[int], Awaitable[int]]``.

    ``{"named": "Point"}`` becomes ``named("Point")`` — the library's class
    for it (``_records``) — or, without one, the forward reference ``"Point"``;
    unknown descriptors become ``typing.Any``. ``argument``: what a parameter
    accepts, where that is more than a result gives (``"path"``: any
    ``str | os.PathLike[str]``, a result is a ``pathlib.Path``).
    """
    if _depth > _MAX_DEPTH:
        return Any
    if isinstance(descriptor, str):
        if descriptor in _NATIVE:
            if argument and descriptor == "path":
                return Union[str, os.PathLike[str]]  # noqa: UP007 - a value, not an annotation
            return _NATIVE[descriptor][0]
        return _SCALARS.get(descriptor, Any)
    single = _single(descriptor)
    if single is None:
        return Any
    key, inner = single
    depth = _depth + 1
    if key == "list":
        return list[annotation(inner, named, depth, argument=argument)]  # type: ignore[misc]
    if key == "tuple" and isinstance(inner, Sequence) and not isinstance(inner, str):
        if not inner:
            return tuple[()]
        return tuple[tuple(annotation(item, named, depth, argument=argument) for item in inner)]  # type: ignore[misc]
    if key == "map" and isinstance(inner, Sequence) and len(inner) == 2:
        key_annotation = annotation(inner[0], named, depth, argument=argument)
        return dict[key_annotation, annotation(inner[1], named, depth, argument=argument)]  # type: ignore[misc]
    if key == "option":
        inner_annotation = annotation(inner, named, depth, argument=argument)
        if inner_annotation is None:
            return None
        return Optional[inner_annotation]  # noqa: UP045 - forward refs ("Point") need typing.Optional
    if key in ("named", "object") and isinstance(inner, str):
        return named(inner) if named is not None else inner
    if key == "iter":
        return Iterator[annotation(inner, named, depth)]  # type: ignore[misc]
    if key == "stream":
        return AsyncIterator[annotation(inner, named, depth)]  # type: ignore[misc]
    callback = _callback(inner)
    if key == "callback" and callback is not None:
        params, returns = callback
        return Callable[[annotation(param, named, depth) for param in params], annotation(returns, named, depth)]
    if key == "async_callback" and callback is not None:
        # An `async def` (or any callable returning an awaitable) Rust awaits.
        params, returns = callback
        awaited = abc.Awaitable[annotation(returns, named, depth)]  # type: ignore[misc]
        return Callable[[annotation(param, named, depth) for param in params], awaited]
    return Any


def _callback(inner: Any) -> tuple[Sequence[Any], Any] | None:
    """``[[A, B], R]`` of a ``{"callback": …}`` descriptor as (params, returns)."""
    if isinstance(inner, Sequence) and not isinstance(inner, str) and len(inner) == 2:
        params, returns = inner
        if isinstance(params, Sequence) and not isinstance(params, str):
            return params, returns
    return None


def annotation_text(descriptor: Any) -> str:
    """The annotation as it reads in source: ``list[int]``, ``Point | None``
    (``render`` of ``annotation``: one mapping, named types by their name)."""
    return render(annotation(descriptor))


def render(
    value: Any,
    name_of: Callable[[Any], str | None] | None = None,
    spell: Callable[[str], str] | None = None,
    _depth: int = 0,
) -> str:
    """An annotation made by ``annotation`` (or ``_records``) as source text.

    ``name_of`` names an object first (a record class, an object class, a
    forward-reference string; ``None``: not one it names); ``spell`` writes
    ``"builtins.int"``, ``"typing.Any"``, ``"collections.abc.Callable"`` …
    (default: the last segment, ``int``, ``Any``, ``Callable``)."""
    spelled = spell or (lambda name: name.rpartition(".")[2])
    if _depth > _MAX_DEPTH:
        return spelled("typing.Any")
    depth = _depth + 1
    if name_of is not None and (isinstance(value, (str, ForwardRef, type)) or _is_alias(value)):
        named = name_of(value.__forward_arg__ if isinstance(value, ForwardRef) else value)
        if named is not None:
            return named
    if value is None or value is type(None):
        return "None"
    if isinstance(value, str):
        return value
    if isinstance(value, ForwardRef):
        return value.__forward_arg__
    if value is Any:
        return spelled("typing.Any")
    if isinstance(value, NewType):
        return str(value.__name__)
    origin = get_origin(value)
    args = get_args(value)
    if origin is Union or origin is types.UnionType:
        return " | ".join(render(arg, name_of, spell, depth) for arg in args)
    if origin is Literal:
        return f"{spelled('typing.Literal')}[{', '.join(repr(arg) for arg in args)}]"
    if origin is abc.Callable and len(args) == 2 and isinstance(args[0], list):
        params = ", ".join(render(param, name_of, spell, depth) for param in args[0])
        return f"{spelled('collections.abc.Callable')}[[{params}], {render(args[1], name_of, spell, depth)}]"
    if origin is abc.Iterator and len(args) == 1:
        return f"{spelled('collections.abc.Iterator')}[{render(args[0], name_of, spell, depth)}]"
    if origin is abc.Awaitable and len(args) == 1:
        return f"{spelled('collections.abc.Awaitable')}[{render(args[0], name_of, spell, depth)}]"
    if origin is abc.AsyncIterator and len(args) == 1:
        return f"{spelled('collections.abc.AsyncIterator')}[{render(args[0], name_of, spell, depth)}]"
    if origin is os.PathLike and len(args) == 1:
        return f"{spelled('os.PathLike')}[{render(args[0], name_of, spell, depth)}]"
    if origin in (list, dict, tuple):
        inner = ", ".join(render(arg, name_of, spell, depth) for arg in args) if args else "()"
        return f"{spelled('builtins.' + origin.__name__)}[{inner}]"
    if isinstance(value, type) and value in _NATIVE_NAMES:
        return spelled(_NATIVE_NAMES[value])
    if value in _SCALARS.values() and isinstance(value, type):
        return spelled("builtins." + value.__name__)
    return spelled("typing.Any")


def _is_alias(value: Any) -> bool:
    """A ``tuple[int, str]`` alias or a ``NewType`` (records name them too)."""
    return isinstance(value, (types.GenericAlias, NewType))


def _type_of(entry: Any) -> Any:
    return entry.get("type") if isinstance(entry, Mapping) else None


def _default(param: Any) -> Any:
    """A parameter's default (describe's ``default``: absent when required)."""
    if isinstance(param, Mapping) and "default" in param:
        return param["default"]
    return inspect.Parameter.empty


def _default_text(param: Any) -> str:
    default = _default(param)
    return "" if default is inspect.Parameter.empty else f" = {default!r}"


def signature(
    description: Mapping[str, Any], named: Callable[[str], Any] | None = None
) -> tuple[inspect.Signature | None, str]:
    """The ``inspect.Signature`` of one describe entry (``None`` when the Rust
    parameter names are not valid Python ones) and its text,
    ``(a: int, b: int) -> int``; ``named`` gives the class of a named type."""
    params = description.get("params")
    params = params if isinstance(params, list) else []
    returns = _type_of(description.get("returns"))
    names: list[str] = [
        str(param["name"]) if isinstance(param, Mapping) and isinstance(param.get("name"), str) else f"arg{index}"
        for index, param in enumerate(params)
    ]
    text = "({}) -> {}".format(
        ", ".join(
            f"{name}: {render(annotation(_type_of(param), argument=True))}{_default_text(param)}"
            for name, param in zip(names, params, strict=True)
        ),
        annotation_text(returns) if returns is not None else "Any",
    )
    try:
        parameters = [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=annotation(_type_of(param), named, argument=True),
                default=_default(param),
            )
            for name, param in zip(names, params, strict=True)
        ]
        result = annotation(returns, named) if returns is not None else inspect.Signature.empty
        return inspect.Signature(parameters, return_annotation=result), text
    except (ValueError, TypeError):
        return None, text


@contextmanager
def resolving(named: Callable[[str], Any]) -> Iterator[None]:
    """While a library's functions are made: the closures' signatures name
    its classes through ``named``."""
    token = _NAMED.set(named)
    try:
        yield
    finally:
        _NAMED.reset(token)


def annotations_of(sig: inspect.Signature) -> dict[str, Any]:
    """``__annotations__`` of a signature: each annotated parameter, and ``return``."""
    hints = {name: param.annotation for name, param in sig.parameters.items()}
    hints["return"] = sig.return_annotation
    return {name: hint for name, hint in hints.items() if hint is not inspect.Parameter.empty}


def closure_signature(params: Sequence[Any], returns: Any) -> inspect.Signature | None:
    """The ``inspect.Signature`` of a returned closure (``RustFunction``) of a
    ``{"callback": [params, returns]}`` descriptor: positional-only ``arg0``,
    ``arg1``… (closures take no keywords)."""
    named = _NAMED.get()
    try:
        parameters = [
            inspect.Parameter(f"arg{index}", inspect.Parameter.POSITIONAL_ONLY, annotation=annotation(param, named))
            for index, param in enumerate(params)
        ]
        return inspect.Signature(parameters, return_annotation=annotation(returns, named))
    except (ValueError, TypeError):
        return None
