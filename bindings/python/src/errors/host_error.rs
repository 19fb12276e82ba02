//! An error the host found itself (bad arguments before a call, a result
//! that does not decode after it), raised through the same factory as the
//! library's error values.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

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

    /// The error value dict.
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
            Ok(dict) => match on_error.call1((dict,)) {
                Ok(exception) => PyErr::from_value(exception),
                Err(error) => error,
            },
            Err(error) => error,
        }
    }
}
