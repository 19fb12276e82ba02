//! Per-thread state of the ferryman calls running on a thread: which library
//! callables are being encoded for, what the host holds until a call returns,
//! and the exceptions callbacks raised during the outermost call
//! (`spec/callbacks.md`, "Errors across callbacks").

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;

use crate::host::Runtime;
use crate::objects::{self, Held};

/// An exception a callback raised while a ferryman call ran on this thread.
struct Pending {
    id: u64,
    exception: Py<PyAny>,
    traceback: Option<Py<PyAny>>,
    /// How many frames the error value carried when it left for Rust.
    frames: usize,
}

struct State {
    /// Ferryman calls running on this thread (callbacks nest them).
    calls: u32,
    /// The library the value being encoded goes to.
    runtime: Option<&'static Runtime>,
    /// Held by the open scopes, innermost last.
    held: Vec<Held>,
    pending: Vec<Pending>,
    /// `KeyboardInterrupt`s that went to Rust during the running call.
    interrupts: Vec<Py<PyAny>>,
}

thread_local! {
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            calls: 0,
            runtime: None,
            held: Vec::new(),
            pending: Vec::new(),
            interrupts: Vec::new(),
        })
    };
}

/// What `held` holds beyond `mark` (without reallocating when that is nothing).
fn held_since(held: &mut Vec<Held>, mark: usize) -> Vec<Held> {
    if held.len() > mark {
        held.split_off(mark)
    } else {
        Vec::new()
    }
}

/// `host_exception` handles, unique in the process so that a handle that
/// reaches another thread never names the wrong exception.
static NEXT_EXCEPTION: AtomicU64 = AtomicU64::new(1);

/// A ferryman call (or the encoding of a callback's result) running on this
/// thread. Dropping it restores the previous state, releases what the scope
/// held and, when the outermost call ends, drops the pending exceptions.
/// Create and drop it with the GIL held.
#[derive(Debug)]
pub(crate) struct Scope {
    previous: Option<&'static Runtime>,
    mark: usize,
    call: bool,
    _not_send: PhantomData<*const ()>,
}

impl Scope {
    /// A call into the library `runtime` (`None`: it takes no callables).
    pub(crate) fn call(runtime: Option<&'static Runtime>) -> Scope {
        Scope::open(runtime, true)
    }

    /// Encoding a value for `runtime` outside a call (a callback's result).
    pub(crate) fn encoding(runtime: Option<&'static Runtime>) -> Scope {
        Scope::open(runtime, false)
    }

    fn open(runtime: Option<&'static Runtime>, call: bool) -> Scope {
        let (previous, mark) = STATE
            .try_with(|state| {
                let mut state = state.borrow_mut();
                if call {
                    state.calls += 1;
                }
                (
                    std::mem::replace(&mut state.runtime, runtime),
                    state.held.len(),
                )
            })
            .unwrap_or((None, 0));
        Scope {
            previous,
            mark,
            call,
            _not_send: PhantomData,
        }
    }

    /// Takes what this scope holds so far (to keep it alive with a box).
    pub(crate) fn take_held(&self) -> Vec<Held> {
        STATE
            .try_with(|state| held_since(&mut state.borrow_mut().held, self.mark))
            .unwrap_or_default()
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let released = STATE.try_with(|state| {
            let mut state = state.borrow_mut();
            state.runtime = self.previous;
            let held = held_since(&mut state.held, self.mark);
            let mut pending = Vec::new();
            let mut interrupts = Vec::new();
            if self.call {
                state.calls = state.calls.saturating_sub(1);
                if state.calls == 0 && !state.pending.is_empty() {
                    pending = std::mem::take(&mut state.pending);
                }
                // Normally delivered (and taken) by `outcome::after_call` already.
                if state.calls == 0 && !state.interrupts.is_empty() {
                    interrupts = std::mem::take(&mut state.interrupts);
                }
            }
            (held, (pending, interrupts))
        });
        // Dropping objects runs Python code, which may call into ferryman again:
        // only once the state is no longer borrowed.
        if let Ok((held, dropped)) = released {
            objects::drop_with_gil(held);
            if !dropped.0.is_empty() || !dropped.1.is_empty() {
                let _ = Python::try_attach(|_py| drop(dropped));
            }
        }
    }
}

