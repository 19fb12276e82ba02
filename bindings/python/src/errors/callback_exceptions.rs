//! Exceptions callbacks raised, as host objects (`spec/callbacks.md`,
//! "Errors across callbacks").
//!
//! The error value a failing callback hands to Rust names its exception by a
//! handle (`host_exception`) in the host object table, with one reference
//! that the library's `CallbackError` owns and releases when Rust drops it —
//! on any thread, at any time. When Rust hands the error back to Python (a
//! call returning it), the library retains one more for us; we resolve the
//! handle to raise the original object, then drop that reference.

use ferryman_host::ErrorValueRef;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::state::host_objects::{self as objects, Kind};

/// Keeps `exception` (with the traceback it had when it left Python and the
/// number of frames its error value carried) for the library: its handle,
/// whose one reference the error value hands over.
pub(crate) fn keep(
    py: Python<'_>,
    exception: Py<PyAny>,
    traceback: Option<Py<PyAny>>,
    frames: usize,
) -> Option<u64> {
    let kept = PyTuple::new(
        py,
        [
            exception.into_bound(py),
            traceback.map_or_else(|| py.None().into_bound(py), |tb| tb.into_bound(py)),
            frames.into_pyobject(py).ok()?.into_any(),
        ],
    )
    .ok()?;
    Some(objects::insert(kept.into_any().unbind(), Kind::Exception))
}

/// Drops the references a library handed over with the error value `value`:
/// one per `host_exception` it names (its own and its causes'). Call it once
/// the exception for `value` is built.
pub(crate) fn release_named_in(value: &ErrorValueRef<'_>) {
    let causes = value.causes().map(|cause| cause.host_exception);
    for handle in std::iter::once(value.host_exception)
        .chain(causes)
        .flatten()
    {
        objects::release_if(handle, Kind::Exception);
    }
}

/// The exception behind `handle`: `(exception, traceback, frames sent)`, for
/// the Python layer to raise it again; `None` when it names no exception.
#[pyfunction]
pub(crate) fn pending_exception(
    py: Python<'_>,
    handle: u64,
) -> Option<(Py<PyAny>, Option<Py<PyAny>>, usize)> {
    let (kept, Kind::Exception) = objects::get_kind(py, handle)? else {
        return None;
    };
    let (exception, traceback, frames) = kept
        .extract::<(Py<PyAny>, Option<Py<PyAny>>, usize)>(py)
        .ok()?;
    Some((exception, traceback, frames))
}

/// How many exceptions libraries still hold (tests: nothing leaks).
#[pyfunction]
pub(crate) fn pending_count() -> usize {
    objects::exception_count()
}
