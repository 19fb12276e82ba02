use crate::FerryBox;
use std::ffi::c_void;

/// What a host hands a library so Rust can call back into it (`spec/callbacks.md`).
///
/// As C:
///
/// ```c
/// typedef struct FerryHost {
///     uint32_t abi_version;   /* FERRYMAN_ABI_VERSION */
///     void    *context;       /* passed back as the first argument of every function */
///     int32_t (*invoke)(void *context, uint64_t handle, const FerryBox *args, FerryBox *out);
///     void    (*retain)(void *context, uint64_t handle);
///     void    (*release)(void *context, uint64_t handle);
///     void    (*free_box)(void *context, FerryBox *box);
///     int32_t (*check_interrupt)(void *context, FerryBox *out);
/// } FerryHost;
/// ```
///
/// - `invoke` calls host object `handle` with a MessagePack argument array (borrowed
///   for the call). `*out` starts as the empty box; the host puts one value in a box
///   **it** allocates — the result for status 0, an error value otherwise — and the
///   library gives that box back through `free_box`.
/// - `retain` / `release` count the library's references to a host object; the
///   host may drop the object when the count it keeps reaches zero.
/// - `check_interrupt` returns 0 when nothing happened, or non-zero with an error
///   value in a host-allocated `*out` (freed through `free_box`) when the user asked
///   the running call to stop (Ctrl-C).
///
/// Every function may be called from any thread, also after the call that passed
/// the object returned; the host makes that safe (Python: takes the GIL). The
/// struct is copied by `ferryman_register_host`; `context` must stay valid for as
/// long as the library is loaded.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FerryHost {
    pub abi_version: u32,
    pub context: *mut c_void,
    pub invoke:
        Option<unsafe extern "C" fn(*mut c_void, u64, *const FerryBox, *mut FerryBox) -> i32>,
    pub retain: Option<unsafe extern "C" fn(*mut c_void, u64)>,
    pub release: Option<unsafe extern "C" fn(*mut c_void, u64)>,
    pub free_box: Option<unsafe extern "C" fn(*mut c_void, *mut FerryBox)>,
    pub check_interrupt: Option<unsafe extern "C" fn(*mut c_void, *mut FerryBox) -> i32>,
}

// SAFETY: the host promises (see above) that every function and `context` may be
// used from any thread.
unsafe impl Send for FerryHost {}
// SAFETY: as above; the library only reads the struct.
unsafe impl Sync for FerryHost {}

/// MessagePack extension type of a host object (a Python callable, say).
/// Payload: host id (u32, big-endian) then handle (u64, big-endian).
///
/// As C: `#define FERRYMAN_EXT_HOST_OBJECT 1`.
pub const EXT_HOST_OBJECT: i8 = 1;

/// MessagePack extension type of a library closure. Payload: handle (u64, big-endian).
///
/// As C: `#define FERRYMAN_EXT_LIBRARY_CLOSURE 2`.
pub const EXT_LIBRARY_CLOSURE: i8 = 2;

/// MessagePack extension type of lent host bytes (`spec/wire.md`, "Lent bytes").
/// Payload ([`LENT_BYTES_PAYLOAD`] bytes): host id (u32), handle (u64), ptr (u64),
/// len (u64), all big-endian. Handle 0 lends the bytes for one call; any other
/// handle is a host object counted like [`EXT_HOST_OBJECT`].
///
/// As C: `#define FERRYMAN_EXT_LENT_BYTES 3`.
pub const EXT_LENT_BYTES: i8 = 3;

/// The payload length of [`EXT_LENT_BYTES`] (no C name: 28 in `spec/wire.md`).
pub const LENT_BYTES_PAYLOAD: usize = 28;

/// The payload length of [`EXT_LENT_BYTES`] lending items of a number type
/// (`spec/wire.md`, "Lent slices"): the 28 bytes of [`LENT_BYTES_PAYLOAD`]
/// and one byte naming the item type (no C name: 29 in `spec/wire.md`).
pub const LENT_SLICE_PAYLOAD: usize = 29;

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layout_matches_the_c_struct() {
        let word = size_of::<usize>();
        assert_eq!(offset_of!(FerryHost, context), word);
        assert_eq!(offset_of!(FerryHost, invoke), 2 * word);
        assert_eq!(offset_of!(FerryHost, check_interrupt), 6 * word);
        assert_eq!(size_of::<FerryHost>(), 7 * word);
    }
}
