"""A describe map (``spec/wire.md``, "Describe") read once for the stub
generators: the ``.pyi`` of ``_stubs`` and the ``.d.ts`` of ``_stubs_ts``
take functions, classes, named types and error types from here, so both
languages' stubs say the same things about a library.

Tolerant like the rest of the host: entries of the wrong shape are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._classes import class_entries, member_name
from ._error_classes import ErrorNamespace, declared_errors

__all__ = ["Described", "optional_fields"]


class Described:
    """The parts of one describe map a stub is made of."""

    def __init__(self, description: Mapping[str, Any]) -> None:
        self.description = description
        self.library = str(description.get("library") or "library")
        functions = description.get("functions")
        self.functions: list[Mapping[str, Any]] = [
            entry for entry in (functions if isinstance(functions, list) else []) if isinstance(entry, Mapping)
        ]
        # Class members (`Counter.add`) are reached through their class.
        self.free_functions = [
            entry for entry in self.functions if member_name(entry) is None and isinstance(entry.get("name"), str)
        ]
        self.by_id: dict[Any, Mapping[str, Any]] = {entry.get("id"): entry for entry in self.functions}
        self.classes = class_entries(description)
        types = description.get("types")
        # describe's `types` entries by name.
        self.entries: dict[str, Mapping[str, Any]] = {}
        for entry in types if isinstance(types, list) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                self.entries.setdefault(entry["name"], entry)
        # Each error type (its full Rust type, else its short name) → describe's `error.type`.
        self.error_types: dict[str, Any] = {}
        for entry in self.functions:
            error = entry.get("error")
            key = (error.get("rust") or error.get("name")) if isinstance(error, Mapping) else None
            if isinstance(key, str):
                self.error_types.setdefault(key, error.get("type"))  # type: ignore[union-attr]
        # The classes `lib.errors` has at load: their names are the stubs' names.
        self.errors = ErrorNamespace(self.library, declared_errors(self.functions))

    def members(self, entry: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        """A class's ``methods`` or ``statics`` (``key``) as function entries."""
        ids = entry.get(key)
        return [self.by_id[i] for i in (ids if isinstance(ids, list) else []) if i in self.by_id]

    def constructor(self, entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return self.by_id.get(entry.get("constructor"))

    def error_key(self, error: Mapping[str, Any]) -> str | None:
        """A function's ``error`` as the key of ``error_types`` (and of ``lib.errors[key]``)."""
        key = error.get("rust") or error.get("name")
        return key if isinstance(key, str) else None

    def error_entry(self, key: str) -> Mapping[str, Any] | None:
        """The ``types`` entry describe's ``error.type`` names for the error type ``key``."""
        descriptor = self.error_types.get(key)
        if isinstance(descriptor, Mapping) and isinstance(descriptor.get("named"), str):
            return self.entries.get(descriptor["named"])
        return None

    def shape_fields(self, shape: Mapping[str, Any]) -> list[tuple[str, Any]] | None:
        """The keys an error value's ``fields`` has for a ``types`` entry or
        variant ``shape`` (``spec/wire.md``, "Describe"), each with its
        descriptor; ``None`` when they vary."""
        kind = shape.get("kind")
        if kind == "struct":
            fields = shape.get("fields")
            return [
                (f["name"], f.get("type"))
                for f in (fields if isinstance(fields, list) else [])
                if isinstance(f, Mapping) and isinstance(f.get("name"), str)
            ]
        if kind in ("tuple", "tuple_struct"):
            items = shape.get("items")
            return [(str(i), item) for i, item in enumerate(items if isinstance(items, list) else [])]
        if kind in ("unit", "unit_struct"):
            return []
        if kind in ("newtype", "newtype_struct"):
            inner = shape.get("type")
            if isinstance(inner, str):
                # A value is field "0"; unit is nil: no fields.
                return [] if inner == "unit" else [("0", inner)]
            if isinstance(inner, Mapping) and isinstance(inner.get("tuple"), list):
                return [(str(i), item) for i, item in enumerate(inner["tuple"])]
            if isinstance(inner, Mapping) and isinstance(inner.get("named"), str):
                # A record's fields are the error's; an enum's vary.
                record = self.entries.get(inner["named"])
                if record is not None and record.get("kind") != "enum":
                    return self.shape_fields(record)
        return None

    def optional_fields(self, shape: Mapping[str, Any]) -> set[str]:
        """The fields an error value of ``shape`` may lack (``optional``)."""
        return optional_fields(shape, self.entries)


def optional_fields(shape: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The fields an error value may lack (``optional``), following a newtype to its record."""
    inner = shape.get("type")
    if shape.get("kind") in ("newtype", "newtype_struct") and isinstance(inner, Mapping):
        record = entries.get(inner.get("named"))  # type: ignore[arg-type]
        return optional_fields(record, entries) if record is not None else set()
    fields = shape.get("fields")
    return {
        f["name"]
        for f in (fields if isinstance(fields, list) else [])
        if isinstance(f, Mapping) and f.get("optional") and isinstance(f.get("name"), str)
    }
