//! What `invoke` and `check_interrupt` hand back to the library: a status
//! and one MessagePack value in a box only this host frees.

use ferryman_abi::{FerryBox, Status};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;

use crate::errors::callback_exceptions;
use crate::errors::host_failure::HostFailure;
use crate::errors::python_traceback::python_frames;
use crate::state::call_scope;
use crate::state::host_objects::{self, Held};

/// What `invoke` and `check_interrupt` hand the library: a status, one
/// MessagePack value, and what must stay alive until the library frees the box.
pub(crate) struct Answer {
    pub(crate) status: Status,
    pub(crate) bytes: Vec<u8>,
    pub(crate) held: Vec<Held>,
}

impl Answer {
    /// A failure of the bridge itself (kind `internal`).
    pub(crate) fn bridge(message: &str) -> Answer {
        let failure = HostFailure {
            kind: "internal",
            type_name: "BridgeError".to_owned(),
            message: message.to_owned(),
            frames: Vec::new(),
            notes: Vec::new(),
            host_exception: None,
        };
        Answer {
            status: Status::Internal,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// Ctrl-C, reported where no Python exception can be made (the GIL may be
    /// held by the thread waiting for this one): type `KeyboardInterrupt`, no
    /// handle.
    pub(crate) fn interrupt_without_exception() -> Answer {
        let failure = HostFailure {
            kind: "host",
            type_name: "KeyboardInterrupt".to_owned(),
            message: String::new(),
            frames: Vec::new(),
            notes: Vec::new(),
            host_exception: None,
        };
        Answer {
            status: Status::Error,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// A Python exception, kept under a handle the library holds one reference to.
    pub(crate) fn exception(py: Python<'_>, error: PyErr) -> Answer {
        let traceback = error.traceback(py).map(Bound::into_any);
        let exception = error.into_value(py).into_bound(py).into_any();
        let frames = python_frames(&traceback);
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
        let failure = HostFailure {
            kind: "host",
            type_name,
            message,
            frames,
            notes,
            host_exception,
        };
        Answer {
            status: Status::Error,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// Hands the bytes over as a box only the host frees (`free_box`).
    pub(crate) fn into_box(self) -> FerryBox {
        let mut bytes = std::mem::ManuallyDrop::new(self.bytes);
        if bytes.capacity() == 0 {
            return FerryBox::EMPTY;
        }
        let boxed = FerryBox {
            ptr: bytes.as_mut_ptr(),
            len: bytes.len(),
            cap: bytes.capacity(),
        };
        host_objects::keep_with_box(boxed.ptr, self.held);
        boxed
    }
}

/// Writes `answer` into the library's `out` box and returns its status.
///
/// # Safety
///
/// `out` is NULL or points to a box the library lets us fill.
pub(crate) unsafe fn answer(out: *mut FerryBox, answer: Answer) -> i32 {
    let status = answer.status as i32;
    // SAFETY: NULL or valid, per the contract.
    match unsafe { out.as_mut() } {
        Some(out) => *out = answer.into_box(),
        None => drop(answer),
    }
    status
}
