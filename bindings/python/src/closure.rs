//! `RustFunction`: a Rust closure a library handed out (`spec/callbacks.md`,
//! extension 2), callable from Python and passable back into Rust.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::encode::{array_header, encode, EncodeError};
use crate::failure::HostError;
use crate::host::Runtime;
use crate::objects;
use crate::outcome;
use crate::scope::{with_buffers, Scope};
use crate::shape::{ClosureShape, Shape};

/// A Rust closure returned by a library function.
///
/// Calling it runs the closure (without the GIL) and decodes its result like a
/// function call; its errors and panics raise the same exceptions. Passing it
/// back into the same library gives Rust the closure itself. The library drops
/// its reference when this object is garbage collected.
#[pyclass(frozen, module = "ferryman._native", name = "RustFunction")]
#[derive(Debug)]
pub struct RustFunction {
    runtime: &'static Runtime,
    handle: u64,
    shape: Option<Arc<ClosureShape>>,
}

impl RustFunction {
    pub(crate) fn runtime(&self) -> &'static Runtime {
        self.runtime
    }

    pub(crate) fn closure_handle(&self) -> u64 {
        self.handle
    }

    /// The error for argument `index` that did not encode.
    fn argument_error(index: usize, error: crate::encode::Located) -> Box<HostError> {
        let place = error.path_text();
        let (kind, detail) = match error.error {
            EncodeError::Unsupported(found) => {
                ("type", format!("cannot send a value of type '{found}'"))
            }
            EncodeError::Overflow(what) => ("overflow", format!("{what} does not fit in 64 bits")),
            EncodeError::Invalid(what) => ("type", format!("cannot send {what}")),
            EncodeError::TooDeep => (
                "type",
                format!(
                    "value nested deeper than {} levels (is it cyclic?)",
                    crate::encode::MAX_DEPTH
                ),
            ),
            EncodeError::Python(error) => (
                "type",
                Python::attach(|py| format!("reading the value raised {}", error.value(py))),
            ),
        };
        Box::new(HostError {
            index: Some(index),
            ..HostError::new(kind, format!("closure argument {index}{place}: {detail}"))
        })
    }
}

/// The error factory of the closure's library, or the plain one.
fn on_error<'py>(py: Python<'py>, runtime: &Runtime) -> PyResult<Bound<'py, PyAny>> {
    match runtime.on_error(py) {
        Some(factory) => Ok(factory),
        None => py
            .import("ferryman._errors")?
            .getattr("exception_from_value"),
    }
}

#[pymethods]
impl RustFunction {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let on_error = on_error(py, self.runtime)?;
        let fail = |error: Box<HostError>| error.raise(py, &on_error, Some("closure"));
        if kwargs.is_some_and(|kwargs| !kwargs.is_empty()) {
            return Err(fail(Box::new(HostError::new(
                "arity",
                "a Rust closure takes positional arguments only".to_owned(),
            ))));
        }
        let mut scope = Scope::call(Some(self.runtime));
        let buffers = scope.buffers();
        {
            buffers.args.clear();
            array_header(&mut buffers.args, args.len()).map_err(|_| {
                fail(Box::new(HostError::new(
                    "arity",
                    "too many arguments for a closure".to_owned(),
                )))
            })?;
            for (index, value) in args.iter().enumerate() {
                encode(&mut buffers.args, &value)
                    .map_err(|error| fail(RustFunction::argument_error(index, error)))?;
            }

            let runtime = self.runtime;
            let handle = self.handle;
            let callee = outcome::Callee {
                shape: self.shape.as_ref().map(|shape| &shape.returns),
                runtime: Some(self.runtime),
                on_error: &on_error,
                name: "closure",
            };
            outcome::cross(
                py,
                buffers,
                move |args, out| runtime.closure_call(handle, args, out),
                &callee,
            )
            .map_err(|error| *error)
        }
    }

    /// The library's handle of the closure.
    #[getter]
    fn handle(&self) -> u64 {
        self.handle
    }

    /// The annotation of the closure, `Callable[[int], int]`, when known.
    #[getter]
    fn annotation(&self) -> Option<&str> {
        self.shape.as_ref().map(|shape| shape.text.as_str())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        if let Some(shape) = &self.shape {
            return format!("<ferryman closure {}>", shape.text);
        }
        // Without a descriptor, the Rust signature the library knows.
        let signature = live_closures(py, self.runtime).ok().and_then(|live| {
            live.iter().find_map(|entry| {
                let handle = entry.get_item("handle").ok()?.extract::<u64>().ok()?;
                (handle == self.handle)
                    .then(|| entry.get_item("signature").ok()?.extract::<String>().ok())
                    .flatten()
            })
        });
        match signature {
            Some(signature) => format!("<ferryman closure {signature}>"),
            None => format!("<ferryman closure {}>", self.handle),
        }
    }
}

impl Drop for RustFunction {
    fn drop(&mut self) {
        let (runtime, handle) = (self.runtime, self.handle);
        // Dropping the closure runs Rust code (its captures' destructors, which
        // may wait for locks or release host objects): not with the GIL held.
        let released = Python::try_attach(|py| py.detach(|| runtime.closure_release(handle)));
        if released.is_none() {
            runtime.closure_release(handle);
        }
    }
}

/// `ferryman_live_closures` of `runtime`, decoded.
pub(crate) fn live_closures<'py>(
    py: Python<'py>,
    runtime: &Runtime,
) -> PyResult<Bound<'py, PyList>> {
    with_buffers(|buffers| {
        let reply = runtime.live_closures(&mut buffers.out);
        let problem = match reply.bytes() {
            Ok(bytes) if reply.status() == 0 => match crate::decode::decode(py, bytes, None) {
                Ok(value) => match value.cast_into::<PyList>() {
                    Ok(list) => return Ok(list),
                    Err(_) => "not an array".to_owned(),
                },
                Err(error) => error.describe(py),
            },
            Ok(_) => format!("status {}", reply.status()),
            Err(problem) => problem,
        };
        Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "ferryman_live_closures failed: {problem}"
        )))
    })
}

/// The Python value of a MessagePack extension in a result or in a callback's
/// arguments: a closure (`tag` 2), one of our host objects (`tag` 1) or a copy
/// of bytes we lent (`tag` 3). `Err` says why the payload is not one.
pub(crate) fn from_extension<'py>(
    py: Python<'py>,
    runtime: &'static Runtime,
    tag: i8,
    payload: &[u8],
    shape: &Shape,
) -> Result<Bound<'py, PyAny>, String> {
    match (tag, payload.len()) {
        (2, 8) => {
            let handle = u64::from_be_bytes(payload.try_into().map_err(|_| "8 bytes")?);
            let shape = match shape {
                Shape::Callback(shape) => Some(Arc::clone(shape)),
                _ => None,
            };
            let function = RustFunction {
                runtime,
                handle,
                shape,
            };
            Py::new(py, function)
                .map(|function| function.into_bound(py).into_any())
                .map_err(|error| error.to_string())
        }
        (1, 12) => {
            let handle = u64::from_be_bytes(payload[4..].try_into().map_err(|_| "8 bytes")?);
            objects::take_returned(py, handle)
                .ok_or_else(|| format!("a host object ({handle}) that is not live"))
        }
        (3, _) => crate::lend::copy_returned(py, runtime, payload),
        (tag, len) => Err(format!(
            "a MessagePack extension value (type {tag}, {len} bytes), which is neither a host \
             object, nor a closure, nor lent bytes"
        )),
    }
}
