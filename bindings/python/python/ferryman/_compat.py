"""Per-function compatibility of two versions of a library (``ferryman check``
and a generated package's load).

A change is *compatible* when every call written against the old function
still works and still gets values it understands: new functions, new trailing
parameters with defaults, new optional fields in records the host sends, new
fields in records it receives, new enum variants. It is *incompatible* when a
function or parameter is gone or renamed, a type changes, a parameter loses
its default, or a record the host sends gains a required field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._schema import function_schemas

__all__ = ["FunctionReport", "compare_functions", "compare_libraries"]

# Which way a value travels: the host sends `param` values and receives `result` ones.
_PARAM, _RESULT = "param", "result"


@dataclass
class FunctionReport:
    """What changed in one function: ``problems`` break old callers, ``notes`` do not."""

    name: str
    status: str  # "unchanged", "compatible", "incompatible", "added", "removed"
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare_libraries(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FunctionReport]:
    """One report per function of either describe map, sorted by name."""
    old_schemas, new_schemas = function_schemas(old), function_schemas(new)
    reports = []
    for name in sorted(set(old_schemas) | set(new_schemas)):
        if name not in new_schemas:
            reports.append(FunctionReport(name, "removed", [f"{name} was removed"]))
        elif name not in old_schemas:
            reports.append(FunctionReport(name, "added", notes=[f"{name} was added"]))
        else:
            reports.append(compare_functions(name, old_schemas[name], new_schemas[name]))
    return reports


def compare_functions(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> FunctionReport:
    """How ``new`` differs from ``old``, two canonical schemas of function ``name``."""
    problems: list[str] = []
    notes: list[str] = []
    for key in ("kind", "class"):
        if old.get(key) != new.get(key):
            problems.append(f"its {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    old_params, new_params = old.get("params", []), new.get("params", [])
    for index, param in enumerate(old_params):
        where = f"parameter {param['name']!r}"
        if index >= len(new_params):
            problems.append(f"{where} was removed")
            continue
        other = new_params[index]
        if other["name"] != param["name"]:
            problems.append(f"{where} (position {index}) was renamed to {other['name']!r}")
        _compare(param["type"], other["type"], _PARAM, where, problems, notes)
        if "default" in param and "default" not in other:
            problems.append(f"{where} lost its default")
        elif "default" not in param and "default" in other:
            notes.append(f"{where} gained a default")
    for param in new_params[len(old_params) :]:
        where = f"parameter {param['name']!r}"
        if "default" in param:
            notes.append(f"{where} was added, with a default")
        else:
            problems.append(f"{where} was added without a default: old calls lack it")
    _compare(old.get("returns"), new.get("returns"), _RESULT, "the result", problems, notes)
    if old.get("error") != new.get("error"):
        problems.append(f"its error type changed from {old.get('error')!r} to {new.get('error')!r}")
    status = "incompatible" if problems else ("compatible" if notes or old != new else "unchanged")
    return FunctionReport(name, status, problems, notes)


def _show(descriptor: Any) -> str:
    if isinstance(descriptor, Mapping) and "named" in descriptor:
        return str(descriptor["named"])
    if isinstance(descriptor, Mapping) and len(descriptor) == 1:
        ((key, inner),) = descriptor.items()
        if isinstance(inner, list):
            return f"{key}[{', '.join(_show(i) for i in inner)}]"
        return f"{key}[{_show(inner)}]"
    return str(descriptor)


def _flip(direction: str) -> str:
    return _RESULT if direction == _PARAM else _PARAM


def _compare(old: Any, new: Any, direction: str, where: str, problems: list[str], notes: list[str]) -> None:
    """Appends what changed between two resolved descriptors of ``where``."""
    if old == new:
        return
    changed = f"{where}: type changed from {_show(old)} to {_show(new)}"
    if not (isinstance(old, Mapping) and isinstance(new, Mapping)) or set(old) - {"def"} != set(new) - {"def"}:
        problems.append(changed)
        return
    if "named" in old:
        if old["named"] != new["named"]:
            problems.append(changed)
        elif "def" in old and "def" in new:
            _compare_definitions(old["def"], new["def"], direction, f"{where} ({old['named']})", problems, notes)
        return
    ((key, inner),) = old.items()
    other = new[key]
    if key in ("list", "option", "iter"):
        _compare(inner, other, direction, where, problems, notes)
    elif key in ("tuple", "map"):
        if len(inner) != len(other):
            problems.append(changed)
        for index, (a, b) in enumerate(zip(inner, other, strict=False)):
            _compare(a, b, direction, f"{where}[{index}]", problems, notes)
    elif key in ("callback", "async_callback"):
        (old_args, old_result), (new_args, new_result) = inner, other
        if len(old_args) != len(new_args):
            problems.append(f"{where}: the callback's arity changed from {len(old_args)} to {len(new_args)}")
        # The library sends a callback its arguments and receives its result.
        for index, (a, b) in enumerate(zip(old_args, new_args, strict=False)):
            _compare(a, b, _flip(direction), f"{where}: callback argument {index}", problems, notes)
        _compare(old_result, new_result, direction, f"{where}: callback result", problems, notes)
    else:
        problems.append(changed)


def _compare_definitions(
    old: Mapping[str, Any], new: Mapping[str, Any], direction: str, where: str, problems: list[str], notes: list[str]
) -> None:
    if old.get("kind") != new.get("kind"):
        problems.append(f"{where}: changed from a {old.get('kind')} to a {new.get('kind')}")
        return
    if "fields" in old:
        _compare_fields(old["fields"], new.get("fields", []), direction, where, problems, notes)
    for key in ("items",):
        if key in old:
            a, b = old[key], new.get(key, [])
            if len(a) != len(b):
                problems.append(f"{where}: {len(a)} items became {len(b)}")
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                _compare(x, y, direction, f"{where}[{index}]", problems, notes)
    if "type" in old:
        _compare(old["type"], new.get("type"), direction, where, problems, notes)
    if "variants" in old:
        old_variants = {v["name"]: v for v in old["variants"]}
        new_variants = {v["name"]: v for v in new.get("variants", [])}
        for name in old_variants.keys() - new_variants.keys():
            # A host that sends it breaks; one that receives values just sees fewer kinds.
            (problems if direction == _PARAM else notes).append(f"{where}: variant {name!r} was removed")
        for name in new_variants.keys() - old_variants.keys():
            notes.append(f"{where}: variant {name!r} was added")
        for name in sorted(old_variants.keys() & new_variants.keys()):
            _compare_definitions(old_variants[name], new_variants[name], direction, f"{where}.{name}", problems, notes)


def _compare_fields(
    old: list[Mapping[str, Any]],
    new: list[Mapping[str, Any]],
    direction: str,
    where: str,
    problems: list[str],
    notes: list[str],
) -> None:
    old_fields = {f["name"]: f for f in old}
    new_fields = {f["name"]: f for f in new}
    for name in sorted(old_fields.keys() - new_fields.keys()):
        problems.append(f"{where}: field {name!r} was removed")
    for name in sorted(new_fields.keys() - old_fields.keys()):
        if direction == _PARAM and not new_fields[name]["optional"]:
            problems.append(f"{where}: required field {name!r} was added: old callers do not send it")
        else:
            notes.append(f"{where}: field {name!r} was added")
    for name in sorted(old_fields.keys() & new_fields.keys()):
        a, b = old_fields[name], new_fields[name]
        _compare(a["type"], b["type"], direction, f"{where}.{name}", problems, notes)
        if direction == _PARAM and a["optional"] and not b["optional"]:
            problems.append(f"{where}: field {name!r} became required")
