"""``.pyi`` stubs for a generated package, from a library's describe map.

The stub of package ``textkit`` declares at top level what the package
exports (``exports``): the library's free functions, its classes, its error
classes (the names ``lib.errors`` gives them) and its named types. The types
are the very objects ``ferryman.load`` makes at run time, rendered as source
(``_records`` builds them, ``_types.render`` writes them): one mapping from
type descriptors to Python types.

- a struct is a ``TypedDict`` (optional fields ``NotRequired``), as
  ``lib.types.Point`` is at run time;
- an enum is the union of its variants, ``Literal["Empty"] | _Shape_Circle | …``
  (at run time ``lib.types.Shape`` is a namespace class whose ``union`` is
  that union); a newtype struct a ``NewType``; a tuple struct a ``tuple`` alias;
- a function is a ``def`` with its parameters, defaults and result;
  callbacks are ``Callable[[…], R]``, lazy iterators ``Iterator[T]``, streams
  ``AsyncIterator[T]``, async functions ``async def``;
- a class is a subclass of ``ferryman.RustObject`` with ``__init__`` (its
  constructor), methods, ``@staticmethod``s and protocol methods;
- an error type is a subclass of ``ferryman.RustError``, with a subclass per
  variant when describe lists them; when describe knows the type's shape
  (``error.type``), each class types ``fields`` (an ``ErrorFields`` whose
  ``__getitem__`` is typed per key: a tuple's items by ``"0"`` and ``0``)
  and the fields that are also attributes (``e.numerator: float``; the same
  names as at run time: ``_errors.field_is_attribute``; not one the error
  value may lack).

A library loaded with ``ferryman.load`` is a ``ferryman.Library``, whose
attributes type checkers see as ``Any``: stubs are for generated packages.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import math
import pathlib
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from ._classes import member_name
from ._described import Described
from ._errors import RustError, field_is_attribute
from ._records import _Enum, record_classes
from ._types import annotation, render

__all__ = ["exports", "render_stubs", "runtime_exports", "write_stubs"]

# Module aliases the stub imports under; no exported name may take them.
_MODULES = {
    "builtins": "_b",
    "typing": "_t",
    "typing_extensions": "_te",
    "collections.abc": "_abc",
    "datetime": "_dt",
    "os": "_os",
    "pathlib": "_pathlib",
}
_TYPING_NAMES = {"typing.Any": "_t.Any", "typing.Literal": "_t.Literal"}


def write_stubs(description: Mapping[str, Any], package: str, out_dir: pathlib.Path) -> list[pathlib.Path]:
    """Writes ``out_dir/__init__.pyi`` (and the ``py.typed`` marker) for the
    generated package ``package`` of the library ``description`` describes;
    returns the files written."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stub = out_dir / "__init__.pyi"
    stub.write_text(render_stubs(description, package), encoding="utf-8")
    marker = out_dir / "py.typed"
    marker.touch()
    return [stub, marker]


def exports(description: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """The top-level names of a generated package: name → (what, key), where
    what is ``"function"``, ``"class"``, ``"error"`` or ``"type"`` and key is
    ``lib.functions[key]``, ``lib.classes[key]``, ``lib.errors[key]`` or
    ``lib.types[key]``. A name is taken once, in that order (a later clash
    stays reachable through ``lib``)."""
    return _Plan(description).exports


def runtime_exports(library: Any) -> dict[str, Any]:
    """The objects a generated package binds at top level, for the names its
    stub declares: ``globals().update(runtime_exports(lib))``."""
    tables = {
        "function": library.functions,
        "class": library.classes,
        "error": library.errors,
        "type": library.types,
    }
    return {name: tables[what][key] for name, (what, key) in exports(library.describe()).items()}


def render_stubs(description: Mapping[str, Any], package: str) -> str:
    """The text of ``__init__.pyi`` for the generated package ``package``."""
    return _Plan(description).render(package)


def _identifier(name: str) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in name).strip("_") or "_"
    if text[0].isdigit() or keyword.iskeyword(text):
        text = "_" + text
    return text


