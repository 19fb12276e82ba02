"""``Library``: a loaded ferryman library, its functions and its error classes."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from . import _async, _logs, _native
from ._classes import attach_members, class_entries, make_classes, member_name
from ._error_classes import ErrorNamespace, declared_errors, did_you_mean, suggest
from ._errors import LibraryLoadError, UnknownFunctionError, exception_from_value
from ._records import TypeNamespace, record_classes
from ._types import annotations_of, render, resolving, signature

__all__ = ["ErrorNamespace", "Library", "load"]


class Library:
    """A loaded ferryman library.

    ``lib.<name>`` is the exported Rust function ``name`` (also ``lib["name"]``
    and ``lib.functions["name"]``), or the exported class ``name``
    (``lib.classes["name"]``, a subclass of :class:`ferryman.RustObject`);
    ``lib.errors.<Type>`` the exception class of a Rust error type;
    ``lib.types.<Type>`` the Python type of a Rust struct or enum its
    functions use. Use :func:`ferryman.load` to make one.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        native = _native.load(path)
        handshake = native.handshake()
        description = native.describe()
        entries = description.get("functions")
        entries = entries if isinstance(entries, list) else []
        _refuse_shared_names(native.path, entries)
        class_list = class_entries(description)
        _refuse_class_names(native.path, entries, class_list)

        self._native = native
        self.path: str = native.path
        self.name: str = str(handshake.get("library") or os.path.basename(native.path))
        self.version: str | None = handshake.get("library_version")
        self.ferryman_version: str | None = handshake.get("ferryman")
        self.abi_version: int = native.abi_version
        self.wire_version: int | None = handshake.get("wire")

        self.errors = ErrorNamespace(self.name, declared_errors(entries))
        # `lib.types.Point`: the classes of describe's named types, which the
        # functions' annotations use.
        # Their `__module__` is the crate's name: `ferryman_fixture.Point`.
        module = self.name.replace("-", "_")
        self.types = TypeNamespace(self.name, record_classes(description.get("types"), module))

        # Plain `Err`s become exceptions natively (classes from `self.errors`);
        # every other error value goes through `exception_from_value`.
        on_error = _native.ErrorFactory(functools.partial(exception_from_value, errors=self.errors), self.errors)
        # `lib.Counter`: the classes come first, for the signatures that name them.
        classes = make_classes(class_list, module)
        self._classes: dict[str, type[_native.RustObject]] = {cls.__name__: cls for cls in classes}
        functions: dict[str, _native.Function] = {}
        members: dict[int, Any] = {}
        # Returned closures' signatures name the same classes (`RustFunction.__signature__`).
        with resolving(self._named):
            made = native.functions(on_error, description)
        for native_function, entry in zip(made, entries, strict=True):
            self._decorate(native_function, entry)
            function = _async.wrap(native_function, entry)
            functions[function.name] = function
            if member_name(entry) is not None:
                members[function.id] = function
        self._functions = functions
        for cls, class_entry in zip(classes, class_list, strict=True):
            attach_members(cls, class_entry, members)
        if classes:
            # The native core names this load's classes and error factory only
            # weakly (so a dropped load leaves nothing behind): an object that
            # outlives the Library keeps them, through its class.
            for cls in classes:
                cls._ferryman_load = (on_error, tuple(classes))
            native.set_classes(classes)
        # Functions are instance attributes, so `lib.add` is a plain dict hit
        # (a `__getattr__` fallback costs about a microsecond per access).
        # Names taken by the Library itself (`lib.name`, `lib.describe`, ...)
        # stay reachable as `lib["name"]` and `lib.functions["name"]`.
        for name, function in functions.items():
            if (
                name.isidentifier()
                and function.id not in members
                and name not in self.__dict__
                and not hasattr(type(self), name)
            ):
                self.__dict__[name] = function
        for name, cls in self._classes.items():
            if name.isidentifier() and name not in self.__dict__ and not hasattr(type(self), name):
                self.__dict__[name] = cls
        # Rust `log`/`tracing` records go to `logging` (`_logs`): "sending",
        # or "not offered" by a library that sends none.
        self._log_answer: str = _logs.connect(native, self.name)
        # `help(lib)` documents the instance's class: one per library, whose
        # docstring lists what the library exports.
        self.__class__ = type(_class_name(self.name), (Library,), {"__doc__": _listing(self), "__module__": "ferryman"})

    def _named(self, name: str) -> Any:
        """The class of ``{"object": name}`` or ``{"named": name}``; any
        value for a named type describe has no entry for (``spec/wire.md``)."""
        cls = self.__dict__.get("_classes", {}).get(name)
        if cls is not None:
            return cls
        types = self.__dict__.get("types")
        return types[name] if types is not None and name in types else Any

    def _decorate(self, function: _native.Function, entry: Mapping[str, Any]) -> None:
        name = function.name
        sig, text = signature(entry, self._named)
        doc = entry.get("doc")
        function.__name__ = member_name(entry) or name
        function.__qualname__ = name
        function.__doc__ = inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None
        if sig is not None:
            function.__signature__ = sig  # type: ignore[attr-defined]
            # `typing.get_type_hints(lib.add)`: real classes, never strings.
            function.__annotations__ = annotations_of(sig)
        word = "method" if entry.get("kind") == "method" else "function"
        function._ferryman_repr = f"<ferryman {word} {name}{text}>"  # type: ignore[attr-defined]
        function.description = dict(entry)
        function.library = self.name

    @property
    def functions(self) -> Mapping[str, _native.Function]:
        """Every exported function by name (read-only); class members are
        named ``Counter.add`` here and are attributes of their class."""
        return MappingProxyType(self._functions)

    @property
    def classes(self) -> Mapping[str, type[_native.RustObject]]:
        """Every exported class by name (read-only)."""
        return MappingProxyType(self._classes)

    def live_objects(self) -> dict[str, int]:
        """How many objects of each class hosts still hold (``{"Counter": 2}``;
        classes with none are left out): a leak check. An object is held until
        it is garbage collected or closed."""
        return self._native.live_objects()

    def exports(self) -> dict[str, Any]:
        """What a generated package binds at top level, by name: the free
        functions, the classes, the error classes and the named types — the
        names its ``.pyi`` stub declares (``ferryman._stubs``), so
        ``globals().update(lib.exports())`` makes the stub true."""
        from ._stubs import runtime_exports

        return runtime_exports(self)

    def describe(self) -> dict[str, Any]:
        """The library's describe map (``spec/wire.md``), freshly decoded."""
        return self._native.describe()

    def handshake(self) -> dict[str, Any]:
        """The library's handshake map (``spec/wire.md``)."""
        return self._native.handshake()

    def live_futures(self) -> list[dict[str, Any]]:
        """The pending Rust futures and streams this process holds
        (``[{"handle": int, "kind": "future" | "stream", "function": str}, ...]``,
        oldest first): a leak check. A future is held until it completes or
        is cancelled, a stream until it ends or is closed."""
        return self._native.live_futures()

    def live_closures(self) -> list[dict[str, Any]]:
        """The Rust closures this library handed out that are still alive
        (``[{"handle": int, "signature": str}, ...]``, oldest first): a leak check.

        A :class:`ferryman.RustFunction` keeps its closure alive until it is
        garbage collected.
        """
        return self._native.live_closures()

    def __getattr__(self, name: str) -> Any:
        functions: dict[str, _native.Function] | None = self.__dict__.get("_functions")
        if functions is None or name.startswith("__"):
            raise AttributeError(name)
        found = functions.get(name) or self.__dict__.get("_classes", {}).get(name)
        if found is not None:
            return found
        raise self._unknown(name)

    def __getitem__(self, name: str) -> Any:
        found = self._functions.get(name) or self._classes.get(name)
        if found is None:
            raise self._unknown(name)
        return found

    def _unknown(self, name: str) -> UnknownFunctionError:
        names = sorted({*(name for name in self._functions if name.isidentifier()), *self._classes})
        suggestions = suggest(name, names)
        message = f"library {self.name!r} has no function {name!r}" + did_you_mean(suggestions)
        return UnknownFunctionError(message, name=name, suggestions=tuple(suggestions), library=self.name)

    def __contains__(self, name: object) -> bool:
        return name in self._functions or name in self._classes

    def __iter__(self) -> Iterator[_native.Function]:
        return iter(list(self._functions.values()))

    def __len__(self) -> int:
        return len(self._functions)

    def __dir__(self) -> list[str]:
        functions = {name for name in self._functions if name.isidentifier()}
        return sorted(set(super().__dir__()) | functions | set(self._classes))

    def __repr__(self) -> str:
        version = f" {self.version}" if self.version else ""
        count = len(self._functions)
        return (
            f"<ferryman.Library {self.name}{version}: {count} function{'s' if count != 1 else ''} from {self.path!r}>"
        )


