//! The resolver of one [`crate::AsyncCallback`] call: a one-shot Rust closure
//! handed to the host as the last argument of `invoke` (extension 2). The host
//! calls it through `ferryman_closure_call` with `[status, value]` — what its
//! `invoke` would have answered for a sync callback — once the callable's
//! coroutine has ended (`spec/callbacks.md`, "Async callbacks").
//!
//! It sends the decoded outcome down a oneshot channel to the waiting
//! [`crate::CallbackFuture`]; a future already dropped makes the call a no-op
//! (the outcome, and the host exception it names, are dropped here), and a
//! resolver released without a call drops the sender, which the future reads
//! as "no outcome will come".

use crate::callback::closure::{self, Closure, Site};
use crate::callback::error::{decode_outcome, CallbackError};
use crate::callback::host_registry::Host;
use crate::report::write_error;
use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_error::ErrorValue;
use ferryman_wire::{Args, Lending};
use futures_channel::oneshot;
use serde::de::DeserializeOwned;
use std::any::type_name;
use std::io::Write;
use std::panic::Location;
use std::sync::{Arc, Mutex};

/// `Site::args` of a resolver: its signature and messages name it by this.
pub(crate) const RESOLVER_ARGS: &str = "(status, outcome)";

/// What a resolver delivers to its future.
pub(crate) type Settled<R> = Result<R, CallbackError>;

/// A new resolver for a call of an async callback of host `source`, made at
/// `at` (where `AsyncCallback::call` was called), settling `sender`.
pub(crate) fn resolver<R: DeserializeOwned + Send + 'static>(
    source: (u32, Host),
    sender: oneshot::Sender<Settled<R>>,
    at: &'static Location<'static>,
) -> Arc<Closure> {
    let site = Site {
        closure: "ferryman::AsyncCallback::resolve",
        location: at,
        args: RESOLVER_ARGS,
        arity: 2,
        returns: type_name::<R>(),
    };
    let slot = Mutex::new(Some(sender));
    let function = move |bytes: &[u8], lending: Lending, sink: &mut Sink<'_>, site: &Site| {
        let mut args = match Args::with_lending(bytes, 2, lending) {
            Ok(args) => args,
            Err(e) => return closure::write_bad_args(sink, site, &e, None),
        };
        let status = match args.next::<i32>(0) {
            Ok(status) => status,
            Err(e) => return closure::write_bad_args(sink, site, &e, Some("i32")),
        };
        let value = match args.next_value(1) {
            Ok(value) => value,
            Err(e) => return closure::write_bad_args(sink, site, &e, None),
        };
        if let Err(e) = args.finish() {
            return closure::write_bad_args(sink, site, &e, None);
        }
        // Read (and so take over its references) whether or not anyone waits:
        // an exception handle in an error value is the library's to release.
        let settled = decode_outcome::<R>(status, value, Some(source));
        let sender = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(sender) = sender else {
            drop(settled);
            sink.clear();
            write_error(
                sink,
                &ErrorValue::bridge(
                    "internal",
                    "this async callback's resolver was already called; call it once".to_owned(),
                ),
            );
            return Status::Internal;
        };
        // A dropped future (the Rust caller stopped waiting) leaves nobody to
        // tell: the outcome is dropped with the `Err` it comes back in.
        let _ = sender.send(settled);
        sink.clear();
        // The resolver returns nil.
        let _ = sink.write_all(&[0xc0]);
        Status::Ok
    };
    Arc::new(Closure { site, function })
}
