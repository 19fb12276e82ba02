//! Awaiting async functions (`spec/abi.md`, "Futures"): connecting the
//! host's completion function, starting and cancelling pending futures,
//! listing the live ones, and the future and stream handles (extensions 6
//! and 7) a call answers with.

use ferryman_abi::{FerryBox, FerryComplete, ASYNC_HANDLE_PAYLOAD, EXT_FUTURE, EXT_STREAM};

use crate::closures::Closures;
use crate::completion::complete;
use crate::host::Host;
use crate::keyed::{opt_string, read_map, uint};
use crate::library::{read_map as read_entry, resolve, WriteFn};
use crate::load_error::EntryError;
use crate::reply::{BoxFreeFn, Reply};
use crate::shape_error::{Context, ShapeError};
use crate::status::{status, Status, UnknownStatus};
use crate::streams::Streams;
use ferryman_wire::reader::Reader;

type CompletionConnectFn = unsafe extern "C" fn(u32, FerryComplete) -> i32;
pub(crate) type FutureStartFn = unsafe extern "C" fn(u64, u32, u64) -> i32;
type FutureCancelFn = unsafe extern "C" fn(u64) -> i32;

/// The optional entry points of futures, resolved once: all six of them
/// (streams' included, [`Futures::streams`]), or none — a library built
/// before async functions existed loads and has none.
///
/// `Copy`: the pointers stay valid because libraries are never unloaded.
#[derive(Debug, Clone, Copy)]
pub struct Futures {
    connect: CompletionConnectFn,
    start: FutureStartFn,
    cancel: FutureCancelFn,
    live: WriteFn,
    streams: Streams,
    box_free: BoxFreeFn,
}

/// Why [`Futures::connect`] did not connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The library takes no callables, or refused the host.
    #[error("the library has no registered host to connect a completion function to")]
    NotRegistered,
    /// Another host (object or type) is this library's registered host: a
    /// library has one host per process.
    #[error("another host is registered with this library")]
    OtherHost,
    /// `ferryman_completion_connect` answered `-1` (or anything but `0`).
    #[error("the library refused the completion function (status {0})")]
    Refused(i32),
}

/// One pending future or stream hosts still hold (`ferryman_live_futures`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFuture {
    /// Its handle.
    pub handle: u64,
    /// `"future"` or `"stream"`.
    pub kind: String,
    /// The name of the function that made it.
    pub function: String,
}

