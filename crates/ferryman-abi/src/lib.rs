//! Layer 0 of ferryman: the C ABI shared by every library and every host.
//!
//! Only the types and constants live here; the `extern "C"` symbols themselves are
//! defined by `ferryman-runtime`, which every ferryman `cdylib` links. The normative
//! description is `spec/abi.md`; `tests/spec-drift` (a test package of the
//! workspace) fails when the two disagree.

mod big_int;
mod byte_box;
mod error_base;
mod ferry_host;
mod future;
mod object;
mod status;

pub use big_int::{BIG_INT_MAX_PAYLOAD, EXT_BIG_INT};
pub use byte_box::FerryBox;
pub use error_base::ERROR_BASES;
pub use ferry_host::{
    FerryHost, EXT_HOST_OBJECT, EXT_LENT_BYTES, EXT_LIBRARY_CLOSURE, LENT_BYTES_PAYLOAD,
    LENT_SLICE_PAYLOAD,
};
pub use future::{FerryComplete, ASYNC_HANDLE_PAYLOAD, EXT_FUTURE, EXT_STREAM};
pub use object::{EXT_OBJECT, OBJECT_PAYLOAD};
pub use status::Status;

/// Version of the C ABI: symbols, signatures, layouts, status codes, ownership rules.
///
/// As C: `#define FERRYMAN_ABI_VERSION 1`, and what `uint32_t ferryman_abi_version(void)`
/// returns.
pub const ABI_VERSION: u32 = 1;

/// Version of the MessagePack shapes described in `spec/wire.md`.
///
/// As C: `#define FERRYMAN_WIRE_VERSION 1`; the handshake map's key `wire`.
pub const WIRE_VERSION: u32 = 1;

/// Every symbol a ferryman library exports, in the order `spec/abi.md` lists them.
pub const SYMBOLS: [&str; 22] = [
    "ferryman_abi_version",
    "ferryman_handshake",
    "ferryman_describe",
    "ferryman_function_id",
    "ferryman_call",
    "ferryman_box_free",
    "ferryman_register_host",
    "ferryman_closure_call",
    "ferryman_closure_release",
    "ferryman_live_closures",
    "ferryman_object_release",
    "ferryman_object_clone",
    "ferryman_live_objects",
    "ferryman_log_connect",
    "ferryman_log_level",
    "ferryman_completion_connect",
    "ferryman_future_start",
    "ferryman_future_cancel",
    "ferryman_stream_next",
    "ferryman_stream_release",
    "ferryman_live_futures",
    "ferryman_call_blocking",
];
