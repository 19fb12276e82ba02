"""The run time of a package that ``ferryman build`` generated.

Its ``__init__.py`` is one call, :func:`bind_package`, which loads the library
shipped next to it and fills the package's namespace: functions, error classes,
record types and classes. The package also carries each function's schema as
it was built (``_ferryman_schema.json``); a function or class member
(constructor, method, static method) whose schema in the loaded library
differs incompatibly (``ferryman check``'s rules), or that is gone, is
replaced by one that raises :class:`SchemaMismatchError` when called, and the
others keep working.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, NoReturn

from ._compat import compare_functions
from ._errors import FerrymanError
from ._library import Library, load
from ._schema import function_schemas, schema_hash

__all__ = ["SCHEMA_FILE", "SchemaMismatchError", "bind_package"]

SCHEMA_FILE = "_ferryman_schema.json"


class SchemaMismatchError(FerrymanError):
    """A packaged function whose Rust signature changed incompatibly since its
    package was built: ``function`` names it, ``problems`` says what changed."""

    problems: tuple[str, ...] = ()


def bind_package(namespace: MutableMapping[str, Any], library_file: str) -> Library:
    """Loads ``library_file`` (next to the package's ``__init__.py``) and puts
    its functions, error classes, types and classes into ``namespace``."""
    here = Path(namespace["__file__"]).resolve().parent
    package = str(namespace.get("__name__", here.name))
    lib = load(here / library_file)
    built = json.loads((here / SCHEMA_FILE).read_text(encoding="utf-8"))
    expected: dict[str, dict[str, Any]] = built.get("functions", {})
    current = function_schemas(lib.describe())

    # The names the package's stub declares (one list: `Library.exports`);
    # a function or class member whose schema changed incompatibly since the
    # build refuses calls.
    exported: dict[str, Any] = lib.exports()
    for name, schema in expected.items():
        problems = _problems(name, schema, current, lib.path)
        if not problems:
            continue
        if "." in name:
            _refuse_member(lib, package, name, schema, problems)
        elif name.isidentifier() and (name in exported or name not in current):
            exported[name] = _refusing(package, name, problems, lib.path)
    namespace.update(exported)

    # A Rust function of one of these names keeps the name.
    for name, value in (("errors", lib.errors), ("types", lib.types), ("library", lib)):
        namespace.setdefault(name, value)
    namespace["__all__"] = sorted(exported)
    return lib


def _problems(name: str, schema: Mapping[str, Any], current: Mapping[str, Any], path: str) -> list[str]:
    """Why function (or class member) ``name`` no longer matches the schema it
    was built with; empty when it is compatible."""
    if name not in current:
        return [f"{name} is not in {path} any more"]
    if schema["hash"] == schema_hash(current[name]):
        return []
    return list(compare_functions(name, schema["schema"], current[name]).problems)


def _refuse_member(lib: Library, package: str, name: str, schema: Mapping[str, Any], problems: list[str]) -> None:
    """Replaces class member ``Class.member`` (constructor, method, static
    method or protocol method) on its class with one that refuses the call."""
    owner, _, member = name.partition(".")
    cls = lib._classes.get(owner)
    if cls is None:
        return  # the class itself is gone: the package has nothing to guard
    refuse = _refusing(package, name, problems, lib.path)
    kind = schema.get("schema", {}).get("kind")
    if kind == "constructor":
        cls._ferryman_new = refuse  # type: ignore[attr-defined]
    elif kind == "static":
        setattr(cls, member, staticmethod(refuse))
    elif member == "__cmp__":
        for op in ("lt", "le", "gt", "ge"):
            setattr(cls, f"__{op}__", refuse)
    else:
        setattr(cls, member, refuse)


def _refusing(package: str, name: str, problems: list[str], path: str) -> Callable[..., NoReturn]:
    message = (
        f"{package}.{name} cannot be called: its Rust signature in {path} changed since the "
        f"package was built ({'; '.join(problems)}); rebuild the package (ferryman build) "
        f"or install the matching version of the library"
    )

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise SchemaMismatchError(message, function=name, problems=tuple(problems))

    refuse.__name__ = name.rpartition(".")[2]
    refuse.__qualname__ = name
    refuse.__doc__ = message
    return refuse
