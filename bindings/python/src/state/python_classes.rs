//! The Python classes and functions the native core uses, each imported once
//! per process (the module refuses subinterpreters) and cached here: the
//! exception classes of `ferryman._errors`, the general error factory, the
//! helpers of `_traceback.py` and `_types.py`, and `types.TracebackType`.
//!
//! Every other module asks [`get`] instead of importing by name, so a class
//! is looked up in one place and a renamed one fails in one place.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// A class or function of the Python layer (or of the standard library).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PyName {
    /// `ferryman._errors.exception_from_value(value) -> BaseException`.
    ExceptionFromValue,
    /// `ferryman.ProtocolError`.
    ProtocolError,
    /// `ferryman.ArgumentError`.
    ArgumentError,
    /// `ferryman.ArgumentOverflowError`.
    ArgumentOverflowError,
    /// `ferryman.LibraryLoadError`.
    LibraryLoadError,
    /// `ferryman.NotAFerrymanLibrary`.
    NotAFerrymanLibrary,
    /// `ferryman.AbiMismatch`.
    AbiMismatch,
    /// `ferryman.ClosedObjectError`.
    ClosedObjectError,
    /// `ferryman._types.annotation_text(descriptor) -> str`.
    AnnotationText,
    /// `ferryman._types.closure_signature(params, returns) -> inspect.Signature | None`.
    ClosureSignature,
    /// `ferryman._types.annotations_of(signature) -> dict`.
    AnnotationsOf,
    /// `ferryman._traceback._shared_frame(file, line, function)`.
    SharedFrame,
    /// `ferryman._wire_values.to_wire(value)`: what to send for a path, a time…
    ToWire,
    /// `ferryman._wire_values.from_wire(kind, value)`: a path, a time…
    FromWire,
    /// `types.TracebackType`.
    TracebackType,
}

/// How many names [`PyName`] has.
const COUNT: usize = 15;

impl PyName {
    /// `(module, attribute)`.
    const fn path(self) -> (&'static str, &'static str) {
        match self {
            PyName::ExceptionFromValue => ("ferryman._errors", "exception_from_value"),
            PyName::ProtocolError => ("ferryman._errors", "ProtocolError"),
            PyName::ArgumentError => ("ferryman._errors", "ArgumentError"),
            PyName::ArgumentOverflowError => ("ferryman._errors", "ArgumentOverflowError"),
            PyName::LibraryLoadError => ("ferryman._errors", "LibraryLoadError"),
            PyName::NotAFerrymanLibrary => ("ferryman._errors", "NotAFerrymanLibrary"),
            PyName::AbiMismatch => ("ferryman._errors", "AbiMismatch"),
            PyName::ClosedObjectError => ("ferryman._errors", "ClosedObjectError"),
            PyName::AnnotationText => ("ferryman._types", "annotation_text"),
            PyName::ClosureSignature => ("ferryman._types", "closure_signature"),
            PyName::AnnotationsOf => ("ferryman._types", "annotations_of"),
            PyName::SharedFrame => ("ferryman._traceback", "_shared_frame"),
            PyName::ToWire => ("ferryman._wire_values", "to_wire"),
            PyName::FromWire => ("ferryman._wire_values", "from_wire"),
            PyName::TracebackType => ("types", "TracebackType"),
        }
    }
}

static CACHE: [PyOnceLock<Py<PyAny>>; COUNT] = [const { PyOnceLock::new() }; COUNT];

/// The class or function `name`, imported the first time it is asked for.
#[inline]
pub(crate) fn get(py: Python<'_>, name: PyName) -> PyResult<&Bound<'_, PyAny>> {
    let (module, attribute) = name.path();
    CACHE[name as usize].import(py, module, attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_its_own_slot() {
        assert_eq!(PyName::TracebackType as usize, COUNT - 1);
    }
}
