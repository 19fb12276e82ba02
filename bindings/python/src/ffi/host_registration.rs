//! This package as the registered host of one library (`spec/callbacks.md`):
//! the library's closure entry points (`ferryman_host::Closures`), the host
//! id it gave us, and the error factory its closures raise through.
//!
//! What the library calls back (the `ferryman_host::Host` this package
//! implements) is the callbacks layer's; it is handed down to
//! [`HostRegistration::register`] as a function that builds it.

use std::sync::OnceLock;

use crate::ffi::weak_reference::WeakSlot;
use ferryman_host::{
    Closures, ConnectError, Futures, Host, LiveClosure, LiveFuture, LiveObject, Objects, Reply,
    Status,
};
use pyo3::prelude::*;

/// One library's side of the callback protocol. Leaked on registration
/// (libraries are never unloaded), so closures and the host can hold a
/// `&'static` to it.
#[derive(Debug)]
pub(crate) struct HostRegistration {
    closures: Closures,
    /// The object entry points, when the library exports classes.
    objects: Option<Objects>,
    /// The future and stream entry points, when the library has them and
    /// took this host's completion function (`spec/abi.md`, "Futures").
    futures: OnceLock<Futures>,
    host_id: OnceLock<u32>,
    /// Named weakly (`WeakSlot`): the load's functions, closures and classes
    /// keep it alive.
    on_error: WeakSlot,
    /// The Python class of each class id (describe's `classes`), once the
    /// Python layer made them; weakly, as `on_error`.
    classes: OnceLock<Vec<WeakSlot>>,
    /// Whether each class has room for its last hash (the `hash` protocol's
    /// classes: `values::object_value`), set with `classes`.
    hashed: OnceLock<Vec<bool>>,
}