def _class_name(library: str) -> str:
    name = "".join(c if c.isalnum() else "_" for c in library)
    return name if name.isidentifier() else "_" + name


def _listing(lib: Library) -> str:
    """The docstring of a library's class: its functions with their
    signatures and first doc lines, its classes, error classes and types."""

    def first_line(obj: Any) -> str:
        doc = getattr(obj, "__doc__", None)
        return doc.strip().splitlines()[0] if isinstance(doc, str) and doc.strip() else ""

    def entry(name: str, obj: Any) -> list[str]:
        sig = getattr(obj, "__signature__", None)
        text = f"{name}{_signature_text(sig)}" if isinstance(sig, inspect.Signature) else name
        line = first_line(obj)
        return [f"    {text}", *([f"        {line}"] if line else [])]

    version = f" {lib.version}" if lib.version else ""
    lines = [f"The ferryman library {lib.name}{version} ({lib.path}).", ""]
    free = {name: function for name, function in lib.functions.items() if "." not in name}
    lines += ["Functions:", *(line for name, function in sorted(free.items()) for line in entry(name, function))]
    if lib.classes:
        lines += ["", "Classes (lib.<Name>):"]
        for name, cls in sorted(lib.classes.items()):
            lines += entry(name, cls)
            for member, value in sorted(vars(cls).items()):
                if not member.startswith("_"):
                    lines += [f"    {line}" for line in entry(f"{name}.{member}", getattr(value, "__func__", value))]
    names = lib.errors._names()
    if names:
        lines += ["", "Error classes (lib.errors.<Name>):", *(f"    {name}" for name in names)]
    if len(lib.types):
        lines += ["", "Types (lib.types.<Name>):", f"    {', '.join(lib.types)}"]
    return "\n".join(lines)


