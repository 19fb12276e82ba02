//! `check_interrupt` (`spec/callbacks.md`, "Interrupts"): Python's signal
//! handlers on the main thread, Ctrl-C as a library's own threads see it.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::callbacks::answer::{self, Answer};
use crate::state::{main_thread, shutdown, sigint};

/// How often a Rust loop calling `ferryman::check_interrupt()` actually takes
/// the GIL to look for a pending signal.
pub(crate) const CHECK_EVERY: Duration = Duration::from_millis(1);

thread_local! {
    /// When this thread last looked for a pending signal.
    static LAST_CHECK: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The main thread's check: Python's own signal handlers, rate-limited.
pub(crate) fn run_signal_handlers() -> Option<Answer> {
    let now = Instant::now();
    let due = LAST_CHECK
        .with(Cell::get)
        .is_none_or(|last| now.duration_since(last) >= CHECK_EVERY);
    if !due {
        return None;
    }
    LAST_CHECK.with(|last| last.set(Some(now)));
    shutdown::attach(|py| {
        py.check_signals()
            .err()
            .map(|error| answer::exception(py, error))
    })
    .flatten()
}

/// A worker thread's check: Ctrl-C while the main thread is in a call.
pub(crate) fn interrupt_seen_by_a_worker() -> Option<Answer> {
    if !main_thread::in_call() || shutdown::shutting_down() {
        return None;
    }
    if sigint::seen() {
        return Some(answer::interrupt_without_exception());
    }
    sigint::notice_if_unwatched();
    None
}
