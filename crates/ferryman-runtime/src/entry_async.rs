//! The `extern "C"` symbols of futures and streams (`spec/abi.md`,
//! "Futures" and "Streams"), re-exported by `entry`. None of them unwinds.

use crate::future::completion::{self, Target};
use crate::future::table::{self, Handle};
use crate::stream::entry::{self as stream, Next};
use ferryman_abi::{FerryBox, FerryComplete, Status};
use ferryman_buffer::Sink;
use ferryman_error::ErrorValue;
use serde::Serialize;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `int32_t ferryman_completion_connect(uint32_t host_id, FerryComplete complete)`:
/// host `host_id`'s completion function. Returns 0, or -1 for an unknown
/// host or NULL. From then on, async exports may answer `FERRY_PENDING`.
#[no_mangle]
pub extern "C" fn ferryman_completion_connect(
    host_id: u32,
    complete: Option<FerryComplete>,
) -> i32 {
    let Some(complete) = complete else {
        return -1;
    };
    match catch_unwind(|| completion::connect(host_id, complete)) {
        Ok(true) => Status::Ok.code(),
        _ => -1,
    }
}

/// `int32_t ferryman_call_blocking(uint32_t function_id, const FerryBox *args, FerryBox *out)`:
/// `ferryman_call`, except that an async export whose future is pending at
/// its first poll runs it to its end inside the call, as when no host
/// connected a completion function: it never answers `FERRY_PENDING` (nor
/// do the async calls made on this thread while it runs). For a host that
/// awaits some calls and blocks in others.
///
/// # Safety
/// As `ferryman_call`'s.
#[no_mangle]
pub unsafe extern "C" fn ferryman_call_blocking(
    function_id: u32,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: this function's contract is `ferryman_call`'s, which never
    // unwinds (so the mark is always taken off again).
    completion::blocking_call(|| unsafe { crate::entry::ferryman_call(function_id, args, out) })
}

/// `int32_t ferryman_future_start(uint64_t handle, uint32_t host_id, uint64_t token)`:
/// where a pending future's result goes (or a stream's pending nexts):
/// host `host_id`'s completion function, with `token`. Returns 0; 4 when
/// the handle is not live or was started already; -1 when the host has no
/// completion function.
#[no_mangle]
pub extern "C" fn ferryman_future_start(handle: u64, host_id: u32, token: u64) -> i32 {
    let start = || {
        let Some(target) = Target::of(host_id, token) else {
            return -1;
        };
        match table::get(handle) {
            Some(Handle::Future(task)) if task.attach(target) => Status::Ok.code(),
            Some(Handle::Stream(entry)) => {
                stream::attach(&entry, target);
                Status::Ok.code()
            }
            _ => Status::NoFunction.code(),
        }
    };
    catch_unwind(start).unwrap_or(Status::Internal.code())
}

/// `int32_t ferryman_future_cancel(uint64_t handle)`: drops the future (now,
/// or right after the poll running now); its completion comes with
/// `FERRY_CANCELLED`. Returns 0, or 4 when it was not live or had ended.
#[no_mangle]
pub extern "C" fn ferryman_future_cancel(handle: u64) -> i32 {
    let cancel = || match table::get(handle) {
        Some(Handle::Future(task)) if task.cancel() => Status::Ok.code(),
        _ => Status::NoFunction.code(),
    };
    catch_unwind(cancel).unwrap_or(Status::Internal.code())
}

/// `int32_t ferryman_stream_next(uint64_t handle, uint32_t max_items, FerryBox *out)`:
/// the next batch of a stream: an array of 1 to `max_items` items, nil at
/// the end, an error item's error value, or `FERRY_PENDING` (nil in `out`)
/// with the batch coming to the completion function.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_stream_next(
    handle: u64,
    max_items: u32,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: NULL or valid and exclusively ours for the call, per the contract.
    let Some(out) = (unsafe { out.as_mut() }) else {
        return Status::NullPointer.code();
    };
    let host_buffer = *out;
    let next = catch_unwind(AssertUnwindSafe(|| {
        stream::next(handle, max_items as usize)
    }));
    let (status, bytes): (Status, Vec<u8>) = match next {
        Ok(Next::Now(outcome)) => (outcome.status, outcome.bytes().to_vec()),
        Ok(Next::Pending) => (Status::Pending, vec![0xc0]),
        Ok(Next::NotLive) => error(
            Status::NoFunction,
            "no_function",
            format!("stream {handle} is not live (released, or never handed out)"),
        ),
        Ok(Next::Busy(function)) => error(
            Status::BadArgs,
            "borrow",
            format!("a next of stream {handle} (from `{function}()`) is still pending"),
        ),
        Err(payload) => {
            std::mem::forget(payload);
            error(
                Status::Internal,
                "internal",
                "ferryman itself panicked; please report this".to_owned(),
            )
        }
    };
    *out = host_buffer;
    // SAFETY: `out` is initialised per the spec (contract above).
    let mut sink = unsafe { Sink::over(out) };
    let _ = sink.write_all(&bytes);
    sink.finish(out);
    status.code()
}

fn error(status: Status, kind: &str, message: String) -> (Status, Vec<u8>) {
    let value = ErrorValue::bridge(kind, message);
    let mut sink = Sink::library();
    crate::report::write_error(&mut sink, &value);
    (status, sink.written().to_vec())
}

/// `int32_t ferryman_stream_release(uint64_t handle)`: the host drops the
/// stream (its producer sees the end; a pending next completes with
/// `FERRY_CANCELLED`). Returns 0, or 4 when it was not live.
#[no_mangle]
pub extern "C" fn ferryman_stream_release(handle: u64) -> i32 {
    match catch_unwind(|| stream::release(handle)) {
        Ok(true) => Status::Ok.code(),
        Ok(false) => Status::NoFunction.code(),
        Err(payload) => {
            // A stream whose `Drop` panicked: it is gone either way.
            std::mem::forget(payload);
            Status::Ok.code()
        }
    }
}

/// `int32_t ferryman_live_futures(FerryBox *out)`: every pending future and
/// stream hosts hold, as `[{"handle": u64, "kind": "future" | "stream",
/// "function": str}, …]`, oldest first.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_live_futures(out: *mut FerryBox) -> i32 {
    #[derive(Serialize)]
    struct Live {
        handle: u64,
        kind: &'static str,
        function: &'static str,
    }
    let live = || -> Vec<Live> {
        table::live()
            .into_iter()
            .map(|(handle, kind, function)| Live {
                handle,
                kind,
                function,
            })
            .collect()
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { crate::entry::write_live(out, live) }
}
