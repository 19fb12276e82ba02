//! `ferryman.RustObject`: the base of every library class (`lib.Counter`),
//! and its instances as values: a handle to a Rust object (`spec/wire.md`,
//! "Objects", extension 5) of one library.
//!
//! Made with `PyType_FromSpec` (like `calls/function_object.rs`) so that the
//! Python layer can subclass it once per class with `type(...)` and this
//! module can make instances of those subclasses without running any
//! `__init__`. An instance holds no Python references (it is not garbage
//! collected, only reference counted); it owns one handle, released when the
//! instance goes, or earlier by `close()` / `with`.

use std::ffi::{c_int, c_void};
use std::mem::offset_of;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::ffi::host_registration::HostRegistration;
use crate::state::python_classes::{self, PyName};
use crate::state::{gil_policy, log_queue, shutdown};

/// The wire's object extension: `ext 8`, 12 bytes, type 5.
const OBJECT_HEADER: [u8; 3] = [0xc7, 0x0c, 0x05];

/// The C layout of an instance (of the base or of a library's class).
#[repr(C)]
struct ObjectLayout {
    base: ffi::PyObject,
    weaklist: *mut ffi::PyObject,
    /// The library the handle belongs to; `None` only in an instance made
    /// some other way than [`wrap`] (which the type refuses).
    registration: Option<&'static HostRegistration>,
    /// The library's handle; 0 once released (closed).
    handle: u64,
    /// Its class id in the library's describe.
    class_id: u32,
}

/// The layout of an instance of a class with the `hash` protocol: the base's,
/// and the hash its `__hash__` last gave, kept for after `close()` (a set or
/// dict holding the object must still find it: Python's rule that a hash
/// never changes). Only these classes are the larger size.
#[repr(C)]
struct HashedObjectLayout {
    object: ObjectLayout,
    /// The hash plus one (wrapping): 0, as allocated, until `__hash__`
    /// answered (a hash is never -1).
    last_hash_plus_one: ffi::Py_hash_t,
}

/// What an object argument is, read from an instance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObjectRef {
    pub(crate) registration: Option<&'static HostRegistration>,
    /// 0 when closed.
    pub(crate) handle: u64,
    pub(crate) class_id: u32,
}

/// The base type, created once when the module is initialised.
static TYPE: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(ptr::null_mut());

