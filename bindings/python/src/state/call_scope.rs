//! Per-thread state of the ferryman calls running on a thread: which library
//! callables are being encoded for, what the host holds until a call returns,
//! and the interrupts callbacks or `check_interrupt` handed to Rust during the
//! outermost call (`spec/callbacks.md`, "Interrupts").

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;

use crate::ffi::call_buffers::Buffers;
use crate::ffi::host_registration::HostRegistration;
use crate::state::host_objects::{self, Held};
use crate::state::{main_thread, sigint};

/// Whether a thread is Python's main thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Not looked up yet (no call was made on this thread).
    Unknown,
    Main,
    Other,
}

/// Where a thread stands, for `check_interrupt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Python's main thread, inside a ferryman call.
    MainCall,
    /// Another Python thread, inside a ferryman call of its own.
    OtherCall,
    /// A thread with no ferryman call running: a thread Rust started.
    Outside,
}

/// The state of one thread. Every call opens and closes a [`Scope`], so what
/// that touches is in `Cell`s; the lists, rarely non-empty, are behind a
/// `RefCell` with their lengths mirrored outside it.
struct State {
    /// Ferryman calls running on this thread (callbacks nest them).
    calls: Cell<u32>,
    /// Whether this is Python's main thread, whose depth of calls other
    /// threads read (`main_thread.rs`).
    role: Cell<Role>,
    /// The library the value being encoded goes to.
    registration: Cell<Option<&'static HostRegistration>>,
    /// `lists.held.len()`.
    held: Cell<usize>,
    /// Whether `lists.interrupts` may hold something.
    waiting: Cell<bool>,
    /// The buffers the next call on this thread takes (a nested call, while
    /// they are out, makes its own).
    spare: Cell<Option<Box<Buffers>>>,
    lists: RefCell<Lists>,
}

struct Lists {
    /// Held by the open scopes, innermost last.
    held: Vec<Held>,
    /// `KeyboardInterrupt`s that went to Rust during the running call.
    interrupts: Vec<Py<PyAny>>,
}

thread_local! {
    static STATE: State = const {
        State {
            calls: Cell::new(0),
            role: Cell::new(Role::Unknown),
            registration: Cell::new(None),
            held: Cell::new(0),
            waiting: Cell::new(false),
            spare: Cell::new(None),
            lists: RefCell::new(Lists {
                held: Vec::new(),
                interrupts: Vec::new(),
            }),
        }
    };
}

/// A call opened on a thread that may be Python's main thread (`role` is not
/// `Other`): publishes the main thread's depth; its outermost call starts a
/// new period for Ctrl-C seen by other threads (`sigint.rs`).
#[inline]
fn main_thread_call_opened(role: &Cell<Role>, calls: u32) {
    if role.get() == Role::Unknown && look_up_role(role) == Role::Other {
        return;
    }
    if calls == 1 {
        // SAFETY: scopes are opened with the GIL held (`Scope`).
        sigint::main_call_starts(unsafe { Python::assume_attached() });
    }
    main_thread::set_depth(calls);
}

/// The first call on a thread: whether it is Python's main thread.
#[cold]
fn look_up_role(role: &Cell<Role>) -> Role {
    let found = if main_thread::is_current() {
        Role::Main
    } else {
        Role::Other
    };
    role.set(found);
    found
}

impl State {
    /// What `held` holds beyond `mark`.
    fn held_since(&self, mark: usize) -> Vec<Held> {
        if self.held.get() <= mark {
            return Vec::new();
        }
        let mut lists = self.lists.borrow_mut();
        let mark = mark.min(lists.held.len());
        let since = lists.held.split_off(mark);
        self.held.set(lists.held.len());
        since
    }
}

