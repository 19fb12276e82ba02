"""``lib.errors``: one :class:`ferryman.RustError` subclass per Rust error type.

A Rust error type is identified by its full Rust type name (the error value's
``rust_type``, describe's ``error.rust``), not by its last path segment: a
library returning both ``std::io::Error`` and ``Box<dyn Error + Send + Sync>``
has two classes, although both are called ``Error``.

Spellings, for a type whose ``rust_type`` is ``std::io::error::Error``:

- ``lib.errors.Error`` — the short name, when no other error type the
  library declares (describe) has that short name; a type first seen when
  raised takes its short name only if no other type has it, so what a short
  name means never changes;
- ``lib.errors.std_io_error_Error`` — the qualified name, always: the Rust type
  with every run of characters that cannot appear in a Python identifier
  replaced by ``_`` (and leading and trailing ``_`` removed);
- ``lib.errors["std::io::error::Error"]`` — the Rust type itself (also the
  short and the qualified name).

Each variant of an error enum is a subclass of its type's class, made when
first raised or first named: ``lib.errors.MathError.DivisionByZero`` (``__name__``
``DivisionByZero``, ``__qualname__`` ``MathError.DivisionByZero``, so a
traceback ends ``ferryman_fixture.MathError.DivisionByZero: ...``). A variant
named before the library raised it is made then. When describe lists the
type's variants (the library marked it ``#[ferryman::error]``), a misspelt
variant is an ``AttributeError`` listing them; otherwise it is a class no
error ever has.

A type whose library gave it a base category (``#[ferryman::error(base =
"key")]``, describe's ``error.base``; ``os`` for ``std::io::Error``) has a
class that also subclasses the matching builtin (``KeyError``), so both
``except KeyError`` and ``except lib.errors.NoSuchUser`` catch it. An error
value with an ``os_error`` (an ``std::io::Error``) is raised as a subclass of
its type's class and of the ``OSError`` subclass for its errno
(``lib.errors.Error.FileNotFoundError``; see ``_builtin_bases``).

Exceptions of these classes pickle: they unpickle to the class of the same
Rust type of a loaded library of the same name (the very class when it is the
same library object), or to a stand-in class of the same name when no such
library is loaded.
"""

from __future__ import annotations

import builtins
import difflib
import re
import threading
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._builtin_bases import base_class, with_builtin
from ._errors import RustError

__all__ = ["ErrorNamespace", "declared_errors", "did_you_mean", "qualified_name", "suggest"]

# One declared error type: (short name, full Rust type, base category,
# an enum's variants when describe lists them).
Declared = tuple[str, str | None, str | None, tuple[str, ...] | None]


def declared_errors(entries: Iterable[Any]) -> list[Declared]:
    """The error types describe's function entries declare (``error``)."""
    declared: list[Declared] = []
    for entry in entries:
        error = entry.get("error") if isinstance(entry, Mapping) else None
        if isinstance(error, Mapping) and isinstance(error.get("name"), str):
            rust = error.get("rust")
            base = error.get("base")
            variants = error.get("variants")
            declared.append(
                (
                    error["name"],
                    rust if isinstance(rust, str) and rust else None,
                    base if isinstance(base, str) else None,
                    tuple(v for v in variants if isinstance(v, str)) if isinstance(variants, list) else None,
                )
            )
    return declared


def suggest(name: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)


def did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return ""
    return "; did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"


def qualified_name(rust_type: str) -> str:
    """``std::io::error::Error`` → ``std_io_error_Error``: the attribute that
    names an error type whatever other types share its short name."""
    name = re.sub(r"\W+", "_", rust_type).strip("_")
    if not name or name[0].isdigit():
        name = "_" + name
    return name


# Every live namespace by its token, for unpickling (`_restore`).
_NAMESPACES: weakref.WeakValueDictionary[str, ErrorNamespace] = weakref.WeakValueDictionary()
# Stand-in classes for exceptions unpickled where their library is not loaded.
_DETACHED: dict[tuple[str, str], type[RustError]] = {}
_REGISTRY_LOCK = threading.Lock()


