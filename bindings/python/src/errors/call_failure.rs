//! Error values (`spec/wire.md`) → Python exceptions, through the Python layer.
//!
//! Every failure of a call, whether the library reported it or the host found it
//! before calling (bad arguments) or after (a result that does not decode), is
//! one error-value dict handed to the `on_error` factory the Python layer gave
//! the function. The factory returns the exception, traceback included.
//!
//! The common case skips the dict: a plain `Err` from the library, when
//! `on_error` is an `ErrorFactory` (`error_factory.rs`), is built natively
//! from the bytes. The library's argument errors get this host's message
//! (`argument_message.rs`) before the factory sees them.

use ferryman_host::{BoxError, ErrorValueRef, Reply};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::argument_message::{self, Callee};
use crate::errors::callback_exceptions;
use crate::errors::error_factory::plain_exception;
use crate::errors::host_error::HostError;
use crate::values::decode::decode;

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
    callee: Callee<'_>,
) -> PyErr {
    from_outcome(py, reply.code(), reply.bytes(), on_error, callee)
}

/// As [`from_reply`], for a status and bytes that came another way (a
/// future's completion).
pub(crate) fn from_outcome(
    py: Python<'_>,
    code: i32,
    bytes: Result<&[u8], BoxError>,
    on_error: &Bound<'_, PyAny>,
    callee: Callee<'_>,
) -> PyErr {
    use pyo3::exceptions::PyKeyboardInterrupt;
    let Err(signal) = py.check_signals() else {
        return exception_for(py, code, bytes, on_error, callee);
    };
    let raised = exception_for(py, code, bytes, on_error, callee);
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
    code: i32,
    bytes: Result<&[u8], BoxError>,
    on_error: &Bound<'_, PyAny>,
    callee: Callee<'_>,
) -> PyErr {
    let problem = match bytes {
        Err(problem) => problem.to_string(),
        Ok(bytes) => match plain_exception(py, on_error, bytes) {
            Some(exception) => return exception,
            None => match decode(py, bytes, None) {
                Ok(value) => match value.cast_into::<PyDict>() {
                    Ok(value) => {
                        // What Rust reads of it, through the one decoder of
                        // error values (a value it refuses keeps the library's
                        // words, and names no exception to release).
                        let typed = ErrorValueRef::decode(bytes).ok();
                        let message = typed
                            .as_ref()
                            .and_then(|typed| argument_message::from_library(typed, callee));
                        if let Some(message) = message {
                            if let Err(error) = value.set_item("message", message) {
                                return error;
                            }
                        }
                        let exception = build(on_error, value.into_any());
                        // The library's references to the exceptions it named.
                        if let Some(typed) = &typed {
                            callback_exceptions::release_named_in(typed);
                        }
                        return exception;
                    }
                    Err(_) => "its error value is not a map".to_owned(),
                },
                Err(error) => format!("its error value does not decode: {}", error.describe(py)),
            },
        },
    };
    let status = code;
    HostError::new(
        "protocol",
        format!(
            "{} failed with status {status}, but {problem}",
            callee.call_text()
        ),
    )
    .raise(py, on_error, Some(callee.function_key()))
}
