//! `ferryman._native`: the native core of the `ferryman` Python package.
//!
//! It loads a ferryman library (`spec/abi.md`), turns Python arguments into one
//! MessagePack array and results back into Python objects (`spec/wire.md`), and
//! turns error values into exceptions: a plain `Err` natively
//! (`error_factory.rs`), everything else through a Python-level factory.
//! The Python layer (`python/ferryman/`) adds names, signatures and the
//! exception classes; nothing here is public API of its own.

mod bind;
mod buffers;
mod closure;
mod decode;
mod encode;
mod error_factory;
mod exceptions;
mod failure;
mod function;
mod function_object;
mod gil;
mod host;
mod ints;
mod lend;
mod library;
mod loaded;
mod main_thread;
mod map_keys;
mod objects;
mod outcome;
mod plain_error;
mod reply;
mod rust_traceback;
mod scope;
mod shape;
mod shutdown;
mod sigint;
mod stack;

use pyo3::prelude::*;

/// The module `ferryman._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    refuse_subinterpreters()?;
    shutdown::register(m)?;
    main_thread::remember(m.py())?;
    sigint::watch(m.py());
    m.add_class::<library::Library>()?;
    m.add("Function", function_object::create_type(m.py())?)?;
    m.add_class::<closure::RustFunction>()?;
    m.add_class::<error_factory::ErrorFactory>()?;
    m.add_function(wrap_pyfunction!(exceptions::pending_exception, m)?)?;
    m.add_function(wrap_pyfunction!(exceptions::pending_count, m)?)?;
    m.add_function(wrap_pyfunction!(live_host_objects, m)?)?;
    m.add_function(wrap_pyfunction!(gil::set_gil_policy, m)?)?;
    m.add_function(wrap_pyfunction!(gil::gil_policy, m)?)?;
    m.add_function(wrap_pyfunction!(lend::lent_results_copied, m)?)?;
    m.add_function(wrap_pyfunction!(library::load, m)?)?;
    m.add_function(wrap_pyfunction!(pack, m)?)?;
    m.add_function(wrap_pyfunction!(unpack, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ABI_VERSION", ferryman_abi::ABI_VERSION)?;
    m.add("WIRE_VERSION", ferryman_abi::WIRE_VERSION)?;
    m.add("MAX_DEPTH", encode::MAX_DEPTH)?;
    m.add("LEND_FOR_CALL_AT", lend::LEND_FOR_CALL_AT)?;
    m.add("LEND_OBJECT_AT", lend::LEND_OBJECT_AT)?;
    Ok(())
}

/// Refuses to load in any interpreter but the main one.
///
/// Everything this module keeps is process-wide (host objects, the hosts
/// registered with each library, the exception handles): a callback stored
/// from a subinterpreter would run in the main one. PyO3 0.30 checks the
/// interpreter only for modules it builds itself (single-phase init); this
/// module is initialised in phases, whose execution CPython repeats in each
/// interpreter that imports it.
fn refuse_subinterpreters() -> PyResult<()> {
    // SAFETY: module execution runs with the GIL held; both functions only
    // read the current interpreter's state.
    let id = unsafe { pyo3::ffi::PyInterpreterState_GetID(pyo3::ffi::PyInterpreterState_Get()) };
    if id == 0 {
        return Ok(());
    }
    Err(pyo3::exceptions::PyImportError::new_err(
        "ferryman cannot be imported in a subinterpreter: it keeps process-wide state \
         (the Python callables libraries hold, the hosts they registered) that belongs to \
         the main interpreter; import it in the main interpreter only",
    ))
}

/// How many Python callables (and lent `bytes`) libraries may still call or
/// read (a leak check for tests).
#[pyfunction]
fn live_host_objects() -> usize {
    objects::live_count()
}

/// Encodes one Python value as MessagePack, exactly as arguments are encoded
/// (for tests and debugging; not public API).
#[pyfunction]
fn pack<'py>(
    py: Python<'py>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let mut out = Vec::new();
    encode::encode(&mut out, value).map_err(|located| {
        let place = located.path_text();
        let message = match located.error {
            encode::EncodeError::Python(error) => return error,
            encode::EncodeError::Unsupported(found) => {
                format!("cannot send a value of type '{found}'")
            }
            encode::EncodeError::Overflow(what) => format!("{what} does not fit in 64 bits"),
            encode::EncodeError::Invalid(what) => format!("cannot send {what}"),
            encode::EncodeError::TooDeep => {
                format!("value nested deeper than {} levels", encode::MAX_DEPTH)
            }
        };
        pyo3::exceptions::PyValueError::new_err(format!("{message}{place}"))
    })?;
    Ok(pyo3::types::PyBytes::new(py, &out))
}

/// Decodes one MessagePack value exactly as results are decoded; malformed
/// bytes raise `ferryman.ProtocolError` (not public API: the Python layer
/// decodes the error values kept by natively built exceptions with it, tests
/// and debugging use it).
#[pyfunction]
fn unpack<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    decode::decode(py, data, None).map_err(|error| {
        let message = error.describe(py);
        match py
            .import("ferryman._errors")
            .and_then(|errors| errors.getattr("ProtocolError"))
        {
            Ok(class) => match class.call1((message,)) {
                Ok(instance) => PyErr::from_value(instance),
                Err(error) => error,
            },
            Err(error) => error,
        }
    })
}
