//! What a library wrote into `out`: in the host's buffer, or in a box of its own.

use std::marker::PhantomData;

use ferryman_abi::FerryBox;

use crate::ffi::symbols::BoxFreeFn;

/// `FERRY_NULL_POINTER`: the library wrote nothing.
pub(crate) const NULL_POINTER: i32 = -1;

/// The status and output of one entry-point call.
///
/// Implements the ABI's `out` rule: when the library left `out` pointing at the
/// host's buffer the bytes live there; otherwise `out` is a library box, which
/// this value frees (exactly once, with `ferryman_box_free`) when dropped.
#[derive(Debug)]
pub(crate) struct OutBox<'a> {
    status: i32,
    out: FerryBox,
    host_ptr: *mut u8,
    host_cap: usize,
    box_free: BoxFreeFn,
    _host: PhantomData<&'a mut [u8]>,
}

// SAFETY: a `OutBox` owns either nothing (the bytes are in the host buffer it
// mutably borrows for `'a`, and `&mut [u8]` is `Send`) or a library box, which
// `spec/abi.md` lets any thread free. It is only moved from a GIL-released
// closure back to the thread that made the call.
unsafe impl Send for OutBox<'_> {}

impl<'a> OutBox<'a> {
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

    /// Wraps what a call left in `out`; `host` is the buffer `out` was made from.
    #[inline]
    pub(crate) fn new(
        status: i32,
        out: FerryBox,
        host: &'a mut Vec<u8>,
        box_free: BoxFreeFn,
    ) -> OutBox<'a> {
        let host_box = OutBox::host_box(host);
        OutBox {
            status,
            out,
            host_ptr: host_box.ptr,
            host_cap: host_box.cap,
            box_free,
            _host: PhantomData,
        }
    }

    /// The status the entry point returned.
    pub(crate) fn status(&self) -> i32 {
        self.status
    }

    /// Whether the value landed in a library box rather than the host's buffer.
    pub(crate) fn spilled(&self) -> bool {
        self.status != NULL_POINTER && self.out.ptr != self.host_ptr
    }

    /// The MessagePack bytes, or why the box cannot be read.
    #[inline(always)]
    pub(crate) fn bytes(&self) -> Result<&[u8], String> {
        let FerryBox { ptr, len, cap } = self.out;
        let limit = if ptr == self.host_ptr {
            self.host_cap
        } else {
            cap
        };
        if self.status == NULL_POINTER || ptr.is_null() || len > limit {
            return self.unreadable();
        }
        // SAFETY: `ptr` is either the host's buffer (allocated for `host_cap`
        // bytes, mutably borrowed for `'a`) or a library box of `cap` bytes, alive
        // until `self` is dropped; `len <= cap` was checked above and the library
        // initialised the first `len` bytes.
        Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
    }

    /// [`Reply::bytes`] for a NULL pointer status, a NULL box or a length
    /// beyond the box: off the common path.
    #[cold]
    #[inline(never)]
    fn unreadable(&self) -> Result<&[u8], String> {
        let FerryBox { ptr, len, cap } = self.out;
        if self.status == NULL_POINTER {
            return Err("the library reported a NULL pointer (status -1)".to_owned());
        }
        if ptr.is_null() {
            return if len == 0 {
                Ok(&[])
            } else {
                Err(format!("the library returned a NULL box with len {len}"))
            };
        }
        let limit = if ptr == self.host_ptr {
            self.host_cap
        } else {
            cap
        };
        Err(format!(
            "the library returned a box with len {len} > cap {limit}"
        ))
    }

    /// The number of bytes the library wrote.
    pub(crate) fn len(&self) -> usize {
        self.out.len
    }
}

impl Drop for OutBox<'_> {
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
        let mut out = OutBox::host_box(&mut host);
        // SAFETY: `out.ptr` is `host`'s allocation of at least 16 bytes.
        unsafe {
            out.ptr
                .copy_from_nonoverlapping([0x92, 0x01, 0x02].as_ptr(), 3)
        };
        out.len = 3;
        let reply = OutBox::new(0, out, &mut host, no_free);
        assert!(!reply.spilled());
        assert_eq!(reply.bytes().unwrap(), &[0x92, 0x01, 0x02]);
    }

    #[test]
    fn a_length_beyond_the_host_buffer_is_refused() {
        let mut host = Vec::with_capacity(4);
        let mut out = OutBox::host_box(&mut host);
        out.len = 1_000;
        let reply = OutBox::new(0, out, &mut host, no_free);
        assert!(reply.bytes().is_err());
    }

    #[test]
    fn null_pointer_status_has_no_bytes() {
        let mut host = Vec::with_capacity(4);
        let out = OutBox::host_box(&mut host);
        let reply = OutBox::new(NULL_POINTER, out, &mut host, no_free);
        assert!(!reply.spilled());
        assert!(reply.bytes().is_err());
    }
}
