//! Pulling streams (`spec/abi.md`, "Streams"): the batches of a stream
//! handle (extension 7), its completion target for pending nexts, and its
//! release.

use ferryman_abi::FerryBox;

use crate::futures::FutureStartFn;
use crate::library::resolve;
use crate::reply::{BoxFreeFn, Reply};
use crate::status::{status, Status, UnknownStatus};

type StreamNextFn = unsafe extern "C" fn(u64, u32, *mut FerryBox) -> i32;
type StreamReleaseFn = unsafe extern "C" fn(u64) -> i32;

/// The stream entry points, resolved with [`crate::Futures`].
///
/// `Copy`: hosts keep it wherever they release streams (a finaliser, say).
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    start: FutureStartFn,
    next: StreamNextFn,
    release: StreamReleaseFn,
    box_free: BoxFreeFn,
}

impl Streams {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 and is never closed; `start` is its
    /// `ferryman_future_start`.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        start: FutureStartFn,
        box_free: BoxFreeFn,
    ) -> Option<Streams> {
        // SAFETY: (both) the caller guarantees the ABI version, hence the
        // signatures, and that the handle stays open.
        let next = unsafe { resolve(library, "ferryman_stream_next") }.ok()?;
        // SAFETY: as above.
        let release = unsafe { resolve(library, "ferryman_stream_release") }.ok()?;
        Some(Streams {
            start,
            next,
            release,
            box_free,
        })
    }

    /// `ferryman_future_start(handle, host_id, token)` on a stream: every
    /// pending next of stream `handle` completes to host `host_id` with
    /// `token`. Once per stream, before its first next. As
    /// [`crate::Futures::start`].
    pub fn start(&self, handle: u64, host_id: u32, token: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: plain integers; the entry point checks them and never unwinds.
        status(unsafe { (self.start)(handle, host_id, token) })
    }

    /// `ferryman_stream_next(handle, max_items, out)`: status `Ok` with an
    /// array of 1 to `max_items` items or nil (the end); an error status with
    /// an error item's value; `Pending` with nil (the batch comes to the
    /// completion function); `Borrow` (status 3) while another next is
    /// pending; `NoFunction` for a handle that is not live. Without a
    /// completion target it waits for the batch: call it without holding a
    /// lock the stream's producer could need.
    pub fn next_into<'a>(&self, handle: u64, max_items: u32, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: a plain handle (checked by the library) and a box that
        // follows the ABI's `out` rule.
        let code = unsafe { (self.next)(handle, max_items, &mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_stream_release(handle)`: the host drops the stream, exactly
    /// once; its producer sees the end. A pending next completes (maybe
    /// inside this call) with `Cancelled`. `NoFunction` when not live.
    pub fn release(&self, handle: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: a plain integer; the entry point never unwinds.
        status(unsafe { (self.release)(handle) })
    }
}
