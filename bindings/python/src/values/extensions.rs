//! The MessagePack extensions of `spec/callbacks.md` in a result or in a
//! callback's arguments: a closure (type 2; an iterator where the type says
//! `{"iter": T}`), one of our host objects (type 1), a copy of bytes we lent
//! (type 3) or a Rust object (type 5, `spec/wire.md`).

use std::sync::Arc;

use pyo3::prelude::*;

use crate::ffi::host_registration::HostRegistration;
use crate::state::host_objects;
use crate::values::closure_value::RustFunction;
use crate::values::iterator_value::RustIterator;
use crate::values::lent_bytes;
use crate::values::object_value;
use crate::values::shape::Shape;

/// The Python value of the extension `tag` with `payload`, from the library
/// `registration`. `Err` says why the payload is not one.
pub(crate) fn from_extension<'py>(
    py: Python<'py>,
    registration: &'static HostRegistration,
    tag: i8,
    payload: &[u8],
    shape: &Shape,
) -> Result<Bound<'py, PyAny>, String> {
    match (tag, payload.len()) {
        (2, 8) => {
            let handle = u64::from_be_bytes(payload.try_into().map_err(|_| "8 bytes")?);
            // The registration names its load's error factory weakly: the
            // closure keeps it (`ffi::weak_reference`).
            let on_error = registration.on_error(py).map(Bound::unbind);
            if let Shape::Iter(items) = shape {
                return Py::new(
                    py,
                    RustIterator::new(registration, handle, Arc::clone(items), on_error),
                )
                .map(|iterator| iterator.into_bound(py).into_any())
                .map_err(|error| error.to_string());
            }
            let shape = match shape {
                Shape::Callback(shape) => Some(Arc::clone(shape)),
                _ => None,
            };
            Py::new(py, RustFunction::new(registration, handle, shape, on_error))
                .map(|function| function.into_bound(py).into_any())
                .map_err(|error| error.to_string())
        }
        (1, 12) => {
            let handle = u64::from_be_bytes(payload[4..].try_into().map_err(|_| "8 bytes")?);
            host_objects::take_returned(py, handle)
                .ok_or_else(|| format!("a host object ({handle}) that is not live"))
        }
        (3, _) => lent_bytes::copy_returned(py, registration, payload),
        (5, 12) => {
            let class = u32::from_be_bytes(payload[..4].try_into().map_err(|_| "4 bytes")?);
            let handle = u64::from_be_bytes(payload[4..].try_into().map_err(|_| "8 bytes")?);
            object_value::wrap(py, registration, class, handle)
        }
        (tag, len) => Err(format!(
            "a MessagePack extension value (type {tag}, {len} bytes), which is neither a host \
             object, nor a closure, nor lent bytes, nor a Rust object"
        )),
    }
}