/// A ferryman call (or the encoding of a callback's result) running on this
/// thread. Dropping it restores the previous state, releases what the scope
/// held and, when the outermost call ends, drops the interrupts kept for it.
/// Create and drop it with the GIL held.
///
/// A call's scope also lends it this thread's reusable buffers.
#[derive(Debug)]
pub(crate) struct Scope {
    /// This thread's state, looked up once when the scope opens (a look-up
    /// is a call in a shared library); null during thread teardown.
    state: *const State,
    previous: Option<&'static HostRegistration>,
    mark: usize,
    call: bool,
    /// Boxed, so that moving it in and out of the thread's slot is one word.
    buffers: Option<Box<Buffers>>,
    _not_send: PhantomData<*const ()>,
}

impl Scope {
    /// A call into the library `registration` (`None`: it takes no callables).
    #[inline]
    pub(crate) fn call(registration: Option<&'static HostRegistration>) -> Scope {
        Scope::open(registration, true)
    }

    /// Encoding a value for `registration` outside a call (a callback's result).
    pub(crate) fn encoding(registration: Option<&'static HostRegistration>) -> Scope {
        Scope::open(registration, false)
    }

    #[inline]
    fn open(registration: Option<&'static HostRegistration>, call: bool) -> Scope {
        let (state, previous, mark, buffers) = STATE
            .try_with(|state| {
                let buffers = if call {
                    let calls = state.calls.get() + 1;
                    state.calls.set(calls);
                    if state.role.get() != Role::Other {
                        main_thread_call_opened(&state.role, calls);
                    }
                    state.spare.take()
                } else {
                    None
                };
                (
                    std::ptr::from_ref(state),
                    state.registration.replace(registration),
                    state.held.get(),
                    buffers,
                )
            })
            .unwrap_or((std::ptr::null(), None, 0, None));
        Scope {
            state,
            previous,
            mark,
            call,
            buffers,
            _not_send: PhantomData,
        }
    }

    /// The buffers of this call.
    #[inline]
    pub(crate) fn buffers(&mut self) -> &mut Buffers {
        self.buffers.get_or_insert_with(Box::default)
    }

    /// Takes what this scope holds so far (to keep it alive with a box).
    pub(crate) fn take_held(&self) -> Vec<Held> {
        STATE
            .try_with(|state| state.held_since(self.mark))
            .unwrap_or_default()
    }
}

impl Scope {
    /// Ends the scope where it stands: what dropping it does, written into
    /// the caller (a call's common path; the drop glue is a function call).
    #[inline(always)]
    pub(crate) fn close(self) {
        // Not dropped again, even if `end` unwinds; nothing is left to drop
        // after it (it takes the buffers; the other fields are `Copy`).
        std::mem::ManuallyDrop::new(self).end();
    }

    /// Restores the thread's state (see [`Scope`]); runs once, from `close`
    /// or `drop`.
    #[inline(always)]
    fn end(&mut self) {
        let buffers = self.buffers.take().and_then(Buffers::keep);
        // SAFETY: non-null, `state` is this thread's state (the scope is not
        // `Send`), which lives until the thread ends, after every scope on it.
        let Some(state) = (unsafe { self.state.as_ref() }) else {
            return;
        };
        let unfinished = {
            state.registration.set(self.previous);
            let mut outermost = false;
            if self.call {
                let calls = state.calls.get().saturating_sub(1);
                state.calls.set(calls);
                if state.role.get() == Role::Main {
                    main_thread::set_depth(calls);
                }
                outermost = calls == 0;
                if let Some(buffers) = buffers {
                    // A nested call's buffers are dropped when the thread has some.
                    drop(state.spare.replace(Some(buffers)));
                }
            }
            state.held.get() > self.mark || (outermost && state.waiting.get())
        };
        if unfinished {
            self.finish_slowly();
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        self.end();
    }
}

impl Scope {
    /// Releases what this scope held and, after the outermost call, the
    /// interrupts kept for it. Dropping objects runs Python code,
    /// which may call into ferryman again: only once the lists are no longer
    /// borrowed.
    #[cold]
    fn finish_slowly(&self) {
        let outermost = self.call && !in_call();
        let leftovers = STATE.try_with(|state| {
            let held = state.held_since(self.mark);
            let mut lists = state.lists.borrow_mut();
            // Interrupts are normally delivered (and taken) by
            // `calls::crossing` already.
            let interrupts = if outermost {
                state.waiting.set(false);
                std::mem::take(&mut lists.interrupts)
            } else {
                Vec::new()
            };
            (held, interrupts)
        });
        if let Ok((held, interrupts)) = leftovers {
            host_objects::drop_with_gil(held);
            if !interrupts.is_empty() {
                let _ = Python::try_attach(|_py| drop(interrupts));
            }
        }
    }
}

/// Runs `f` with this thread's spare buffers (fresh ones when a call holds them).
pub(crate) fn with_buffers<R>(f: impl FnOnce(&mut Buffers) -> R) -> R {
    let mut buffers = STATE
        .try_with(|state| state.spare.take())
        .ok()
        .flatten()
        .unwrap_or_default();
    let result = f(&mut buffers);
    if let Some(buffers) = buffers.keep() {
        let _ = STATE.try_with(|state| {
            let previous = state.spare.replace(Some(buffers));
            if previous.is_some() {
                state.spare.set(previous);
            }
        });
    }
    result
}

/// The library the value being encoded goes to, inside a scope.
pub(crate) fn current_registration() -> Option<&'static HostRegistration> {
    STATE
        .try_with(|state| state.registration.get())
        .ok()
        .flatten()
}

