"""Type stubs for ``ferryman._native``, the Rust core of ferryman (not public API)."""

import inspect
from collections.abc import Callable
from os import PathLike
from types import EllipsisType
from typing import Any, TypeVar, final

__version__: str
ABI_VERSION: int
WIRE_VERSION: int
MAX_DEPTH: int
LEND_FOR_CALL_AT: int
LEND_OBJECT_AT: int
LEND_SLICE_AT: int

_O = TypeVar("_O", bound="RustObject")

@final
class Library:
    """A loaded ferryman library (its entry points, resolved once)."""

    @property
    def path(self) -> str: ...
    @property
    def abi_version(self) -> int: ...
    def handshake(self) -> dict[str, Any]: ...
    def describe(self) -> dict[str, Any]: ...
    def function_id(self, name: str) -> int | None: ...
    @property
    def host_id(self) -> int | None: ...
    def live_closures(self) -> list[dict[str, Any]]: ...
    def live_futures(self) -> list[dict[str, Any]]: ...
    def live_objects(self) -> dict[str, int]: ...
    def set_classes(self, classes: list[type[RustObject]]) -> None: ...
    def connect_logs(self, emit: Callable[[dict[str, Any]], None] | None, max_level: int) -> str: ...
    def set_log_level(self, max_level: int) -> str: ...
    @property
    def has_objects(self) -> bool: ...
    def functions(
        self,
        on_error: Callable[[dict[str, Any]], BaseException],
        describe: dict[str, Any] | None = None,
    ) -> list[Function]: ...

@final
class ErrorFactory:
    """A library's ``on_error``: builds a plain ``Err``'s exception natively
    (classes from ``errors.class_for``); calling it calls ``general``."""

    def __init__(
        self, general: Callable[[dict[str, Any]], BaseException], errors: Any
    ) -> None: ...
    def __call__(self, value: dict[str, Any]) -> BaseException: ...

@final
class Function:
    """An exported Rust function. Calls bind like Python functions whose
    parameters are all positional-or-keyword."""

    __name__: str
    __qualname__: str
    __doc__: str | None
    description: dict[str, Any]
    library: str
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def parameters(self) -> tuple[str, ...]: ...
    @property
    def rust_types(self) -> tuple[str, ...]: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

@final
class Method:
    """A method of an exported class: a ``Function`` whose first parameter is
    the object; ``obj.method(...)`` calls it with ``obj`` first."""

    __name__: str
    __qualname__: str
    __doc__: str | None
    description: dict[str, Any]
    library: str
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def parameters(self) -> tuple[str, ...]: ...
    @property
    def rust_types(self) -> tuple[str, ...]: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def __get__(self, instance: Any, owner: type | None = None) -> Any: ...

class RustObject:
    """The base of every class a library exports (``lib.Counter``): a handle to
    a Rust value, released when the object goes or by ``close()`` / ``with``."""

    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self: _O) -> _O: ...
    def __exit__(self, *args: object) -> bool: ...
    def __copy__(self: _O) -> _O: ...

@final
class RustIterator:
    """A lazy Rust iterator: ``next()`` pulls items in batches; ``close()``,
    ``with``, exhaustion or garbage collection drop the Rust iterator."""

    @property
    def closed(self) -> bool: ...
    def __iter__(self) -> RustIterator: ...
    def __next__(self) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> RustIterator: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class PendingCall:
    """A pending future of an async function (``ferryman._async`` awaits it)."""

    @property
    def handle(self) -> int: ...
    def start(self, token: int) -> None: ...
    def cancel(self) -> None: ...
    def outcome(self, status: int, data: bytes) -> Any: ...

@final
class RustStream:
    """A Rust stream a function returned (``ferryman._async.RustStream`` pulls it)."""

    @property
    def closed(self) -> bool: ...
    def start(self, token: int) -> None: ...
    def next(self, max_items: int) -> list[Any] | None | EllipsisType: ...
    def batch(self, status: int, data: bytes) -> list[Any] | None: ...
    def release(self) -> None: ...

@final
class CompletionQueue:
    """The completions of one event loop, queued without the GIL."""

    def __init__(self, wake_fd: int) -> None: ...
    @property
    def base(self) -> int: ...
    def take(self) -> list[tuple[int, int, bytes]]: ...
    def close(self) -> None: ...

@final
class RustFunction:
    """A Rust closure a library returned; calls run it in Rust. Passing it back
    into the library gives Rust the closure itself. The library drops it when
    this object is garbage collected."""

    @property
    def handle(self) -> int: ...
    @property
    def annotation(self) -> str | None: ...
    @property
    def __signature__(self) -> inspect.Signature:
        """Positional ``arg0``, ``arg1``… and the result, annotated with the
        library's classes; ``AttributeError`` when the library gave no descriptor."""
    @property
    def __annotations__(self) -> dict[str, Any]: ...  # type: ignore[override]
    def __call__(self, *args: Any) -> Any: ...

def object_class(module: str, name: str, hashed: bool = False) -> type[RustObject]:
    """A new subclass of ``RustObject`` named ``module.name`` (one per exported class)."""

def load(path: str | PathLike[str]) -> Library:
    """Loads a ferryman library; raises ``ferryman.LibraryLoadError`` and subclasses."""

def pack(value: Any) -> bytes:
    """MessagePack bytes of ``value``, encoded as arguments are (tests and debugging)."""

def unpack(data: bytes) -> Any:
    """The value in ``data``, decoded as results are (lazy error values, tests, debugging)."""

def pending_exception(handle: int) -> tuple[BaseException, Any, int] | None:
    """The exception a callback raised that handle ``handle`` names, while a
    library holds it: (exception, its traceback, how many frames it sent to
    Rust)."""

def pending_count() -> int:
    """How many callback exceptions libraries still hold (tests: nothing leaks)."""

def set_gil_policy(policy: str) -> None:
    """When calls release the GIL: ``"auto"`` (default: whenever another thread
    could want it) or ``"always"`` (also for threads started while a call runs,
    by C code or by Python code the call runs)."""

def gil_policy() -> str:
    """The GIL policy in force: ``"auto"`` or ``"always"``."""

def live_host_objects() -> int:
    """How many Python callables (and lent ``bytes``) libraries may still call or
    read (tests: nothing leaks)."""

def lent_results_copied() -> int:
    """How many results came back as lent bytes (extension 3) and were copied
    into new ``bytes`` (tests: the zero-copy path ran)."""
