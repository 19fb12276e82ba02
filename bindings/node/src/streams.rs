//! Rust streams as JS async iterators (`spec/abi.md`, "Streams"): a stream
//! handle (extension 7) becomes index.js's `RustStream` (the `makeStream`
//! hook), which pulls batches through [`next`] and lets go with [`release`].

use ferryman_host::Status;

use crate::call;
use crate::completions;
use crate::error_info;
use crate::js::{Js, JsResult, Value};
use crate::library::Lib;

/// The most items one pull asks for.
pub(crate) const MAX_ITEMS: u32 = 64;

/// The JS object for stream `handle`, started so that its pending nexts
/// come back to this host.
pub(crate) fn make(js: Js, lib: &'static Lib, handle: u64) -> JsResult<Value> {
    let token = completions::start_stream(js, lib, handle)?;
    let make_stream = js.deref(lib.hooks.make_stream)?;
    let args = [js.number(handle as f64)?, js.number(token as f64)?];
    js.call(make_stream, &args)
}

/// The next batch of stream `handle` (started with `token`): an array of
/// items, `null` at the end, a Promise of either when none is ready; an
/// error item throws.
pub(crate) fn next(js: Js, lib: &'static Lib, handle: u64, token: u64) -> JsResult<Value> {
    let Some(futures) = lib.library.futures() else {
        return Err(error_info::bridge(js, lib, "this library has no streams"));
    };
    let mut out = Vec::new();
    let reply = futures.streams().next_into(handle, MAX_ITEMS, &mut out);
    if reply.code() == Status::Pending.code() {
        drop(reply);
        return completions::await_next(js, lib, token);
    }
    call::outcome(js, lib, reply.code(), reply.bytes())
}

/// Drops stream `handle` (the producer sees the end); a pending next ends
/// the iteration.
pub(crate) fn release(lib: &'static Lib, handle: u64, token: u64) {
    if let Some(futures) = lib.library.futures() {
        let _ = futures.streams().release(handle);
    }
    completions::released(token);
}
