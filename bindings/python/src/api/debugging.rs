//! Functions of `ferryman._native` for tests and debugging (not public API):
//! encoding and decoding one value exactly as calls do, and a leak count.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::argument_message;
use crate::state::host_objects;
use crate::state::python_classes::{self, PyName};
use crate::values::decode::decode;
use crate::values::encode::encode;
use crate::values::encode_error::{EncodeError, Located};

/// How many Python callables (and lent `bytes`) libraries may still call or
/// read (a leak check for tests).
#[pyfunction]
pub(crate) fn live_host_objects() -> usize {
    host_objects::live_count()
}

/// Encodes one Python value as MessagePack, exactly as arguments are encoded.
#[pyfunction]
pub(crate) fn pack<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let mut out = Vec::new();
    encode(&mut out, value).map_err(|located| match located.error {
        EncodeError::Python(error) => error,
        error => pyo3::exceptions::PyValueError::new_err(argument_message::unpackable(Located {
            error,
            ..located
        })),
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Decodes one MessagePack value exactly as results are decoded; malformed
/// bytes raise `ferryman.ProtocolError` (the Python layer also decodes the
/// error values kept by natively built exceptions with it).
#[pyfunction]
pub(crate) fn unpack<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    decode(py, data, None).map_err(|error| {
        let message = error.describe(py);
        match python_classes::get(py, PyName::ProtocolError) {
            Ok(class) => match class.call1((message,)) {
                Ok(instance) => PyErr::from_value(instance),
                Err(error) => error,
            },
            Err(error) => error,
        }
    })
}
