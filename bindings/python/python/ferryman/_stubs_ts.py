"""A TypeScript ``.d.ts`` for a library, from its describe map, for the Node
host (``ferryman stubs --lang ts``). Describe is read by ``_described``, as
for the ``.pyi`` stubs; this module only spells it in TypeScript.

The file imports the ``ferryman`` npm package's types and declares
``interface <Name>Library extends ferryman.Library`` (``<Name>``: the
library's name in PascalCase), so a script writes
``const lib = ferryman.load<FerrymanFixtureLibrary>(path)``:

- a free function is a method of the interface (an ``async fn`` returns
  ``Promise<T>`` and takes an optional ``AbortSignal`` last, a stream
  function ``ferryman.RustStream<T>``, an async iterable); a parameter with
  a describe
  ``default`` is optional (``?``), its default in the JSDoc (``@default``);
- a class is ``export declare class`` (``new lib.Counter(…)``: the interface
  has ``readonly Counter: typeof Counter``) with its constructor, methods,
  static methods, ``close()`` and ``[Symbol.dispose]()``; protocol members
  under the Node host's names (``toString``, ``equals``, ``hashCode``,
  ``compareTo``, ``[Symbol.iterator]``);
- an error type is ``export declare class MathError extends
  ferryman.RustError``, in ``lib.errors`` under the names ``lib.errors``
  gives it (``_error_classes``); ``variant`` is the union of the variants
  describe lists, and ``fields`` typed when describe knows the type's shape
  (``error.type``), a struct-shaped type's fields also as properties;
- a struct is an ``interface``, an enum a union in the wire's form (a unit
  variant is its name, any other ``{Variant: content}``), a newtype struct
  its inner type, a tuple struct a tuple.

Values follow the Node host's mapping: every integer parameter takes
``number | bigint``; a 64- or 128-bit integer result is ``number | bigint``
(a ``bigint`` outside ±(2^53-1)), a narrower one ``number``; bytes are
``Buffer | Uint8Array`` in and ``Buffer`` out (``Uint8Array`` inside named
types, which go both ways); a map with string keys is a
``Record<string, V>`` (a ``Map`` is taken too), any other a ``Map<K, V>``;
an option is ``T | null`` (``undefined`` too for a parameter). Times are
sent in their wire form (``"timestamp"``, ``"date"``, ``"datetime"``: text,
an instant also a ``Date``; ``"duration"``: ``[secs, nanos]``) and come back
in it from results, which the host converts (``times.js``); they are
``unknown`` where it does not convert them (a JS callback's arguments, a
closure's result, an error's fields, inside named types).
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from ._classes import member_name
from ._described import Described
from ._errors import RustError
from ._types import _callback, _single

__all__ = ["interface_name", "render_ts", "write_ts"]


class _Way(Enum):
    """Which way a value crosses: what a type says depends on it."""

    IN = "in"  # a parameter (or a callback's result): what the host accepts
    OUT = "out"  # a result: what the host gives, its times converted
    # What the host gives without converting times (times.js converts
    # results): a JS callback's arguments, a closure's result, error fields.
    RAW = "raw"
    DATA = "data"  # inside a named type, which goes both ways

    def flipped(self) -> _Way:
        return {_Way.IN: _Way.OUT, _Way.OUT: _Way.IN, _Way.RAW: _Way.IN}.get(self, self)


_NARROW_INTS = frozenset(("i8", "i16", "i32", "u8", "u16", "u32"))
_WIDE_INTS = frozenset(("i64", "i128", "isize", "u64", "u128", "usize"))
_TEXT = frozenset(("char", "str", "path"))
_TIMES_SENT = {"timestamp": "string | Date", "date": "string", "datetime": "string", "duration": "[number, number]"}
# Results: the form the host sends (times.js), secs a bigint beyond 2^53.
_TIMES_GIVEN = {"timestamp": "string", "date": "string", "datetime": "string", "duration": "ferryman.Duration"}

# Words that cannot name a declaration or a parameter.
_RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends false
    finally for function if import in instanceof new null return super switch this throw true try typeof
    var void while with implements interface let package private protected public static yield await
    any boolean number string symbol never unknown object bigint undefined arguments eval""".split()
)
# Members of `ferryman.Library` a function of the same name cannot replace.
_LIBRARY_MEMBERS = frozenset(
    ("functions", "describe", "errors", "liveObjects", "liveClosures", "liveFutures", "path")
)
# Protocol members (describe's `Name.__eq__`…) by the names the Node host gives them.
_PROTOCOL_METHODS = {
    "__str__": "toString",
    "__eq__": "equals",
    "__hash__": "hashCode",
    "__cmp__": "compareTo",
    "__iter__": "[Symbol.iterator]",
}
# What every error already has (its keys, `Error`'s, `Object`'s): a field of
# the same name is not made a property.
_ERROR_MEMBERS = frozenset(
    """name message stack cause kind rustType function variant fields base osError notes frames
    constructor toString toLocaleString valueOf hasOwnProperty isPrototypeOf propertyIsEnumerable
    __proto__""".split()
)
# A class's own members, which a static member cannot be declared as.
_FUNCTION_MEMBERS = frozenset(("name", "length", "prototype", "caller", "arguments"))
# Global types the declarations use: a library type of the same name would hide them.
_GLOBALS = frozenset(
    """Array ReadonlyArray Record Map ReadonlyMap Buffer Uint8Array IterableIterator Symbol Error TypeError
    Object String Number Boolean BigInt Date Promise Function Iterator Iterable Partial Readonly""".split()
)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def interface_name(description: Mapping[str, Any]) -> str:
    """``ferryman-fixture`` → ``FerrymanFixtureLibrary``."""
    words = re.split(r"[^A-Za-z0-9]+", str(description.get("library") or "library"))
    name = "".join(word[:1].upper() + word[1:] for word in words if word) or "Ferryman"
    return ("_" + name if name[0].isdigit() else name) + "Library"


