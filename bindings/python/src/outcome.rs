//! What a call returned, as Python sees it: the decoded result or the exception,
//! shared by functions and closures.

use pyo3::prelude::*;

use crate::buffers::Buffers;
use crate::decode::{decode_with, DecodeError};
use crate::failure::{from_reply, HostError};
use crate::host::Runtime;
use crate::reply::Reply;
use crate::scope;
use crate::shape::Shape;

/// What a crossing gives back: the result, or the exception to raise. Boxed:
/// a `PyErr` is 64 bytes, and this value is handed up through several
/// functions on every call (a `PyResult` moved 72 bytes at each step).
pub(crate) type Called<'py> = Result<Bound<'py, PyAny>, Box<PyErr>>;

/// Who is being called, for decoding the reply and naming it in messages.
pub(crate) struct Callee<'a, 'py> {
    pub(crate) shape: Option<&'a Shape>,
    pub(crate) runtime: Option<&'static Runtime>,
    pub(crate) on_error: &'a Bound<'py, PyAny>,
    pub(crate) name: &'a str,
}

/// One crossing into the library, shared by functions and closures: `call`
/// runs with the encoded arguments in `buffers`, without the GIL unless
/// `gil::may_keep` says keeping it is safe; then the reply is read, the output
/// buffer grown when the result spilled out of it, and pending signals raised.
pub(crate) fn cross<'py, F>(
    py: Python<'py>,
    buffers: &mut Buffers,
    call: F,
    callee: &Callee<'_, 'py>,
) -> Called<'py>
where
    F: for<'b> FnOnce(&'b [u8], &'b mut Vec<u8>) -> Reply<'b> + Send,
{
    let (args, out) = (&buffers.args, &mut buffers.out);
    let released = !crate::gil::may_keep(py);
    let reply = if released {
        py.detach(move || call(args, out))
    } else {
        call(args, out)
    };
    let spilled = reply.spilled().then(|| reply.len());
    let result = read(
        py,
        &reply,
        callee.shape,
        callee.runtime,
        callee.on_error,
        callee.name,
    );
    drop(reply);
    if let Some(len) = spilled {
        buffers.fit_out(len);
    }
    after_call(py, result)
}

/// The result in `reply`, decoded with `shape`, or the exception for it.
/// `name` names the callee in messages (`divide`, `closure`).
#[inline(always)]
pub(crate) fn read<'py>(
    py: Python<'py>,
    reply: &Reply<'_>,
    shape: Option<&Shape>,
    runtime: Option<&'static Runtime>,
    on_error: &Bound<'py, PyAny>,
    name: &str,
) -> Called<'py> {
    if reply.status() != 0 {
        return Err(Box::new(from_reply(py, reply, on_error, Some(name))));
    }
    match reply.bytes() {
        Ok(bytes) => match decode_with(py, bytes, shape, runtime) {
            Ok(value) => Ok(value),
            Err(error) => Err(undecodable(py, on_error, name, &error)),
        },
        Err(problem) => Err(unreadable(py, on_error, name, &problem)),
    }
}

/// The exception for a result that does not decode.
#[cold]
#[inline(never)]
fn undecodable(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    name: &str,
    error: &DecodeError,
) -> Box<PyErr> {
    protocol_error(
        py,
        on_error,
        name,
        format!(
            "{name}() returned a value that does not decode: {}",
            error.describe(py)
        ),
    )
}

/// The exception for a reply whose box cannot be read.
#[cold]
#[inline(never)]
fn unreadable(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    name: &str,
    problem: &str,
) -> Box<PyErr> {
    protocol_error(
        py,
        on_error,
        name,
        format!("{name}() returned no readable value: {problem}"),
    )
}

fn protocol_error(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    name: &str,
    message: String,
) -> Box<PyErr> {
    Box::new(HostError::new("protocol", message).raise(py, on_error, Some(name)))
}

/// `result`, unless a signal arrived during the call: a `KeyboardInterrupt`
/// reaches Python no later than when the call returns, even when the Rust code
/// never asked, or asked (`ferryman::check_interrupt()`) and then ignored the
/// answer (`spec/callbacks.md`, "Interrupts").
///
/// The check runs whether or not the call kept the GIL: when C code makes the
/// calls (`map`, `sorted(key=...)`) no bytecode runs in between, so the
/// interpreter itself would only notice the signal after all of them. With
/// nothing pending it is one atomic load.
#[inline(always)]
fn after_call<'py>(py: Python<'py>, result: Called<'py>) -> Called<'py> {
    py.check_signals()?;
    match scope::undelivered_interrupt(py, &result) {
        Some(interrupt) => Err(Box::new(interrupt)),
        None => result,
    }
}