/// Creates the base type `ferryman._native.RustObject` (once per process).
pub(crate) fn create_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let existing = TYPE.load(Ordering::Acquire);
    if !existing.is_null() {
        // SAFETY: a type object made below and never freed (the static holds a reference).
        return Ok(unsafe { Bound::from_borrowed_ptr(py, existing.cast()) });
    }
    let members = Box::leak(Box::new([
        ffi::PyMemberDef {
            name: c"__weaklistoffset__".as_ptr(),
            type_code: ffi::Py_T_PYSSIZET,
            offset: offset_of!(ObjectLayout, weaklist) as ffi::Py_ssize_t,
            flags: ffi::Py_READONLY,
            doc: ptr::null(),
        },
        ffi::PyMemberDef::default(),
    ]));
    let methods = Box::leak(Box::new([
        method(
            c"close",
            ffi::PyMethodDefPointer { PyCFunction: close },
            ffi::METH_NOARGS,
            c"close(self)\n--\n\nReleases the Rust object now (it is dropped when no one \
              else holds it); any later use raises ferryman.ClosedObjectError. Closing \
              twice does nothing.",
        ),
        method(
            c"__enter__",
            ffi::PyMethodDefPointer { PyCFunction: enter },
            ffi::METH_NOARGS,
            c"Returns the object itself.",
        ),
        method(
            c"__exit__",
            ffi::PyMethodDefPointer { PyCFunction: exit },
            ffi::METH_VARARGS,
            c"Closes the object.",
        ),
        method(
            c"__copy__",
            ffi::PyMethodDefPointer { PyCFunction: copy },
            ffi::METH_NOARGS,
            c"Another Python object for the same Rust object (a new handle).",
        ),
        method(
            c"__reduce__",
            ffi::PyMethodDefPointer {
                PyCFunction: reduce,
            },
            ffi::METH_NOARGS,
            c"Refused: a Rust object cannot be pickled.",
        ),
        method(
            c"__reduce_ex__",
            ffi::PyMethodDefPointer {
                PyCFunction: reduce,
            },
            ffi::METH_O,
            c"Refused: a Rust object cannot be pickled.",
        ),
        ffi::PyMethodDef::zeroed(),
    ]));
    let getset = Box::leak(Box::new([
        ffi::PyGetSetDef {
            name: c"closed".as_ptr(),
            get: Some(get_closed),
            set: None,
            doc: c"Whether the object was closed (its handle released).".as_ptr(),
            closure: ptr::null_mut(),
        },
        ffi::PyGetSetDef::default(),
    ]));
    let slots = Box::leak(Box::new([
        slot(ffi::Py_tp_new, new as *mut c_void),
        slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_methods, methods.as_mut_ptr().cast()),
        slot(ffi::Py_tp_getset, getset.as_mut_ptr().cast()),
        slot(
            ffi::Py_tp_doc,
            c"An object of a class exported by a ferryman library (the base of every \
              `lib.<Class>`): a handle to a Rust value, released when the object goes \
              or by close() / with."
                .as_ptr()
                .cast_mut()
                .cast(),
        ),
        ffi::PyType_Slot {
            slot: 0,
            pfunc: ptr::null_mut(),
        },
    ]));
    let mut spec = ffi::PyType_Spec {
        name: c"ferryman.RustObject".as_ptr(),
        basicsize: c_int::try_from(size_of::<ObjectLayout>()).expect("a small struct"),
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: `spec` and everything it points to are valid; the arrays are
    // leaked, so they outlive the type as CPython requires.
    let made = unsafe { ffi::PyType_FromSpec(&mut spec) };
    // SAFETY: a new reference or null with an exception set.
    let made = unsafe { Bound::from_owned_ptr_or_err(py, made) }?;
    TYPE.store(made.clone().into_ptr().cast(), Ordering::Release);
    Ok(made)
}

/// `ferryman_fixture.Counter`: a new subclass of the base for one exported
/// class of a library (the Python layer adds its members). Made from a spec,
/// not with `type(...)`, so that instances are not tracked by the garbage
/// collector (they hold no references); like the base, it has no `__dict__`.
/// A `hashed` class (the `hash` protocol) has room for its last hash
/// ([`HashedObjectLayout`]).
#[pyfunction]
#[pyo3(signature = (module, name, hashed = false))]
pub(crate) fn object_class<'py>(
    py: Python<'py>,
    module: &str,
    name: &str,
    hashed: bool,
) -> PyResult<Bound<'py, PyType>> {
    let base = create_type(py)?;
    let qualified = std::ffi::CString::new(format!("{module}.{name}"))
        .map_err(|_| PyTypeError::new_err("a class name with a NUL character"))?;
    // CPython keeps pointing at the name: it lives as long as the process.
    let qualified: &'static std::ffi::CStr = Box::leak(qualified.into_boxed_c_str());
    let slots = Box::leak(Box::new([ffi::PyType_Slot {
        slot: 0,
        pfunc: ptr::null_mut(),
    }]));
    // Final, like `bool`: a Python subclass would get instances of this
    // class from the constructor (it makes them itself), so `class
    // Named(lib.Counter)` is refused ("not an acceptable base type").
    let basicsize = if hashed {
        c_int::try_from(size_of::<HashedObjectLayout>()).expect("a small struct")
    } else {
        0 // the base's
    };
    let mut spec = ffi::PyType_Spec {
        name: qualified.as_ptr(),
        basicsize,
        itemsize: 0,
        flags: ffi::Py_TPFLAGS_DEFAULT as _,
        slots: slots.as_mut_ptr(),
    };
    let bases = pyo3::types::PyTuple::new(py, [base])?;
    // SAFETY: `spec` and what it points to outlive the type (leaked above);
    // `bases` is a live tuple of one type. The result is a new reference or
    // null with an exception set.
    let made = unsafe { ffi::PyType_FromSpecWithBases(&mut spec, bases.as_ptr()) };
    // SAFETY: as above.
    let made = unsafe { Bound::from_owned_ptr_or_err(py, made) }?;
    made.cast_into::<PyType>().map_err(PyErr::from)
}

fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

fn method(
    name: &'static std::ffi::CStr,
    meth: ffi::PyMethodDefPointer,
    flags: c_int,
    doc: &'static std::ffi::CStr,
) -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: meth,
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

/// The object behind `ptr`, when it is a `RustObject`.
///
/// # Safety
/// `ptr` is a live object and the GIL is held.
#[inline]
pub(crate) unsafe fn object_ref(ptr: *mut ffi::PyObject) -> Option<ObjectRef> {
    let base = TYPE.load(Ordering::Relaxed);
    // SAFETY: `ptr` is live (contract above); only instances of the base
    // type and its subclasses have its layout.
    unsafe {
        let type_object = ffi::Py_TYPE(ptr);
        if base.is_null() || (type_object != base && ffi::PyType_IsSubtype(type_object, base) == 0)
        {
            return None;
        }
        let raw = ptr.cast::<ObjectLayout>();
        Some(ObjectRef {
            registration: (*raw).registration,
            handle: (*raw).handle,
            class_id: (*raw).class_id,
        })
    }
}

/// Whether `class` was made `hashed` by [`object_class`] (its instances have
/// room for their last hash), read from its size; once per class, at load.
pub(crate) fn is_hashed_class(class: &Bound<'_, PyAny>) -> bool {
    class
        .getattr("__basicsize__")
        .and_then(|size| size.extract::<usize>())
        .is_ok_and(|size| size == size_of::<HashedObjectLayout>())
}

/// The hashed layout of `object` when it is an instance of `class`, a class
/// made `hashed` by [`object_class`] (the caller knows which).
///
/// # Safety
/// `object` is live and the GIL is held; `class` is null or a hashed class.
unsafe fn hashed_layout(
    object: *mut ffi::PyObject,
    class: *mut ffi::PyObject,
) -> Option<*mut HashedObjectLayout> {
    // SAFETY: `object` is live (contract above); exported classes cannot be
    // subclassed, so an instance of exactly `class` has its layout.
    let exact = !class.is_null() && unsafe { ffi::Py_TYPE(object) } == class.cast();
    exact.then(|| object.cast::<HashedObjectLayout>())
}

/// Keeps `result`, what the `__hash__` of `class` (made `hashed`) answered
/// for `object`, as a value that gives the same hash again: CPython makes a
/// hash of an int result that fits `Py_hash_t` itself (-1 becoming -2), and
/// hashes a larger one (`slot_tp_hash`).
///
/// # Safety
/// `object` and `result` are live, the GIL is held, and `class` is null or a
/// class made `hashed` by [`object_class`].
pub(crate) unsafe fn remember_hash(
    object: *mut ffi::PyObject,
    class: *mut ffi::PyObject,
    result: *mut ffi::PyObject,
) {
    // SAFETY: per this function's contract.
    unsafe {
        let Some(layout) = hashed_layout(object, class) else {
            return;
        };
        if ffi::PyLong_Check(result) == 0 {
            return;
        }
        let mut hash = ffi::PyLong_AsSsize_t(result);
        if hash == -1 && !ffi::PyErr_Occurred().is_null() {
            ffi::PyErr_Clear();
            hash = ffi::PyObject_Hash(result);
        }
        let hash = if hash == -1 { -2 } else { hash };
        (*layout).last_hash_plus_one = hash.wrapping_add(1);
    }
}

/// The hash [`remember_hash`] kept for `object`, once it is closed.
///
/// # Safety
/// As for [`remember_hash`].
pub(crate) unsafe fn closed_object_hash(
    object: *mut ffi::PyObject,
    class: *mut ffi::PyObject,
) -> Option<ffi::Py_hash_t> {
    // SAFETY: per this function's contract.
    unsafe {
        let layout = hashed_layout(object, class)?;
        let kept = (*layout).last_hash_plus_one;
        ((*layout).object.handle == 0 && kept != 0).then(|| kept.wrapping_sub(1))
    }
}

