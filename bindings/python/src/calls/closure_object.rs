//! Calling a `RustFunction` (`values/closure_value.rs`) from Python: its
//! Python methods, and the library's list of live closures for `repr`.

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::calls::crossing::{self, Target};
use crate::errors::argument_message::{self, Argument, Callee};
use crate::errors::host_error::HostError;
use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope::Scope;
use crate::state::python_classes::{self, PyName};
use crate::values::closure_value::RustFunction;
use crate::values::encode::{array_header, encode};
use crate::values::encode_error::Located;

/// The error factory of the closure's load, or the plain one.
fn on_error<'py>(py: Python<'py>, function: &RustFunction) -> PyResult<Bound<'py, PyAny>> {
    match function.on_error(py) {
        Some(factory) => Ok(factory),
        None => python_classes::get(py, PyName::ExceptionFromValue).cloned(),
    }
}

/// The error for argument `index` that did not encode.
#[cold]
fn argument_error(function: &RustFunction, index: usize, located: Located) -> Box<HostError> {
    let expected = function
        .shape()
        .and_then(|shape| shape.params.get(index))
        .map(String::as_str);
    argument_message::unsendable(
        Callee::Closure,
        Argument::Position(index),
        index,
        expected,
        located,
    )
}

#[pymethods]
impl RustFunction {
    /// Its error factory, for the garbage collector.
    fn __traverse__(&self, visit: pyo3::gc::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.visit_on_error(visit)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let registration = self.registration();
        let on_error = on_error(py, self)?;
        let callee = Callee::Closure;
        let fail = |error: Box<HostError>| error.raise(py, &on_error, Some(callee.function_key()));
        if kwargs.is_some_and(|kwargs| !kwargs.is_empty()) {
            return Err(fail(argument_message::closure_keywords()));
        }
        let mut scope = Scope::call(Some(registration));
        let buffers = scope.buffers();
        buffers.args.clear();
        array_header(&mut buffers.args, args.len())
            .map_err(|_| fail(argument_message::too_many_to_send(callee, args.len())))?;
        for (index, value) in args.iter().enumerate() {
            encode(&mut buffers.args, &value)
                .map_err(|error| fail(argument_error(self, index, error)))?;
        }
        let handle = self.closure_handle();
        let target = Target {
            shape: self.shape().map(|shape| &shape.returns),
            registration: Some(registration),
            on_error: &on_error,
            callee,
        };
        crossing::cross(
            py,
            buffers,
            move |args, out| registration.closure_call(handle, args, out),
            &target,
        )
        .map_err(|error| *error)
    }

    /// The library's handle of the closure.
    #[getter]
    fn handle(&self) -> u64 {
        self.closure_handle()
    }

    /// The annotation of the closure, `Callable[[int], int]`, when known.
    #[getter]
    fn annotation(&self) -> Option<&str> {
        self.shape().map(|shape| shape.text.as_str())
    }

    /// `inspect.signature(closure)`: positional parameters `arg0`, `arg1`, …
    /// and the result, annotated with the library's classes, when known.
    #[getter]
    fn __signature__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.shape().and_then(|shape| shape.signature.as_deref()) {
            Some(signature) => Ok(signature.bind(py).clone()),
            None => Err(PyAttributeError::new_err("__signature__")),
        }
    }

    /// `typing.get_type_hints(closure)`: the signature's annotations.
    #[getter]
    fn __annotations__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let signature = self.__signature__(py)?;
        python_classes::get(py, PyName::AnnotationsOf)?.call1((signature,))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        if let Some(shape) = self.shape() {
            return format!("<ferryman closure {}>", shape.text);
        }
        // Without a descriptor, the Rust signature the library knows.
        let handle = self.closure_handle();
        let signature = live_closures(py, self.registration())
            .ok()
            .and_then(|live| {
                live.iter().find_map(|entry| {
                    let listed = entry.get_item("handle").ok()?.extract::<u64>().ok()?;
                    (listed == handle)
                        .then(|| entry.get_item("signature").ok()?.extract::<String>().ok())
                        .flatten()
                })
            });
        match signature {
            Some(signature) => format!("<ferryman closure {signature}>"),
            None => format!("<ferryman closure {handle}>"),
        }
    }
}

/// `ferryman_live_closures` of `registration`, as Python dicts.
pub(crate) fn live_closures<'py>(
    py: Python<'py>,
    registration: &HostRegistration,
) -> PyResult<Bound<'py, PyList>> {
    let live = registration.live_closures().map_err(|problem| {
        pyo3::exceptions::PyRuntimeError::new_err(format!(
            "ferryman_live_closures failed: {problem}"
        ))
    })?;
    let entries = live
        .iter()
        .map(|closure| {
            let entry = PyDict::new(py);
            entry.set_item("handle", closure.handle)?;
            entry.set_item("signature", &closure.signature)?;
            Ok(entry)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, entries)
}