impl HostRegistration {
    /// Registers the host `make_host` builds for this registration with the
    /// library; `None` when refused.
    ///
    /// Once per library in the process (`Closures::register_host`): loading
    /// the same library again (the dynamic loader hands back the same copy)
    /// gets the first registration's host id, so the library keeps seeing
    /// exactly one host, which is what lets it return exceptions and lent
    /// bytes by handle. Each load still gets a `HostRegistration` of its own,
    /// for its own error factory.
    pub(crate) fn register<H: Host>(
        closures: Closures,
        objects: Option<Objects>,
        futures: Option<Futures>,
        make_host: impl FnOnce(&'static HostRegistration) -> &'static H,
    ) -> Option<&'static HostRegistration> {
        let registration: &'static HostRegistration = Box::leak(Box::new(HostRegistration {
            closures,
            objects,
            futures: OnceLock::new(),
            host_id: OnceLock::new(),
            on_error: WeakSlot::new(),
            classes: OnceLock::new(),
            hashed: OnceLock::new(),
        }));
        let host = make_host(registration);
        let id = closures.register_host(host)?;
        let _ = registration.host_id.set(id);
        // Once per load: from here on the library answers `FERRY_PENDING`
        // for futures not ready at their first poll. A second load of the
        // same library finds its first load's host registered: that host's
        // completion function, the same queues (`state::completions`,
        // routed by token), takes this load's completions too, so it may
        // start futures as well (it answered FERRY_PENDING, which this load
        // then could not take: "without a future handle").
        if let Some(futures) = futures {
            match futures.connect(&closures, host) {
                Ok(connected) if connected == id => {
                    let _ = registration.futures.set(futures);
                }
                Err(ConnectError::OtherHost) => {
                    let _ = registration.futures.set(futures);
                }
                _ => {}
            }
        }
        Some(registration)
    }

    /// The future and stream entry points, once the completion function is
    /// connected: `None` means async calls answer at once (blocking).
    pub(crate) fn futures(&self) -> Option<&Futures> {
        self.futures.get()
    }

    /// `ferryman_future_start(handle, host_id, token)` (`Futures::start`);
    /// also for a stream's completion target. `None` when not connected.
    pub(crate) fn future_start(&self, handle: u64, token: u64) -> Option<Status> {
        let (futures, id) = (self.futures()?, self.host_id()?);
        futures.start(handle, id, token).ok()
    }

    /// `ferryman_future_cancel(handle)`: its `Drop` may run on this thread.
    pub(crate) fn future_cancel(&self, handle: u64) {
        if let Some(futures) = self.futures() {
            let _ = futures.cancel(handle);
        }
    }

    /// `ferryman_stream_next(handle, max_items, out)`. Runs Rust code: call
    /// it without the GIL.
    pub(crate) fn stream_next<'a>(
        &self,
        handle: u64,
        max_items: u32,
        out: &'a mut Vec<u8>,
    ) -> Option<Reply<'a>> {
        Some(self.futures()?.streams().next_into(handle, max_items, out))
    }

    /// `ferryman_stream_release(handle)`: the producer sees the end.
    pub(crate) fn stream_release(&self, handle: u64) {
        if let Some(futures) = self.futures() {
            let _ = futures.streams().release(handle);
        }
    }

    /// `ferryman_live_futures`, decoded; `Err` says why it failed.
    pub(crate) fn live_futures(&self) -> Result<Vec<LiveFuture>, String> {
        match self.futures() {
            Some(futures) => futures.live().map_err(|error| error.to_string()),
            None => Ok(Vec::new()),
        }
    }

    /// The id the library gave this host (carried by every host object we send).
    pub(crate) fn host_id(&self) -> Option<u32> {
        self.host_id.get().copied()
    }

    /// Whether `self` and `other` are the same copy of the ferryman runtime (the
    /// same library, possibly loaded twice), so closure handles mean the same.
    pub(crate) fn same_as(&self, other: &HostRegistration) -> bool {
        self.closures.same_library(&other.closures)
    }

    /// The factory building exceptions from error values, once the Python layer
    /// gave one (`Library.functions`).
    pub(crate) fn set_on_error(&'static self, on_error: &Bound<'_, PyAny>) -> PyResult<()> {
        self.on_error.set(on_error)
    }

    /// The factory, while the load's Python objects keep it alive.
    pub(crate) fn on_error<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.on_error.get(py)
    }

    /// `ferryman_closure_call(handle, args, out)`. Runs Rust code: call it
    /// without the GIL.
    pub(crate) fn closure_call<'a>(
        &self,
        handle: u64,
        args: &[u8],
        out: &'a mut Vec<u8>,
    ) -> Reply<'a> {
        // SAFETY: a closure's arguments never lend bytes (they are encoded
        // with `values::encode::encode`, which copies them).
        unsafe { self.closures.call(handle, args, out) }
    }

    /// `ferryman_closure_release(handle)`: the host's reference is gone. A
    /// handle that is not live is the library's to report, not ours.
    pub(crate) fn closure_release(&self, handle: u64) {
        let _ = self.closures.release(handle);
    }

    /// `ferryman_live_closures`, decoded; `Err` says why it failed.
    pub(crate) fn live_closures(&self) -> Result<Vec<LiveClosure>, String> {
        self.closures.live().map_err(|error| error.to_string())
    }

    /// Whether the library exports objects (it has the object entry points).
    pub(crate) fn has_objects(&self) -> bool {
        self.objects.is_some()
    }

    /// The Python classes, by class id, and whether each has room for its
    /// last hash; set once (later calls are ignored).
    pub(crate) fn set_classes(
        &'static self,
        classes: &[Bound<'_, PyAny>],
        hashed: Vec<bool>,
    ) -> PyResult<()> {
        if self
            .classes
            .set(classes.iter().map(|_| WeakSlot::new()).collect())
            .is_err()
        {
            return Ok(());
        }
        let slots = self.classes.get().expect("set just now");
        for (slot, class) in slots.iter().zip(classes) {
            slot.set(class)?;
        }
        let _ = self.hashed.set(hashed);
        Ok(())
    }

    /// [`HostRegistration::class_address`] of class id `id` when that class
    /// has room for its last hash, else null.
    pub(crate) fn hashed_class_address(&self, py: Python<'_>, id: u32) -> *mut pyo3::ffi::PyObject {
        let hashed = self
            .hashed
            .get()
            .and_then(|hashed| hashed.get(id as usize).copied());
        match hashed {
            Some(true) => self.class_address(py, id),
            _ => std::ptr::null_mut(),
        }
    }

    /// The address of the Python class of class id `id` while it lives, else
    /// null (no reference taken: compare it, or use it at once, with the GIL).
    #[inline]
    pub(crate) fn class_address(&self, py: Python<'_>, id: u32) -> *mut pyo3::ffi::PyObject {
        match self
            .classes
            .get()
            .and_then(|classes| classes.get(id as usize))
        {
            Some(slot) => slot.address(py),
            None => std::ptr::null_mut(),
        }
    }

    /// `ferryman_object_release(handle)`: the host's reference is gone. It may
    /// run the Rust `Drop`: call it without the GIL when another thread could
    /// want it. A handle that is not live is the library's to report.
    pub(crate) fn object_release(&self, handle: u64) {
        if let Some(objects) = &self.objects {
            let _ = objects.release(handle);
        }
    }

    /// `ferryman_object_clone(handle)`: a new handle to the same object.
    pub(crate) fn object_clone(&self, handle: u64) -> Option<u64> {
        self.objects.as_ref()?.clone_handle(handle)
    }

    /// `ferryman_live_objects`, decoded; `Err` says why it failed.
    pub(crate) fn live_objects(&self) -> Result<Vec<LiveObject>, String> {
        match &self.objects {
            Some(objects) => objects.live().map_err(|error| error.to_string()),
            None => Ok(Vec::new()),
        }
    }
}
