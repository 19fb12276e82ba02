//! A library's log records (`spec/abi.md`, "Logs"): each arrives as an
//! `invoke` of the log emitter (`ferryman._logs`), on the thread that logged.
//! Delivered at once, unless a call on another thread keeps the GIL: then it
//! is queued and delivered when that call returns (`state/log_gate.rs`).
//! Whatever the emitter does, the library gets nil: logging never fails.

use pyo3::prelude::*;

use crate::callbacks::answer::{self, Answer};
use crate::callbacks::invoke::invoke_in;
use crate::state::log_gate::{self, Gate};
use crate::state::{shutdown, stack};

/// MessagePack nil: the answer to every record.
const NIL: u8 = 0xc0;

/// Receives the record `args` for emitter `handle`.
pub(crate) fn receive(handle: u64, args: &[u8]) -> Answer {
    // A thread almost out of stack (Python ↔ Rust recursion) drops the record.
    if stack::too_little_left().is_none() {
        match log_gate::enter(handle, args) {
            Gate::Holding => {
                let _ = shutdown::attach(|py| deliver(py, handle, args));
            }
            Gate::Deliver(waiting) => {
                let _ = shutdown::attach(|py| deliver(py, handle, args));
                drop(waiting);
            }
            Gate::DeliverQueued(waiting) => {
                let _ = shutdown::attach(log_gate::deliver_queued);
                drop(waiting);
            }
            Gate::Queued => {}
        }
    }
    answer::result(vec![NIL], Vec::new())
}

/// Calls emitter `handle` with the record; what it answers is dropped (it
/// reports its own failures, as `logging` does).
pub(crate) fn deliver(py: Python<'_>, handle: u64, args: &[u8]) {
    drop(invoke_in(py, None, handle, args));
}
