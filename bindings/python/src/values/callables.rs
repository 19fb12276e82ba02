//! Python callables in a value (`spec/callbacks.md`, extensions 1 and 2): a
//! closure of the library being called goes back as its handle, any other
//! callable as a host object the call holds a reference to.

use pyo3::prelude::*;

use crate::state::call_scope;
use crate::state::host_objects::{insert, Held, Kind};
use crate::values::closure_value::RustFunction;
use crate::values::encode_error::EncodeError;

/// MessagePack `ext 8` with 12 bytes of type 1, and `fixext 8` of type 2.
const HOST_OBJECT_HEADER: [u8; 3] = [0xc7, 0x0c, 0x01];
const CLOSURE_HEADER: [u8; 2] = [0xd7, 0x02];

/// Encodes a callable: a `RustFunction` of the library being called as its
/// closure handle (ext 2), anything else as a host object (ext 1) that the
/// current call holds a reference to until it returns.
pub(crate) fn encode_callable(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
) -> Result<(), EncodeError> {
    let Some(registration) = call_scope::current_registration() else {
        return Err(EncodeError::Invalid(
            "a callable, which only the functions of a library that accepts callables \
             can take"
                .to_owned(),
        ));
    };
    if let Ok(function) = value.cast::<RustFunction>() {
        let function = function.get();
        if function.registration().same_as(registration) {
            // Rust takes its own reference while decoding; the argument keeps
            // the closure alive until then.
            call_scope::hold(Held::Object(value.clone().unbind()));
            out.extend_from_slice(&CLOSURE_HEADER);
            out.extend_from_slice(&function.closure_handle().to_be_bytes());
            return Ok(());
        }
    }
    let Some(host_id) = registration.host_id() else {
        return Err(EncodeError::Invalid(
            "a callable, which this library cannot take: it did not register this host".to_owned(),
        ));
    };
    let handle = insert(value.clone().unbind(), Kind::Callable);
    call_scope::hold(Held::Reference(handle));
    out.extend_from_slice(&HOST_OBJECT_HEADER);
    out.extend_from_slice(&host_id.to_be_bytes());
    out.extend_from_slice(&handle.to_be_bytes());
    Ok(())
}
