//! A library calling one of our Python callables (`invoke`): the arguments
//! decoded, the callable called, and what it returns or raises encoded.

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::callbacks::answer::{self, Answer};
use crate::callbacks::awaited_invoke;
use crate::errors::unsendable_result::unsendable_result;
use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope::Scope;
use crate::state::host_objects;
use crate::state::shutdown;
use crate::values::awaited_callable::AwaitedCallable;
use crate::values::decode::decode_with;
use crate::values::encode::encode;

/// Calls `object(*args)` and encodes what it returns or raises.
pub(crate) fn invoke_in(
    py: Python<'_>,
    registration: Option<&'static HostRegistration>,
    handle: u64,
    args: &[u8],
) -> Answer {
    let Some(object) = host_objects::get(py, handle) else {
        return answer::bridge(&format!("host object {handle} is not live"));
    };
    let args = match decode_with(py, args, None, registration) {
        Ok(args) => args,
        Err(error) => {
            return answer::bridge(&format!(
                "the arguments of a callback do not decode: {}",
                error.describe(py)
            ))
        }
    };
    let Ok(args) = args.cast::<PyList>().map(|list| list.to_tuple()) else {
        return answer::bridge("the arguments of a callback are not an array");
    };
    if let Ok(awaited) = object.bind(py).cast::<AwaitedCallable>() {
        return awaited_invoke::start(py, awaited.get(), &args);
    }
    let result = match object.bind(py).call1(args) {
        Ok(result) => result,
        Err(error) => return answer::exception(py, error),
    };
    let scope = Scope::encoding(registration);
    let mut bytes = Vec::new();
    match encode(&mut bytes, &result) {
        Ok(()) => answer::result(bytes, scope.take_held()),
        Err(located) => {
            drop(scope);
            answer::exception(py, unsendable_result(object.bind(py), located))
        }
    }
}

/// The error of a callback refused because its thread's stack is almost used up
/// (Python ↔ Rust recursion).
pub(crate) fn recursion_error(left: usize, size: usize) -> PyErr {
    pyo3::exceptions::PyRecursionError::new_err(format!(
        "maximum recursion depth exceeded while calling a Python callback from Rust \
         ({} KiB of this thread's {} KiB stack left)",
        left / 1024,
        size / 1024
    ))
}

/// Why a callback cannot run: the interpreter is gone or going.
pub(crate) fn not_running() -> &'static str {
    if shutdown::shutting_down() {
        "the Python interpreter is shutting down"
    } else {
        "the Python interpreter is not running"
    }
}
