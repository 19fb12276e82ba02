//! What `invoke` and `check_interrupt` hand back to the library: a result,
//! or an error value written by the one encoder (`ferryman_host::write`),
//! in a box only this host frees; what a result refers to stays alive until
//! then (`ferryman_host::Answer::holding`).

use ferryman_host::write::{ErrorView, Frame, Message};
use ferryman_host::Status;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

use crate::errors::callback_exceptions;
use crate::errors::python_traceback::python_frames;
use crate::state::call_scope;
use crate::state::host_objects::Held;

/// An answer of this host: what a result holds is released when the library
/// frees its box.
pub(crate) type Answer = ferryman_host::Answer<Vec<Held>>;

/// A result, keeping `held` alive until the library frees its box.
pub(crate) fn result(bytes: Vec<u8>, held: Vec<Held>) -> Answer {
    let answer = Answer::ok(bytes);
    if held.is_empty() {
        answer
    } else {
        answer.holding(held)
    }
}

/// A failure of the bridge itself (kind `internal`, type `BridgeError`).
pub(crate) fn bridge(message: &str) -> Answer {
    Answer::bridge(message)
}

/// Ctrl-C, reported where no Python exception can be made (the GIL may be
/// held by the thread waiting for this one): type `KeyboardInterrupt`, no
/// handle.
pub(crate) fn interrupt_without_exception() -> Answer {
    let view = ErrorView::new("host", "KeyboardInterrupt", Message::Text(""));
    Answer::failure(Status::Error, &view)
}

/// A Python exception, kept under a handle the library holds one reference to.
pub(crate) fn exception(py: Python<'_>, error: PyErr) -> Answer {
    let traceback = error.traceback(py).map(Bound::into_any);
    let exception = error.into_value(py).into_bound(py).into_any();
    let frames: Vec<Frame> = python_frames(&traceback);
    let type_name = exception
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    let message = exception
        .str()
        .map(|text| text.to_string_lossy().into_owned())
        .unwrap_or_else(|_| format!("<unprintable {type_name} object>"));
    if exception.is_instance_of::<PyKeyboardInterrupt>() {
        // Ctrl-C reaches Python even if Rust swallows this error.
        call_scope::record_interrupt(exception.clone().unbind());
    }
    let notes = exception
        .getattr(pyo3::intern!(py, "__notes__"))
        .ok()
        .and_then(|notes| notes.extract::<Vec<String>>().ok())
        .unwrap_or_default();
    let host_exception = callback_exceptions::keep(
        py,
        exception.unbind(),
        traceback.map(Bound::unbind),
        frames.len(),
    );
    let view = ErrorView {
        notes: &notes,
        frames: &frames,
        host_exception,
        ..ErrorView::new("host", &type_name, Message::Text(&message))
    };
    Answer::failure(Status::Error, &view)
}