class ErrorNamespace:
    """``lib.errors``: one :class:`ferryman.RustError` subclass per Rust error type.

    Classes exist for every error type the library declares (``describe``) and
    are created on first use for types that only show up when raised. They
    are cached by full Rust type: ``lib.errors.MathError`` is the class of
    every ``MathError`` the library raises. See the module docstring for the
    spellings (short name when unique, qualified name, ``[rust_type]``).
    """

    def __init__(self, library_name: str, declared: Iterable[Declared]) -> None:
        self._library_name = library_name
        self._module = library_name.replace("-", "_")
        self._token = uuid.uuid4().hex
        # Full Rust type (or the short name, when a value carries no Rust type) → class.
        self._classes: dict[str, type[RustError]] = {}
        # Short name → every key with that short name, in order of creation.
        self._short: dict[str, list[str]] = {}
        # Attribute name (short or qualified) → key.
        self._attributes: dict[str, str] = {}
        # Key → the name its class goes by (short when it has the short attribute).
        self._primary: dict[str, str] = {}
        self._lock = threading.Lock()
        unique = {entry[1] or entry[0]: entry for entry in declared}
        counts = Counter(entry[0] for entry in unique.values())
        with self._lock:
            for type_name, rust_type, base, variants in unique.values():
                cls = self._create(type_name, rust_type, short=counts[type_name] == 1, base=base)
                if variants is not None:
                    type.__setattr__(cls, "_ferryman_known_variants", variants)
        with _REGISTRY_LOCK:
            _NAMESPACES[self._token] = self

    def class_for(
        self,
        type_name: str,
        rust_type: str | None = None,
        variant: str | None = None,
        base: str | None = None,
    ) -> type[RustError]:
        """The class of the Rust error type ``rust_type`` (short name
        ``type_name``), created if needed — or, given the enum ``variant``,
        the subclass for that variant. Without ``rust_type``: the class the
        short name stands for, if any. ``base`` is the type's base category,
        used when the class is made now (a type describe did not declare)."""
        cls = self._type_class(type_name, rust_type, base)
        if variant:
            return variant_class(cls, variant)
        return cls

    def _type_class(self, type_name: str, rust_type: str | None, base: str | None = None) -> type[RustError]:
        key = rust_type or type_name
        cls = self._classes.get(key)
        if cls is not None:
            return cls
        if rust_type is None:
            owner = self._attributes.get(type_name)
            if owner is not None and type_name in self._short:
                return self._classes[owner]
        with self._lock:
            cls = self._classes.get(key)
            if cls is None:
                # A type first seen now takes its short name only if no other
                # type has it: what `lib.errors.X` means never changes.
                cls = self._create(type_name, rust_type, short=type_name not in self._short, base=base)
        return cls

    def _create(
        self, type_name: str, rust_type: str | None, *, short: bool, base: str | None = None
    ) -> type[RustError]:
        """Makes and records the class (``self._lock`` held)."""
        key = rust_type or type_name
        qualified = qualified_name(key)
        short_name = qualified_name(type_name)
        name = short_name if short and short_name not in self._attributes else qualified
        cls = _make_class(self._library_name, self._module, name, type_name, rust_type, self._token, base)
        self._classes[key] = cls
        self._short.setdefault(type_name, []).append(key)
        self._attributes.setdefault(name, key)
        self._attributes.setdefault(qualified, key)
        self._primary[key] = name
        return cls

    def _lookup(self, name: str) -> type[RustError] | None:
        key = self._attributes.get(name)
        return self._classes[key] if key is not None else None

    def _ambiguous(self, name: str) -> str:
        keys = self._short[name]
        listed = "; ".join(f"lib.errors.{qualified_name(key)} or lib.errors[{key!r}]" for key in keys)
        return (
            f"library {self._library_name!r} has {len(keys)} error types named {name!r}, "
            f"so {name!r} alone does not say which; use the qualified name or the Rust type: {listed}"
        )

    def __getattr__(self, name: str) -> type[RustError]:
        if name.startswith("_"):
            raise AttributeError(name)
        cls = self._lookup(name)
        if cls is not None:
            return cls
        if name in self._short:
            raise AttributeError(self._ambiguous(name))
        known = self._names()
        hint = did_you_mean(suggest(name, known)) or (
            f"; it knows: {', '.join(known)}" if known else "; it declares no error types"
        )
        raise AttributeError(f"library {self._library_name!r} has no error type {name!r}{hint}")

    def __getitem__(self, name: str) -> type[RustError]:
        """By full Rust type (``lib.errors["std::io::error::Error"]``), or by
        any name ``lib.errors.<name>`` takes."""
        cls = self._classes.get(name) or self._lookup(name)
        if cls is not None:
            return cls
        if name in self._short:
            raise KeyError(self._ambiguous(name))
        raise KeyError(f"library {self._library_name!r} has no error type {name!r}")

    def _names(self) -> list[str]:
        """The name each class goes by: its short name when it has it, its
        qualified name otherwise."""
        return sorted(self._primary.values())

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._names()))

    def __iter__(self) -> Iterator[type[RustError]]:
        return iter(list(self._classes.values()))

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._classes or self._lookup(name) is not None

    def __repr__(self) -> str:
        return f"<ferryman errors of {self._library_name!r}: {', '.join(self._names()) or 'none'}>"


_VARIANT_LOCK = threading.RLock()


def _variant_name(name: str) -> bool:
    """Whether attribute ``name`` of an error class may name a variant: an
    identifier starting with a capital letter (Rust's variant style)."""
    return name.isidentifier() and name[0].isupper()


