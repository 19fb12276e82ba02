//! The hosts' completion functions (`ferryman_completion_connect`) and the
//! target a pending future or stream reports to.

use crate::callback::host_registry;
use crate::report::write_error;
use ferryman_abi::{FerryBox, FerryComplete, Status};
use ferryman_buffer::{free_box, Sink};
use ferryman_error::ErrorValue;
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

/// Completion functions by host id.
static COMPLETIONS: RwLock<Vec<Option<FerryComplete>>> = RwLock::new(Vec::new());

/// Whether any host connected one: only then do async exports answer
/// `FERRY_PENDING` (a host that knows no futures gets the result, blocking).
static CONNECTED: AtomicBool = AtomicBool::new(false);

/// Connects `complete` as host `host_id`'s completion function. `false` for
/// an unknown host.
pub(crate) fn connect(host_id: u32, complete: FerryComplete) -> bool {
    if host_registry::host(host_id).is_none() {
        return false;
    }
    let mut all = COMPLETIONS.write().unwrap_or_else(|e| e.into_inner());
    let index = host_id as usize;
    if all.len() <= index {
        all.resize(index + 1, None);
    }
    all[index] = Some(complete);
    CONNECTED.store(true, Ordering::Release);
    true
}

/// Whether a pending future may be handed to the caller.
pub(crate) fn connected() -> bool {
    CONNECTED.load(Ordering::Acquire)
}

thread_local! {
    /// Set on this thread for the length of a `ferryman_call_blocking`.
    static BLOCKING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call` with this thread marked as inside `ferryman_call_blocking`
/// (one thread-local look-up: in a shared library each is a call of
/// `__tls_get_addr`). `call` never unwinds.
pub(crate) fn blocking_call(call: impl FnOnce() -> i32) -> i32 {
    BLOCKING.with(|blocking| {
        let outer = blocking.replace(true);
        let status = call();
        blocking.set(outer);
        status
    })
}

/// Whether this thread is inside a `ferryman_call_blocking`: an async export
/// pending at its first poll then runs its future to its end. (Looked at only
/// when a future is pending; an async export that the first poll calls back
/// into the host for blocks too, which a call may always do.)
pub(crate) fn blocking() -> bool {
    BLOCKING.with(Cell::get)
}

/// The result of a future, or one batch of a stream, to deliver: a status
/// and a library box (freed here if it is never delivered).
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) status: Status,
    boxed: FerryBox,
}

// SAFETY: the box is a library allocation owned by this value alone.
unsafe impl Send for Outcome {}

impl Outcome {
    /// An outcome holding what `sink` holds (a library sink).
    pub(crate) fn of(status: Status, sink: Sink<'static>) -> Outcome {
        let mut boxed = FerryBox::EMPTY;
        sink.finish(&mut boxed);
        Outcome { status, boxed }
    }

    /// The error value of kind `cancelled` for export `function`.
    pub(crate) fn cancelled(function: &str, what: &str) -> Outcome {
        let mut value = ErrorValue::bridge("cancelled", format!("`{function}()` {what}"));
        value.type_name = "Cancelled".to_owned();
        value.function = Some(function.to_owned());
        let mut sink = Sink::library();
        write_error(&mut sink, &value);
        Outcome::of(Status::Cancelled, sink)
    }

    /// The bytes, for a caller that answers synchronously.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: a library box with `len` initialised bytes, owned by `self`.
        unsafe { ferryman_buffer::borrow(&self.boxed) }
    }

    fn take(mut self) -> FerryBox {
        std::mem::replace(&mut self.boxed, FerryBox::EMPTY)
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        // SAFETY: a box made by this library (or the empty box), freed once.
        unsafe { free_box(&mut self.boxed) };
    }
}

/// Where an outcome goes: host `context`'s completion function, with the
/// host's token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    complete: FerryComplete,
    context: *mut c_void,
    token: u64,
}

// SAFETY: a registered host's `context` and functions may be used from any
// thread (`spec/abi.md`, "Callbacks" and "Futures").
unsafe impl Send for Target {}
// SAFETY: as above; the target is only read.
unsafe impl Sync for Target {}

impl Target {
    /// Host `host_id`'s completion function with `token`, if it connected one.
    pub(crate) fn of(host_id: u32, token: u64) -> Option<Target> {
        let host = host_registry::host(host_id)?;
        let all = COMPLETIONS.read().unwrap_or_else(|e| e.into_inner());
        let complete = (*all.get(host_id as usize)?)?;
        Some(Target {
            complete,
            context: host.context(),
            token,
        })
    }

    /// Calls the completion function once, handing the host a library box.
    pub(crate) fn deliver(self, outcome: Outcome) {
        let status = outcome.status.code();
        let mut boxed = outcome.take();
        // SAFETY: the host connected this function for this context; it takes
        // the box (freed with `ferryman_box_free`) and does not unwind.
        unsafe { (self.complete)(self.context, self.token, status, &mut boxed) };
    }
}

#[cfg(test)]
impl Target {
    /// A target outside the host registry, for unit tests.
    pub(crate) fn for_test(complete: FerryComplete, token: u64) -> Target {
        Target {
            complete,
            context: std::ptr::null_mut(),
            token,
        }
    }
}
