//! `ferryman._native`: the native core of the `ferryman` Python package.
//!
//! It loads a ferryman library (`spec/abi.md`), turns Python arguments into one
//! MessagePack array and results back into Python objects (`spec/wire.md`), and
//! turns error values into exceptions: a plain `Err` natively
//! (`errors/error_factory.rs`), everything else through a Python-level factory.
//!
//! The modules are layered; each imports only the layers before it in this
//! list (`scripts/check_binding_layers.py` checks it, ARCHITECTURE.md maps
//! it): `ffi` → `state` → `values` → `errors` → `calls` → `callbacks` → `api`.
//! The Python layer (`python/ferryman/`) adds names, signatures and the
//! exception classes; nothing here is public API of its own.

mod api;
mod callbacks;
mod calls;
mod errors;
mod ffi;
mod state;
mod values;

use pyo3::prelude::*;

/// The module `ferryman._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    refuse_subinterpreters()?;
    state::shutdown::register(m)?;
    state::main_thread::remember(m.py())?;
    state::sigint::watch(m.py());
    m.add_class::<api::library_object::Library>()?;
    m.add("Function", calls::function_object::create_type(m.py())?)?;
    m.add(
        "Method",
        calls::function_object::create_method_type(m.py())?,
    )?;
    m.add("RustObject", values::object_value::create_type(m.py())?)?;
    m.add_class::<values::iterator_value::RustIterator>()?;
    m.add_class::<calls::async_call::PendingCall>()?;
    m.add_class::<calls::async_call::RustStream>()?;
    m.add_class::<calls::async_call::CompletionQueue>()?;
    m.add_class::<values::closure_value::RustFunction>()?;
    m.add_class::<errors::error_factory::ErrorFactory>()?;
    m.add_function(wrap_pyfunction!(
        errors::callback_exceptions::pending_exception,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(
        errors::callback_exceptions::pending_count,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(api::debugging::live_host_objects, m)?)?;
    m.add_function(wrap_pyfunction!(state::gil_policy::set_gil_policy, m)?)?;
    m.add_function(wrap_pyfunction!(state::gil_policy::gil_policy, m)?)?;
    m.add_function(wrap_pyfunction!(
        values::lent_bytes::lent_results_copied,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(api::library_object::load, m)?)?;
    m.add_function(wrap_pyfunction!(values::object_value::object_class, m)?)?;
    m.add_function(wrap_pyfunction!(api::debugging::pack, m)?)?;
    m.add_function(wrap_pyfunction!(api::debugging::unpack, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ABI_VERSION", ferryman_abi::ABI_VERSION)?;
    m.add("WIRE_VERSION", ferryman_abi::WIRE_VERSION)?;
    m.add("MAX_DEPTH", values::limits::MAX_DEPTH)?;
    m.add("LEND_FOR_CALL_AT", values::lent_bytes::LEND_FOR_CALL_AT)?;
    m.add("LEND_OBJECT_AT", values::lent_bytes::LEND_OBJECT_AT)?;
    m.add("LEND_SLICE_AT", values::lent_slices::LEND_SLICE_AT)?;
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