class _ErrorClass(type):
    """The metaclass of a library's error classes: ``MathError.DivisionByZero``
    is the class of that variant, made on first use."""

    def __getattr__(cls, name: str) -> Any:
        known: tuple[str, ...] | None = cls.__dict__.get("_ferryman_known_variants")
        # A name in Rust's variant style, or one of (or near one of) the
        # described variants, whatever their style (serde's `rename_all`).
        near = known is not None and not name.startswith("_") and bool(name in known or suggest(name, known))
        if "_ferryman_variants" in cls.__dict__ and (_variant_name(name) or near):
            if known is not None and name not in known:
                # describe lists the variants: a name outside them is a typo.
                raise AttributeError(
                    f"error type {cls.__qualname__!r} has no variant {name!r}"
                    f"{did_you_mean(suggest(name, known))}; its variants: {', '.join(known)}"
                )
            return variant_class(cls, name)  # type: ignore[arg-type]
        raise AttributeError(f"type object {cls.__qualname__!r} has no attribute {name!r}")


def variant_class(cls: type[RustError], variant: str) -> type[RustError]:
    """The subclass of error class ``cls`` for its enum variant ``variant``;
    ``cls`` itself when it is not a library's error type class."""
    variants: dict[str, type[RustError]] | None = cls.__dict__.get("_ferryman_variants")
    if variants is None:
        return cls
    found = variants.get(variant)
    if found is not None:
        return found
    with _VARIANT_LOCK:
        found = variants.get(variant)
        if found is None:
            name = variant if variant.isidentifier() else qualified_name(variant)
            found = type(cls)(
                name,
                (cls,),
                {
                    "__module__": cls.__module__,
                    "__qualname__": f"{cls.__qualname__}.{name}",
                    "__doc__": f"The variant `{variant}` of {cls.__qualname__}.",
                    "_ferryman_variant": variant,
                    "_ferryman_builtins": {},
                },
            )
            variants[variant] = found
            # An attribute of the class (`MathError.DivisionByZero`) unless the
            # name is already one of its own (a variant called `args`).
            try:
                type.__getattribute__(cls, name)
            except AttributeError:
                type.__setattr__(cls, name, found)
    return found


def _make_class(
    library: str,
    module: str,
    name: str,
    type_name: str,
    rust_type: str | None,
    token: str,
    base: str | None = None,
) -> type[RustError]:
    rust = rust_type or type_name
    builtin = base_class(base)
    return _ErrorClass(
        name,
        (RustError, builtin) if builtin is not None else (RustError,),
        {
            "__module__": module,
            "__qualname__": name,
            "__doc__": f"The Rust error type `{rust}` of library {library!r}.",
            "rust_type": rust_type,
            "type_name": type_name,
            "_ferryman_library": library,
            "_ferryman_token": token,
            "_ferryman_variant": None,
            "_ferryman_variants": {},
            "_ferryman_builtins": {},
            "_ferryman_base": base,
        },
    )


def reduce_rust_error(exception: RustError) -> tuple[Any, ...]:
    """``RustError.__reduce__`` for a class of a library's ``lib.errors``."""
    cls = type(exception)
    # An OS error's class is made again from its type's (or variant's) class.
    builtin = cls.__dict__.get("_ferryman_builtin")
    if builtin is not None:
        cls = cls.__mro__[1]
    key = cls.rust_type or cls.type_name or cls.__name__
    variant = getattr(cls, "_ferryman_variant", None)
    if variant is not None:
        # The variant's class is made again from its type's.
        name = cls.__mro__[1].__name__
    else:
        name = cls.__name__
    base = getattr(cls, "_ferryman_base", None)
    identity = (
        cls._ferryman_library,
        cls._ferryman_token,
        key,
        cls.type_name,
        cls.rust_type,
        name,
        variant,
        builtin,
        base,
    )
    state = dict(exception.__dict__)
    if isinstance(exception, OSError):
        # Kept by OSError itself, not in `__dict__`.
        state.update(errno=exception.errno, strerror=exception.strerror)
    return (_restore, (identity, exception.args), state)


def _restore(identity: tuple[Any, ...], args: tuple[Any, ...]) -> RustError:
    """Unpickles an exception of a library's error class (see the module docstring)."""
    library, token, key, type_name, rust_type, name = identity[:6]
    variant, builtin, base = (tuple(identity[6:9]) + (None, None, None))[:3]
    cls = _class_for_restore(library, token, key, type_name or name, rust_type, name, base)
    if variant:
        cls = variant_class(cls, variant)
    builtin_class = getattr(builtins, builtin, None) if isinstance(builtin, str) else None
    if isinstance(builtin_class, type) and issubclass(builtin_class, OSError):
        cls = with_builtin(cls, builtin_class)
    exception = cls.__new__(cls, *args)
    exception.args = args
    return exception


def _class_for_restore(
    library: str, token: str, key: str, type_name: str, rust_type: str | None, name: str, base: str | None
) -> type[RustError]:
    with _REGISTRY_LOCK:
        namespace = _NAMESPACES.get(token)
        if namespace is None:
            namespace = next((ns for ns in _NAMESPACES.values() if ns._library_name == library), None)
    if namespace is not None:
        return namespace.class_for(type_name, rust_type, None, base)
    with _REGISTRY_LOCK:
        cls = _DETACHED.get((library, key))
        if cls is None:
            cls = _make_class(library, library.replace("-", "_"), name, type_name, rust_type, "", base)
            _DETACHED[(library, key)] = cls
    return cls
