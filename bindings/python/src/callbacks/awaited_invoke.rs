//! The library calling an awaited Python function (`spec/callbacks.md`,
//! "Async callbacks"): `invoke` gets its arguments plus a resolver closure
//! (the last one); the function is called, what it returns is handed to its
//! event loop (`ferryman._async_callbacks.start`, thread-safely) and `invoke`
//! answers nil at once. When the awaitable ends, a [`Resolver`] calls the
//! resolver with `[status, value]` — a result, or the exception's error value
//! with its handle, as a sync callback's `invoke` would answer — and drops
//! it, which releases it. A resolver dropped unsettled (its loop closed
//! before the awaitable ran) is released too: the library then knows no
//! outcome will come.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::callbacks::answer::{self, Answer};
use crate::errors::unsendable_result::unsendable_result;
use crate::state::call_scope::Scope;
use crate::state::host_objects;
use crate::values::awaited_callable::AwaitedCallable;
use crate::values::closure_value::RustFunction;
use crate::values::encode::encode;

/// Calls `awaited` with `args` (the resolver last) and starts what it returns.
pub(crate) fn start(
    py: Python<'_>,
    awaited: &AwaitedCallable,
    args: &Bound<'_, PyTuple>,
) -> Answer {
    let count = args.len();
    let resolver = match args.get_item(count.wrapping_sub(1)) {
        Ok(last) if count > 0 => match last.cast_into::<RustFunction>() {
            Ok(resolver) => resolver.unbind(),
            Err(_) => return answer::bridge("an async callback was invoked without its resolver"),
        },
        _ => return answer::bridge("an async callback was invoked without its resolver"),
    };
    let arguments = args.get_slice(0, count - 1);
    let function = awaited.function.bind(py);
    let returned = match function.call1(arguments) {
        Ok(returned) => returned,
        // The resolver goes with the arguments: released uncalled.
        Err(error) => return answer::exception(py, error),
    };
    let settle = Resolver {
        resolver: Mutex::new(Some(resolver)),
        function: function.clone().unbind(),
    };
    let started = py
        .import(pyo3::intern!(py, "ferryman._async_callbacks"))
        .and_then(|module| {
            module.getattr(pyo3::intern!(py, "start"))?.call1((
                returned,
                awaited
                    .event_loop
                    .as_ref()
                    .map(|event_loop| event_loop.bind(py)),
                Bound::new(py, settle)?,
            ))
        });
    match started {
        Ok(_) => answer::result(vec![0xc0], Vec::new()),
        Err(error) => answer::exception(py, error),
    }
}

/// Settles one call's resolver once, with the awaitable's result or
/// exception (`ferryman._async_callbacks` calls it when the task ends).
#[pyclass(frozen, module = "ferryman._native", name = "AsyncCallbackResolver")]
#[derive(Debug)]
pub struct Resolver {
    resolver: Mutex<Option<Py<RustFunction>>>,
    /// The awaited function, for messages about a result it cannot send.
    function: Py<PyAny>,
}

#[pymethods]
impl Resolver {
    /// Settles the call with `value`, what the awaitable returned; a value
    /// that cannot be sent settles it with that `ArgumentError` instead.
    fn result(&self, py: Python<'_>, value: &Bound<'_, PyAny>) {
        let Some(resolver) = self.take() else { return };
        let registration = resolver.get().registration();
        let scope = Scope::encoding(Some(registration));
        let mut bytes = vec![0x92, 0x00];
        match encode(&mut bytes, value) {
            Ok(()) => {
                let held = scope.take_held();
                drop(scope);
                settle(py, &resolver, &bytes);
                host_objects::drop_with_gil(held);
            }
            Err(located) => {
                drop(scope);
                let error = unsendable_result(self.function.bind(py), located);
                settle_with(py, &resolver, answer::exception(py, error));
            }
        }
    }

    /// Settles the call with `exception`, what the awaitable raised.
    fn exception(&self, py: Python<'_>, exception: &Bound<'_, PyAny>) {
        let Some(resolver) = self.take() else { return };
        let error = PyErr::from_value(exception.clone());
        settle_with(py, &resolver, answer::exception(py, error));
    }
}

impl Resolver {
    fn take(&self) -> Option<Py<RustFunction>> {
        self.resolver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// Calls the resolver with `[1, error value]` from a failed answer.
fn settle_with(py: Python<'_>, resolver: &Py<RustFunction>, failure: Answer) {
    let mut bytes = vec![0x92, 0x01];
    bytes.extend_from_slice(failure.bytes());
    settle(py, resolver, &bytes);
}

/// `ferryman_closure_call(resolver, args)`, without the GIL (Rust wakes the
/// waiting task). Its answer is nil, or a misuse this host does not make.
fn settle(py: Python<'_>, resolver: &Py<RustFunction>, args: &[u8]) {
    let function = resolver.get();
    let (registration, handle) = (function.registration(), function.closure_handle());
    py.detach(|| {
        let mut out = Vec::new();
        let reply = registration.closure_call(handle, args, &mut out);
        drop(reply);
    });
}
