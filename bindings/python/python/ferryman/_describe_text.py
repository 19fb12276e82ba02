"""``ferryman describe``'s human-readable view of a describe map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["describe_text", "show_type"]

_NAMES = {
    "unit": "None",
    "str": "str",
    "bytes": "bytes",
    "bool": "bool",
    "char": "str",
    "f32": "float",
    "f64": "float",
    "path": "Path",
    "duration": "timedelta",
    "timestamp": "datetime",
    "date": "date",
    "datetime": "datetime",
}


def show_type(descriptor: Any) -> str:
    """A type descriptor as a Python annotation (``list[Point]``, ``int | None``)."""
    if isinstance(descriptor, str):
        return _NAMES.get(descriptor, "int" if descriptor[:1] in "iu" else descriptor)
    if isinstance(descriptor, Mapping) and len(descriptor) == 1:
        ((key, inner),) = descriptor.items()
        if key == "list":
            return f"list[{show_type(inner)}]"
        if key == "option":
            return f"{show_type(inner)} | None"
        if key == "tuple":
            return f"tuple[{', '.join(show_type(i) for i in inner)}]"
        if key == "map":
            return f"dict[{show_type(inner[0])}, {show_type(inner[1])}]"
        if key == "callback":
            return f"Callable[[{', '.join(show_type(a) for a in inner[0])}], {show_type(inner[1])}]"
        if key == "async_callback":
            return f"Callable[[{', '.join(show_type(a) for a in inner[0])}], Awaitable[{show_type(inner[1])}]]"
        if key == "iter":
            return f"Iterator[{show_type(inner)}]"
        return str(inner)  # named, object
    return "Any"


def _signature(entry: Mapping[str, Any], name: str) -> str:
    params = []
    for param in entry.get("params") or []:
        text = f"{param['name']}: {show_type(param['type'])}"
        if "default" in param:
            text += f" = {param['default']!r}"
        params.append(text)
    result = show_type((entry.get("returns") or {}).get("type", "unit"))
    error = entry.get("error")
    raises = f"  raises {error['name']}" if isinstance(error, Mapping) else ""
    return f"{name}({', '.join(params)}) -> {result}{raises}"


def _doc(entry: Mapping[str, Any], indent: str) -> list[str]:
    doc = entry.get("doc")
    return [f"{indent}{doc.strip().splitlines()[0]}"] if isinstance(doc, str) and doc.strip() else []


def describe_text(description: Mapping[str, Any]) -> str:
    """Functions with signatures, classes with methods, error and record types."""
    functions = [f for f in description.get("functions") or [] if isinstance(f, Mapping)]
    version = description.get("library_version")
    lines = [
        f"{description.get('library')} {version or ''}".rstrip()
        + f" (ferryman {description.get('ferryman')}, abi {description.get('abi')}, wire {description.get('wire')})",
        "",
        "functions:",
    ]
    for entry in functions:
        if entry.get("kind", "function") == "function":
            lines.append(f"  {_signature(entry, entry['name'])}")
            lines.extend(_doc(entry, "      "))
    classes = [c for c in description.get("classes") or [] if isinstance(c, Mapping)]
    if classes:
        lines += ["", "classes:"]
        for cls in classes:
            lines.append(f"  class {cls['name']}")
            for entry in functions:
                if entry.get("class") == cls["name"]:
                    member = entry["name"].split(".", 1)[-1]
                    prefix = "static " if entry.get("kind") == "static" else ""
                    lines.append(f"    {prefix}{_signature(entry, member)}")
    errors = sorted({f["error"]["name"] for f in functions if isinstance(f.get("error"), Mapping)})
    if errors:
        lines += ["", "errors:"] + [f"  {name}" for name in errors]
    types = [t for t in description.get("types") or [] if isinstance(t, Mapping)]
    if types:
        lines += ["", "types:"]
        for t in types:
            if "fields" in t:
                body = ", ".join(f"{f['name']}: {show_type(f['type'])}" for f in t["fields"])
                lines.append(f"  {t['kind']} {t['name']} {{{body}}}")
            elif "variants" in t:
                lines.append(f"  enum {t['name']}: {' | '.join(v['name'] for v in t['variants'])}")
            else:
                lines.append(f"  {t['kind']} {t['name']}")
    return "\n".join(lines) + "\n"