impl Futures {
    /// Looks the six symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        box_free: BoxFreeFn,
    ) -> Option<Futures> {
        // SAFETY: (this and the next five) the caller guarantees the ABI
        // version, hence the signatures, and that the handle stays open.
        let connect = unsafe { resolve(library, "ferryman_completion_connect") }.ok()?;
        // SAFETY: as above.
        let start = unsafe { resolve(library, "ferryman_future_start") }.ok()?;
        // SAFETY: as above.
        let cancel = unsafe { resolve(library, "ferryman_future_cancel") }.ok()?;
        // SAFETY: as above.
        let live = unsafe { resolve(library, "ferryman_live_futures") }.ok()?;
        // SAFETY: as above.
        let streams = unsafe { Streams::resolve(library, start, box_free) }?;
        Some(Futures {
            connect,
            start,
            cancel,
            live,
            streams,
            box_free,
        })
    }

    /// The stream entry points (`ferryman_stream_next`, ...).
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// Connects `host`'s [`Host::complete`] as the library's completion
    /// function (`ferryman_completion_connect`), registering `host` first
    /// when it is not yet (as [`Closures::register_host`]). Returns the
    /// host id to start futures with.
    ///
    /// From then on the library answers `FERRY_PENDING` for futures that
    /// are not ready at the first poll — to every caller in the process.
    /// Connecting again replaces the function by the same one.
    pub fn connect<H: Host>(
        &self,
        closures: &Closures,
        host: &'static H,
    ) -> Result<u32, ConnectError> {
        closures
            .register_host(host)
            .ok_or(ConnectError::NotRegistered)?;
        // The trampoline reads the registered context as an `H`: only when
        // the registered host is this very one.
        let id = closures
            .registered_id(host)
            .ok_or(ConnectError::OtherHost)?;
        // SAFETY: `complete::<H>` has the `FerryComplete` signature, never
        // unwinds, may be called from any thread, and reads the context of
        // host `id` as the `Registered<H>` it is (checked just above).
        let code = unsafe { (self.connect)(id, complete::<H>) };
        match code {
            0 => Ok(id),
            code => Err(ConnectError::Refused(code)),
        }
    }

    /// `ferryman_future_start(handle, host_id, token)`: the outcome of
    /// pending future `handle` goes to host `host_id`'s completion function
    /// with `token` — possibly before this returns, on this thread. `Ok`;
    /// `NoFunction` when the handle is not live or was started already;
    /// `NullPointer` (`-1`) when the host connected no completion function.
    pub fn start(&self, handle: u64, host_id: u32, token: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: plain integers; the entry point checks them and never unwinds.
        status(unsafe { (self.start)(handle, host_id, token) })
    }

    /// `ferryman_future_cancel(handle)`: drops the future (its `Drop` may
    /// run on this thread: hold no lock it could need); its completion comes
    /// with `Cancelled` (maybe inside this call). `NoFunction` when it is not
    /// live or has ended.
    pub fn cancel(&self, handle: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: as `start`.
        status(unsafe { (self.cancel)(handle) })
    }

    /// `ferryman_live_futures(out)`, as bytes.
    pub fn live_into<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: `boxed` follows the ABI's `out` rule.
        let code = unsafe { (self.live)(&mut boxed as *mut FerryBox) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_live_futures`, decoded: every pending future and stream
    /// hosts hold, oldest first.
    pub fn live(&self) -> Result<Vec<LiveFuture>, EntryError> {
        let mut out = Vec::new();
        read_entry(
            "ferryman_live_futures",
            self.live_into(&mut out),
            decode_live,
        )
    }
}

/// The handle of a future (extension 6) that is the whole of `bytes`, as
/// `ferryman_call` answers `FERRY_PENDING` with: `d7 06 <u64 BE>`, not 0.
pub fn future_handle(bytes: &[u8]) -> Option<u64> {
    handle_of(bytes, EXT_FUTURE)
}

/// The handle of a stream (extension 7) that is the whole of `bytes`, as a
/// stream function answers: `d7 07 <u64 BE>`, not 0.
pub fn stream_handle(bytes: &[u8]) -> Option<u64> {
    handle_of(bytes, EXT_STREAM)
}

fn handle_of(bytes: &[u8], ext: i8) -> Option<u64> {
    match bytes {
        [0xd7, tag, payload @ ..] if *tag as i8 == ext && payload.len() == ASYNC_HANDLE_PAYLOAD => {
            let handle = u64::from_be_bytes(payload.try_into().ok()?);
            (handle != 0).then_some(handle)
        }
        _ => None,
    }
}

fn decode_live(bytes: &[u8]) -> Result<Vec<LiveFuture>, ShapeError> {
    let mut reader = Reader::new(bytes);
    let context = || "live futures".to_owned();
    let len = reader.array_len().context(context)?;
    let mut live = Vec::with_capacity(len.min(bytes.len()));
    for index in 0..len {
        let mut future = LiveFuture {
            handle: 0,
            kind: String::new(),
            function: String::new(),
        };
        let at = || format!("live future {index}");
        read_map(&mut reader, 2, &at, |key, r| {
            match key {
                "handle" => future.handle = uint(r, at)?,
                "kind" => future.kind = opt_string(r, at)?.unwrap_or_default(),
                "function" => future.function = opt_string(r, at)?.unwrap_or_default(),
                _ => r.skip_at(3).context(at)?,
            }
            Ok(())
        })?;
        live.push(future);
    }
    reader.finish().context(context)?;
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_the_whole_value_of_their_extension() {
        let future = [0xd7, 0x06, 0, 0, 0, 0, 0, 0, 0, 3];
        assert_eq!(future_handle(&future), Some(3));
        assert_eq!(stream_handle(&future), None);
        let stream = [0xd7, 0x07, 0, 0, 0, 0, 0, 0, 1, 4];
        assert_eq!(stream_handle(&stream), Some(260));
        assert_eq!(future_handle(&[0xd7, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(future_handle(&future[..9]), None);
        assert_eq!(future_handle(&[future.as_slice(), &[0xc0]].concat()), None);
    }

    #[test]
    fn live_futures_decode_and_skip_unknown_keys() {
        // [{"handle": 3, "kind": "future", "function": "f", "x": nil}]
        let bytes = b"\x91\x84\xa6handle\x03\xa4kind\xa6future\xa8function\xa1f\xa1x\xc0";
        assert_eq!(
            decode_live(bytes).unwrap(),
            vec![LiveFuture {
                handle: 3,
                kind: "future".into(),
                function: "f".into()
            }]
        );
    }
}
