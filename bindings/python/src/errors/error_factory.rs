//! `ErrorFactory`: the `on_error` of a library's functions. It builds the
//! exception of a plain `Err` natively and hands every other error value to
//! the Python factory (`_errors.exception_from_value`).
//!
//! The native path, for an error value [`plain_error`] accepts:
//!
//! - the class comes from `lib.errors.class_for(type, rust_type, variant,
//!   base)` the first
//!   time, then from this factory's cache (by `type`, `rust_type` and
//!   `variant`: one class per Rust error type, a subclass per enum variant);
//! - the instance is made by the class's `tp_new` with `(message,)`, as
//!   `cls.__new__(cls, message)` would, without running `__init__`;
//! - the error value's bytes go into `_ferryman_raw`, from which `RustError`
//!   decodes `error_value`, `fields`, `frames`, … on first access; only a
//!   `rust_type` other than the class's is set at once;
//! - the traceback of the Rust frames comes from [`rust_traceback`].

use std::sync::Mutex;

use pyo3::exceptions::{PyBaseException, PyTypeError};
use pyo3::ffi;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple, PyType};
use pyo3::PyTraverseError;

use crate::errors::plain_error::{plain_error, PlainError};
use crate::errors::rust_traceback;

/// Builds the exception for a failed call's error value.
///
/// `ErrorFactory(general, errors)`: `general(value: dict) -> BaseException`
/// builds any error value; `errors` has `class_for(type_name, rust_type)`.
/// Calling the factory calls `general`.
#[pyclass(frozen, weakref, module = "ferryman._native", name = "ErrorFactory")]
#[derive(Debug)]
pub struct ErrorFactory {
    general: Py<PyAny>,
    errors: Py<PyAny>,
    classes: Mutex<Vec<Class>>,
}

/// One error class, as `errors.class_for` made it: one per Rust error type,
/// so it is found by the error value's `type` and `rust_type` together
/// (`std::io::Error` and `Box<dyn Error>` are both called `Error`).
#[derive(Debug)]
struct Class {
    type_name: Box<str>,
    /// The `rust_type` it was asked for.
    asked: Option<Box<str>>,
    /// The enum variant it was asked for (its class is the variant's subclass).
    variant: Option<Box<str>>,
    class: Py<PyType>,
    /// The class's own `rust_type` attribute.
    rust_type: Option<Box<str>>,
}

#[pymethods]
impl ErrorFactory {
    #[new]
    fn new(general: Py<PyAny>, errors: Py<PyAny>) -> ErrorFactory {
        ErrorFactory {
            general,
            errors,
            classes: Mutex::new(Vec::new()),
        }
    }

    /// The general path: `general(value)`.
    fn __call__<'py>(&self, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.general.bind(value.py()).call1((value,))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.general)?;
        visit.call(&self.errors)?;
        // The lock is only ever held by Rust code that does not let the collector run.
        if let Ok(classes) = self.classes.try_lock() {
            for class in classes.iter() {
                visit.call(&class.class)?;
            }
        }
        Ok(())
    }
}

/// The exception for the error value `bytes` when `on_error` is an
/// [`ErrorFactory`] and the value a plain `Err`; `None` otherwise.
pub(crate) fn plain_exception(
    py: Python<'_>,
    on_error: &Bound<'_, PyAny>,
    bytes: &[u8],
) -> Option<PyErr> {
    let factory = on_error.cast::<ErrorFactory>().ok()?.get();
    let plain = plain_error(bytes)?;
    Some(match factory.build(py, bytes, &plain) {
        Ok(exception) => PyErr::from_value(exception),
        Err(error) => error,
    })
}

impl ErrorFactory {
    fn build<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
        plain: &PlainError<'_>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (class, rust_type_differs) = self.class(py, plain)?;
        let args = PyTuple::new(py, [PyString::new(py, plain.message)])?;
        let exception = new_instance(&class, &args)?;
        exception.setattr(pyo3::intern!(py, "_ferryman_raw"), PyBytes::new(py, bytes))?;
        if rust_type_differs {
            exception.setattr(pyo3::intern!(py, "rust_type"), plain.rust_type)?;
        }
        if let Some(traceback) = rust_traceback::traceback(py, plain.frames.as_slice())? {
            // SAFETY: both are valid objects; the call borrows them and does not
            // steal a reference; a traceback object is what it expects.
            if unsafe { ffi::PyException_SetTraceback(exception.as_ptr(), traceback.as_ptr()) } < 0
            {
                return Err(PyErr::fetch(py));
            }
        }
        Ok(exception)
    }

    /// The class of `type_name`, and whether its `rust_type` differs from this
    /// error's (which then goes on the instance).
    fn class<'py>(
        &self,
        py: Python<'py>,
        plain: &PlainError<'_>,
    ) -> PyResult<(Bound<'py, PyType>, bool)> {
        let (type_name, rust_type, variant) = (plain.type_name, plain.rust_type, plain.variant);
        let found = |classes: &[Class]| {
            classes
                .iter()
                .find(|class| {
                    &*class.type_name == type_name
                        && class.asked.as_deref() == rust_type
                        && class.variant.as_deref() == variant
                })
                .map(|class| {
                    (
                        class.class.bind(py).clone(),
                        class.rust_type.as_deref() != rust_type,
                    )
                })
        };
        if let Some(found) = found(&self.classes.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(found);
        }
        // Python code runs here: no lock held.
        let class = self
            .errors
            .bind(py)
            .call_method1(
                pyo3::intern!(py, "class_for"),
                (type_name, rust_type, variant, plain.base),
            )?
            .cast_into::<PyType>()?;
        if !class.is_subclass_of::<PyBaseException>()? {
            return Err(PyTypeError::new_err(format!(
                "errors.class_for({type_name:?}) returned {class}, not an exception class"
            )));
        }
        // Anything but a str counts as none: the instance then gets its own.
        let own: Option<String> = class
            .getattr(pyo3::intern!(py, "rust_type"))
            .ok()
            .and_then(|own| own.extract().ok());
        let mut classes = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        if found(&classes).is_none() {
            classes.push(Class {
                type_name: type_name.into(),
                asked: rust_type.map(Into::into),
                variant: variant.map(Into::into),
                class: class.clone().unbind(),
                rust_type: own.as_deref().map(Into::into),
            });
        }
        drop(classes);
        Ok((class, own.as_deref() != rust_type))
    }
}

/// `class.__new__(class, *args)`: the instance, without `__init__`.
fn new_instance<'py>(
    class: &Bound<'py, PyType>,
    args: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = class.py();
    // SAFETY: `class` is a type object; `Py_tp_new` is a slot every type can be
    // asked for (3.10+), NULL when the type has none.
    let slot = unsafe { ffi::PyType_GetSlot(class.as_type_ptr(), ffi::Py_tp_new) };
    if slot.is_null() {
        return Err(PyTypeError::new_err(format!(
            "cannot create '{class}' instances"
        )));
    }
    // SAFETY: the `Py_tp_new` slot holds a `newfunc`.
    let new: ffi::newfunc = unsafe { std::mem::transmute(slot) };
    // SAFETY: a `newfunc` called as the interpreter calls it: the type, an
    // argument tuple, no keywords; it returns a new reference or NULL with an
    // exception set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            new(class.as_type_ptr(), args.as_ptr(), std::ptr::null_mut()),
        )
    }
}