/// Appends extension 5 for `object` (which must be open), in one copy.
#[inline]
pub(crate) fn encode_object(out: &mut Vec<u8>, object: ObjectRef) {
    let mut bytes = [0; 15];
    bytes[..3].copy_from_slice(&OBJECT_HEADER);
    bytes[3..7].copy_from_slice(&object.class_id.to_be_bytes());
    bytes[7..].copy_from_slice(&object.handle.to_be_bytes());
    out.extend_from_slice(&bytes);
}

/// A method's receiver: appends extension 5 when `ptr` is an open object whose
/// Python type is exactly class `class_id` of `registration` (one pointer
/// compare instead of the subtype walk and the scope look-up of
/// [`object_ref`] and the encoder). `false`, having written nothing, for
/// anything else, which the general path handles (and explains).
///
/// # Safety
/// `ptr` is a live object and the GIL is held.
#[inline(always)]
pub(crate) unsafe fn encode_receiver(
    py: Python<'_>,
    out: &mut Vec<u8>,
    ptr: *mut ffi::PyObject,
    registration: &'static HostRegistration,
    class_id: u32,
) -> bool {
    let class = registration.class_address(py, class_id);
    // SAFETY: `ptr` is live (contract above). `set_classes` accepts only
    // subclasses of the base, so an instance of `class` has the base's layout
    // (a null `class`, one no longer alive, is no object's type).
    unsafe {
        if class.is_null() || ffi::Py_TYPE(ptr) != class.cast::<ffi::PyTypeObject>() {
            return false;
        }
        let raw = ptr.cast::<ObjectLayout>();
        let object = ObjectRef {
            registration: (*raw).registration,
            handle: (*raw).handle,
            class_id: (*raw).class_id,
        };
        if object.handle == 0
            || !object
                .registration
                .is_some_and(|own| ptr::eq(own, registration))
        {
            return false;
        }
        encode_object(out, object);
        true
    }
}

/// Whether `class` is a subclass of the base type (what `set_classes` takes).
pub(crate) fn is_object_class(class: &Bound<'_, PyAny>) -> bool {
    let base = TYPE.load(Ordering::Acquire);
    // SAFETY: `class` is live with the GIL held; `PyType_IsSubtype` is called
    // only on a type object.
    unsafe {
        !base.is_null()
            && ffi::PyType_Check(class.as_ptr()) != 0
            && ffi::PyType_IsSubtype(class.as_ptr().cast(), base) != 0
    }
}

/// The instance for handle `handle` of class `class_id` that the library
/// `registration` handed over (the host now owns it). `Err` says why it is
/// not one; the handle is released then.
pub(crate) fn wrap<'py>(
    py: Python<'py>,
    registration: &'static HostRegistration,
    class_id: u32,
    handle: u64,
) -> Result<Bound<'py, PyAny>, String> {
    if handle == 0 {
        return Err("an object with handle 0, which is never used".to_owned());
    }
    let class = registration.class_address(py, class_id);
    if class.is_null() {
        release(py, registration, handle);
        return Err(format!(
            "an object of class id {class_id}, which describe's `classes` does not list"
        ));
    }
    // SAFETY: `class` is a live subclass of the base type ([`object_class`]),
    // the GIL held since it was read; `PyType_GenericAlloc` returns a zeroed
    // instance (a new reference, holding one on its heap type) or null with
    // an exception.
    let made = unsafe { ffi::PyType_GenericAlloc(class.cast(), 0) };
    // SAFETY: as above.
    let object = match unsafe { Bound::from_owned_ptr_or_err(py, made) } {
        Ok(object) => object,
        Err(error) => {
            release(py, registration, handle);
            return Err(error.to_string());
        }
    };
    let raw = object.as_ptr().cast::<ObjectLayout>();
    // SAFETY: `raw` is the instance just allocated with the base's layout
    // (a class made by `object_class` adds nothing); no one saw it yet.
    unsafe {
        (*raw).registration = Some(registration);
        (*raw).handle = handle;
        (*raw).class_id = class_id;
    }
    Ok(object)
}

