//! Whether a call may keep the GIL instead of releasing it.
//!
//! Releasing and re-taking the GIL costs about 80–100 ns here, more than the
//! whole rest of a small call. It is only needed when some other thread could
//! want the GIL while Rust runs: another Python thread, or a Rust thread calling
//! back into Python. Neither can happen when this is the interpreter's only
//! thread and no library holds a Python callable, so then the call keeps the
//! GIL. A second Python thread, or any callable handed to a library, and every
//! call releases it again (`bench/README.md`, "Where the time goes").
//!
//! What that check cannot see is a thread that only starts once the call
//! runs: one started by C code that has not yet touched Python, or one started
//! by Python code the call itself runs (a signal handler that
//! `ferryman::check_interrupt()` runs on the main thread). It waits for the GIL
//! until the Rust call returns, as it would for any C extension. A program
//! that has such threads sets the policy to `"always"`
//! (`ferryman.set_gil_policy`). Exceptions a library holds (`errors/callback_exceptions.rs`)
//! need no GIL to be released, so they do not count as callables here.

use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;

use crate::state::host_objects;

// Public CPython API (every version this package supports) outside the limited
// API; extension modules resolve it from the running interpreter.
extern "C" {
    fn PyInterpreterState_ThreadHead(
        interp: *mut ffi::PyInterpreterState,
    ) -> *mut ffi::PyThreadState;
    fn PyThreadState_Next(tstate: *mut ffi::PyThreadState) -> *mut ffi::PyThreadState;
}

/// Set by the policy `"always"`: every call releases the GIL.
static ALWAYS_RELEASE: AtomicBool = AtomicBool::new(false);

/// Whether the call about to be made may run without releasing the GIL.
#[inline]
pub(crate) fn may_keep(_py: Python<'_>) -> bool {
    !ALWAYS_RELEASE.load(Ordering::Relaxed) && !host_objects::any_live() && only_thread_state()
}

/// Sets when calls release the GIL: `"auto"` (the default: whenever another
/// thread could want it) or `"always"`.
#[pyfunction]
pub(crate) fn set_gil_policy(policy: &str) -> PyResult<()> {
    let always = match policy {
        "auto" => false,
        "always" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown GIL policy {other:?}: use \"auto\" or \"always\""
            )))
        }
    };
    ALWAYS_RELEASE.store(always, Ordering::Relaxed);
    Ok(())
}

/// The GIL policy in force: `"auto"` or `"always"`.
#[pyfunction]
pub(crate) fn gil_policy() -> &'static str {
    if ALWAYS_RELEASE.load(Ordering::Relaxed) {
        "always"
    } else {
        "auto"
    }
}

/// Whether the interpreter has exactly one thread state: ours. Call it with the
/// GIL held (every caller has a `Python` token).
fn only_thread_state() -> bool {
    // SAFETY: the `Python` token proves this thread holds the GIL, which the
    // interpreter's thread list requires; both functions only read that list.
    unsafe {
        let head = PyInterpreterState_ThreadHead(interpreter());
        !head.is_null() && PyThreadState_Next(head).is_null()
    }
}

/// The interpreter, looked up once: the module has no subinterpreter support,
/// so every call runs in the one that imported it.
#[inline]
fn interpreter() -> *mut ffi::PyInterpreterState {
    static INTERPRETER: AtomicPtr<ffi::PyInterpreterState> = AtomicPtr::new(ptr::null_mut());
    let known = INTERPRETER.load(Ordering::Relaxed);
    if !known.is_null() {
        return known;
    }
    // SAFETY: called with the GIL held (see `only_thread_state`), as
    // `PyInterpreterState_Get` requires; it never returns null then.
    let found = unsafe { ffi::PyInterpreterState_Get() };
    INTERPRETER.store(found, Ordering::Relaxed);
    found
}
