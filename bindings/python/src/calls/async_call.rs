//! Calling async functions and stream functions (`spec/abi.md`, "Futures",
//! "Streams"): the crossing answers a value at once (a future ready at its
//! first poll), a [`PendingCall`] (`FERRY_PENDING` with a future handle) or
//! a [`RustStream`] (a stream handle). The Python layer
//! (`python/ferryman/_async.py`) turns these into awaitables and async
//! iterators on an asyncio event loop; completions reach it through
//! `state/completions.rs`. Outcomes are decoded here, by the same code as
//! sync replies: errors, panics and callback exceptions alike.

use std::sync::Arc;

use ferryman_host::{future_handle, stream_handle, Reply, Status};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::calls::crossing::{cross_reading, read_outcome, read_with, Called, Target};
use crate::errors::argument_message::Callee;
use crate::errors::host_error::HostError;
use crate::ffi::call_buffers::Buffers;
use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope::Scope;
use crate::state::completions::{self, Queue};
use crate::state::{gil_policy, log_queue, shutdown};
use crate::values::decode::{decode_items, decode_with};
use crate::values::shape::Shape;

/// What kind of function a call crosses into.
#[derive(Debug, Clone)]
pub(crate) enum Flavor {
    /// A plain function: its reply is its result.
    Sync,
    /// An `async fn` (describe's `"async": true`).
    Async,
    /// A function returning a stream (`"stream": true`) of items of this shape.
    Stream(Arc<Shape>),
}

/// The crossing of an async or stream function: `FERRY_PENDING` becomes a
/// [`PendingCall`], a stream handle a [`RustStream`], anything else is read
/// as a sync reply.
pub(crate) fn cross_async<'py, F>(
    py: Python<'py>,
    buffers: &mut Buffers,
    call: F,
    target: &Target<'_, 'py>,
    flavor: &Flavor,
    name: &str,
) -> Called<'py>
where
    F: for<'b> FnOnce(&'b [u8], &'b mut Vec<u8>) -> Reply<'b> + Send,
{
    cross_reading(py, buffers, call, |reply| {
        let handle = |of: fn(&[u8]) -> Option<u64>| reply.bytes().ok().and_then(of);
        let registration = || {
            target
                .registration
                .filter(|registration| registration.futures().is_some())
        };
        let keep = || Keep {
            returns: target.shape.cloned().map(Arc::new),
            on_error: target.on_error.clone().unbind(),
            name: Arc::from(name),
        };
        match (reply.code(), flavor) {
            (code, _) if code == Status::Pending.code() => {
                match (handle(future_handle), registration()) {
                    (Some(handle), Some(registration)) => Ok(Bound::new(
                        py,
                        PendingCall {
                            registration,
                            handle,
                            started: false,
                            keep: keep(),
                        },
                    )
                    .map_err(Box::new)?
                    .into_any()),
                    _ => Err(protocol(
                        py,
                        target,
                        name,
                        "FERRY_PENDING without a future handle",
                    )),
                }
            }
            (0, Flavor::Stream(item)) => match (handle(stream_handle), registration()) {
                (Some(handle), Some(registration)) => Ok(Bound::new(
                    py,
                    RustStream {
                        registration,
                        handle,
                        item: item.clone(),
                        keep: keep(),
                    },
                )
                .map_err(Box::new)?
                .into_any()),
                (Some(handle), None) => {
                    if let Some(registration) = target.registration {
                        registration.stream_release(handle);
                    }
                    Err(protocol(
                        py,
                        target,
                        name,
                        "a stream, but this library took no completion function from this \
                         package (another host is registered with it), so it cannot be pulled",
                    ))
                }
                (None, _) => Err(protocol(py, target, name, "no stream handle")),
            },
            _ => read_with(py, reply, target.on_error, target.callee, |bytes| {
                decode_with(py, bytes, target.shape, target.registration)
            }),
        }
    })
}

#[cold]
fn protocol(py: Python<'_>, target: &Target<'_, '_>, name: &str, what: &str) -> Box<PyErr> {
    Box::new(
        HostError::new("protocol", format!("`{name}()` answered {what}")).raise(
            py,
            target.on_error,
            Some(target.callee.function_key()),
        ),
    )
}

/// What decoding an outcome needs: the result's shape, the error factory of
/// the load, the function's name (for messages and error classes).
#[derive(Debug)]
struct Keep {
    returns: Option<Arc<Shape>>,
    on_error: Py<PyAny>,
    name: Arc<str>,
}