/// Keeps `held` alive until the innermost scope ends.
pub(crate) fn hold(held: Held) {
    // Refused only during thread teardown, when `held` is simply dropped.
    let _ = STATE.try_with(|state| {
        let mut lists = state.lists.borrow_mut();
        lists.held.push(held);
        state.held.set(lists.held.len());
    });
}

/// Whether a ferryman call is running on this thread.
pub(crate) fn in_call() -> bool {
    STATE
        .try_with(|state| state.calls.get() > 0)
        .unwrap_or(false)
}

/// Where this thread stands (a thread is in a call only after its scope
/// looked up whether it is the main thread).
pub(crate) fn standing() -> Standing {
    STATE
        .try_with(|state| match (state.calls.get(), state.role.get()) {
            (0, _) => Standing::Outside,
            (_, Role::Main) => Standing::MainCall,
            _ => Standing::OtherCall,
        })
        .unwrap_or(Standing::Outside)
}

/// Notes that a `KeyboardInterrupt` left for Rust (from `check_interrupt` or a
/// callback) while a call runs on this thread: Python must see it when the call
/// returns, even if Rust swallows it.
pub(crate) fn record_interrupt(interrupt: Py<PyAny>) {
    let _ = STATE.try_with(|state| {
        if state.calls.get() > 0 {
            state.waiting.set(true);
            state.lists.borrow_mut().interrupts.push(interrupt);
            INTERRUPTS_RECORDED.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// How many interrupts any thread ever recorded: lets the common call skip the
/// thread-local look-up (thread locals are not free in a shared library).
static INTERRUPTS_RECORDED: AtomicU64 = AtomicU64::new(0);

/// An interrupt taken during the call that just returned with `result`, which
/// does not raise it: the exception to raise instead.
#[inline(always)]
pub(crate) fn undelivered_interrupt<T>(
    py: Python<'_>,
    result: &Result<T, Box<PyErr>>,
) -> Option<PyErr> {
    if INTERRUPTS_RECORDED.load(Ordering::Relaxed) == 0 {
        return None;
    }
    undelivered_interrupt_slowly(py, result)
}

/// [`undelivered_interrupt`] once some thread recorded an interrupt.
#[cold]
#[inline(never)]
fn undelivered_interrupt_slowly<T>(
    py: Python<'_>,
    result: &Result<T, Box<PyErr>>,
) -> Option<PyErr> {
    let interrupts = STATE
        .try_with(|state| std::mem::take(&mut state.lists.borrow_mut().interrupts))
        .ok()?;
    let raised = result.as_ref().err().map(|error| error.value(py).as_any());
    let delivered = interrupts
        .iter()
        .any(|interrupt| raised.is_some_and(|raised| raised.is(interrupt)));
    let first = interrupts.into_iter().next()?;
    (!delivered).then(|| PyErr::from_value(first.into_bound(py)))
}