/// Releases `handle`, without the GIL when another thread could want it
/// (the Rust `Drop` may run here, and may wait for a thread that waits for
/// the GIL).
fn release(py: Python<'_>, registration: &'static HostRegistration, handle: u64) {
    if shutdown::shutting_down() {
        registration.object_release(handle);
        return;
    }
    if gil_policy::may_keep(py) {
        registration.object_release(handle);
    } else {
        py.detach(|| registration.object_release(handle));
    }
    log_queue::after_call(py);
}

/// Takes the handle out of an instance (leaving it closed) and releases it.
///
/// # Safety
/// `object` is a live instance of the base type or a subclass; the GIL is held.
unsafe fn close_raw(py: Python<'_>, object: *mut ffi::PyObject) {
    let raw = object.cast::<ObjectLayout>();
    // SAFETY: the caller's promise; the handle is taken before the release,
    // which may let other threads run, so no one releases it twice.
    let (registration, handle) =
        unsafe { ((*raw).registration, std::mem::take(&mut (*raw).handle)) };
    if let (Some(registration), true) = (registration, handle != 0) {
        release(py, registration, handle);
    }
}

/// `Counter`: the class name of an instance, for messages.
pub(crate) fn class_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// What a failed slot returns to CPython: the exception is set.
fn raise(py: Python<'_>, error: PyErr) -> *mut ffi::PyObject {
    error.restore(py);
    ptr::null_mut()
}

/// Runs a slot body with the GIL token, catching panics.
///
/// A slot takes its token with [`slot_token`].
fn guarded<'py>(
    py: Python<'py>,
    body: impl FnOnce(Python<'py>) -> PyResult<*mut ffi::PyObject>,
) -> *mut ffi::PyObject {
    catch_unwind(AssertUnwindSafe(|| {
        body(py).unwrap_or_else(|error| raise(py, error))
    }))
    .unwrap_or_else(|_| {
        raise(
            py,
            PyRuntimeError::new_err("ferryman itself panicked; please report this"),
        )
    })
}

/// The GIL token in a slot CPython calls (`tp_new`, `tp_dealloc`, a method, a
/// getter). `Python::attach` would find PyO3's attach count at 0 there (no
/// PyO3 frame is below a slot) and go through `PyGILState_Ensure`/`Release`:
/// ~170 instructions each in construct + drop (`bench/README.md`,
/// "Construct + drop: the deallocator").
///
/// # Safety
/// Called only in such a slot: CPython holds the GIL while it runs.
#[inline(always)]
unsafe fn slot_token() -> Python<'static> {
    // SAFETY: the GIL is held (this function's contract).
    unsafe { Python::assume_attached() }
}

/// `ferryman.ClosedObjectError` for using `object` in `what` (`Counter.__enter__()`).
fn closed_error(py: Python<'_>, object: &Bound<'_, PyAny>, what: &str) -> PyErr {
    let class = class_name(object);
    let message = format!(
        "{class}.{what}: the {class} object is closed (by close() or a with block); \
         it cannot be used any more"
    );
    match python_classes::get(py, PyName::ClosedObjectError) {
        Ok(class) => match class.call1((message,)) {
            Ok(exception) => PyErr::from_value(exception),
            Err(error) => error,
        },
        Err(error) => error,
    }
}