/// A pending future of an async function, until its completion.
///
/// `start(token)` names where its outcome goes (once); `cancel()` drops the
/// Rust future (its completion then says cancelled); `outcome(status,
/// bytes)` decodes the completion: the result, or raises its exception.
#[pyclass(module = "ferryman._native", name = "PendingCall")]
#[derive(Debug)]
pub struct PendingCall {
    registration: &'static HostRegistration,
    handle: u64,
    started: bool,
    keep: Keep,
}

#[pymethods]
impl PendingCall {
    /// `ferryman_future_start(handle, host, token)`: its completion goes to
    /// the queue `token` names (possibly before this returns).
    fn start(&mut self, token: u64) -> PyResult<()> {
        if std::mem::replace(&mut self.started, true) {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "this future was started already",
            ));
        }
        match self.registration.future_start(self.handle, token) {
            Some(Status::Ok) => Ok(()),
            other => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "ferryman_future_start refused the future of `{}()` ({other:?})",
                self.keep.name
            ))),
        }
    }

    /// `ferryman_future_cancel(handle)`, without the GIL (the future's
    /// `Drop` may run here). Its completion comes with `FERRY_CANCELLED`.
    fn cancel(&self, py: Python<'_>) {
        let (registration, handle) = (self.registration, self.handle);
        py.detach(|| registration.future_cancel(handle));
        log_queue::after_call(py);
    }

    /// The completion's status and bytes as the call's result, or its
    /// exception raised: exactly as a sync call's reply.
    fn outcome<'py>(
        &self,
        py: Python<'py>,
        code: i32,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        outcome(py, &self.keep, code, bytes, |bytes| {
            decode_with(
                py,
                bytes,
                self.keep.returns.as_deref(),
                Some(self.registration),
            )
        })
    }

    #[getter]
    fn handle(&self) -> u64 {
        self.handle
    }

    fn __repr__(&self) -> String {
        format!(
            "<ferryman pending call of {}() {}>",
            self.keep.name, self.handle
        )
    }
}

impl Drop for PendingCall {
    /// Never started (the Python layer failed before it could): cancel it
    /// and start it to nowhere (token 0 names no queue), so the handle ends.
    fn drop(&mut self) {
        if self.started {
            return;
        }
        let (registration, handle) = (self.registration, self.handle);
        let end = move || {
            registration.future_cancel(handle);
            let _ = registration.future_start(handle, 0);
        };
        if Python::try_attach(|py| py.detach(end)).is_none() {
            end();
        }
    }
}

/// Decodes a completion: `decode` for status 0, else the exception raised.
fn outcome<'py, T>(
    py: Python<'py>,
    keep: &Keep,
    code: i32,
    bytes: &[u8],
    decode: impl FnOnce(&[u8]) -> Result<T, crate::values::decode::DecodeError>,
) -> PyResult<T> {
    let on_error = keep.on_error.bind(py);
    read_outcome(
        py,
        code,
        bytes,
        on_error,
        Callee::Function(&keep.name),
        decode,
    )
    .map_err(|error| *error)
}

/// A Rust stream a function returned: pulled in batches.
///
/// `start(token)` sets where pending nexts complete (once, before the first
/// `next`); `next(max_items)` answers a list of items, `None` at the end, or
/// `...` when the batch will come to the completion (decode it with
/// `batch(status, bytes)`); an error item raises. `release()` (also on
/// garbage collection) drops the Rust stream: its producer sees the end.
#[pyclass(module = "ferryman._native", name = "RustStream")]
#[derive(Debug)]
pub struct RustStream {
    registration: &'static HostRegistration,
    /// 0 once released.
    handle: u64,
    item: Arc<Shape>,
    keep: Keep,
}

impl RustStream {
    fn decode_batch<'py>(
        &self,
        py: Python<'py>,
        bytes: &[u8],
    ) -> Result<Bound<'py, PyAny>, crate::values::decode::DecodeError> {
        if bytes == [0xc0] {
            return Ok(py.None().into_bound(py));
        }
        let items = decode_items(py, bytes, &self.item, Some(self.registration))?;
        Ok(PyList::new(py, items)?.into_any())
    }
}

