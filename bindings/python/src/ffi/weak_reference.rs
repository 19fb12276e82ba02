//! `WeakSlot`: a Python object a leaked [`HostRegistration`] names without
//! keeping it alive.
//!
//! A registration lives for the whole process (closures and objects hold a
//! `&'static` to it), but what it names per load — the error factory, the
//! object classes — belongs to that load's Python objects: held strongly here,
//! outside the garbage collector's view, every `ferryman.load()` would leak its
//! factory, error classes and object classes for good (issue 12). So the slot
//! holds a weak reference, whose callback empties the slot when the object
//! dies (leaving no weak reference object behind either). The Python objects
//! that need the load's factory or classes keep them alive themselves.
//!
//! [`HostRegistration`]: crate::ffi::host_registration::HostRegistration

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyTuple, PyWeakrefMethods, PyWeakrefReference};

#[derive(Debug, Default)]
pub(crate) struct WeakSlot {
    held: Mutex<Option<Held>>,
    /// The object's address while it lives, null once it is gone: read on
    /// every method call ([`WeakSlot::address`]) without the lock. Written
    /// and read with the GIL held (the callback that clears it runs with it).
    address: AtomicPtr<ffi::PyObject>,
}

#[derive(Debug)]
enum Held {
    Weak(Py<PyWeakrefReference>),
    /// An object that takes no weak references (a builtin function, say):
    /// kept, as before.
    Strong(Py<PyAny>),
}

impl WeakSlot {
    pub(crate) const fn new() -> WeakSlot {
        WeakSlot {
            held: Mutex::new(None),
            address: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Names `object` from now on (replacing what the slot named).
    pub(crate) fn set(&'static self, object: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = object.py();
        let slot: &'static WeakSlot = self;
        let forget = PyCFunction::new_closure(
            py,
            Some(c"_ferryman_forget"),
            None,
            move |args: &Bound<'_, PyTuple>, _kwargs| {
                // Only the weak reference this callback was made for: a later
                // `set` may have replaced it.
                let dead = args.get_item(0).ok();
                let mut held = slot.held.lock().unwrap_or_else(|e| e.into_inner());
                if let (Some(Held::Weak(weak)), Some(dead)) = (held.as_ref(), dead) {
                    if weak.as_ptr() == dead.as_ptr() {
                        held.take();
                        slot.address.store(ptr::null_mut(), Ordering::Relaxed);
                    }
                }
            },
        )?;
        let held = match PyWeakrefReference::new_with(object, forget) {
            Ok(weak) => Held::Weak(weak.unbind()),
            Err(_) => Held::Strong(object.clone().unbind()),
        };
        let old = {
            let mut slot = self.held.lock().unwrap_or_else(|e| e.into_inner());
            self.address.store(object.as_ptr(), Ordering::Relaxed);
            slot.replace(held)
        };
        // Dropped outside the lock.
        drop(old);
        Ok(())
    }

    /// The object, while it lives.
    pub(crate) fn get<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.as_ref()? {
            Held::Weak(weak) => weak.bind(py).upgrade(),
            Held::Strong(object) => Some(object.bind(py).clone()),
        }
    }

    /// The object's address while it lives, else null; no reference is
    /// taken, so it is for comparing (or using at once) with the GIL held.
    #[inline]
    pub(crate) fn address(&self, _py: Python<'_>) -> *mut ffi::PyObject {
        self.address.load(Ordering::Relaxed)
    }
}
