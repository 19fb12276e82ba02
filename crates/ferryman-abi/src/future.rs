use crate::FerryBox;
use std::ffi::c_void;

/// MessagePack extension type of a pending future (`spec/wire.md`,
/// "Futures and streams"). Payload ([`ASYNC_HANDLE_PAYLOAD`] bytes): the
/// handle (u64, big-endian, never 0).
///
/// As C: `#define FERRYMAN_EXT_FUTURE 6`.
pub const EXT_FUTURE: i8 = 6;

/// MessagePack extension type of a stream (`spec/wire.md`, "Futures and
/// streams"). Payload: the handle (u64, big-endian, never 0).
///
/// As C: `#define FERRYMAN_EXT_STREAM 7`.
pub const EXT_STREAM: i8 = 7;

/// The payload length of [`EXT_FUTURE`] and [`EXT_STREAM`] (no C name: 8 in
/// `spec/wire.md`).
pub const ASYNC_HANDLE_PAYLOAD: usize = 8;

/// The host's completion function (`spec/abi.md`, "Futures"): called exactly
/// once per started future (and once per pending stream next) with the
/// host's `context`, the token the host chose, the status and a box the
/// library allocated, which the host frees with `ferryman_box_free`.
///
/// As C:
///
/// ```c
/// typedef void (*FerryComplete)(void *context, uint64_t token, int32_t status, FerryBox *out);
/// ```
pub type FerryComplete = unsafe extern "C" fn(*mut c_void, u64, i32, *mut FerryBox);