/// `lib.Counter(...)`: calls the class's constructor (the `Function`
/// `Counter.new`, which the Python layer stores as `_ferryman_new`); its
/// result is already an instance of the class.
unsafe extern "C" fn new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: CPython passes the live type being called.
        let class = unsafe { Bound::from_borrowed_ptr(py, subtype.cast()) };
        let class = class.cast_into::<PyType>().map_err(PyErr::from)?;
        if subtype == TYPE.load(Ordering::Relaxed) {
            return Err(PyTypeError::new_err(
                "cannot create ferryman.RustObject instances: call a library's class \
                 (lib.Counter(...)), or a function that returns its objects",
            ));
        }
        let Ok(constructor) = class.getattr(pyo3::intern!(py, "_ferryman_new")) else {
            // A Python subclass of `RustObject` (library classes are final).
            let name = class.name()?;
            return Err(PyTypeError::new_err(format!(
                "cannot create {name} objects: only the classes a ferryman library exports \
                 (lib.Counter) make Rust objects, and a subclass of ferryman.RustObject is not one"
            )));
        };
        if constructor.is_none() {
            let name = class.name()?;
            return Err(PyTypeError::new_err(format!(
                "cannot create {name} objects directly: its impl block has no `pub fn new`; \
                 get one from a function or static method that returns it"
            )));
        }
        // SAFETY: `args` is the call's tuple and `kwargs` a dict or null, both
        // live for the call; the result is a new reference or null.
        let made = unsafe { ffi::PyObject_Call(constructor.as_ptr(), args, kwargs) };
        if made.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(made)
    })
}

unsafe extern "C" fn dealloc(object: *mut ffi::PyObject) {
    let raw = object.cast::<ObjectLayout>();
    // SAFETY: CPython deallocates a live instance whose refcount reached zero:
    // weak references are cleared, the handle released, the memory freed with
    // the type's `tp_free`, and the reference every heap-type instance holds on
    // its type dropped (a subclass's `subtype_dealloc` leaves that to the
    // base, which is a heap type too).
    unsafe {
        if !(*raw).weaklist.is_null() {
            ffi::PyObject_ClearWeakRefs(object);
        }
        if (*raw).handle != 0 {
            // CPython deallocates with the GIL held.
            let py = slot_token();
            let closed = catch_unwind(AssertUnwindSafe(|| close_raw(py, object)));
            if closed.is_err() {
                (*raw).handle = 0;
            }
        }
        crate::values::heap_type::free_instance(object);
    }
}

unsafe extern "C" fn close(
    object: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a method of the base type, called on a live instance.
        unsafe { close_raw(py, object) };
        Ok(py.None().into_ptr())
    })
}

unsafe extern "C" fn enter(
    object: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a method of the base type, called on a live instance.
        let bound = unsafe { Bound::from_borrowed_ptr(py, object) };
        // SAFETY: as above.
        match unsafe { object_ref(object) } {
            Some(found) if found.handle != 0 => Ok(bound.into_ptr()),
            _ => Err(closed_error(py, &bound, "__enter__()")),
        }
    })
}

unsafe extern "C" fn exit(object: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a method of the base type, called on a live instance.
        unsafe { close_raw(py, object) };
        Ok(pyo3::types::PyBool::new(py, false).to_owned().into_ptr())
    })
}

unsafe extern "C" fn copy(object: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a method of the base type, called on a live instance.
        let bound = unsafe { Bound::from_borrowed_ptr(py, object) };
        // SAFETY: as above.
        let found = unsafe { object_ref(object) };
        let (Some(found), Some(registration)) = (found, found.and_then(|found| found.registration))
        else {
            return Err(PyTypeError::new_err("not a ferryman object"));
        };
        let Some(handle) = (found.handle != 0)
            .then(|| registration.object_clone(found.handle))
            .flatten()
        else {
            return Err(closed_error(py, &bound, "__copy__()"));
        };
        wrap(py, registration, found.class_id, handle)
            .map(Bound::into_ptr)
            .map_err(PyRuntimeError::new_err)
    })
}

unsafe extern "C" fn reduce(
    object: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a method of the base type, called on a live instance.
        let bound = unsafe { Bound::from_borrowed_ptr(py, object) };
        Err(PyTypeError::new_err(format!(
            "cannot pickle '{}' object: it is a handle to a Rust value that lives in this \
             process only (ferryman objects cannot be pickled or deep-copied)",
            class_name(&bound)
        )))
    })
}

unsafe extern "C" fn get_closed(object: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: a slot CPython calls with the GIL held.
    let py = unsafe { slot_token() };
    guarded(py, |py| {
        // SAFETY: a getter of the base type, called on a live instance.
        let closed = unsafe { object_ref(object) }.is_none_or(|found| found.handle == 0);
        Ok(pyo3::types::PyBool::new(py, closed).to_owned().into_ptr())
    })
}
