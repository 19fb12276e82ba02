//! `RustIterator`: a lazy Rust iterator a library handed out (a closure of
//! `{"iter": T}`, `spec/wire.md`, "Iterators"), as a value: which library,
//! which closure, the batch being served. Pulling batches is the calls
//! layer's (`calls/iterator_object.rs`, which holds the type's Python
//! methods); dropping it releases the closure, which drops the Rust iterator.

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
/// `with`, exhaustion or garbage collection drop the Rust iterator. One
/// thread at a time: another thread calling `next()` while a batch is being
/// pulled (without the GIL) gets PyO3's `RuntimeError` ("Already mutably
/// borrowed"); a lock instead cost 15% more per item (measured).
#[pyclass(module = "ferryman", name = "RustIterator")]
#[derive(Debug)]
pub struct RustIterator {
    pub(crate) registration: &'static HostRegistration,
    /// The closure's handle; 0 once released.
    pub(crate) handle: u64,
    /// How to decode an item.
    pub(crate) item: Arc<Shape>,
    /// The rest of the batch being served, last item first.
    pub(crate) batch: Vec<Py<PyAny>>,
    /// How many items the next batch asks for.
    pub(crate) want: u32,
    /// The error factory of the load that received it (as `RustFunction`'s).
    pub(crate) on_error: Option<Py<PyAny>>,
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
            handle,
            item,
            batch: Vec::new(),
            want: FIRST_BATCH,
            on_error,
        }
    }

    /// Releases the closure (dropping the Rust iterator), once.
    pub(crate) fn release(&mut self, py: Python<'_>) {
        self.batch.clear();
        let handle = std::mem::take(&mut self.handle);
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
        let handle = std::mem::take(&mut self.handle);
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
