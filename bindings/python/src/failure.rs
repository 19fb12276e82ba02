//! Error values (`spec/wire.md`) → Python exceptions, through the Python layer.
//!
//! Every failure of a call, whether the library reported it or the host found it
//! before calling (bad arguments) or after (a result that does not decode), is
//! one error-value dict handed to the `on_error` factory the Python layer gave
//! the function. The factory returns the exception, traceback included.
//!
//! The common case skips the dict: a plain `Err` from the library, when
//! `on_error` is an [`ErrorFactory`](crate::error_factory::ErrorFactory), is
//! built natively from the bytes.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::decode::decode;
use crate::error_factory::plain_exception;
use crate::reply::Reply;

/// An error the host itself found, in the shape of a wire error value.
#[derive(Debug)]
pub(crate) struct HostError {
    /// `arity`, `type`, `overflow`, or `protocol` (a library broke the contract).
    pub(crate) kind: &'static str,
    /// The complete message, already naming function and parameter.
    pub(crate) message: String,
    pub(crate) param: Option<String>,
    pub(crate) index: Option<usize>,
    pub(crate) expected: Option<String>,
    pub(crate) found: Option<String>,
}

impl HostError {
    /// A host error with only a kind and a message.
    pub(crate) fn new(kind: &'static str, message: String) -> HostError {
        HostError {
            kind,
            message,
            param: None,
            index: None,
            expected: None,
            found: None,
        }
    }

    /// The error value dict; `origin` is `"host"` so the factory uses the
    /// message as it is.
    fn to_dict<'py>(
        &self,
        py: Python<'py>,
        function: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        let type_name = if self.kind == "protocol" {
            "BridgeError"
        } else {
            "ArgumentError"
        };
        dict.set_item("kind", self.kind)?;
        dict.set_item("type", type_name)?;
        dict.set_item("rust_type", py.None())?;
        dict.set_item("message", &self.message)?;
        dict.set_item("function", function)?;
        dict.set_item("param", self.param.as_deref())?;
        dict.set_item("index", self.index)?;
        dict.set_item("expected", self.expected.as_deref())?;
        dict.set_item("found", self.found.as_deref())?;
        dict.set_item("variant", py.None())?;
        dict.set_item("fields", py.None())?;
        dict.set_item("causes", PyList::empty(py))?;
        dict.set_item("notes", PyList::empty(py))?;
        dict.set_item("frames", PyList::empty(py))?;
        dict.set_item("origin", "host")?;
        Ok(dict)
    }

    /// The exception the factory makes of this error.
    pub(crate) fn raise(
        &self,
        py: Python<'_>,
        on_error: &Bound<'_, PyAny>,
        function: Option<&str>,
    ) -> PyErr {
        match self.to_dict(py, function) {
            Ok(dict) => build(on_error, dict.into_any()),
            Err(error) => error,
        }
    }
}

/// Turns the factory's answer for `value` into the error to raise.
fn build(on_error: &Bound<'_, PyAny>, value: Bound<'_, PyAny>) -> PyErr {
    match on_error.call1((value,)) {
        Ok(exception) => PyErr::from_value(exception),
        Err(error) => error,
    }
}

/// The exception for a non-zero status: the library's error value, or a
/// protocol error when the library did not send a readable one.
///
/// Python's signal handlers run first, so that an interrupt is not raised from
/// inside the Python code that builds the exception. When both they and the
/// call raise `KeyboardInterrupt` (a thread Rust started saw Ctrl-C), the
/// call's wins: it carries the Rust frames.
pub(crate) fn from_reply(
    py: Python<'_>,
    reply: &Reply<'_>,
    on_error: &Bound<'_, PyAny>,
    function: Option<&str>,
) -> PyErr {
    use pyo3::exceptions::PyKeyboardInterrupt;
    let Err(signal) = py.check_signals() else {
        return exception_for(py, reply, on_error, function);
    };
    let raised = exception_for(py, reply, on_error, function);
    if raised.is_instance_of::<PyKeyboardInterrupt>(py)
        && signal.is_instance_of::<PyKeyboardInterrupt>(py)
    {
        raised
    } else {
        signal
    }
}

fn exception_for(
    py: Python<'_>,
    reply: &Reply<'_>,
    on_error: &Bound<'_, PyAny>,
    function: Option<&str>,
) -> PyErr {
    let problem = match reply.bytes() {
        Err(problem) => problem,
        Ok(bytes) => match plain_exception(py, on_error, bytes) {
            Some(exception) => return exception,
            None => match decode(py, bytes, None) {
                Ok(value) => match value.cast_into::<PyDict>() {
                    Ok(value) => {
                        let exception = build(on_error, value.clone().into_any());
                        // The library's references to the exceptions it named.
                        crate::exceptions::release_named_in(&value);
                        return exception;
                    }
                    Err(_) => "its error value is not a map".to_owned(),
                },
                Err(error) => format!("its error value does not decode: {}", error.describe(py)),
            },
        },
    };
    let status = reply.status();
    let name = function.map_or_else(|| "the library".to_owned(), |name| format!("{name}()"));
    HostError::new(
        "protocol",
        format!("{name} failed with status {status}, but {problem}"),
    )
    .raise(py, on_error, function)
}
