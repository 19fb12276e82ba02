//! What a library wrote into `out`: in the host's buffer, or in a box of its
//! own that this value frees.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use ferryman_abi::FerryBox;

use crate::error_value::{ErrorValue, ErrorValueRef};
use crate::shape_error::ShapeError;
use crate::status::{status, Status, UnknownStatus};

/// `void ferryman_box_free(FerryBox *box)`.
pub(crate) type BoxFreeFn = unsafe extern "C" fn(*mut FerryBox);

/// Why the output box of a call cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BoxError {
    /// Status -1: the library wrote nothing.
    #[error("the library reported a NULL pointer (status -1)")]
    NullPointer,
    /// A NULL `ptr` with bytes in it.
    #[error("the library returned a NULL box with len {0}")]
    NullWithLen(usize),
    /// More bytes than the box holds.
    #[error("the library returned a box with len {len} > cap {cap}")]
    LenBeyondCap {
        /// The `len` the library wrote.
        len: usize,
        /// The capacity of the box it is in.
        cap: usize,
    },
}

/// `out` as the library left it, read one field at a time. The library has
/// just stored its fields one by one (often `len` alone); copying the struct
/// would load two of them at once, which the CPU cannot forward from those
/// stores: it waits for them to retire (~12 cycles, every call: a fifth of
/// the samples of the Python host's `Function::call` in a method-call loop).
/// Volatile reads keep each load to one field.
#[inline(always)]
fn written(out: &FerryBox) -> FerryBox {
    // SAFETY: each pointer comes from a live reference, aligned and
    // initialised; volatile only fixes the width of the loads.
    unsafe {
        FerryBox {
            ptr: std::ptr::read_volatile(&out.ptr),
            len: std::ptr::read_volatile(&out.len),
            cap: std::ptr::read_volatile(&out.cap),
        }
    }
}

/// The status and output of one entry-point call.
///
/// Implements the ABI's `out` rule: when the library left `out` pointing at the
/// host's buffer the bytes live there; otherwise `out` is a library box, which
/// this value frees (exactly once, with `ferryman_box_free`) when dropped.
#[derive(Debug)]
pub struct Reply<'a> {
    code: i32,
    out: FerryBox,
    /// Whether `out` is a library box (worked out once: every call asks, and
    /// dropping the reply asks again).
    spilled: bool,
    host_cap: usize,
    box_free: BoxFreeFn,
    _host: PhantomData<&'a mut [u8]>,
}

// SAFETY: a `Reply` owns either nothing (the bytes are in the host buffer it
// mutably borrows for `'a`, and `&mut [u8]` is `Send`) or a library box, which
// `spec/abi.md` lets any thread free.
unsafe impl Send for Reply<'_> {}

impl<'a> Reply<'a> {
    /// The box to pass as `out`: the host's buffer, or the empty box when the
    /// buffer has no allocation yet (a box with `cap == 0` must have a NULL `ptr`).
    #[inline]
    pub(crate) fn host_box(host: &mut Vec<u8>) -> FerryBox {
        if host.capacity() == 0 {
            return FerryBox::EMPTY;
        }
        FerryBox {
            ptr: host.as_mut_ptr(),
            len: 0,
            cap: host.capacity(),
        }
    }

    /// The box to pass as `out` for a host buffer that is a slice of memory
    /// owned elsewhere (for example by the host language's own byte object).
    #[inline]
    pub(crate) fn slice_box(host: &mut [MaybeUninit<u8>]) -> FerryBox {
        if host.is_empty() {
            return FerryBox::EMPTY;
        }
        FerryBox {
            ptr: host.as_mut_ptr().cast(),
            len: 0,
            cap: host.len(),
        }
    }

    /// Wraps what a call left in `out`; `host` is the buffer `out` was made from.
    #[inline]
    pub(crate) fn new(
        code: i32,
        out: &FerryBox,
        host: &'a mut Vec<u8>,
        box_free: BoxFreeFn,
    ) -> Reply<'a> {
        Reply::made(code, out, Reply::host_box(host), box_free)
    }

    /// Wraps what a call left in `out`, made by [`Reply::slice_box`] from `host`.
    #[inline]
    pub(crate) fn in_slice(
        code: i32,
        out: &FerryBox,
        host: &'a mut [MaybeUninit<u8>],
        box_free: BoxFreeFn,
    ) -> Reply<'a> {
        Reply::made(code, out, Reply::slice_box(host), box_free)
    }

    #[inline]
    fn made(code: i32, out: &FerryBox, host_box: FerryBox, box_free: BoxFreeFn) -> Reply<'a> {
        let out = written(out);
        Reply {
            code,
            out,
            spilled: code != Status::NullPointer.code() && out.ptr != host_box.ptr,
            host_cap: host_box.cap,
            box_free,
            _host: PhantomData,
        }
    }

    /// The status code the entry point returned, as it came.
    #[inline]
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The status the entry point returned.
    #[inline]
    pub fn status(&self) -> Result<Status, UnknownStatus> {
        status(self.code)
    }

    /// Whether the call succeeded (status 0): the bytes are its result.
    #[inline]
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// Whether the value landed in a library box rather than the host's
    /// buffer (which is then too small for results like this one).
    #[inline]
    pub fn spilled(&self) -> bool {
        self.spilled
    }

    /// The number of bytes the library wrote.
    #[inline]
    pub fn len(&self) -> usize {
        self.out.len
    }

    /// Whether the library wrote no bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.out.len == 0
    }

    /// The MessagePack bytes, or why the box cannot be read.
    #[inline]
    pub fn bytes(&self) -> Result<&[u8], BoxError> {
        if self.code == Status::NullPointer.code() {
            return Err(BoxError::NullPointer);
        }
        let FerryBox { ptr, len, cap } = self.out;
        if ptr.is_null() {
            return if len == 0 {
                Ok(&[])
            } else {
                Err(BoxError::NullWithLen(len))
            };
        }
        // (Not NULL status, so `spilled` says whether `ptr` is the host's.)
        let limit = if self.spilled { cap } else { self.host_cap };
        if len > limit {
            return Err(BoxError::LenBeyondCap { len, cap: limit });
        }
        // SAFETY: `ptr` is either the host's buffer (allocated for `host_cap`
        // bytes, mutably borrowed for `'a`) or a library box of `cap` bytes, alive
        // until `self` is dropped; `len <= cap` was checked above and the library
        // initialised the first `len` bytes.
        Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
    }

    /// The error value of a failed call, decoded.
    pub fn error_value(&self) -> Result<ErrorValue, ReplyError> {
        let bytes = self.bytes()?;
        Ok(ErrorValue::decode(bytes)?)
    }

    /// The error value of a failed call, read in place (nothing copied).
    pub fn error_value_ref(&self) -> Result<ErrorValueRef<'_>, ReplyError> {
        let bytes = self.bytes()?;
        Ok(ErrorValueRef::decode(bytes)?)
    }
}

