//! The interpreter going away while Rust threads still call back into it.
//!
//! Once CPython has begun to finalize, a thread that asks for the GIL is ended
//! on the spot (`pthread_exit`); ending a thread that is inside Rust frames
//! aborts the whole process. So every host function of `callbacks/python_host.rs` that would
//! take the GIL asks [`attach`] first: after [`at_exit`] — an `atexit` hook,
//! which CPython runs before it begins to finalize — only the thread that
//! finalizes, or a thread that holds the GIL already, may attach; the others
//! get `None` (a callback fails with a bridge error, a release leaks its
//! object). The hook also waits, without the GIL and for at most
//! [`wait_at_exit`], for the callbacks that are running to return. Those still
//! running afterwards would be ended inside Rust frames (an abort, issue 12):
//! the process then ends at once (`_exit`, leaking what they hold) with one
//! line on stderr saying what was abandoned.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// How long the interpreter's exit waits for callbacks Rust threads are running.
pub(crate) const WAIT_AT_EXIT: Duration = Duration::from_secs(5);

/// [`WAIT_AT_EXIT`], or `FERRYMAN_EXIT_WAIT_MS` milliseconds when set (for
/// tests, which need not wait 5 s).
fn wait_at_exit() -> Duration {
    std::env::var("FERRYMAN_EXIT_WAIT_MS")
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(WAIT_AT_EXIT, Duration::from_millis)
}

/// Set by the `atexit` hook: the interpreter is about to finalize.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// The thread that ran the hook, which finalizes the interpreter.
static FINALIZING_THREAD: AtomicU64 = AtomicU64::new(0);
/// Host functions holding (or waiting for) the GIL right now, on any thread.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's share of `IN_FLIGHT` (callbacks nest).
    static MINE: Cell<usize> = const { Cell::new(0) };
}

// Public CPython API outside the limited API (as in `gil.rs`).
extern "C" {
    fn PyGILState_Check() -> std::ffi::c_int;
}

/// Whether the interpreter is about to finalize (or finalizing).
pub(crate) fn shutting_down() -> bool {
    SHUTTING_DOWN.load(Ordering::SeqCst)
}

/// Runs `f` attached to the interpreter, unless it is shutting down and this
/// thread may no longer attach, or it is gone: then `None`, without touching
/// Python.
pub(crate) fn attach<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    let _visit = Visit::enter()?;
    Python::try_attach(f)
}

/// One host function between asking for the GIL and giving it back.
struct Visit;

impl Visit {
    fn enter() -> Option<Visit> {
        // Counted before looking at the flag, which the hook sets before
        // counting: either it sees this visit or this visit sees the flag.
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        let _ = MINE.try_with(|mine| mine.set(mine.get() + 1));
        let visit = Visit;
        if SHUTTING_DOWN.load(Ordering::SeqCst) && !may_attach_while_shutting_down() {
            return None;
        }
        Some(visit)
    }
}

impl Drop for Visit {
    fn drop(&mut self) {
        let _ = MINE.try_with(|mine| mine.set(mine.get().saturating_sub(1)));
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The finalizing thread may always take the GIL, and a thread that holds it
/// already does not need to.
fn may_attach_while_shutting_down() -> bool {
    let me = current_thread();
    me == FINALIZING_THREAD.load(Ordering::SeqCst) || holding_gil()
}

/// Whether the calling thread holds the GIL.
pub(crate) fn holding_gil() -> bool {
    // SAFETY: `PyGILState_Check` only compares thread states; it may be called
    // on any thread, with or without the GIL.
    unsafe { PyGILState_Check() != 0 }
}

/// Python's identifier of the calling thread (`threading.get_ident()`).
// `c_ulong` is `u64` on most platforms, `u32` on Windows.
#[allow(clippy::useless_conversion)]
pub(crate) fn current_thread() -> u64 {
    // SAFETY: returns the calling thread's identifier; needs no GIL.
    u64::from(unsafe { pyo3::ffi::PyThread_get_thread_ident() })
}

/// The `atexit` hook: from now on only this thread may take the GIL for Rust;
/// waits for the callbacks Rust threads are running.
#[pyfunction]
pub(crate) fn at_exit(py: Python<'_>) {
    FINALIZING_THREAD.store(current_thread(), Ordering::SeqCst);
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let mine = MINE.try_with(Cell::get).unwrap_or(0);
    let wait = wait_at_exit();
    let running = py.detach(|| {
        let deadline = Instant::now() + wait;
        loop {
            let running = IN_FLIGHT.load(Ordering::SeqCst).saturating_sub(mine);
            if running == 0 || Instant::now() >= deadline {
                return running;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    if running > 0 {
        abandon(py, running, wait);
    }
}

/// Ends the process now: finalizing would end the threads still in callbacks
/// inside Rust frames, which aborts. Python's output is flushed first; the
/// status is 1 when the program ended with an uncaught exception, else 0
/// (a `sys.exit(n)` status is not known here).
fn abandon(py: Python<'_>, running: usize, wait: Duration) -> ! {
    let failed = py
        .import("sys")
        .is_ok_and(|sys| sys.hasattr("last_value").unwrap_or(false));
    if let Ok(sys) = py.import("sys") {
        for stream in ["stdout", "stderr"] {
            if let Ok(stream) = sys.getattr(stream) {
                let _ = stream.call_method0("flush");
            }
        }
    }
    let line = format!(
        "ferryman: exiting without finalizing Python: {running} callback(s) from Rust threads \
         still running after {:.1} s were abandoned\n",
        wait.as_secs_f64()
    );
    // SAFETY: writes a buffer we own to stderr, then ends the process without
    // running anything else (no destructors, no atexit handlers, no Python
    // finalization), which is the point: other threads are still running.
    unsafe {
        libc::write(2, line.as_ptr().cast(), line.len());
        libc::_exit(i32::from(failed));
    }
}

/// Registers [`at_exit`] with Python's `atexit` (once, when the module loads).
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let hook = wrap_pyfunction!(at_exit, module)?;
    module
        .py()
        .import("atexit")?
        .call_method1("register", (hook,))?;
    Ok(())
}
