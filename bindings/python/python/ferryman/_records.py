"""describe's named types (``spec/wire.md``, "Named types") → Python classes.

- a ``struct`` is a ``typing.TypedDict`` subclass of its name whose keys are
  the fields (optional ones not required): values cross as dicts, so the class
  describes exactly what is sent and received;
- an ``enum`` is a class of its name whose attributes are its variants: a unit
  variant is its string (``Shape.Empty == "Empty"``), any other a
  ``TypedDict`` of one key (``Shape.Circle`` is ``{"Circle": {...}}``);
  ``Shape.union`` is the ``typing`` union of them all;
- a ``newtype_struct`` is a ``typing.NewType`` of its inner type, a
  ``tuple_struct`` a ``tuple[...]`` alias and a ``unit_struct`` ``tuple[()]``.

A named type without an entry stays the forward reference ``"Name"``.
"""

from __future__ import annotations

import keyword
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, NewType, TypedDict, Union

__all__ = ["TypeNamespace", "record_classes"]


def record_classes(entries: Any, module: str) -> dict[str, Any]:
    """One Python type per entry of describe's ``types``, by name. Types that
    refer to one another get each other's classes; a cycle (``Tree`` in
    ``Tree``) is broken with the forward reference ``"Tree"``."""
    from ._types import annotation

    by_name: dict[str, Mapping[str, Any]] = {}
    if isinstance(entries, Sequence):
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                by_name.setdefault(entry["name"], entry)
    built: dict[str, Any] = {}
    building: set[str] = set()

    def resolve(name: str) -> Any:
        if name in built:
            return built[name]
        entry = by_name.get(name)
        if entry is None or name in building:
            return name
        building.add(name)
        try:
            built[name] = _build(entry, lambda descriptor: annotation(descriptor, resolve), module)
        finally:
            building.discard(name)
        return built[name]

    for name in by_name:
        resolve(name)
    return built


def _build(entry: Mapping[str, Any], annotate: Callable[[Any], Any], module: str) -> Any:
    name: str = entry["name"]
    kind = entry.get("kind")
    doc = entry.get("doc") if isinstance(entry.get("doc"), str) else None
    if kind == "struct":
        made = _typed_dict(name, _fields(entry.get("fields"), annotate), module)
    elif kind == "enum":
        made = _enum(name, entry.get("variants"), annotate, module)
    elif kind == "newtype_struct":
        made = NewType(name, annotate(entry.get("type")))
        made.__module__ = module
    elif kind == "tuple_struct":
        return _items(entry.get("items"), annotate)
    elif kind == "unit_struct":
        return tuple[()]
    else:
        return name
    if doc:
        made.__doc__ = doc
    return made


def _fields(fields: Any, annotate: Callable[[Any], Any]) -> Iterator[tuple[str, Any, bool]]:
    for field in fields if isinstance(fields, Sequence) else ():
        if isinstance(field, Mapping) and isinstance(field.get("name"), str):
            yield field["name"], annotate(field.get("type")), bool(field.get("optional"))


def _items(items: Any, annotate: Callable[[Any], Any]) -> Any:
    items = [annotate(item) for item in items] if isinstance(items, Sequence) else []
    return tuple[tuple(items)] if items else tuple[()]  # type: ignore[misc]


def _typed_dict(name: str, fields: Iterator[tuple[str, Any, bool]], module: str, qualname: str | None = None) -> Any:
    """A ``TypedDict`` class: required keys in a base, optional ones
    (``total=False``) in the class itself, which works on every Python ≥ 3.10."""
    required: dict[str, Any] = {}
    optional: dict[str, Any] = {}
    for field, annotation, is_optional in fields:
        (optional if is_optional else required)[field] = annotation
    made: Any = TypedDict(name, required)  # type: ignore[operator]
    if optional:
        base = made

        def body(namespace: dict[str, Any]) -> None:
            namespace["__annotations__"] = optional

        made = types.new_class(name, (base,), {"total": False}, body)
    made.__module__ = module
    made.__qualname__ = qualname or name
    return made


class _Enum:
    """Base of the classes of Rust enums: a namespace of their variants."""

    __ferryman_variants__: tuple[str, ...] = ()
    union: Any = Any


def _enum(name: str, variants: Any, annotate: Callable[[Any], Any], module: str) -> Any:
    attributes: dict[str, Any] = {}
    names: list[str] = []
    members: list[Any] = []
    for variant in variants if isinstance(variants, Sequence) else ():
        if not (isinstance(variant, Mapping) and isinstance(variant.get("name"), str)):
            continue
        variant_name: str = variant["name"]
        kind = variant.get("kind")
        if kind == "unit":
            value: Any = variant_name
            members.append(Literal[variant_name])
        else:
            if kind == "newtype":
                content = annotate(variant.get("type"))
            elif kind == "tuple":
                content = _items(variant.get("items"), annotate)
            elif kind == "struct":
                content = _typed_dict(
                    variant_name, _fields(variant.get("fields"), annotate), module, f"{name}.{variant_name}.content"
                )
            else:
                content = Any
            value = _typed_dict(variant_name, iter([(variant_name, content, False)]), module, f"{name}.{variant_name}")
            members.append(value)
        attributes[_attribute(variant_name)] = value
        names.append(variant_name)
    attributes["__ferryman_variants__"] = tuple(names)
    attributes["union"] = Union[tuple(members)] if members else Any  # noqa: UP007 - built at run time
    attributes["__module__"] = module
    attributes["__doc__"] = f"The Rust enum {name}: one of {', '.join(names)}."
    return type(name, (_Enum,), attributes)


def _attribute(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) or not name.isidentifier() else name


class TypeNamespace:
    """``lib.types.<Name>``: the Python type of each struct and enum the
    library's functions use (``lib.types["Name"]`` for any name)."""

    def __init__(self, library: str, classes: Mapping[str, Any]) -> None:
        self._library = library
        self._classes = dict(classes)

    def __getattr__(self, name: str) -> Any:
        classes = self.__dict__.get("_classes")
        if classes is None or name not in classes:
            raise AttributeError(f"library {self.__dict__.get('_library')!r} describes no type {name!r}")
        return classes[name]

    def __getitem__(self, name: str) -> Any:
        return self._classes[name]

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __dir__(self) -> list[str]:
        return sorted(self._classes)

    def __repr__(self) -> str:
        return f"<types of {self._library}: {', '.join(self._classes)}>"