def write_ts(description: Mapping[str, Any], out_dir: pathlib.Path) -> pathlib.Path:
    """Writes ``out_dir/<library>.d.ts`` (``ferryman-fixture`` → ``ferryman_fixture.d.ts``); returns it."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_]+", "_", str(description.get("library") or "library"))
    path = out_dir / f"{name}.d.ts"
    path.write_text(render_ts(description), encoding="utf-8")
    return path


def render_ts(description: Mapping[str, Any]) -> str:
    """The text of the ``.d.ts`` of the library ``description`` describes."""
    return _Declarations(Described(description)).render()


def _identifier(name: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_$]+", "_", name).strip("_") or "_"
    if text[0].isdigit() or text in _RESERVED:
        text = "_" + text
    return text


def _key(name: str) -> str:
    """A property name: bare when it can be, else a string literal."""
    return name if _IDENTIFIER.match(name) else json.dumps(name)


def _literal(value: Any) -> str | None:
    """A describe default as TypeScript source, when it can be written."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return None


def _jsdoc(lines: Sequence[str], indent: str) -> list[str]:
    """A ``/** … */`` comment of ``lines`` (none when they are all blank)."""
    text = [line.rstrip().replace("*/", "*\\/") for line in lines]
    while text and not text[-1]:
        text.pop()
    while text and not text[0]:
        text.pop(0)
    if not text:
        return []
    if len(text) == 1:
        return [f"{indent}/** {text[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in text), f"{indent} */"]


def _doc_lines(doc: Any) -> list[str]:
    return doc.strip("\n").splitlines() if isinstance(doc, str) else []


class _Declarations:
    """Names and types of one ``.d.ts``."""

    def __init__(self, described: Described) -> None:
        self.d = described
        self.taken: set[str] = {"ferryman", *_GLOBALS}
        # Object classes, then error classes, then named types take names, in
        # that order; a clash gets a suffix (a class and a type cannot share one).
        self.class_names = {entry["name"]: self._take(entry["name"]) for entry in described.classes}
        self.error_names: list[tuple[str, type[RustError]]] = [
            (self._take(cls.__name__), cls) for cls in described.errors
        ]
        self.type_names = {name: self._take(name, "Type") for name in described.entries}

    def _take(self, name: str, suffix: str = "_") -> str:
        ident = _identifier(name)
        if ident in self.taken:
            ident += suffix
            while ident in self.taken:
                ident += "_"
        self.taken.add(ident)
        return ident

    # -- types --------------------------------------------------------------

    def ts(self, descriptor: Any, way: _Way, depth: int = 0) -> str:
        """The TypeScript type of a descriptor crossing ``way``."""
        if depth > 64:
            return "unknown"
        depth += 1
        if isinstance(descriptor, str):
            return self.scalar(descriptor, way)
        single = _single(descriptor)
        if single is None:
            return "unknown"
        key, inner = single
        if key == "list":
            item = self.ts(inner, way, depth)
            return f"ReadonlyArray<{item}>" if way is _Way.IN else f"Array<{item}>"
        if key == "tuple" and isinstance(inner, list):
            items = ", ".join(self.ts(item, way, depth) for item in inner)
            return f"readonly [{items}]" if way is _Way.IN else f"[{items}]"
        if key == "map" and isinstance(inner, list) and len(inner) == 2:
            value = self.ts(inner[1], way, depth)
            if isinstance(inner[0], str) and inner[0] in _TEXT:
                record = f"Record<string, {value}>"
                return f"{record} | ReadonlyMap<string, {value}>" if way is _Way.IN else record
            keys = self.ts(inner[0], way, depth)
            return f"ReadonlyMap<{keys}, {value}>" if way is _Way.IN else f"Map<{keys}, {value}>"
        if key == "option":
            text = self.ts(inner, way, depth)
            if text == "unknown":
                return text
            return f"{text} | null | undefined" if way is _Way.IN else f"{text} | null"
        if key == "named" and isinstance(inner, str):
            return self.type_names.get(inner, "unknown")
        if key == "object" and isinstance(inner, str):
            return self.class_names.get(inner, "unknown")
        if key == "iter" and way is not _Way.IN:
            item_way = _Way.RAW if way is _Way.RAW else _Way.OUT
            return f"IterableIterator<{self.ts(inner, item_way, depth)}>"
        if key == "stream" and way is _Way.OUT:
            return f"ferryman.RustStream<{self.ts(inner, _Way.OUT, depth)}>"
        callback = _callback(inner)
        if key == "callback" and callback is not None:
            params, returns = callback
            # A JS function given to Rust is called with what Rust gives; a
            # Rust closure given back takes what a parameter takes.
            inside = way.flipped() if way is not _Way.DATA else _Way.OUT
            # Neither a JS callback's arguments nor a closure's result have
            # their times converted.
            given = {_Way.OUT: _Way.RAW}.get(inside, inside)
            args = ", ".join(f"arg{i}: {self.ts(param, given, depth)}" for i, param in enumerate(params))
            back = inside.flipped()
            result = self.ts(returns, {_Way.OUT: _Way.RAW}.get(back, back), depth)
            return f"(({args}) => {'void' if result == 'null' else result})"
        return "unknown"

    def scalar(self, descriptor: str, way: _Way) -> str:
        if descriptor == "unit":
            return "null"
        if descriptor == "bool":
            return "boolean"
        if descriptor in _NARROW_INTS:
            return "number | bigint" if way is _Way.IN else "number"
        if descriptor in _WIDE_INTS:
            return "number | bigint"
        if descriptor in ("f32", "f64"):
            return "number"
        if descriptor in _TEXT:
            return "string"
        if descriptor == "bytes":
            return {_Way.IN: "Buffer | Uint8Array", _Way.OUT: "Buffer", _Way.RAW: "Buffer"}.get(way, "Uint8Array")
        if descriptor in _TIMES_SENT:
            return {_Way.IN: _TIMES_SENT, _Way.OUT: _TIMES_GIVEN}.get(way, {}).get(descriptor, "unknown")
        return "unknown"

    # -- declarations ---------------------------------------------------------

    def render(self) -> str:
        d = self.d.description
        title = f"{d.get('library')} {d.get('library_version') or ''}".rstrip()
        lines = [
            f"// Types of the ferryman library {title}, for the Node host.",
            f"// Generated by ferryman {d.get('ferryman') or '(unknown version)'} (`ferryman stubs --lang ts`)"
            " from the library's describe map; do not edit.",
            "",
            'import type * as ferryman from "ferryman";',
        ]
        for name, entry in self.d.entries.items():
            lines += ["", *self.named_type(self.type_names[name], entry)]
        for entry in self.d.classes:
            lines += ["", *self.object_class(entry)]
        for ident, cls in self.error_names:
            lines += ["", *self.error_class(ident, cls)]
        lines += ["", *self.library()]
        return "\n".join(lines) + "\n"

    def library(self) -> list[str]:
        d = self.d.description
        name = interface_name(d)
        doc = [
            f"The functions, classes and errors of {d.get('library')}:",
            f"`const lib = ferryman.load<{name}>(path)`.",
        ]
        lines = [*_jsdoc(doc, ""), f"export interface {name} extends ferryman.Library {{"]
        for entry in self.d.free_functions:
            if entry["name"] in _LIBRARY_MEMBERS:
                lines.append(f"  // {entry['name']}: hidden by ferryman.Library's own member")
                continue
            lines += self.function(entry, _key(entry["name"]), "  ")
        for entry in self.d.classes:
            if entry["name"] not in _LIBRARY_MEMBERS:
                lines.append(f"  readonly {_key(entry['name'])}: typeof {self.class_names[entry['name']]};")
        errors = [f"    readonly {_key(cls.__name__)}: typeof {ident};" for ident, cls in self.error_names]
        if errors:
            lines += ['  readonly errors: ferryman.Library["errors"] & {', *errors, "  };"]
        return [*lines, "}"]

    def params(self, params: Sequence[Any], skip: int = 0) -> tuple[str, list[str]]:
        """A parameter list, and the JSDoc lines of its defaults."""
        parts: list[str] = []
        notes: list[str] = []
        names: set[str] = set()
        entries = [p if isinstance(p, Mapping) else {} for p in params[skip:]]
        # Only a trailing run of defaulted parameters can be left out.
        optional_from = len(entries)
        while optional_from > 0 and "default" in entries[optional_from - 1]:
            optional_from -= 1
        for index, param in enumerate(entries):
            raw = param.get("name")
            name = _identifier(raw) if isinstance(raw, str) else f"arg{index}"
            while name in names:
                name += "_"
            names.add(name)
            optional = index >= optional_from
            parts.append(f"{name}{'?' if optional else ''}: {self.ts(param.get('type'), _Way.IN)}")
            if optional:
                default = _literal(param["default"])
                notes.append(f"@param {name} - optional" + (f", @default {default}" if default is not None else ""))
        return ", ".join(parts), notes

    def function(
        self, entry: Mapping[str, Any], name: str, indent: str, *, skip: int = 0, prefix: str = ""
    ) -> list[str]:
        """A method signature (``name`` ``"constructor"``: no result type)."""
        params = entry.get("params")
        text, notes = self.params(params if isinstance(params, list) else [], skip)
        if entry.get("async") is True:
            # The Node host takes an AbortSignal after the arguments.
            text = f"{text}, signal?: AbortSignal" if text else "signal?: AbortSignal"
            notes.append("@param signal - optional: aborting it cancels the Rust future")
        returns = entry.get("returns")
        result = self.ts(returns.get("type"), _Way.OUT) if isinstance(returns, Mapping) else "unknown"
        if entry.get("async") is True:
            result = f": Promise<{'void' if result == 'null' else result}>"
        else:
            result = ": void" if result == "null" else f": {result}"
        if name == "constructor":
            result = ""
        doc = [*_doc_lines(entry.get("doc"))]
        error = entry.get("error")
        raised = self.error_ident(error) if isinstance(error, Mapping) else None
        if notes or raised:
            doc += ["", *notes]
        if raised and entry.get("async") is True:
            doc.append(f"@throws {{{raised}}} (the Promise rejects) when the Rust function returns `Err`")
        elif raised and entry.get("stream") is True:
            doc.append(f"@throws {{{raised}}} (at that item) when the stream yields `Err`")
        elif raised:
            doc.append(f"@throws {{{raised}}} when the Rust function returns `Err`")
        return [*_jsdoc(doc, indent), f"{indent}{prefix}{name}({text}){result};"]

    def error_ident(self, error: Mapping[str, Any]) -> str | None:
        key = self.d.error_key(error)
        for ident, cls in self.error_names:
            if key is not None and (cls.rust_type or cls.type_name) == key:
                return ident
        return None

    def named_type(self, ident: str, entry: Mapping[str, Any]) -> list[str]:
        kind = entry.get("kind")
        doc = _jsdoc(_doc_lines(entry.get("doc")) or [f"The Rust {kind} {entry.get('name')}."], "")
        if kind == "struct":
            return [*doc, f"export interface {ident} {{", *self.fields(entry.get("fields"), "  "), "}"]
        if kind == "enum":
            variants = entry.get("variants")
            members = [
                self.variant(v) for v in (variants if isinstance(variants, list) else []) if isinstance(v, Mapping)
            ]
            union = "\n".join(f"  | {member}" for member in members) if members else " never"
            return [*doc, f"export type {ident} ={chr(10) if members else ''}{union};"]
        if kind == "newtype_struct":
            return [*doc, f"export type {ident} = {self.ts(entry.get('type'), _Way.DATA)};"]
        if kind == "tuple_struct":
            items = entry.get("items")
            text = ", ".join(self.ts(item, _Way.DATA) for item in (items if isinstance(items, list) else []))
            return [*doc, f"export type {ident} = [{text}];"]
        if kind == "unit_struct":
            return [*doc, f"export type {ident} = [];"]
        return [*doc, f"export type {ident} = unknown;"]

    def fields(self, fields: Any, indent: str, *, readonly: bool = False) -> list[str]:
        lines = []
        for field in fields if isinstance(fields, list) else []:
            if isinstance(field, Mapping) and isinstance(field.get("name"), str):
                mark = "?" if field.get("optional") else ""
                ro = "readonly " if readonly else ""
                lines.append(f"{indent}{ro}{_key(field['name'])}{mark}: {self.ts(field.get('type'), _Way.DATA)};")
        return lines

    def variant(self, variant: Mapping[str, Any]) -> str:
        """One member of an enum's union, in the wire's form."""
        name = str(variant.get("name"))
        kind = variant.get("kind")
        if kind == "unit":
            return json.dumps(name)
        if kind == "newtype":
            content = self.ts(variant.get("type"), _Way.DATA)
        elif kind == "tuple":
            items = variant.get("items")
            content = "[" + ", ".join(self.ts(i, _Way.DATA) for i in (items if isinstance(items, list) else [])) + "]"
        elif kind == "struct":
            content = "{ " + " ".join(self.fields(variant.get("fields"), "")) + " }"
        else:
            content = "unknown"
        return f"{{ {_key(name)}: {content} }}"

    def object_class(self, entry: Mapping[str, Any]) -> list[str]:
        ident = self.class_names[entry["name"]]
        lines = [*_jsdoc(_doc_lines(entry.get("doc")), ""), f"export declare class {ident} {{"]
        constructor = self.d.constructor(entry)
        if constructor is not None:
            lines += self.function(constructor, "constructor", "  ")
        else:
            lines.append("  private constructor();")
        for member in self.d.members(entry, "methods"):
            method = member_name(member) or ""
            if method in _PROTOCOL_METHODS:
                lines += self.function(member, _PROTOCOL_METHODS[method], "  ", skip=1)
            elif not method.startswith("__") and method not in ("close", "closed", "constructor"):
                lines += self.function(member, _key(method), "  ", skip=1)
        for member in self.d.members(entry, "statics"):
            method = member_name(member) or ""
            if method in _FUNCTION_MEMBERS:
                lines.append(f"  // static {method}: TypeScript reserves it on classes")
                continue
            lines += self.function(member, _key(method), "  ", prefix="static ")
        lines += [
            "  /** Releases the Rust object now; a later call throws `ferryman.ClosedObjectError`. */",
            "  close(): void;",
            "  [Symbol.dispose](): void;",
            "}",
        ]
        return lines

    def error_class(self, ident: str, cls: type[RustError]) -> list[str]:
        rust = cls.rust_type or cls.type_name or cls.__name__
        doc = [f"The Rust error type `{rust}` (`lib.errors.{cls.__name__}`)."]
        lines = [*_jsdoc(doc, ""), f"export declare class {ident} extends ferryman.RustError {{"]
        variants = [v for v in cls.__dict__.get("_ferryman_known_variants") or () if isinstance(v, str)]
        if variants:
            lines.append(f"  readonly variant: {' | '.join(json.dumps(v) for v in variants)};")
        fields = self.error_fields(rust)
        if fields is not None:
            lines.append(f"  readonly fields: {fields};")
        lines += self.field_attributes(rust)
        return [*lines, "}"]

    def field_attributes(self, key: str) -> list[str]:
        """A struct-shaped error's fields, which the Node host also sets as
        properties of the error (those not named like one it has already)."""
        entry = self.d.error_entry(key)
        fields = self.d.shape_fields(entry) if entry is not None and entry.get("kind") != "enum" else None
        optional = self.d.optional_fields(entry) if entry is not None else set()
        return [
            f"  readonly {_key(name)}{'?' if name in optional else ''}: {self.ts(descriptor, _Way.RAW)};"
            for name, descriptor in fields or []
            if name not in _ERROR_MEMBERS and not name.isdigit()
        ]

    def error_fields(self, key: str) -> str | None:
        """The type of an error value's ``fields`` when describe knows the type's shape."""
        entry = self.d.error_entry(key)
        if entry is None:
            return None
        if entry.get("kind") == "enum":
            variants = entry.get("variants")
            shapes = [v for v in (variants if isinstance(variants, list) else []) if isinstance(v, Mapping)]
            members = [self.fields_of(shape) for shape in shapes]
            return " | ".join(dict.fromkeys(members)) if members else None
        return self.fields_of(entry)

    def fields_of(self, shape: Mapping[str, Any]) -> str:
        fields = self.d.shape_fields(shape)
        if fields is None:
            return "Record<string, unknown>"
        if not fields:
            return "Record<string, never>"
        optional = self.d.optional_fields(shape)
        parts = [
            f"readonly {_key(name)}{'?' if name in optional else ''}: {self.ts(descriptor, _Way.RAW)}"
            for name, descriptor in fields
        ]
        return "{ " + "; ".join(parts) + " }"
