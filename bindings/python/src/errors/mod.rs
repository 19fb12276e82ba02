//! Layer 3 of the binding: failures as Python exceptions, and Python
//! exceptions as error values. Every argument error message, the error a
//! host found itself, the exception for a failed call (a plain `Err` built
//! natively), Rust frames as a traceback, Python tracebacks as wire frames,
//! the exceptions libraries hold, and the one raised for a callback result
//! that cannot be sent.

pub(crate) mod argument_message;
pub(crate) mod call_failure;
pub(crate) mod callback_exceptions;
pub(crate) mod error_factory;
pub(crate) mod host_error;
pub(crate) mod plain_error;
pub(crate) mod python_traceback;
pub(crate) mod rust_traceback;
pub(crate) mod unsendable_result;