#[pymethods]
impl RustStream {
    /// `ferryman_future_start` on the stream: pending nexts complete to the
    /// queue `token` names.
    fn start(&self, token: u64) -> PyResult<()> {
        match self.registration.future_start(self.handle, token) {
            Some(Status::Ok) => Ok(()),
            other => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "ferryman_future_start refused the stream of `{}()` ({other:?})",
                self.keep.name
            ))),
        }
    }

    /// `ferryman_stream_next(handle, max_items)`: a list, `None` (the end)
    /// or `...` (pending); an error item raises.
    fn next<'py>(&mut self, py: Python<'py>, max_items: u32) -> PyResult<Bound<'py, PyAny>> {
        if self.handle == 0 {
            return Ok(py.None().into_bound(py));
        }
        let registration = self.registration;
        let handle = self.handle;
        let on_error = self.keep.on_error.bind(py).clone();
        let target = Target {
            shape: None,
            registration: Some(registration),
            on_error: &on_error,
            callee: Callee::Function(&self.keep.name),
        };
        let mut scope = Scope::call(Some(registration));
        let buffers = scope.buffers();
        let this = &*self;
        let result = cross_reading(
            py,
            buffers,
            move |_, out| {
                registration
                    .stream_next(handle, max_items, out)
                    .expect("a RustStream exists only when futures are connected")
            },
            |reply| {
                if reply.code() == Status::Pending.code() {
                    return Ok(py.Ellipsis().into_bound(py));
                }
                read_with(py, reply, target.on_error, target.callee, |bytes| {
                    this.decode_batch(py, bytes)
                })
            },
        );
        drop(scope);
        result.map_err(|error| *error)
    }

    /// A pending next's completion, as `next` would have answered.
    fn batch<'py>(&self, py: Python<'py>, code: i32, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        outcome(py, &self.keep, code, bytes, |bytes| {
            self.decode_batch(py, bytes)
        })
    }

    /// Drops the Rust stream now (its producer sees the end), once.
    fn release(&mut self, py: Python<'_>) {
        let handle = std::mem::take(&mut self.handle);
        if handle == 0 {
            return;
        }
        let registration = self.registration;
        if shutdown::shutting_down() || gil_policy::may_keep(py) {
            registration.stream_release(handle);
        } else {
            py.detach(|| registration.stream_release(handle));
        }
        log_queue::after_call(py);
    }

    /// Whether the Rust stream is gone.
    #[getter]
    fn closed(&self) -> bool {
        self.handle == 0
    }

    fn __repr__(&self) -> String {
        format!("<ferryman stream of {}() {}>", self.keep.name, self.handle)
    }
}

impl Drop for RustStream {
    fn drop(&mut self) {
        let handle = std::mem::take(&mut self.handle);
        if handle == 0 {
            return;
        }
        let registration = self.registration;
        if Python::try_attach(|py| py.detach(|| registration.stream_release(handle))).is_none() {
            registration.stream_release(handle);
        }
    }
}

/// The completion queue of one event loop (`state/completions.rs`), for
/// the Python layer: made with the write end of the loop's wake-up socket;
/// `take()` drains it as `[(token, status, bytes), …]`.
#[pyclass(module = "ferryman._native", name = "CompletionQueue")]
#[derive(Debug)]
pub struct CompletionQueue {
    id: u32,
    queue: Arc<Queue>,
}

#[pymethods]
impl CompletionQueue {
    #[new]
    fn new(wake_fd: i64) -> PyResult<CompletionQueue> {
        let (id, queue) = completions::open(wake_fd).ok_or_else(|| {
            pyo3::exceptions::PyOSError::new_err(format!(
                "cannot duplicate file descriptor {wake_fd}"
            ))
        })?;
        Ok(CompletionQueue { id, queue })
    }

    /// The high 32 bits of every token of this queue.
    #[getter]
    fn base(&self) -> u64 {
        u64::from(self.id) << 32
    }

    /// Everything completed so far: `[(token, status, bytes), …]`.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self.queue.take();
        PyList::new(
            py,
            items
                .into_iter()
                .map(|(token, code, bytes)| (token, code, PyBytes::new(py, &bytes))),
        )
    }

    /// Stops taking completions (later ones for this queue are dropped).
    fn close(&self) {
        completions::close(self.id);
    }
}

impl Drop for CompletionQueue {
    fn drop(&mut self) {
        completions::close(self.id);
    }
}
