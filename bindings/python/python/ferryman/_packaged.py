"""The run time of a package that ``ferryman build`` generated.

Its ``__init__.py`` is one call, :func:`bind_package`, which loads the library
shipped next to it and fills the package's namespace: functions, error classes,
record types and classes. The package also carries each function's schema as
it was built (``_ferryman_schema.json``); a function whose schema in the loaded
library differs incompatibly (``ferryman check``'s rules) is replaced by one
that raises :class:`SchemaMismatchError` when called, and the others keep working.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
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
    # a function whose schema changed incompatibly since the build refuses calls.
    exported: dict[str, Any] = lib.exports()
    for name, schema in expected.items():
        if "." in name or not name.isidentifier():
            continue  # class members: reached through their class
        if name not in current:
            exported[name] = _refusing(package, name, [f"{name} is not in {lib.path} any more"], lib.path)
        elif name in exported and schema["hash"] != schema_hash(current[name]):
            report = compare_functions(name, schema["schema"], current[name])
            if report.problems:
                exported[name] = _refusing(package, name, report.problems, lib.path)
    namespace.update(exported)

    # A Rust function of one of these names keeps the name.
    for name, value in (("errors", lib.errors), ("types", lib.types), ("library", lib)):
        namespace.setdefault(name, value)
    namespace["__all__"] = sorted(exported)
    return lib


def _refusing(package: str, name: str, problems: list[str], path: str) -> Callable[..., NoReturn]:
    message = (
        f"{package}.{name} cannot be called: its Rust signature in {path} changed since the "
        f"package was built ({'; '.join(problems)}); rebuild the package (ferryman build) "
        f"or install the matching version of the library"
    )

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise SchemaMismatchError(message, function=name, problems=tuple(problems))

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = message
    return refuse
