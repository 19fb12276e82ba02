"""The exceptions ferryman raises, and how an error value becomes one.

A plain ``Err`` — kind ``error``, no causes, no notes, no callback exception,
the common case — is built by the native core (``_native.ErrorFactory``): the
class from ``lib.errors``, ``str(e)`` and the traceback of the Rust frames at
once, every other attribute decoded from the error value's bytes when first
read (:class:`RustError`).

Every other failed call reaches :func:`exception_from_value` with an error
value (``spec/wire.md``, "Error values") as a dict: the library's, or one the
native core made for a problem it found itself (bad arguments, a result that
does not decode). The exception it returns already has its ``__cause__``
chain, notes and a traceback of the Rust frames; Python adds the caller's
frames in front as it propagates.

An error value of kind ``host`` is a Python exception a callback raised. The
native core keeps that exception for as long as Rust holds the error
(``spec/callbacks.md``), on any thread: it is raised again as the same object,
its traceback the Rust frames followed by the callback's own frames. A panic's
error value may name the callback exception Rust was handling when it
panicked; it becomes the panic's ``__context__``.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _native
from ._builtin_bases import os_class, set_os_attributes, with_builtin
from ._traceback import build_traceback

if TYPE_CHECKING:
    from ._error_classes import ErrorNamespace

__all__ = [
    "AbiMismatch",
    "ArgumentError",
    "ArgumentOverflowError",
    "CallbackError",
    "ErrorFields",
    "FerrymanError",
    "LibraryLoadError",
    "NotAFerrymanLibrary",
    "ProtocolError",
    "RustError",
    "RustPanic",
    "UnknownFunctionError",
    "UnsupportedFunctionError",
    "exception_from_value",
]


class FerrymanError(Exception):
    """Base class of every exception ferryman raises.

    Exceptions built from an error value have its keys as attributes:
    ``kind``, ``function``, ``frames`` (the Rust frames, outermost first),
    ``notes`` and ``error_value`` (the whole dict).
    """

    kind: str | None = None
    function: str | None = None
    frames: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    error_value: dict[str, Any] | None = None

    def __init__(self, message: str = "", /, **attributes: Any) -> None:
        super().__init__(message)
        for name, value in attributes.items():
            setattr(self, name, value)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_T = TypeVar("_T")


class ErrorFields(dict[str, Any]):
    """``e.fields``: a Rust error's serde fields by name (a dict). The fields
    of a tuple variant or tuple struct, named ``"0"``, ``"1"``, … on the wire,
    are also read by position: ``e.fields[0]`` is ``e.fields["0"]``.

    (``e.args`` keeps Python's meaning, the message: pickling and ``raise``
    rely on it, so a field named ``args`` is read as ``e.fields["args"]``.)
    """

    __slots__ = ()

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, int) and not isinstance(key, bool) and key >= 0 and str(key) in self:
            return self[str(key)]
        raise KeyError(key)


# Where a natively built exception keeps its error value's bytes until decoded.
_RAW = "_ferryman_raw"


class _Decoded(Generic[_T]):
    """A :class:`RustError` attribute that an exception the native core built
    decodes from its error value's bytes on first access.

    A non-data descriptor: once decoded (or on exceptions built in Python) the
    instance's ``__dict__`` answers first, and the class-level default applies
    otherwise.
    """

    __slots__ = ("_default", "_name")

    def __init__(self, default: _T) -> None:
        self._default = default
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: BaseException | None, owner: type | None = None) -> _T:
        if instance is not None and _decode_raw(instance):
            return instance.__dict__.get(self._name, self._default)
        return self._default


class RustError(FerrymanError):
    """A Rust function returned ``Err``.

    Each library has one subclass per Rust error type, under ``lib.errors``
    (``lib.errors.MathError``). ``str(e)`` is the error's ``Display`` text;
    ``rust_type`` is the full Rust type name, ``variant`` the enum variant,
    ``fields`` its serialized fields (an :class:`ErrorFields` dict; each also
    an attribute, when the name is free; a tuple variant's also by position,
    ``e.fields[0]``), and ``__cause__`` the ``source()`` chain. A field named like
    one of ferryman's attributes ``kind``, ``function``, ``param``, ``index``,
    ``expected`` or ``found`` wins: ferryman's value stays in
    ``error_value`` (``e.error_value["kind"]``); ``variant``, ``fields``,
    ``error_value``, ``frames``, ``notes``, ``rust_type`` and Python's own
    attributes (``args``, ...) are never replaced (read such fields through
    ``e.fields``).

    An ``std::io::Error`` is also an ``OSError`` (``FileNotFoundError``, …)
    with ``errno`` and ``strerror``; a type the library gave a base category
    (``#[ferryman::error(base = "value")]``) is also that builtin
    (``ValueError``). An error whose ``source()`` is an ``io::Error`` keeps
    its class; its ``__cause__`` is the ``OSError``.

    For a plain ``Err`` (no ``source()``) the native core keeps the error
    value's bytes; ``error_value``, ``fields``, ``variant``, ``frames`` and
    the rest are decoded the first time one of them is read.
    """

    kind: _Decoded[str | None] = _Decoded(None)
    function: _Decoded[str | None] = _Decoded(None)
    frames: _Decoded[tuple[dict[str, Any], ...]] = _Decoded(())
    notes: _Decoded[tuple[str, ...]] = _Decoded(())
    error_value: _Decoded[dict[str, Any] | None] = _Decoded(None)
    rust_type: _Decoded[str | None] = _Decoded(None)
    type_name: _Decoded[str | None] = _Decoded(None)
    variant: _Decoded[str | None] = _Decoded(None)
    fields: _Decoded[ErrorFields | None] = _Decoded(None)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup failed: a field, or `param`, `index`, ...
        if not name.startswith("__") and _decode_raw(self):
            try:
                return self.__dict__[name]
            except KeyError:
                pass
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self)

    def __dir__(self) -> list[str]:
        _decode_raw(self)
        return list(super().__dir__())

    def __reduce__(self) -> str | tuple[Any, ...]:
        # A class of a library's `lib.errors` is not importable by name; it
        # unpickles through the namespaces of the libraries loaded then.
        if getattr(type(self), "_ferryman_library", None) is None:
            return super().__reduce__()
        from ._error_classes import reduce_rust_error

        return reduce_rust_error(self)


def _decode_raw(exception: BaseException) -> bool:
    """Sets the attributes of a natively built :class:`RustError` from the
    error value bytes it carries — the same ones :func:`exception_from_value`
    sets — without replacing any already there. ``False`` when it carries none.

    Safe to race: the bytes are dropped only after every attribute is set.
    """
    attributes = exception.__dict__
    raw = attributes.get(_RAW)
    if raw is None:
        return False
    value = _native.unpack(raw)
    frames = value.get("frames")
    fields = value.get("fields")
    fields = ErrorFields(fields) if type(fields) is dict else None  # nil: the error type is not Serialize
    decoded: dict[str, Any] = {name: value.get(name) for name in _VALUE_ATTRIBUTES}
    decoded.update(
        kind="error",
        type_name=value.get("type"),
        error_value=value,
        frames=tuple(frames) if type(frames) is list else (),
        notes=(),
        fields=fields,
    )
    for name, field in (fields or {}).items():
        if name in _YIELDING_ATTRIBUTES:
            decoded[name] = field
        elif field_is_attribute(type(exception), name) and name not in decoded and name not in attributes:
            decoded[name] = field
    for name, attribute in decoded.items():
        attributes.setdefault(name, attribute)
    attributes.pop(_RAW, None)
    return True


class RustPanic(FerrymanError):
    """A Rust function panicked. The traceback ends at the panic's file and line."""

    rust_type: str | None = None
    type_name: str | None = "Panic"


class CallbackError(FerrymanError):
    """A callback failed, and its exception object is not at hand.

    A Python callback's exception comes out of the Rust call as itself. This
    class is for the rest: an error another host's callback raised, one a
    library could not name because several hosts registered with it, or a
    callback refused while the interpreter shuts down. ``type_name`` is the
    exception's class name, ``str(e)`` reads ``"ValueError: message"`` and the
    traceback holds the Rust frames and the callback's frames.
    """

    type_name: str | None = None
    host_exception: int | None = None


class ArgumentError(FerrymanError, TypeError):
    """The arguments do not match the function's parameters, or a callback
    returned a value that does not match the Rust type it should return.

    ``function``, ``param`` (name), ``index`` (0-based), ``expected`` (the Rust
    type) and ``found`` say where and what (a callback's result has no
    ``param``; when ferryman cannot send it at all, no ``expected`` either).
    """

    param: str | None = None
    index: int | None = None
    expected: str | None = None
    found: str | None = None


class ArgumentOverflowError(ArgumentError, OverflowError):
    """An int argument (or callback result) does not fit its Rust integer type."""


class ClosedObjectError(FerrymanError, ValueError):
    """A Rust object was used after ``close()`` (or its ``with`` block); the
    message names the class and the method."""

    param: str | None = None
    index: int | None = None
    expected: str | None = None
    found: str | None = None


class BorrowError(FerrymanError, RuntimeError):
    """A ``&mut self`` method could not have the Rust object to itself (Rust
    still holds another reference to it, e.g. a live iterator over it), or a
    call would re-enter an object in a way that deadlocks."""

    param: str | None = None


class ProtocolError(FerrymanError):
    """A library sent bytes that break the ferryman wire format."""


class UnsupportedFunctionError(FerrymanError, NotImplementedError):
    """The library exports it, but this host cannot call it. Earlier versions
    raised it for async functions and streams, which this package now awaits
    and pulls (``ferryman._async``); kept so that code catching it still runs."""


class UnknownFunctionError(FerrymanError, AttributeError):
    """The library has no function of that name; ``suggestions`` lists close ones."""

    suggestions: tuple[str, ...] = ()
    library: str | None = None


class LibraryLoadError(FerrymanError, OSError):
    """A shared object could not be loaded as a ferryman library."""

    path: str | None = None

    def __init__(self, message: str = "", /, *, path: str | None = None, **attributes: Any) -> None:
        super().__init__(message, **attributes)
        self.path = path


class NotAFerrymanLibrary(LibraryLoadError):
    """The shared object loads but does not export ``ferryman_abi_version``."""


class AbiMismatch(LibraryLoadError):
    """The library speaks an ABI (or wire) version this package does not."""


# Print as `ferryman.RustError`, not `ferryman._errors.RustError`.
for _cls in (
    ErrorFields,
    FerrymanError,
    RustError,
    RustPanic,
    CallbackError,
    ArgumentError,
    ArgumentOverflowError,
    ClosedObjectError,
    BorrowError,
    ProtocolError,
    UnknownFunctionError,
    LibraryLoadError,
    NotAFerrymanLibrary,
    AbiMismatch,
):
    _cls.__module__ = "ferryman"
del _cls

_ARGUMENT_KINDS = {"arity": ArgumentError, "type": ArgumentError, "overflow": ArgumentOverflowError}
_CLASS_FOR_KIND: dict[str, type[FerrymanError]] = {
    "panic": RustPanic,
    **_ARGUMENT_KINDS,
    "malformed": ProtocolError,
    "protocol": ProtocolError,
    "no_function": UnknownFunctionError,
    "host": CallbackError,
    "closed": ClosedObjectError,
    "borrow": BorrowError,
}

# Keys set as attributes on every exception built from an error value.
_VALUE_ATTRIBUTES = ("kind", "function", "param", "index", "expected", "found", "variant", "rust_type")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ferryman's attributes that a user's error field of the same name replaces
# (the user's `kind` wins; ferryman's stays in `e.error_value["kind"]`).
# `variant`, `fields`, `error_value`, `frames`, `notes` and `rust_type` are
# always ferryman's, and `args` is Python's (the message): such fields are read
# through `e.fields`.
_YIELDING_ATTRIBUTES = frozenset(("kind", "function", "param", "index", "expected", "found"))


def _free_field_name(name: object) -> bool:
    """Whether a field may become an attribute: an identifier, not a keyword."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def field_is_attribute(cls: type, name: object) -> bool:
    """Whether the field ``name`` of an error of class ``cls`` is also an
    attribute: one of ferryman's attributes a field replaces, or an
    identifier no class of ``cls`` defines (the stubs type the same ones)."""
    if name in _YIELDING_ATTRIBUTES:
        return True
    return _free_field_name(name) and not any(name in vars(c) for c in cls.__mro__)


def _set_fields(exception: BaseException, fields: Mapping[str, Any]) -> None:
    for name, field in fields.items():
        if _free_field_name(name) and not hasattr(exception, name):
            setattr(exception, name, field)


def _pending(handle: Any) -> tuple[BaseException, Any, int] | None:
    """The exception a callback raised, named by an error value's handle."""
    if not isinstance(handle, int) or isinstance(handle, bool) or not 0 <= handle < 2**64:
        return None
    return _native.pending_exception(handle)


def _cause_chain(causes: Any, errors: ErrorNamespace | None) -> BaseException | None:
    """The ``source()`` chain (nearest first) as linked ``RustError`` instances.

    A cause that is a callback's exception is that exception object; being
    Python's own, it ends the chain (its ``__cause__`` is left as it is).
    """
    if not isinstance(causes, list):
        return None
    head: BaseException | None = None
    previous: BaseException | None = None
    for cause in causes:
        if not isinstance(cause, dict):
            continue
        pending = _pending(cause.get("host_exception"))
        instance: BaseException
        if pending is not None:
            exception, traceback, _ = pending
            instance = exception.with_traceback(traceback)
        else:
            type_name = _text(cause.get("type"))
            cls: type[RustError] = RustError
            if type_name and errors is not None:
                cls = errors.class_for(type_name)
            # A link that is an `std::io::Error`: an OSError too.
            os_error = cause.get("os_error")
            builtin = os_class(os_error)
            if builtin is not None:
                cls = with_builtin(cls, builtin)
            instance = cls(_text(cause.get("message")) or "", kind="cause", type_name=type_name)
            set_os_attributes(instance, os_error)
        if previous is None:
            head = instance
        else:
            previous.__cause__ = instance
        previous = instance
        if pending is not None:
            break
    return head


def _callback_exception(value: Mapping[str, Any]) -> BaseException | None:
    """The callback's own exception, raised again with the Rust frames in front
    of its traceback; ``None`` when it was not kept."""
    pending = _pending(value.get("host_exception"))
    if pending is None:
        return None
    frames = value.get("frames")
    frames = frames if isinstance(frames, list) else []
    # The library put its frames in front of the ones the callback sent.
    rust = frames[: max(len(frames) - pending[2], 0)]
    try:
        return pending[0].with_traceback(build_traceback(rust, tail=pending[1]))
    finally:
        # As in `exception_from_value`: no cycle through this frame.
        del pending


def _add_note(exception: BaseException, note: str) -> None:
    add_note = getattr(exception, "add_note", None)
    if add_note is not None:
        add_note(note)
    else:  # Python 3.10
        notes = getattr(exception, "__notes__", None)
        if not isinstance(notes, list):
            notes = []
            exception.__notes__ = notes
        notes.append(note)


def exception_from_value(value: Mapping[str, Any], errors: ErrorNamespace | None = None) -> BaseException:
    """The exception for one error value.

    ``errors`` is the library's ``lib.errors``, which holds (and creates) the
    class of each Rust error type.
    """
    if not isinstance(value, dict):
        return ProtocolError(f"a library sent an error value that is not a map: {value!r}")
    kind = _text(value.get("kind")) or "internal"
    message = _text(value.get("message")) or ""
    type_name = _text(value.get("type"))
    rust_type = _text(value.get("rust_type"))
    if kind == "host":
        original = _callback_exception(value)
        if original is not None:
            try:
                return original
            finally:
                del original
        if type_name == "KeyboardInterrupt" and value.get("host_exception") is None:
            # Ctrl-C seen by a Rust thread (`check_interrupt`): the user's
            # interrupt itself, with the Rust frames.
            frames = value.get("frames")
            interrupt = KeyboardInterrupt(*((message,) if message else ()))
            interrupt = interrupt.with_traceback(build_traceback(frames if isinstance(frames, list) else []))
            try:
                return interrupt
            finally:
                del interrupt
        if type_name:
            message = f"{type_name}: {message}" if message else type_name

    cls: type[FerrymanError]
    os_error = value.get("os_error") if kind == "error" else None
    if kind == "error":
        if errors is not None and type_name:
            variant = value.get("variant")
            base = value.get("base")
            cls = errors.class_for(
                type_name,
                rust_type,
                variant if isinstance(variant, str) else None,
                base if isinstance(base, str) else None,
            )
        else:
            cls = RustError
        builtin = os_class(os_error)
        if builtin is not None:
            cls = with_builtin(cls, builtin)
    else:
        cls = _CLASS_FOR_KIND.get(kind, FerrymanError)
    exception = cls(message)
    set_os_attributes(exception, os_error)
    for name in _VALUE_ATTRIBUTES:
        if name in value:
            setattr(exception, name, value[name])
    exception.type_name = type_name  # type: ignore[attr-defined]
    exception.error_value = dict(value)
    frames = value.get("frames")
    exception.frames = tuple(frames) if isinstance(frames, list) else ()
    notes = value.get("notes")
    exception.notes = tuple(note for note in notes if isinstance(note, str)) if isinstance(notes, list) else ()
    fields = value.get("fields")
    if isinstance(exception, RustError):
        exception.fields = ErrorFields(fields) if isinstance(fields, dict) else None
        _set_fields(exception, exception.fields or {})
        for name in _YIELDING_ATTRIBUTES.intersection(exception.fields or ()):
            setattr(exception, name, exception.fields[name])  # type: ignore[index]
    if isinstance(exception, UnknownFunctionError) and exception.function:
        exception.name = exception.function
    if isinstance(exception, CallbackError):
        handle = value.get("host_exception")
        exception.host_exception = handle if isinstance(handle, int) else None

    cause = _cause_chain(value.get("causes"), errors)
    if cause is not None:
        exception.__cause__ = cause
    if kind == "panic":
        # The callback exception Rust was handling when it panicked.
        context = _pending(value.get("host_exception"))
        if context is not None:
            exception.__context__ = context[0].with_traceback(context[1])
            del context
    for note in exception.notes:
        _add_note(exception, note)
    exception = exception.with_traceback(build_traceback(exception.frames))
    try:
        return exception
    finally:
        # The frames built above point back at this one; dropping the local
        # keeps the exception from sitting in a reference cycle through it.
        del exception
