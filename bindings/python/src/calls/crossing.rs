//! What a call returned, as Python sees it: the decoded result or the exception,
//! shared by functions and closures.

use ferryman_host::{BoxError, Reply};
use pyo3::ffi;
use pyo3::prelude::*;

use crate::errors::argument_message::Callee;
use crate::errors::call_failure::{from_outcome, from_reply};
use crate::errors::host_error::HostError;
use crate::ffi::call_buffers::Buffers;
use crate::ffi::host_registration::HostRegistration;
use crate::state::{call_scope, gil_policy, log_queue, sigint};
use crate::values::decode::{decode_with, DecodeError};
use crate::values::shape::Shape;

/// What a crossing gives back: the result, or the exception to raise. Boxed:
/// a `PyErr` is 64 bytes, and this value is handed up through several
/// functions on every call (a `PyResult` moved 72 bytes at each step).
pub(crate) type Called<'py> = Result<Bound<'py, PyAny>, Box<PyErr>>;

/// Who is being called, for decoding the reply and naming it in messages.
pub(crate) struct Target<'a, 'py> {
    pub(crate) shape: Option<&'a Shape>,
    pub(crate) registration: Option<&'static HostRegistration>,
    pub(crate) on_error: &'a Bound<'py, PyAny>,
    pub(crate) callee: Callee<'a>,
}

/// One crossing into the library, shared by functions and closures: `call`
/// runs with the encoded arguments in `buffers`, without the GIL unless
/// `gil_policy::may_keep` says keeping it is safe; then the log records its
/// threads sent are delivered, the reply is read, the output buffer grown when
/// the result spilled out of it, and pending signals raised.
pub(crate) fn cross<'py, F>(
    py: Python<'py>,
    buffers: &mut Buffers,
    call: F,
    target: &Target<'_, 'py>,
) -> Called<'py>
where
    F: for<'b> FnOnce(&'b [u8], &'b mut Vec<u8>) -> Reply<'b> + Send,
{
    let (shape, registration) = (target.shape, target.registration);
    cross_with(py, buffers, call, target, |bytes| {
        decode_with(py, bytes, shape, registration)
    })
}

/// As [`cross`], with the result's bytes read by `decode` (an iterator's
/// batch becomes its items, not a list).
#[inline(always)]
pub(crate) fn cross_with<'py, F, T>(
    py: Python<'py>,
    buffers: &mut Buffers,
    call: F,
    target: &Target<'_, 'py>,
    decode: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, Box<PyErr>>
where
    F: for<'b> FnOnce(&'b [u8], &'b mut Vec<u8>) -> Reply<'b> + Send,
{
    cross_reading(py, buffers, call, |reply| {
        read_with(py, reply, target.on_error, target.callee, decode)
    })
}

/// As [`cross_with`], with the whole reply read by `read` (an async call's
/// `FERRY_PENDING` is not an error).
#[inline(always)]
pub(crate) fn cross_reading<'py, F, T>(
    py: Python<'py>,
    buffers: &mut Buffers,
    call: F,
    read: impl FnOnce(&Reply<'_>) -> Result<T, Box<PyErr>>,
) -> Result<T, Box<PyErr>>
where
    F: for<'b> FnOnce(&'b [u8], &'b mut Vec<u8>) -> Reply<'b> + Send,
{
    let (spilled, released, result) = {
        let (args, out) = (&buffers.args, &mut buffers.out);
        let released = !gil_policy::may_keep(py);
        let reply = if released {
            py.detach(move || call(args, out))
        } else {
            call(args, out)
        };
        log_queue::after_call(py);
        // The reply is dropped where it lies, at the end of this block:
        // `drop(reply)` copied it first, in wide loads of fields just written
        // one by one, which the CPU cannot forward from its stores (a stall).
        (reply.spilled().then(|| reply.len()), released, read(&reply))
    };
    if let Some(len) = spilled {
        buffers.fit_out(len);
    }
    after_call(py, result, released || signal_check_due(buffers))
}

/// The result in `reply`, read by `decode`, or the exception for it.
#[inline(always)]
pub(crate) fn read_with<'py, T>(
    py: Python<'py>,
    reply: &Reply<'_>,
    on_error: &Bound<'py, PyAny>,
    callee: Callee<'_>,
    decode: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, Box<PyErr>> {
    if !reply.is_ok() {
        return Err(Box::new(from_reply(py, reply, on_error, callee)));
    }
    read_bytes(py, reply.bytes(), on_error, callee, decode)
}

