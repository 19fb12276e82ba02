"""Type descriptors (``spec/wire.md``) → Python annotations and signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Optional

__all__ = ["annotation", "annotation_text", "signature"]

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

_MAX_DEPTH = 64


def _single(descriptor: Any) -> tuple[str, Any] | None:
    if isinstance(descriptor, Mapping) and len(descriptor) == 1:
        ((key, inner),) = descriptor.items()
        if isinstance(key, str):
            return key, inner
    return None


def annotation(descriptor: Any, named: Callable[[str], Any] | None = None, _depth: int = 0) -> Any:
    """The annotation for a type descriptor: ``{"list": "i64"}`` → ``list[int]``,
    ``{"callback": [["i64"], "i64"]}`` → ``Callable[[int], int]``.

    ``{"named": "Point"}`` becomes ``named("Point")`` — the library's class
    for it (``_records``) — or, without one, the forward reference ``"Point"``;
    unknown descriptors become ``typing.Any``.
    """
    if _depth > _MAX_DEPTH:
        return Any
    if isinstance(descriptor, str):
        return _SCALARS.get(descriptor, Any)
    single = _single(descriptor)
    if single is None:
        return Any
    key, inner = single
    depth = _depth + 1
    if key == "list":
        return list[annotation(inner, named, depth)]  # type: ignore[misc]
    if key == "tuple" and isinstance(inner, Sequence) and not isinstance(inner, str):
        if not inner:
            return tuple[()]
        return tuple[tuple(annotation(item, named, depth) for item in inner)]  # type: ignore[misc]
    if key == "map" and isinstance(inner, Sequence) and len(inner) == 2:
        return dict[annotation(inner[0], named, depth), annotation(inner[1], named, depth)]  # type: ignore[misc]
    if key == "option":
        inner_annotation = annotation(inner, named, depth)
        if inner_annotation is None:
            return None
        return Optional[inner_annotation]  # noqa: UP045 - forward refs ("Point") need typing.Optional
    if key in ("named", "object") and isinstance(inner, str):
        return named(inner) if named is not None else inner
    if key == "iter":
        return Iterator[annotation(inner, named, depth)]  # type: ignore[misc]
    callback = _callback(inner)
    if key == "callback" and callback is not None:
        params, returns = callback
        return Callable[[annotation(param, named, depth) for param in params], annotation(returns, named, depth)]
    return Any


def _callback(inner: Any) -> tuple[Sequence[Any], Any] | None:
    """``[[A, B], R]`` of a ``{"callback": …}`` descriptor as (params, returns)."""
    if isinstance(inner, Sequence) and not isinstance(inner, str) and len(inner) == 2:
        params, returns = inner
        if isinstance(params, Sequence) and not isinstance(params, str):
            return params, returns
    return None


def annotation_text(descriptor: Any, _depth: int = 0) -> str:
    """The annotation as it reads in source: ``list[int]``, ``Point | None``."""
    if _depth > _MAX_DEPTH:
        return "Any"
    if isinstance(descriptor, str):
        if descriptor in _SCALARS:
            scalar = _SCALARS[descriptor]
            return "None" if scalar is None else scalar.__name__
        return "Any"
    single = _single(descriptor)
    if single is None:
        return "Any"
    key, inner = single
    depth = _depth + 1
    if key == "list":
        return f"list[{annotation_text(inner, depth)}]"
    if key == "tuple" and isinstance(inner, Sequence) and not isinstance(inner, str):
        return f"tuple[{', '.join(annotation_text(item, depth) for item in inner) or '()'}]"
    if key == "map" and isinstance(inner, Sequence) and len(inner) == 2:
        return f"dict[{annotation_text(inner[0], depth)}, {annotation_text(inner[1], depth)}]"
    if key == "option":
        text = annotation_text(inner, depth)
        return text if text == "None" else f"{text} | None"
    if key in ("named", "object") and isinstance(inner, str):
        return inner
    if key == "iter":
        return f"Iterator[{annotation_text(inner, depth)}]"
    callback = _callback(inner)
    if key == "callback" and callback is not None:
        params, returns = callback
        text = ", ".join(annotation_text(param, depth) for param in params)
        return f"Callable[[{text}], {annotation_text(returns, depth)}]"
    return "Any"


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
            f"{name}: {annotation_text(_type_of(param))}{_default_text(param)}"
            for name, param in zip(names, params, strict=True)
        ),
        annotation_text(returns) if returns is not None else "Any",
    )
    try:
        parameters = [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=annotation(_type_of(param), named),
                default=_default(param),
            )
            for name, param in zip(names, params, strict=True)
        ]
        result = annotation(returns, named) if returns is not None else inspect.Signature.empty
        return inspect.Signature(parameters, return_annotation=result), text
    except (ValueError, TypeError):
        return None, text
