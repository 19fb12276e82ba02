//! Pulling items from a `RustIterator` (`values/iterator_value.rs`): its
//! Python methods. One crossing per batch (`ferryman_closure_call(handle,
//! [n])`), through the same crossing as closures.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::calls::crossing::{self, Target};
use crate::errors::argument_message::Callee;
use crate::state::call_scope::Scope;
use crate::state::python_classes::{self, PyName};
use crate::values::decode::decode_items;
use crate::values::iterator_value::{RustIterator, GROWTH, MAX_BATCH};

impl RustIterator {
    /// Asks the library for the next batch; `Ok(false)` once exhausted (the
    /// closure is then released).
    fn pull(&mut self, py: Python<'_>) -> PyResult<bool> {
        if self.handle == 0 {
            return Ok(false);
        }
        let registration = self.registration;
        let on_error = match &self.on_error {
            Some(factory) => factory.bind(py).clone(),
            None => python_classes::get(py, PyName::ExceptionFromValue)?.clone(),
        };
        let want = self.want;
        self.want = want.saturating_mul(GROWTH).min(MAX_BATCH);
        let mut scope = Scope::call(Some(registration));
        let buffers = scope.buffers();
        buffers.args.clear();
        buffers.args.push(0x91);
        ferryman_wire::scalar::int(i64::from(want)).append_to(&mut buffers.args);
        let handle = self.handle;
        let target = Target {
            shape: None,
            registration: Some(registration),
            on_error: &on_error,
            callee: Callee::Closure,
        };
        let item = &*self.item;
        let batch = crossing::cross_with(
            py,
            buffers,
            move |args, out| registration.closure_call(handle, args, out),
            &target,
            |bytes| decode_items(py, bytes, item, Some(registration)),
        )
        .map_err(|error| *error)?;
        drop(scope);
        if batch.is_empty() {
            self.release(py);
            return Ok(false);
        }
        // Served from the end: the first item last.
        self.batch = batch.into_iter().rev().map(Bound::unbind).collect();
        Ok(true)
    }
}

#[pymethods]
impl RustIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        if let Some(item) = self.batch.pop() {
            return Ok(Some(item.into_bound(py)));
        }
        if !self.pull(py)? {
            return Ok(None);
        }
        Ok(self.batch.pop().map(|item| item.into_bound(py)))
    }

    /// Drops the Rust iterator now; `next()` then raises `StopIteration`.
    fn close(&mut self, py: Python<'_>) {
        self.release(py);
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&mut self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> bool {
        self.release(py);
        false
    }

    /// Whether the Rust iterator is gone (closed or exhausted).
    #[getter]
    fn closed(&self) -> bool {
        self.handle == 0
    }

    fn __repr__(&self) -> String {
        if self.handle == 0 {
            "<ferryman.RustIterator (closed)>".to_owned()
        } else {
            format!("<ferryman.RustIterator {}>", self.handle)
        }
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "cannot pickle 'RustIterator' object: it pulls from a Rust iterator in this process",
        ))
    }
}
