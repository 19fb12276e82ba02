//! A library's log records (`spec/abi.md`, "Logs"): each arrives as an
//! `invoke` of the log emitter (`ferryman._logs`), on the thread that logged.
//! Delivered at once on a thread that holds the GIL; from any other thread
//! queued, never waiting for the GIL (`state/log_queue.rs`). Whatever the
//! emitter does, the library gets nil: logging never fails.

use pyo3::prelude::*;

use crate::callbacks::answer::{self, Answer};
use crate::callbacks::invoke::invoke_in;
use crate::state::{log_queue, shutdown, stack};

/// MessagePack nil: the answer to every record.
const NIL: u8 = 0xc0;

/// Receives the record `args` for emitter `handle`.
pub(crate) fn receive(handle: u64, args: &[u8]) -> Answer {
    // A thread almost out of stack (Python ↔ Rust recursion) drops the record.
    if stack::too_little_left().is_none() {
        if shutdown::holding_gil() {
            let _ = shutdown::attach(|py| log_queue::deliver_here(py, handle, args));
        } else {
            log_queue::push(handle, args);
        }
    }
    answer::result(vec![NIL], Vec::new())
}

/// Calls emitter `handle` with the record; what it answers is dropped (it
/// reports its own failures, as `logging` does).
pub(crate) fn deliver(py: Python<'_>, handle: u64, args: &[u8]) {
    drop(invoke_in(py, None, handle, args));
}
