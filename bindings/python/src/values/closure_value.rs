//! `RustFunction`: a Rust closure a library handed out (`spec/callbacks.md`,
//! extension 2), as a value: which library, which handle, what it returns.
//! Calling it is the calls layer's (`calls/closure_object.rs`, which holds
//! the type's Python methods); dropping it releases the library's closure.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::ffi::host_registration::HostRegistration;
use crate::values::shape::ClosureShape;

/// A Rust closure returned by a library function.
///
/// Calling it runs the closure (without the GIL) and decodes its result like a
/// function call; its errors and panics raise the same exceptions. Passing it
/// back into the same library gives Rust the closure itself. The library drops
/// its reference when this object is garbage collected.
#[pyclass(frozen, module = "ferryman._native", name = "RustFunction")]
#[derive(Debug)]
pub struct RustFunction {
    registration: &'static HostRegistration,
    handle: u64,
    shape: Option<Arc<ClosureShape>>,
    /// The error factory of the load that received it (the registration
    /// names it only weakly), so it raises that load's classes for as long
    /// as it lives.
    on_error: Option<Py<PyAny>>,
}

impl RustFunction {
    /// The closure `handle` of the library `registration`, which handed over
    /// one reference with it.
    pub(crate) fn new(
        registration: &'static HostRegistration,
        handle: u64,
        shape: Option<Arc<ClosureShape>>,
        on_error: Option<Py<PyAny>>,
    ) -> RustFunction {
        RustFunction {
            registration,
            handle,
            shape,
            on_error,
        }
    }

    /// Visits the error factory (for `__traverse__`).
    pub(crate) fn visit_on_error(
        &self,
        visit: pyo3::gc::PyVisit<'_>,
    ) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.on_error)
    }

    /// The error factory it raises through, when its load had one.
    pub(crate) fn on_error<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.on_error
            .as_ref()
            .map(|factory| factory.bind(py).clone())
    }

    pub(crate) fn registration(&self) -> &'static HostRegistration {
        self.registration
    }

    pub(crate) fn closure_handle(&self) -> u64 {
        self.handle
    }

    /// What its type descriptor says, when the library gave one.
    pub(crate) fn shape(&self) -> Option<&ClosureShape> {
        self.shape.as_deref()
    }
}

impl Drop for RustFunction {
    fn drop(&mut self) {
        let (registration, handle) = (self.registration, self.handle);
        // Dropping the closure runs Rust code (its captures' destructors, which
        // may wait for locks or release host objects): not with the GIL held.
        let released = Python::try_attach(|py| py.detach(|| registration.closure_release(handle)));
        if released.is_none() {
            registration.closure_release(handle);
        }
    }
}