def _signature_text(sig: inspect.Signature) -> str:
    """``(polygon: list[Point]) -> float``: classes by their names."""
    params = []
    for param in sig.parameters.values():
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {render(param.annotation, _class_name_of)}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"
        params.append(text)
    result = sig.return_annotation
    arrow = "" if result is inspect.Signature.empty else f" -> {render(result, _class_name_of)}"
    return f"({', '.join(params)}){arrow}"


def _class_name_of(value: Any) -> str | None:
    return value.__name__ if isinstance(value, type) and value.__module__ not in ("builtins", "typing") else None


def _refuse_shared_names(path: str, entries: list[Any]) -> None:
    """Two exported functions with one name (two crates, or
    ``#[ferryman::export(name = ...)]``) cannot both be ``lib.<name>``, and
    the library's ``ferryman_function_id`` knows neither: refuse the library."""
    places: dict[str, list[str]] = {}
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            places.setdefault(entry["name"], []).append(f"{entry.get('file')}:{entry.get('line')}")
    for name, where in places.items():
        if len(where) > 1:
            raise LibraryLoadError(
                f"{path} exports {len(where)} functions named {name!r} ({', '.join(where)}); "
                f'give each its own name, e.g. with #[ferryman::export(name = "...")], and rebuild it',
                path=path,
            )


def _refuse_class_names(path: str, entries: list[Any], classes: list[Mapping[str, Any]]) -> None:
    """A class and a free function with one name cannot both be ``lib.<name>``:
    refuse the library."""
    free = {
        entry["name"]
        for entry in entries
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and member_name(entry) is None
    }
    for entry in classes:
        if entry["name"] in free:
            raise LibraryLoadError(
                f"{path} exports both a class and a function named {entry['name']!r}; rename one "
                f'(e.g. #[ferryman::export(name = "...")]) and rebuild it',
                path=path,
            )


def load(path: str | os.PathLike[str]) -> Library:
    """Loads the ferryman library (a Rust ``cdylib``) at ``path``.

    Raises :class:`ferryman.LibraryLoadError` when the file cannot be loaded,
    :class:`ferryman.NotAFerrymanLibrary` when it is not a ferryman library and
    :class:`ferryman.AbiMismatch` when it speaks another ABI version.
    """
    return Library(path)