/// The library the value being encoded goes to, inside a scope.
pub(crate) fn current_runtime() -> Option<&'static Runtime> {
    STATE
        .try_with(|state| state.borrow().runtime)
        .ok()
        .flatten()
}

/// Keeps `held` alive until the innermost scope ends.
pub(crate) fn hold(held: Held) {
    // Refused only during thread teardown, when `held` is simply dropped.
    let _ = STATE.try_with(|state| state.borrow_mut().held.push(held));
}

/// Whether a ferryman call is running on this thread.
pub(crate) fn in_call() -> bool {
    STATE
        .try_with(|state| state.borrow().calls > 0)
        .unwrap_or(false)
}

/// Keeps a callback's exception until the outermost call on this thread
/// returns; its handle, or `None` when no call runs here (a Rust thread, or a
/// stored callback called later), which the error value reports as nil.
pub(crate) fn store_pending(
    exception: Py<PyAny>,
    traceback: Option<Py<PyAny>>,
    frames: usize,
) -> Option<u64> {
    let rejected = STATE.try_with(|state| {
        let mut state = state.borrow_mut();
        if state.calls == 0 {
            return Err((exception, traceback));
        }
        let id = NEXT_EXCEPTION.fetch_add(1, Ordering::Relaxed);
        state.pending.push(Pending {
            id,
            exception,
            traceback,
            frames,
        });
        Ok(id)
    });
    match rejected {
        Ok(Ok(id)) => Some(id),
        // Dropped here, outside the borrow.
        Ok(Err(_)) | Err(_) => None,
    }
}

/// Notes that a `KeyboardInterrupt` left for Rust (from `check_interrupt` or a
/// callback) while a call runs on this thread: Python must see it when the call
/// returns, even if Rust swallows it.
pub(crate) fn record_interrupt(interrupt: Py<PyAny>) {
    let _ = STATE.try_with(|state| {
        let mut state = state.borrow_mut();
        if state.calls > 0 {
            state.interrupts.push(interrupt);
            INTERRUPTS_RECORDED.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// How many interrupts any thread ever recorded: lets the common call skip the
/// thread-local look-up (thread locals are not free in a shared library).
static INTERRUPTS_RECORDED: AtomicU64 = AtomicU64::new(0);

/// An interrupt taken during the call that just returned with `result`, which
/// does not raise it: the exception to raise instead.
pub(crate) fn undelivered_interrupt<T>(py: Python<'_>, result: &PyResult<T>) -> Option<PyErr> {
    if INTERRUPTS_RECORDED.load(Ordering::Relaxed) == 0 {
        return None;
    }
    let interrupts = STATE
        .try_with(|state| {
            let mut state = state.borrow_mut();
            if state.interrupts.is_empty() {
                Vec::new()
            } else {
                std::mem::take(&mut state.interrupts)
            }
        })
        .ok()?;
    let raised = result.as_ref().err().map(|error| error.value(py).as_any());
    let delivered = interrupts
        .iter()
        .any(|interrupt| raised.is_some_and(|raised| raised.is(interrupt)));
    let first = interrupts.into_iter().next()?;
    (!delivered).then(|| PyErr::from_value(first.into_bound(py)))
}

/// The pending exception `id` of this thread: `(exception, traceback, frames
/// sent)`, for the Python layer to raise it again.
#[pyfunction]
pub(crate) fn pending_exception(
    py: Python<'_>,
    id: u64,
) -> Option<(Py<PyAny>, Option<Py<PyAny>>, usize)> {
    STATE
        .try_with(|state| {
            state
                .borrow()
                .pending
                .iter()
                .find(|pending| pending.id == id)
                .map(|pending| {
                    (
                        pending.exception.clone_ref(py),
                        pending.traceback.as_ref().map(|tb| tb.clone_ref(py)),
                        pending.frames,
                    )
                })
        })
        .ok()
        .flatten()
}

/// How many pending exceptions this thread keeps (tests: nothing leaks).
#[pyfunction]
pub(crate) fn pending_count() -> usize {
    STATE
        .try_with(|state| state.borrow().pending.len())
        .unwrap_or(0)
}