/// Why a reply's value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The box itself.
    #[error(transparent)]
    Box(#[from] BoxError),
    /// The bytes in it.
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

impl Drop for Reply<'_> {
    fn drop(&mut self) {
        if self.spilled() && !self.out.ptr.is_null() {
            // SAFETY: `out` is a box the library allocated and nobody freed yet;
            // the ABI requires handing it to `ferryman_box_free` exactly once.
            unsafe { (self.box_free)(&mut self.out) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern "C" fn no_free(_: *mut FerryBox) {
        panic!("a host buffer must never be freed");
    }

    #[test]
    fn bytes_in_the_host_buffer_are_read_in_place() {
        let mut host = Vec::with_capacity(16);
        let mut out = Reply::host_box(&mut host);
        // SAFETY: `out.ptr` is `host`'s allocation of at least 16 bytes.
        unsafe {
            out.ptr
                .copy_from_nonoverlapping([0x92, 0x01, 0x02].as_ptr(), 3)
        };
        out.len = 3;
        let reply = Reply::new(0, &out, &mut host, no_free);
        assert!(!reply.spilled());
        assert_eq!(reply.status(), Ok(Status::Ok));
        assert_eq!(reply.bytes().unwrap(), &[0x92, 0x01, 0x02]);
    }

    #[test]
    fn a_length_beyond_the_host_buffer_is_refused() {
        let mut host = Vec::with_capacity(4);
        let mut out = Reply::host_box(&mut host);
        out.len = 1_000;
        let reply = Reply::new(0, &out, &mut host, no_free);
        assert_eq!(
            reply.bytes(),
            Err(BoxError::LenBeyondCap {
                len: 1_000,
                cap: host_cap(&reply)
            })
        );
    }

    fn host_cap(reply: &Reply<'_>) -> usize {
        reply.host_cap
    }

    static FREED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    extern "C" fn free_vec(out: *mut FerryBox) {
        // SAFETY: the test made `out` from a leaked `Vec<u8>` of `cap` bytes.
        drop(unsafe { Vec::from_raw_parts((*out).ptr, (*out).len, (*out).cap) });
        FREED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    #[test]
    fn a_library_box_is_read_up_to_its_own_cap_and_freed_once() {
        let mut host = Vec::with_capacity(2);
        let mut spill = std::mem::ManuallyDrop::new(vec![0x93, 0x01, 0x02, 0x03]);
        let out = FerryBox {
            ptr: spill.as_mut_ptr(),
            len: spill.len(),
            cap: spill.capacity(),
        };
        let reply = Reply::new(0, &out, &mut host, free_vec);
        assert!(reply.spilled());
        assert_eq!(reply.bytes().unwrap(), &[0x93, 0x01, 0x02, 0x03]);
        drop(reply);
        assert_eq!(FREED.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn bytes_in_a_borrowed_slice_are_read_in_place() {
        let mut host = [MaybeUninit::<u8>::uninit(); 8];
        let mut out = Reply::slice_box(&mut host);
        // SAFETY: `out.ptr` is `host`, 8 bytes.
        unsafe {
            out.ptr
                .copy_from_nonoverlapping([0xc4, 0x01, 0x09].as_ptr(), 3)
        };
        out.len = 3;
        let reply = Reply::in_slice(0, &out, &mut host, no_free);
        assert!(!reply.spilled());
        assert_eq!(reply.bytes().unwrap(), &[0xc4, 0x01, 0x09]);
        let mut none: [MaybeUninit<u8>; 0] = [];
        assert!(Reply::slice_box(&mut none).ptr.is_null());
    }

    #[test]
    fn null_pointer_status_has_no_bytes() {
        let mut host = Vec::with_capacity(4);
        let out = Reply::host_box(&mut host);
        let reply = Reply::new(Status::NullPointer.code(), &out, &mut host, no_free);
        assert!(!reply.spilled());
        assert_eq!(reply.bytes(), Err(BoxError::NullPointer));
    }
}
