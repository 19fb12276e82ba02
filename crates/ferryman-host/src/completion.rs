//! The host's completion function (`spec/abi.md`, "Futures"): the
//! `extern "C"` trampoline the library calls once per ended future or
//! pending stream next, and the outcome it hands to [`Host::complete`].

use std::ffi::c_void;

use ferryman_abi::FerryBox;

use crate::error_value::{ErrorValue, ErrorValueRef};
use crate::host::{guarded, registered_of, Host};
use crate::reply::{BoxError, BoxFreeFn, ReplyError};
use crate::status::{status, Status, UnknownStatus};

/// What a completion brought: a status and the bytes of the library's box,
/// which is freed once [`Host::complete`] returns (copy what must outlive it).
#[derive(Debug, Clone, Copy)]
pub struct Completed<'a> {
    code: i32,
    bytes: Result<&'a [u8], BoxError>,
}

impl<'a> Completed<'a> {
    /// The status code as it came.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The status: `Ok` (the result), an error status (an error value), or
    /// `Cancelled` (an error value of kind `cancelled`).
    pub fn status(&self) -> Result<Status, UnknownStatus> {
        status(self.code)
    }

    /// Whether the future succeeded: the bytes are its result.
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// The MessagePack bytes, or why the box cannot be read.
    pub fn bytes(&self) -> Result<&'a [u8], BoxError> {
        self.bytes
    }

    /// The error value of a failed future, decoded.
    pub fn error_value(&self) -> Result<ErrorValue, ReplyError> {
        Ok(ErrorValue::decode(self.bytes?)?)
    }

    /// The error value of a failed future, read in place.
    pub fn error_value_ref(&self) -> Result<ErrorValueRef<'a>, ReplyError> {
        Ok(ErrorValueRef::decode(self.bytes?)?)
    }
}

/// The bytes of a box the library allocated.
///
/// # Safety
///
/// A non-NULL `ptr` has `cap` bytes allocated, of which `len` are
/// initialised when `len <= cap`, alive for `'a`.
unsafe fn box_bytes<'a>(boxed: &FerryBox) -> Result<&'a [u8], BoxError> {
    let FerryBox { ptr, len, cap } = *boxed;
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(BoxError::NullWithLen(len))
        };
    }
    if len > cap {
        return Err(BoxError::LenBeyondCap { len, cap });
    }
    // SAFETY: per the contract, `len <= cap` initialised bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Frees the library's box when dropped: exactly once, also when the host's
/// `complete` panicked.
struct Owned {
    boxed: FerryBox,
    box_free: BoxFreeFn,
}

impl Drop for Owned {
    fn drop(&mut self) {
        if !self.boxed.ptr.is_null() {
            // SAFETY: a box the library allocated and handed to the completion,
            // freed only here.
            unsafe { (self.box_free)(&mut self.boxed) };
        }
    }
}

/// `void complete(void *context, uint64_t token, int32_t status, FerryBox *out)`.
///
/// # Safety
///
/// Called by the library only: `context` is the one `vtable::<H>` stored,
/// `out` NULL or a box the library allocated and hands over.
pub(crate) unsafe extern "C" fn complete<H: Host>(
    context: *mut c_void,
    token: u64,
    code: i32,
    out: *mut FerryBox,
) {
    // SAFETY: `context` is the one `vtable` stored.
    let registered = unsafe { registered_of::<H>(context) };
    // SAFETY: NULL or valid, per the contract; the box is ours from here on.
    let boxed = match unsafe { out.as_mut() } {
        Some(out) => std::mem::replace(out, FerryBox::EMPTY),
        None => FerryBox::EMPTY,
    };
    let owned = Owned {
        boxed,
        box_free: registered.box_free,
    };
    // SAFETY: the library's box, alive until `owned` is dropped below.
    let bytes = unsafe { box_bytes(&owned.boxed) };
    let host = registered.host;
    guarded(|| (), || host.complete(token, Completed { code, bytes }));
    drop(owned);
}