/// The result of a status and bytes that came another way (a future's
/// completion), read by `decode`, or the exception for it: exactly as a
/// call's reply.
pub(crate) fn read_outcome<'py, T>(
    py: Python<'py>,
    code: i32,
    bytes: &[u8],
    on_error: &Bound<'py, PyAny>,
    callee: Callee<'_>,
    decode: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, Box<PyErr>> {
    if code != 0 {
        return Err(Box::new(from_outcome(
            py,
            code,
            Ok(bytes),
            on_error,
            callee,
        )));
    }
    read_bytes(py, Ok(bytes), on_error, callee, decode)
}

#[inline(always)]
fn read_bytes<'py, T>(
    py: Python<'py>,
    bytes: Result<&[u8], BoxError>,
    on_error: &Bound<'py, PyAny>,
    callee: Callee<'_>,
    decode: impl FnOnce(&[u8]) -> Result<T, DecodeError>,
) -> Result<T, Box<PyErr>> {
    match bytes {
        Ok(bytes) => match decode(bytes) {
            Ok(value) => Ok(value),
            Err(error) => Err(undecodable(py, on_error, callee, &error)),
        },
        Err(problem) => Err(unreadable(py, on_error, callee, &problem.to_string())),
    }
}

/// The exception for a result that does not decode.
#[cold]
#[inline(never)]
fn undecodable(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    callee: Callee<'_>,
    error: &DecodeError,
) -> Box<PyErr> {
    protocol_error(
        py,
        on_error,
        callee,
        format!(
            "{} returned a value that does not decode: {}",
            callee.call_text(),
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
    callee: Callee<'_>,
    problem: &str,
) -> Box<PyErr> {
    protocol_error(
        py,
        on_error,
        callee,
        format!(
            "{} returned no readable value: {problem}",
            callee.call_text()
        ),
    )
}

fn protocol_error(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    callee: Callee<'_>,
    message: String,
) -> Box<PyErr> {
    Box::new(HostError::new("protocol", message).raise(py, on_error, Some(callee.function_key())))
}

/// A call that kept the GIL looks for signals every this many calls on its
/// thread (unless Ctrl-C was seen): the look costs more than a short call's
/// own work in this crate, and CPython looks after every call anyway.
const SIGNAL_CHECK_EVERY: u8 = 8;

/// Whether this call, which kept the GIL, should look for signals: when
/// ferryman's SIGINT handler saw Ctrl-C, else every [`SIGNAL_CHECK_EVERY`]th
/// call on the thread.
#[inline(always)]
fn signal_check_due(buffers: &mut Buffers) -> bool {
    let calls = buffers.calls_unchecked.wrapping_add(1) % SIGNAL_CHECK_EVERY;
    buffers.calls_unchecked = calls;
    calls == 0 || sigint::seen()
}

/// `result`, unless a signal arrived during the call and `check` says to look
/// (`spec/callbacks.md`, "Interrupts"): a `KeyboardInterrupt` reaches Python
/// when the call returns, even when the Rust code never asked, or asked
/// (`ferryman::check_interrupt()`) and then ignored the answer.
///
/// Looking is `PyErr_CheckSignals`, ~50 instructions even with nothing
/// pending, so a call that kept the GIL looks only when Ctrl-C was seen or
/// every [`SIGNAL_CHECK_EVERY`]th call: a call made from Python code is
/// followed by the interpreter's own look (its "eval breaker", checked after
/// every `CALL`), and when C code makes the calls (`map`, `sorted(key=...)`)
/// a signal with a handler of the program's own waits at most that many
/// calls. A call that released the GIL, which may have run long, always looks.
#[inline(always)]
fn after_call<T>(
    py: Python<'_>,
    result: Result<T, Box<PyErr>>,
    check: bool,
) -> Result<T, Box<PyErr>> {
    // (`ffi` directly: `Python::check_signals` is a call of its own.)
    // SAFETY: the `Python` token proves the GIL is held, as it requires.
    if check && unsafe { ffi::PyErr_CheckSignals() } < 0 {
        return Err(Box::new(PyErr::fetch(py)));
    }
    match call_scope::undelivered_interrupt(py, &result) {
        Some(interrupt) => Err(Box::new(interrupt)),
        None => result,
    }
}
