"""ferryman: call Rust functions from Python, with Rust frames in your tracebacks.

>>> import ferryman
>>> lib = ferryman.load("target/debug/libcalc.so")   # doctest: +SKIP
>>> lib.divide(7, 2)                                 # doctest: +SKIP
3
"""

# The native core first: in a subinterpreter it refuses to load before
# anything imports asyncio (whose teardown in a subinterpreter crashes
# CPython 3.12.1 at exit).
from . import _native  # noqa: I001
from ._async import RustStream
from ._error_classes import ErrorNamespace
from ._errors import (
    AbiMismatch,
    ArgumentError,
    ArgumentOverflowError,
    BorrowError,
    CallbackError,
    ClosedObjectError,
    ErrorFields,
    FerrymanError,
    LibraryLoadError,
    NotAFerrymanLibrary,
    ProtocolError,
    RustError,
    RustPanic,
    UnknownFunctionError,
    UnsupportedFunctionError,
)
from ._library import Library, load
from ._logs import TRACE, sync_log_levels
from ._native import (
    ABI_VERSION,
    WIRE_VERSION,
    Function,
    Method,
    RustFunction,
    RustIterator,
    RustObject,
    gil_policy,
    set_gil_policy,
)
from ._native import __version__ as __version__
from ._packaged import SchemaMismatchError

__all__ = [
    "ABI_VERSION",
    "WIRE_VERSION",
    "AbiMismatch",
    "ArgumentError",
    "ArgumentOverflowError",
    "BorrowError",
    "CallbackError",
    "ClosedObjectError",
    "ErrorFields",
    "ErrorNamespace",
    "FerrymanError",
    "Function",
    "Library",
    "LibraryLoadError",
    "Method",
    "NotAFerrymanLibrary",
    "ProtocolError",
    "RustError",
    "RustFunction",
    "RustIterator",
    "RustObject",
    "RustPanic",
    "RustStream",
    "SchemaMismatchError",
    "TRACE",
    "UnknownFunctionError",
    "UnsupportedFunctionError",
    "__version__",
    "gil_policy",
    "load",
    "set_gil_policy",
    "sync_log_levels",
]
