"""A ctypes client written from spec/abi.md alone, for wire-level tests."""

from __future__ import annotations

import ctypes
from pathlib import Path

import msgpack

STATUS_NAMES = {0: "ok", 1: "error", 2: "panic", 3: "bad_args", 4: "no_function", 5: "internal", -1: "null_pointer"}


class FerryBox(ctypes.Structure):
    _fields_ = [("ptr", ctypes.POINTER(ctypes.c_uint8)), ("len", ctypes.c_size_t), ("cap", ctypes.c_size_t)]


BoxPtr = ctypes.POINTER(FerryBox)


class RawLibrary:
    """The six entry points, called directly through ctypes."""

    def __init__(self, path: Path) -> None:
        self.dll = ctypes.CDLL(str(path))
        self.dll.ferryman_abi_version.restype = ctypes.c_uint32
        self.dll.ferryman_abi_version.argtypes = []
        for name in ("ferryman_handshake", "ferryman_describe"):
            function = getattr(self.dll, name)
            function.restype = ctypes.c_int32
            function.argtypes = [BoxPtr]
        self.dll.ferryman_function_id.restype = ctypes.c_int64
        self.dll.ferryman_function_id.argtypes = [BoxPtr]
        self.dll.ferryman_call.restype = ctypes.c_int32
        self.dll.ferryman_call.argtypes = [ctypes.c_uint32, BoxPtr, BoxPtr]
        self.dll.ferryman_box_free.restype = None
        self.dll.ferryman_box_free.argtypes = [BoxPtr]

    @staticmethod
    def borrowed(data: bytes) -> tuple[FerryBox, object]:
        """A box lending ``data`` (keep the second value alive during the call)."""
        buffer = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        ptr = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_uint8)) if data else None
        return FerryBox(ptr, len(data), len(data)), buffer

    def _read(self, out: FerryBox, host: object | None) -> bytes:
        """The bytes in ``out``, freeing a library box as the out rule says."""
        if not out.ptr:
            return b""
        data = ctypes.string_at(out.ptr, out.len)
        host_address = ctypes.addressof(host) if host is not None else None  # type: ignore[arg-type]
        if ctypes.cast(out.ptr, ctypes.c_void_p).value != host_address:
            self.dll.ferryman_box_free(ctypes.byref(out))
            assert not out.ptr and out.len == 0 and out.cap == 0
        return data

    def out_box(self, host_capacity: int) -> tuple[FerryBox, object | None]:
        if host_capacity == 0:
            return FerryBox(None, 0, 0), None
        host = (ctypes.c_uint8 * host_capacity)()
        return FerryBox(ctypes.cast(host, ctypes.POINTER(ctypes.c_uint8)), 0, host_capacity), host

    def call_raw(self, function_id: int, args: bytes, host_capacity: int = 0) -> tuple[int, bytes, bool]:
        """(status, out bytes, whether the library allocated the box)."""
        args_box, keep = self.borrowed(args)
        out, host = self.out_box(host_capacity)
        status = self.dll.ferryman_call(function_id, ctypes.byref(args_box), ctypes.byref(out))
        del keep
        if status == -1:
            return status, b"", False
        spilled = host is None or ctypes.cast(out.ptr, ctypes.c_void_p).value != ctypes.addressof(host)
        return status, self._read(out, host), spilled

    def call(self, name: str, *args: object) -> tuple[int, object]:
        status, data, _ = self.call_raw(self.function_id(name), msgpack.packb(list(args)), 4096)
        return status, msgpack.unpackb(data, strict_map_key=False)

    def function_id(self, name: str) -> int:
        name_box, keep = self.borrowed(name.encode())
        result = self.dll.ferryman_function_id(ctypes.byref(name_box))
        del keep
        return int(result)

    def read_map(self, entry: str) -> dict:
        out, host = self.out_box(0)
        status = getattr(self.dll, entry)(ctypes.byref(out))
        assert status == 0
        return msgpack.unpackb(self._read(out, host))
