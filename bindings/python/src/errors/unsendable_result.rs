//! A callback's result that ferryman cannot send (a sync callback's, or
//! what an awaited one resolved to): the exception raised in its place.

use pyo3::prelude::*;

use crate::errors::argument_message;
use crate::state::python_classes::{self, PyName};
use crate::values::encode_error::{EncodeError, Located};

/// The exception for a callback result ferryman cannot send: a
/// `ferryman.ArgumentError` (a `TypeError`), or for a `kind` of `overflow` an
/// `ArgumentOverflowError` (also an `OverflowError`); or what Python raised
/// while the value was read.
pub(crate) fn unsendable_result(object: &Bound<'_, PyAny>, located: Located) -> PyErr {
    let located = match located.error {
        EncodeError::Python(error) => return error,
        error => Located { error, ..located },
    };
    let py = object.py();
    let (kind, found, message) =
        argument_message::unsendable_result(&callable_name(object), located);
    let class = if kind == "overflow" {
        PyName::ArgumentOverflowError
    } else {
        PyName::ArgumentError
    };
    let build = || -> PyResult<PyErr> {
        let exception = python_classes::get(py, class)?.call1((&message,))?;
        exception.setattr("kind", kind)?;
        exception.setattr("found", found.as_deref())?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|error| error)
}

/// `callback 'double'` (its `__qualname__`) for messages.
fn callable_name(object: &Bound<'_, PyAny>) -> String {
    object
        .getattr(pyo3::intern!(object.py(), "__qualname__"))
        .and_then(|name| name.extract::<String>())
        .map(|name| format!("callback '{name}'"))
        .unwrap_or_else(|_| "a callback".to_owned())
}
