"""Type stubs for ``ferryman._native``, the Rust core of ferryman (not public API)."""

from collections.abc import Callable
from os import PathLike
from typing import Any, final

__version__: str
ABI_VERSION: int
WIRE_VERSION: int
MAX_DEPTH: int

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
    def functions(
        self,
        on_error: Callable[[dict[str, Any]], BaseException],
        describe: dict[str, Any] | None = None,
    ) -> list[Function]: ...

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

def load(path: str | PathLike[str]) -> Library:
    """Loads a ferryman library; raises ``ferryman.LibraryLoadError`` and subclasses."""

def pack(value: Any) -> bytes:
    """MessagePack bytes of ``value``, encoded as arguments are (tests and debugging)."""

def unpack(data: bytes) -> Any:
    """The value in ``data``, decoded as results are (tests and debugging)."""
