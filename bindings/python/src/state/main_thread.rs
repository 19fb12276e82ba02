//! Python's main thread as other threads see it: whether it is inside a
//! ferryman call right now. A Rust worker thread's `check_interrupt` answers
//! for that call (`callbacks/python_host.rs`, `sigint.rs`).
//!
//! Only the main thread writes the depth (`call_scope.rs`, when its calls start and
//! end): a plain store, no read-modify-write.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use pyo3::prelude::*;

use crate::state::shutdown::current_thread;

/// `threading.main_thread().ident`, remembered when the module loads.
static MAIN_THREAD: AtomicU64 = AtomicU64::new(0);
/// How many ferryman calls the main thread is inside (callbacks nest them).
static DEPTH: AtomicU32 = AtomicU32::new(0);

/// Remembers which thread is Python's main thread.
pub(crate) fn remember(py: Python<'_>) -> PyResult<()> {
    let ident: u64 = py
        .import("threading")?
        .call_method0("main_thread")?
        .getattr("ident")?
        .extract()?;
    MAIN_THREAD.store(ident, Ordering::Relaxed);
    Ok(())
}

/// Whether the calling thread is Python's main thread.
pub(crate) fn is_current() -> bool {
    current_thread() == MAIN_THREAD.load(Ordering::Relaxed)
}

/// Whether the main thread is inside a ferryman call.
pub(crate) fn in_call() -> bool {
    DEPTH.load(Ordering::Relaxed) > 0
}

/// The main thread is now inside `calls` ferryman calls.
#[inline]
pub(crate) fn set_depth(calls: u32) {
    DEPTH.store(calls, Ordering::Relaxed);
}