def _is_name(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def _doc(text: Any, indent: str) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return []
    body = inspect.cleandoc(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    # A quote next to the delimiters would end the docstring early.
    if body.startswith('"'):
        body = "\\" + body
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    lines = body.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" if line else "" for line in lines[1:]), f'{indent}"""']


def _default(param: Mapping[str, Any]) -> str | None:
    """`` = 10`` for a parameter with a default, ``None`` for a required one."""
    if "default" not in param:
        return None
    value = param["default"]
    if value is None or isinstance(value, (bool, int)):
        return f" = {value!r}"
    if isinstance(value, float) and math.isfinite(value):
        return f" = {value!r}"
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return f" = {value!r}"
    return " = ..."


class _Plan:
    """Names and types of one stub."""

    def __init__(self, description: Mapping[str, Any]) -> None:
        self.description = description
        described = Described(description)
        self.described = described
        self.functions = described.functions
        self.classes = described.classes
        self.module = described.library.replace("-", "_")
        self.records = record_classes(description.get("types"), self.module)
        self.entries = described.entries
        self.errors = described.errors
        self.taken: set[str] = set(_MODULES.values())
        self.exports: dict[str, tuple[str, str]] = {}
        # Names of the objects the stub refers to, by identity.
        self.names: dict[int, str] = {}
        self.keep: list[Any] = []
        for entry in self.functions:
            if member_name(entry) is None and _is_name(entry.get("name")):
                self._export(entry["name"], "function", entry["name"])
        self.placeholders: dict[str, type] = {}
        for entry in self.classes:
            name = entry["name"]
            placeholder = type(_identifier(name), (), {})
            self.placeholders[name] = placeholder
            self._name(placeholder, self._export(name, "class", name))
        self.error_names: list[tuple[str, type[RustError]]] = []
        for cls in self.errors:
            key = cls.rust_type or cls.type_name or cls.__name__
            ident = self._export(cls.__name__, "error", key)
            self.error_names.append((ident, cls))
            # Its variants' classes (`error_class`): no other name may take them.
            self.taken.update(f"_{ident}_{v}" for v in _known_variants(cls))
        for name, record in self.records.items():
            self._name(record, self._export(name, "type", name))
        # Exported names that hide a builtin the annotations use (`_b.int` then).
        self.shadowed = set(self.exports) & _builtin_names()
        self.pending: list[Any] = []

    def _export(self, name: str, what: str, key: str) -> str:
        ident = _identifier(name)
        if ident in self.taken:
            # A clash: the object stays reachable through `lib`; the stub
            # still needs a name for it.
            ident = self._private(ident)
        else:
            self.exports[ident] = (what, key)
        self.taken.add(ident)
        return ident

    def _private(self, base: str) -> str:
        ident = "_" + base.lstrip("_")
        while ident in self.taken:
            ident += "_"
        self.taken.add(ident)
        return ident

    def _name(self, obj: Any, name: str) -> None:
        self.names[id(obj)] = name
        self.keep.append(obj)

    # -- annotations ------------------------------------------------------

    def spell(self, name: str) -> str:
        if name in _TYPING_NAMES:
            return _TYPING_NAMES[name]
        module, _, short = name.rpartition(".")
        if module == "builtins":
            return f"_b.{short}" if short in self.shadowed else short
        return f"{_MODULES[module]}.{short}"

    def name_of(self, value: Any) -> str | None:
        named = self.names.get(id(value))
        if named is not None:
            return named
        if isinstance(value, str):
            # A record's reference to itself (a cycle) or to an undescribed type.
            record = self.records.get(value)
            return self.names.get(id(record), "_t.Any") if record is not None else "_t.Any"
        if typing.is_typeddict(value):
            # A variant of an enum, or a struct variant's fields: private names.
            named = self._private(_identifier(value.__qualname__))
            self._name(value, named)
            self.pending.append(value)
            return named
        return None

    def text(self, value: Any) -> str:
        return render(value, self.name_of, self.spell)

    def resolve(self, name: str) -> Any:
        if name in self.placeholders:
            return self.placeholders[name]
        return self.records.get(name, Any)

    def descriptor(self, descriptor: Any) -> str:
        return self.text(annotation(descriptor, self.resolve))

    def argument(self, descriptor: Any) -> str:
        """A parameter's annotation: what it accepts (``_types.annotation``)."""
        return self.text(annotation(descriptor, self.resolve, argument=True))

    # -- rendering --------------------------------------------------------

    def render(self, package: str) -> str:
        d = self.description
        title = f"{d.get('library')} {d.get('library_version') or ''}".rstrip()
        lines = [
            f'"""Type stubs of {package}: the ferryman library {title}."""',
            "",
            f"# Generated by ferryman {d.get('ferryman') or ''} from the library's describe map; do not edit.",
            "",
            "import builtins as _b",
            "import collections.abc as _abc",
            "import datetime as _dt",
            "import os as _os",
            "import pathlib as _pathlib",
            "import typing as _t",
            "",
            "import typing_extensions as _te",
            "",
            "import ferryman as _ferryman",
            "",
            "__all__ = [" + ", ".join(f'"{name}"' for name in sorted(self.exports)) + "]",
        ]
        body: list[str] = []
        for name, record in self.records.items():
            body += ["", *self.record(self.names[id(record)], record, name)]
        for entry in self.classes:
            body += ["", *self.cls(entry)]
        for name, cls in self.error_names:
            body += ["", *self.error_class(name, cls)]
        for entry in self.functions:
            if member_name(entry) is None and _is_name(entry.get("name")) and entry["name"] in self.exports:
                body += ["", *self.function(entry, entry["name"], "")]
        # TypedDicts first met inside other types (enum variants).
        while self.pending:
            value = self.pending.pop(0)
            body += ["", *self.typed_dict(self.names[id(value)], value)]
        return "\n".join(lines + body) + "\n"

    def error_class(self, name: str, cls: type[RustError]) -> list[str]:
        """An error class (with its builtin base), and, when describe lists
        the type's variants, one class per variant, reached as
        ``Name.Variant`` (a class attribute typed as that class)."""
        bases = ", ".join(["_ferryman.RustError", *(f"_b.{b.__name__}" for b in cls.__bases__[1:])])
        variants = _known_variants(cls)
        entry = self.error_entry(cls)
        shapes: dict[str, Mapping[str, Any]] = {}
        if entry is not None and entry.get("kind") == "enum" and isinstance(entry.get("variants"), list):
            shapes = {
                v["name"]: v for v in entry["variants"] if isinstance(v, Mapping) and isinstance(v.get("name"), str)
            }
        lines = [f"class {name}({bases}):", *_doc(cls.__doc__, "    ")]
        lines += [f"    {v}: _t.ClassVar[type[_{name}_{v}]]" for v in variants]
        after: list[str] = []
        if entry is not None and entry.get("kind") != "enum":
            lines += self.error_fields(name, cls, entry, after, set(variants))
        if len(lines) == 1:
            lines.append("    pass")
        for variant in variants:
            lines += ["", f"class _{name}_{variant}({name}):", f'    """The variant `{variant}` of {name}."""']
            if variant in shapes:
                lines += self.error_fields(f"{name}_{variant}", cls, shapes[variant], after, set(variants))
        return lines + after

    def error_entry(self, cls: type[RustError]) -> Mapping[str, Any] | None:
        """The ``types`` entry describe's ``error.type`` names for ``cls``."""
        return self.described.error_entry(cls.rust_type or cls.type_name or "")

    def error_fields(
        self, owner: str, cls: type[RustError], shape: Mapping[str, Any], after: list[str], taken: set[str]
    ) -> list[str]:
        """The body lines typing ``fields`` and the field attributes of the
        class ``owner``; the class of its ``fields`` goes to ``after``.

        ``fields`` stays an ``ErrorFields`` (a ``dict[str, Any]``, as at run
        time), typed by key: ``e.fields["numerator"]`` is a ``float``, and a
        tuple's items are typed by position too (``e.fields[0]`` and
        ``e.fields["0"]``), as ``ErrorFields`` reads them.
        """
        fields = self.described.shape_fields(shape)
        if fields is None:
            return []
        optional = self.described.optional_fields(shape)
        attributes = [
            (key, descriptor)
            for key, descriptor in fields
            if key not in optional and key not in taken and field_is_attribute(cls, key)
        ]
        fields_type = self.fields_class(owner, fields, after)
        # `RustError.fields` is `ErrorFields | None`: a narrower type here.
        lines = [f"    fields: {fields_type}  {_OVERRIDE}"]
        # An attribute named like a builtin hides it in the class body.
        shadowed = self.shadowed
        self.shadowed = shadowed | ({key for key, _ in attributes} & _builtin_names())
        try:
            for key, descriptor in attributes:
                # The user's `kind` and `function` replace ferryman's (`str | None`).
                ignore = f"  {_OVERRIDE}" if key in _DECLARED_ATTRIBUTES else ""
                lines.append(f"    {key}: {self.descriptor(descriptor)}{ignore}")
        finally:
            self.shadowed = shadowed
        return lines

    def fields_class(self, owner: str, fields: list[tuple[str, Any]], after: list[str]) -> str:
        """The class of ``owner``'s ``fields`` (written to ``after``), typed by key."""
        if not fields:
            return "_ferryman.ErrorFields"
        fields_type = self._private(f"{owner}_fields")
        after += ["", f"class {fields_type}(_ferryman.ErrorFields):"]
        for key, descriptor in fields:
            keys = [repr(key), *([key] if key.isdigit() else [])]
            after += [
                "    @_t.overload",
                f"    def __getitem__(self, key: _t.Literal[{', '.join(keys)}]) -> {self.descriptor(descriptor)}: ...",
            ]
        after += ["    @_t.overload", "    def __getitem__(self, key: str) -> _t.Any: ..."]
        return fields_type

    def record(self, ident: str, record: Any, name: str) -> list[str]:
        if typing.is_typeddict(record):
            return self.typed_dict(ident, record)
        if isinstance(record, type) and issubclass(record, _Enum):
            return [
                f"{ident}: _te.TypeAlias = {self.text(record.union)}",
                f"# The Rust enum {name}: one of {', '.join(record.__ferryman_variants__)}.",
            ]
        if isinstance(record, typing.NewType):
            supertype = record.__supertype__
            if supertype in (int, float, str, bytes) or typing.get_origin(supertype) in (list, dict, tuple):
                return [f"{ident} = _t.NewType({ident!r}, {self.text(supertype)})"]
            return [f"{ident}: _te.TypeAlias = {self.text(supertype)}"]
        # A tuple alias, or a type `_records` could not build (any value).
        self.names.pop(id(record), None)
        text = self.text(record) if not isinstance(record, str) else "_t.Any"
        self.names[id(record)] = ident
        return [f"{ident}: _te.TypeAlias = {text}"]

    def typed_dict(self, ident: str, record: Any) -> list[str]:
        hints = record.__annotations__
        required = record.__required_keys__
        fields = [(field, self.text(hint), field in required) for field, hint in hints.items()]
        wrap = [(f, t if r else f"_te.NotRequired[{t}]") for f, t, r in fields]
        if all(_is_name(field) for field, _ in wrap):
            return [
                f"class {ident}(_t.TypedDict):",
                *_doc(record.__doc__ if record.__doc__ != _TYPEDDICT_DOC else None, "    "),
                *(f"    {field}: {text}" for field, text in wrap),
                *([] if wrap else ["    pass"]),
            ]
        items = ", ".join(f"{field!r}: {text}" for field, text in wrap)
        return [f"{ident} = _t.TypedDict({ident!r}, {{{items}}})"]

    def params(self, params: Sequence[Any], skip: int = 0) -> str | None:
        parts = []
        for param in params[skip:]:
            if not isinstance(param, Mapping) or not _is_name(param.get("name")):
                return None
            default = _default(param) or ""
            parts.append(f"{param['name']}: {self.argument(param.get('type'))}{default}")
        return ", ".join(parts)

    def function(
        self, entry: Mapping[str, Any], name: str, indent: str, *, method: bool = False, init: bool = False
    ) -> list[str]:
        """A ``def``; a method's first parameter (the object) is ``self``, and
        a constructor is ``__init__(self, …) -> None``."""
        skip = 1 if method else 0
        params = entry.get("params")
        params = params if isinstance(params, list) else []
        text = self.params(params, skip)
        if text is None:
            text = "*args: _t.Any, **kwargs: _t.Any"
        if method or init:
            text = "self, " + text if text else "self"
        returns = entry.get("returns")
        result = self.descriptor(returns.get("type")) if isinstance(returns, Mapping) else "_t.Any"
        if init:
            result = "None"
        doc: str = entry["doc"] if isinstance(entry.get("doc"), str) else ""
        error = entry.get("error")
        if isinstance(error, Mapping):
            raised = self.error_name(error)
            if raised:
                doc = (
                    doc.rstrip() + "\n\n" if doc.strip() else ""
                ) + f"Raises {raised} when the Rust function returns Err."
        # An async export is a coroutine function; a stream function returns
        # an async iterator (its `returns` is `{"stream": T}`).
        word = "async def" if entry.get("async") is True else "def"
        head = f"{indent}{word} {name}({text}) -> {result}:"
        return [head, *docstring] if (docstring := _doc(doc, indent + "    ")) else [head + " ..."]

    def error_name(self, error: Mapping[str, Any]) -> str | None:
        key = error.get("rust") or error.get("name")
        for name, cls in self.error_names:
            if (cls.rust_type or cls.type_name) == key:
                return name
        return None

    def cls(self, entry: Mapping[str, Any]) -> list[str]:
        name = entry["name"]
        ident = self.names[id(self.placeholders[name])]
        by_id = {member.get("id"): member for member in self.functions}
        lines = [f"class {ident}(_ferryman.RustObject):", *_doc(entry.get("doc"), "    ")]
        protocols: list[Any] = entry["protocols"] if isinstance(entry.get("protocols"), list) else []
        constructor = by_id.get(entry.get("constructor"))
        if constructor is not None:
            lines += self.function(constructor, "__init__", "    ", init=True)
        for key in ("methods", "statics"):
            ids = entry.get(key)
            for member_id in ids if isinstance(ids, list) else []:
                member = by_id.get(member_id)
                if member is None:
                    continue
                method = member_name(member) or ""
                lines += self.member(ident, member, method, static=key == "statics")
        if "eq" in protocols and "hash" not in protocols:
            lines.append("    __hash__: _t.ClassVar[None]  # type: ignore[assignment]")
        return lines

    def member(self, owner: str, member: Mapping[str, Any], method: str, *, static: bool) -> list[str]:
        if method == "__eq__":
            return ["    def __eq__(self, other: object) -> bool: ..."]
        if method == "__hash__":
            return ["    def __hash__(self) -> int: ..."]
        if method == "__cmp__":
            return [f"    def __{op}__(self, other: {owner}) -> bool: ..." for op in ("lt", "le", "gt", "ge")]
        if not _is_name(method):
            return []
        if static:
            return ["    @staticmethod", *self.function(member, method, "    ")]
        return self.function(member, method, "    ", method=True)


_TYPEDDICT_DOC = typing.TypedDict("_Probe", {}).__doc__  # type: ignore[operator]

# An attribute a subclass types more narrowly than `RustError` does: mypy
# calls that an incompatible override when the types differ (pyright too, as
# its types are invariant), and an unused ignore when they do not.
_OVERRIDE = "# type: ignore[assignment, unused-ignore]"
# `RustError`'s attributes that a field of the same name replaces and that
# the class declares.
_DECLARED_ATTRIBUTES = frozenset(("kind", "function"))


def _known_variants(cls: type[RustError]) -> list[str]:
    """The variants describe lists for an error class, those a stub can name."""
    return [v for v in cls.__dict__.get("_ferryman_known_variants") or () if v.isidentifier()]


def _builtin_names() -> set[str]:
    return set(dir(builtins))
