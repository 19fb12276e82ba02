//! This package as a host of a library (`spec/callbacks.md`): the
//! `ferryman_host::Host` whose trampolines the library calls back through
//! (`ferryman-host` makes the `FerryHost` vtable, runs each function inside
//! `catch_unwind` and keeps what answers hold until `free_box`).
//!
//! Every method may be called by Rust on any thread, at any time, also long
//! after the call that passed a Python callable has returned. Each takes the
//! GIL itself, only for as long as it touches Python objects: Rust code never
//! runs with the GIL held, so a callback from a Rust thread never waits for a
//! thread that is itself waiting for Rust. Once the interpreter begins to
//! exit they no longer take it (`state/shutdown.rs`).

use ferryman_host::{Completed, Host};

use crate::callbacks::answer::{self, Answer};
use crate::callbacks::interrupts::{interrupt_seen_by_a_worker, run_signal_handlers};
use crate::callbacks::invoke::{invoke_in, not_running, recursion_error};
use crate::callbacks::log_records;
use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope::{self, Standing};
use crate::state::host_objects::{self, Held};
use crate::state::{completions, shutdown, stack};

/// The host this package registers with one library: what it calls back
/// decodes closures and encodes callables for `registration`.
#[derive(Debug)]
pub(crate) struct PythonHost {
    registration: &'static HostRegistration,
}

/// The host for `registration`, alive for as long as the library (forever).
pub(crate) fn for_registration(registration: &'static HostRegistration) -> &'static PythonHost {
    Box::leak(Box::new(PythonHost { registration }))
}

impl Host for PythonHost {
    type Held = Vec<Held>;

    /// Calls a Python callable, unless this thread's stack is almost used up
    /// (Python ↔ Rust recursion) or the interpreter is gone; a log record
    /// goes to its emitter (`log_records`).
    fn invoke(&self, handle: u64, args: &[u8]) -> Answer {
        if host_objects::is_log_emitter(handle) {
            return log_records::receive(handle, args);
        }
        let low_on_stack = stack::too_little_left();
        shutdown::attach(|py| match low_on_stack {
            Some((left, size)) => answer::exception(py, recursion_error(left, size)),
            None => invoke_in(py, Some(self.registration), handle, args),
        })
        .unwrap_or_else(|| answer::bridge(not_running()))
    }

    fn retain(&self, handle: u64) {
        host_objects::retain(handle);
    }

    fn release(&self, handle: u64) {
        if let Some(object) = host_objects::release(handle) {
            host_objects::drop_with_gil(vec![Held::Object(object)]);
        }
    }

    /// On Python's main thread inside a ferryman call it runs Python's signal
    /// handlers (at most every `interrupts::CHECK_EVERY`): a
    /// `KeyboardInterrupt`, or whatever a handler raised, comes back as an
    /// error value naming the exception. On a thread with no call of its own
    /// — one the library started — it reports Ctrl-C pressed while the main
    /// thread is inside a call (`state/sigint.rs`), without the GIL: an error
    /// value of type `KeyboardInterrupt` naming no exception; Python raises
    /// its own when the call returns. Another Python thread's call is never
    /// interrupted.
    fn check_interrupt(&self) -> Option<Answer> {
        match call_scope::standing() {
            Standing::MainCall => run_signal_handlers(),
            Standing::Outside => interrupt_seen_by_a_worker(),
            Standing::OtherCall => None,
        }
    }

    /// What a result held (host objects, closures) once the library decoded
    /// it and freed its box.
    fn release_held(&self, held: Vec<Held>) {
        host_objects::drop_with_gil(held);
    }

    /// A future or pending stream next ended: its outcome is copied to the
    /// queue of the event loop its token names (`state/completions.rs`),
    /// without the GIL; the library frees its box when this returns.
    fn complete(&self, token: u64, outcome: Completed<'_>) {
        let bytes = outcome.bytes().map(<[u8]>::to_vec).unwrap_or_default();
        completions::push(token, outcome.code(), bytes);
    }

    fn failed(&self) -> Answer {
        answer::bridge("ferryman's Python host failed (a bug; please report it)")
    }
}
