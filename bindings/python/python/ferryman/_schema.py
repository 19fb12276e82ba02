"""A function's schema: its describe entry with the named types it reaches
inlined, in a canonical form that hashes the same whatever the library's ids,
doc comments and source lines are.

A generated package (``ferryman build``) carries each function's schema and
hash; at load, and in ``ferryman check``, two schemas are compared by
:mod:`ferryman._compat`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["function_schemas", "schema_hash"]


def function_schemas(description: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every function of a describe map (class members too, as ``Name.member``)
    by name, as its canonical schema."""
    types = {
        entry["name"]: entry
        for entry in description.get("types") or []
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)
    }
    schemas: dict[str, dict[str, Any]] = {}
    for entry in description.get("functions") or []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        error = entry.get("error")
        params = []
        for param in entry.get("params") or []:
            canonical = {"name": param.get("name"), "type": _resolve(param.get("type"), types, ())}
            if "default" in param:
                canonical["default"] = param["default"]
            params.append(canonical)
        returns = entry.get("returns") or {}
        schemas[entry["name"]] = {
            "kind": entry.get("kind", "function"),
            "class": entry.get("class"),
            "params": params,
            "returns": _resolve(returns.get("type", "unit"), types, ()),
            "error": error.get("name") if isinstance(error, Mapping) else None,
        }
    return schemas


def schema_hash(schema: Mapping[str, Any]) -> str:
    """A short, stable hash of a canonical schema (defaults' values left out:
    a changed default changes no call's meaning for the types)."""
    stripped = dict(schema)
    stripped["params"] = [
        {"name": p["name"], "type": p["type"], "defaulted": "default" in p} for p in schema.get("params", [])
    ]
    text = json.dumps(stripped, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _resolve(descriptor: Any, types: Mapping[str, Mapping[str, Any]], seen: tuple[str, ...]) -> Any:
    """The descriptor with every ``{"named": N}`` given its definition
    (``"def"``); a type met again inside itself stays a bare reference."""
    if not isinstance(descriptor, Mapping) or len(descriptor) != 1:
        return descriptor
    ((key, inner),) = descriptor.items()
    if key == "named":
        entry = types.get(inner)
        if entry is None or inner in seen:
            return {"named": inner}
        return {"named": inner, "def": _definition(entry, types, (*seen, inner))}
    if key in ("list", "option", "iter"):
        return {key: _resolve(inner, types, seen)}
    if key in ("tuple", "map"):
        return {key: [_resolve(item, types, seen) for item in inner]}
    if key in ("callback", "async_callback"):
        args, result = inner
        return {key: [[_resolve(a, types, seen) for a in args], _resolve(result, types, seen)]}
    return {key: inner}


def _definition(entry: Mapping[str, Any], types: Mapping[str, Mapping[str, Any]], seen: tuple[str, ...]) -> Any:
    kind = entry.get("kind")
    out: dict[str, Any] = {"kind": kind}
    if "fields" in entry:
        out["fields"] = [
            {"name": f["name"], "type": _resolve(f["type"], types, seen), "optional": bool(f.get("optional"))}
            for f in entry["fields"]
        ]
    if "items" in entry:
        out["items"] = [_resolve(item, types, seen) for item in entry["items"]]
    if "type" in entry:
        out["type"] = _resolve(entry["type"], types, seen)
    if "variants" in entry:
        out["variants"] = [_definition(v, types, seen) | {"name": v["name"]} for v in entry["variants"]]
    return out
