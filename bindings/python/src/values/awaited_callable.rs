//! A Python callable passed to an `AsyncCallback` parameter (`spec/callbacks.md`,
//! "Async callbacks"): sent as a host object (extension 1) like any callable,
//! but the table holds an [`AwaitedCallable`] — the function and the event
//! loop of the call that passed it — so that `invoke` knows to start it and
//! settle the resolver the library appends to its arguments later
//! (`callbacks/awaited_invoke.rs`).

use pyo3::prelude::*;

use crate::values::callables::encode_callable;
use crate::values::closure_value::RustFunction;
use crate::values::encode_error::EncodeError;

/// A Python function the library awaits, and the event loop running when it
/// was passed (`None`: none was; the loop of the thread that invokes it is
/// used then, if it has one).
#[pyclass(frozen, module = "ferryman._native", name = "AwaitedCallable")]
#[derive(Debug)]
pub struct AwaitedCallable {
    pub(crate) function: Py<PyAny>,
    pub(crate) event_loop: Option<Py<PyAny>>,
}

/// Encodes `value`, a callable passed to an `{"async_callback": …}`
/// parameter, as a host object standing for an [`AwaitedCallable`].
pub(crate) fn encode_awaited(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
) -> Result<(), EncodeError> {
    let py = value.py();
    if value.cast::<RustFunction>().is_ok() {
        return Err(EncodeError::Invalid(
            "a Rust closure, which cannot be awaited as an async callback".to_owned(),
        ));
    }
    let running = py
        .import(pyo3::intern!(py, "asyncio"))
        .and_then(|asyncio| asyncio.call_method0(pyo3::intern!(py, "_get_running_loop")))
        .map_err(EncodeError::Python)?;
    let awaited = AwaitedCallable {
        function: value.clone().unbind(),
        event_loop: (!running.is_none()).then(|| running.unbind()),
    };
    let awaited = Bound::new(py, awaited).map_err(EncodeError::Python)?;
    encode_callable(out, awaited.as_any())
}
