//! `RustIterator`: a lazy Rust iterator a library handed out (a closure of
//! `{"iter": T}`, `spec/wire.md`, "Iterators"), as a value: which library,
//! which closure, the batch being served. Pulling batches is the calls
//! layer's (`calls/iterator_object.rs`, which holds the type's Python
//! methods); dropping it releases the closure, which drops the Rust iterator.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use pyo3::prelude::*;

use crate::ffi::host_registration::HostRegistration;
use crate::state::{gil_policy, log_queue, shutdown};
use crate::values::shape::Shape;

/// The first batch asks for one item (a caller may want only the first);
/// each next one asks for [`GROWTH`] times more, up to [`MAX_BATCH`]
/// (`bindings/python/README.md`, "Iterators", has the measurements).
pub(crate) const FIRST_BATCH: u32 = 1;
pub(crate) const GROWTH: u32 = 4;
pub(crate) const MAX_BATCH: u32 = 256;

/// An iterator over the items of a Rust iterator.
///
/// `next()` pulls items in batches (one crossing per batch, without the
/// GIL); a Rust error of an item raises at that item, and the iterator goes
/// on after it; a panic raises at its item and ends the iterator. `close()`,
/// `with`, exhaustion or garbage collection drop the Rust iterator.
///
/// One thread at a time, like a generator: `next()` from another thread (or
/// from a callback of the pull itself) while a batch is being pulled raises
/// `ValueError: RustIterator already executing`; `close()` meanwhile asks
/// the pulling thread to drop the Rust iterator once its batch is in. The
/// state is not behind a lock (one cost 15% more per item, measured) nor
/// PyO3's borrow flag: every access holds the GIL, and `executing` keeps
/// everyone else off it while the puller has let go of the GIL.
#[pyclass(module = "ferryman", name = "RustIterator", frozen)]
pub struct RustIterator {
    pub(crate) registration: &'static HostRegistration,
    /// How to decode an item.
    pub(crate) item: Arc<Shape>,
    /// The error factory of the load that received it (as `RustFunction`'s).
    pub(crate) on_error: Option<Py<PyAny>>,
    state: UnsafeCell<State>,
    /// A thread is pulling a batch (it released the GIL): nobody else may
    /// touch `state`.
    executing: AtomicBool,
    /// `close()` came while a batch was being pulled.
    close_asked: AtomicBool,
}

/// What `next()` changes.
#[derive(Debug)]
pub(crate) struct State {
    /// The closure's handle; 0 once released.
    pub(crate) handle: u64,
    /// The rest of the batch being served, last item first.
    pub(crate) batch: Vec<Py<PyAny>>,
    /// How many items the next batch asks for.
    pub(crate) want: u32,
}

impl State {
    /// Empties it: the rest of the batch and the handle (0 when released
    /// already), for [`RustIterator::release`].
    pub(crate) fn take(&mut self) -> (Vec<Py<PyAny>>, u64) {
        (
            std::mem::take(&mut self.batch),
            std::mem::take(&mut self.handle),
        )
    }
}

// SAFETY: `state` is read and written only with the GIL held, and never by
// another thread while `executing` is set (the only time its owner uses it
// without the GIL: `calls/iterator_object.rs`); the other fields are `Sync`.
unsafe impl Sync for RustIterator {}

impl std::fmt::Debug for RustIterator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustIterator")
            .field("executing", &self.executing.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RustIterator {
    /// The iterator closure `handle` of the library `registration`, which
    /// handed over one reference with it.
    pub(crate) fn new(
        registration: &'static HostRegistration,
        handle: u64,
        item: Arc<Shape>,
        on_error: Option<Py<PyAny>>,
    ) -> RustIterator {
        RustIterator {
            registration,
            item,
            on_error,
            state: UnsafeCell::new(State {
                handle,
                batch: Vec::new(),
                want: FIRST_BATCH,
            }),
            executing: AtomicBool::new(false),
            close_asked: AtomicBool::new(false),
        }
    }

    /// The state, unless a batch is being pulled.
    ///
    /// # Safety
    /// The GIL is held, and the caller drops the reference before it lets
    /// go of the GIL or calls anything that may run Python code which could
    /// reach this iterator (the pull does both: it sets `executing` first).
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn state(&self, _py: Python<'_>) -> Option<&mut State> {
        if self.executing.load(Ordering::Relaxed) {
            return None;
        }
        // SAFETY: per this function's contract; `executing` is clear, so no
        // thread is using the state without the GIL.
        Some(unsafe { &mut *self.state.get() })
    }

    /// Marks a pull as running (`false` when one already is).
    pub(crate) fn start_pull(&self) -> bool {
        !self.executing.swap(true, Ordering::Relaxed)
    }

    /// Ends the pull; whether `close()` was asked meanwhile.
    pub(crate) fn end_pull(&self) -> bool {
        self.executing.store(false, Ordering::Relaxed);
        self.close_asked.swap(false, Ordering::Relaxed)
    }

    /// Asks the pulling thread to close the iterator after its batch.
    pub(crate) fn ask_close(&self) {
        self.close_asked.store(true, Ordering::Relaxed);
    }

    /// Whether `close()` was asked during the running pull.
    pub(crate) fn close_asked(&self) -> bool {
        self.close_asked.load(Ordering::Relaxed)
    }

    /// Releases the closure (dropping the Rust iterator) and the rest of the
    /// batch, as [`State::take`] gave them: after the state's reference has
    /// ended, since dropping items and releasing the closure may run Python
    /// code (another thread's too, without the GIL) that reaches this iterator.
    pub(crate) fn release(&self, py: Python<'_>, (batch, handle): (Vec<Py<PyAny>>, u64)) {
        drop(batch);
        if handle == 0 {
            return;
        }
        let registration = self.registration;
        if shutdown::shutting_down() {
            registration.closure_release(handle);
            return;
        }
        if gil_policy::may_keep(py) {
            registration.closure_release(handle);
        } else {
            py.detach(|| registration.closure_release(handle));
        }
        log_queue::after_call(py);
    }
}

impl Drop for RustIterator {
    fn drop(&mut self) {
        let handle = std::mem::take(&mut self.state.get_mut().handle);
        if handle == 0 {
            return;
        }
        let registration = self.registration;
        // Dropping the Rust iterator runs Rust code: not with the GIL held.
        let released = Python::try_attach(|py| py.detach(|| registration.closure_release(handle)));
        if released.is_none() {
            registration.closure_release(handle);
        }
    }
}
