//! The end of every `tp_dealloc` of the binding's heap types (`Function`,
//! `Method`, `RustObject` and its per-library classes).

use pyo3::ffi;

/// Frees `object` with its type's `tp_free` and drops the reference every
/// heap-type instance holds on its type.
///
/// # Safety
/// `object` is an instance of a heap type whose refcount reached zero, inside
/// its type's `tp_dealloc`, after everything it owns was released; it is not
/// used afterwards.
pub(crate) unsafe fn free_instance(object: *mut ffi::PyObject) {
    // SAFETY: by the contract, `object` is a dying heap-type instance: its
    // type is live (the instance holds a reference to it), `tp_free` is the
    // deallocator that matches its allocation, and that reference is dropped
    // only after the memory is freed.
    unsafe {
        let type_object = ffi::Py_TYPE(object);
        let free = ffi::PyType_GetSlot(type_object, ffi::Py_tp_free);
        if !free.is_null() {
            let free: ffi::freefunc = std::mem::transmute(free);
            free(object.cast());
        }
        ffi::Py_DECREF(type_object.cast());
    }
}
