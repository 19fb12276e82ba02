//! Pulling items from a `RustIterator` (`values/iterator_value.rs`): its
//! Python methods. One crossing per batch (`ferryman_closure_call(handle,
//! [n])`), through the same crossing as closures.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::calls::crossing::{self, Target};
use crate::errors::argument_message::Callee;
use crate::state::call_scope::Scope;
use crate::state::python_classes::{self, PyName};
use crate::values::decode::decode_items;
use crate::values::iterator_value::{RustIterator, GROWTH, MAX_BATCH};

impl RustIterator {
    /// Pulls the next batch and serves its first item; `None` once
    /// exhausted (the closure is then released). The caller found the batch
    /// empty and the iterator open.
    fn pull<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let (handle, want) = {
            // SAFETY: the GIL is held; the reference ends before the crossing.
            let Some(state) = (unsafe { self.state(py) }) else {
                return Err(already_executing());
            };
            let want = state.want;
            state.want = want.saturating_mul(GROWTH).min(MAX_BATCH);
            (state.handle, want)
        };
        let registration = self.registration;
        let on_error = match &self.on_error {
            Some(factory) => factory.bind(py).clone(),
            None => python_classes::get(py, PyName::ExceptionFromValue)?.clone(),
        };
        let mut scope = Scope::call(Some(registration));
        let buffers = scope.buffers();
        buffers.args.clear();
        buffers.args.push(0x91);
        ferryman_wire::scalar::int(i64::from(want)).append_to(&mut buffers.args);
        let target = Target {
            shape: None,
            registration: Some(registration),
            on_error: &on_error,
            callee: Callee::Closure,
        };
        let item = &*self.item;
        if !self.start_pull() {
            return Err(already_executing());
        }
        // From here until `end_pull`, Python code (this thread's callbacks,
        // other threads once the GIL is released) finds the iterator busy.
        let batch = crossing::cross_with(
            py,
            buffers,
            move |args, out| registration.closure_call(handle, args, out),
            &target,
            |bytes| decode_items(py, bytes, item, Some(registration)),
        );
        let close_asked = self.end_pull();
        drop(scope);
        // SAFETY: the GIL is held and the pull has ended.
        let state = unsafe { self.state(py) }.expect("no pull runs: this thread's just ended");
        let batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                if close_asked {
                    self.release(py, state.take());
                }
                return Err(*error);
            }
        };
        if batch.is_empty() || close_asked {
            self.release(py, state.take());
            return Ok(None);
        }
        // Served from the end: the first item last.
        state.batch = batch.into_iter().rev().map(Bound::unbind).collect();
        Ok(state.batch.pop().map(|item| item.into_bound(py)))
    }
}

/// What `next()` raises while a batch is being pulled (Python's generators
/// raise the same for a generator already running).
fn already_executing() -> PyErr {
    PyValueError::new_err(
        "RustIterator already executing: another thread (or a callback of this pull) \
         called next() while a batch was being pulled; iterate from one thread at a time",
    )
}

#[pymethods]
impl RustIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        // SAFETY: the GIL is held; the reference ends before `pull`.
        let Some(state) = (unsafe { self.state(py) }) else {
            return Err(already_executing());
        };
        if let Some(item) = state.batch.pop() {
            return Ok(Some(item.into_bound(py)));
        }
        if state.handle == 0 {
            return Ok(None);
        }
        self.pull(py)
    }

    /// Drops the Rust iterator now (or, while another thread pulls a batch,
    /// as soon as that batch is in); `next()` then raises `StopIteration`.
    fn close(&self, py: Python<'_>) {
        // SAFETY: the GIL is held; the reference ends with `take`, before
        // `release` drops items or lets go of the GIL.
        match unsafe { self.state(py) } {
            Some(state) => self.release(py, state.take()),
            None => self.ask_close(),
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    /// Whether the Rust iterator is gone (closed or exhausted), or will be
    /// once the batch another thread is pulling is in.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        // SAFETY: the GIL is held; only read.
        match unsafe { self.state(py) } {
            Some(state) => state.handle == 0,
            None => self.close_asked(),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        // SAFETY: the GIL is held; only read.
        match unsafe { self.state(py) } {
            None => "<ferryman.RustIterator (pulling a batch)>".to_owned(),
            Some(state) if state.handle == 0 => "<ferryman.RustIterator (closed)>".to_owned(),
            Some(state) => format!("<ferryman.RustIterator {}>", state.handle),
        }
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "cannot pickle 'RustIterator' object: it pulls from a Rust iterator in this process",
        ))
    }
}
