//! The Python type `ferryman._native.Function`, made with `PyType_FromSpec`
//! rather than `#[pyclass]` so that calls take the vectorcall protocol (PEP 590):
//! CPython hands the arguments over as a C array, with no tuple or dict built
//! and no `*args/**kwargs` parsing. PyO3 cannot declare `__vectorcalloffset__`
//! for a class (PyO3 issue #4252); the type is small enough to write by hand.
//!
//! An instance owns its [`Function`] (boxed), the error factory `on_error`, a
//! `__dict__` (where the Python layer puts `__name__`, `__doc__`,
//! `__signature__`, …) and a weak-reference list. It is garbage collected like
//! any container: `on_error` and the dict are visited and cleared.

use std::ffi::{c_int, c_ulong, c_void};
use std::mem::offset_of;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::calls::function::Function;
use crate::state::python_classes::{self, PyName};
use crate::values::object_value;

// Outside the limited API of 3.10 (in it from 3.12) but exported by every
// CPython this package supports; `PyType_FromSpec` honours the flag and the
// `__vectorcalloffset__` member since 3.9.
extern "C" {
    fn PyVectorcall_Call(
        callable: *mut ffi::PyObject,
        tuple: *mut ffi::PyObject,
        dict: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
}
const TPFLAGS_HAVE_VECTORCALL: c_ulong = 1 << 11;
/// The flag a caller may set in `nargsf` (it lends `args[-1]`).
const ARGUMENTS_OFFSET: usize = 1 << (usize::BITS - 1);

/// The C layout of an instance.
#[repr(C)]
struct FunctionObject {
    base: ffi::PyObject,
    /// `tp_vectorcall_offset` points here.
    vectorcall: Option<ffi::vectorcallfunc>,
    dict: *mut ffi::PyObject,
    weaklist: *mut ffi::PyObject,
    /// A strong reference (or null once cleared): `on_error(value) -> exception`.
    on_error: *mut ffi::PyObject,
    /// `Box::into_raw`, freed by `dealloc`; null only before construction ends.
    function: *mut Function,
}

/// The type object, created once when the module is initialised.
static TYPE: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(ptr::null_mut());

/// The method type (`ferryman._native.Method`): the same layout and calls,
/// plus `__get__` and `Py_TPFLAGS_METHOD_DESCRIPTOR`, so that `obj.add(1)`
/// calls it with `obj` as the first argument and no bound method made.
static METHOD_TYPE: AtomicPtr<ffi::PyTypeObject> = AtomicPtr::new(ptr::null_mut());

// Public CPython API outside the limited API, exported by every version.
extern "C" {
    fn PyMethod_New(function: *mut ffi::PyObject, object: *mut ffi::PyObject)
        -> *mut ffi::PyObject;
}
const TPFLAGS_METHOD_DESCRIPTOR: c_ulong = 1 << 17;

/// Creates the type (once per process; the module has no subinterpreter support).
pub(crate) fn create_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    make_type(py, false)
}

/// Creates the method type (once per process).
pub(crate) fn create_method_type(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    make_type(py, true)
}

fn make_type(py: Python<'_>, method: bool) -> PyResult<Bound<'_, PyAny>> {
    let store = if method { &METHOD_TYPE } else { &TYPE };
    let existing = store.load(Ordering::Acquire);
    if !existing.is_null() {
        // SAFETY: a type object made below and never freed (the static holds a reference).
        return Ok(unsafe { Bound::from_borrowed_ptr(py, existing.cast()) });
    }
    let members = Box::leak(Box::new([
        member(
            c"__vectorcalloffset__",
            offset_of!(FunctionObject, vectorcall),
        ),
        member(c"__dictoffset__", offset_of!(FunctionObject, dict)),
        member(c"__weaklistoffset__", offset_of!(FunctionObject, weaklist)),
        ffi::PyMemberDef::default(),
    ]));
    let getset = Box::leak(Box::new([
        getter(c"id", get_id, c"The function's id in its library."),
        getter(c"name", get_name, c"The Rust name of the function."),
        getter(
            c"parameters",
            get_parameters,
            c"The parameter names, in order.",
        ),
        getter(
            c"rust_types",
            get_rust_types,
            c"The Rust type of each parameter.",
        ),
        ffi::PyGetSetDef {
            name: c"__dict__".as_ptr(),
            get: Some(ffi::PyObject_GenericGetDict),
            set: Some(ffi::PyObject_GenericSetDict),
            doc: ptr::null(),
            closure: ptr::null_mut(),
        },
        ffi::PyGetSetDef::default(),
    ]));
    let slots = Box::leak(Box::new([
        slot(ffi::Py_tp_call, PyVectorcall_Call as *mut c_void),
        slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
        slot(ffi::Py_tp_traverse, traverse as *mut c_void),
        slot(ffi::Py_tp_clear, clear as *mut c_void),
        slot(ffi::Py_tp_repr, repr as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_getset, getset.as_mut_ptr().cast()),
        if method {
            slot(
                ffi::Py_tp_doc,
                c"A method of a class exported by a ferryman library: a function whose \
                  first parameter is the object (`self`)."
                    .as_ptr()
                    .cast_mut()
                    .cast(),
            )
        } else {
            slot(
                ffi::Py_tp_doc,
                c"A function exported by a ferryman library. Calls bind like Python \
                  functions whose parameters are all positional-or-keyword."
                    .as_ptr()
                    .cast_mut()
                    .cast(),
            )
        },
        slot(ffi::Py_tp_descr_get, descr_get as *mut c_void),
        ffi::PyType_Slot {
            slot: 0,
            pfunc: ptr::null_mut(),
        },
    ]));
    if !method {
        // Functions are not descriptors: the `Py_tp_descr_get` slot ends the list.
        let end = slots.len() - 2;
        slots[end] = ffi::PyType_Slot {
            slot: 0,
            pfunc: ptr::null_mut(),
        };
    }
    let name = if method {
        c"ferryman._native.Method"
    } else {
        c"ferryman._native.Function"
    };
    let descriptor = if method { TPFLAGS_METHOD_DESCRIPTOR } else { 0 };
    // Immutable: CPython 3.11+ specializes `obj.method(...)` (LOAD_METHOD)
    // only for descriptors of an immutable type; a mutable one costs a
    // type look-up per call.
    let mut spec = ffi::PyType_Spec {
        name: name.as_ptr(),
        basicsize: c_int::try_from(size_of::<FunctionObject>()).expect("a small struct"),
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT
            | ffi::Py_TPFLAGS_HAVE_GC
            | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION
            | TPFLAGS_HAVE_VECTORCALL
            | ffi::Py_TPFLAGS_IMMUTABLETYPE
            | descriptor) as _,
        slots: slots.as_mut_ptr(),
    };
    // SAFETY: `spec` and everything it points to are valid; the members, getset
    // and slot arrays are leaked, so they outlive the type as CPython requires.
    let made = unsafe { ffi::PyType_FromSpec(&mut spec) };
    // SAFETY: a new reference or null with an exception set.
    let made = unsafe { Bound::from_owned_ptr_or_err(py, made) }?;
    // Keep one reference in the static for as long as the process lives.
    store.store(made.clone().into_ptr().cast(), Ordering::Release);
    Ok(made)
}

/// `Counter.add` on the class is the method itself; on an object, a bound
/// method (calls through `obj.add(...)` skip this: the method flag).
unsafe extern "C" fn descr_get(
    descriptor: *mut ffi::PyObject,
    object: *mut ffi::PyObject,
    _type: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython passes the live descriptor and a live object or null;
    // `PyMethod_New` returns a new reference or null with an exception set.
    unsafe {
        if object.is_null() || object == ffi::Py_None() {
            ffi::Py_INCREF(descriptor);
            return descriptor;
        }
        PyMethod_New(descriptor, object)
    }
}

fn member(name: &'static std::ffi::CStr, offset: usize) -> ffi::PyMemberDef {
    ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_PYSSIZET,
        offset: offset as ffi::Py_ssize_t,
        flags: ffi::Py_READONLY,
        doc: ptr::null(),
    }
}

fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

fn getter(
    name: &'static std::ffi::CStr,
    get: ffi::getter,
    doc: &'static std::ffi::CStr,
) -> ffi::PyGetSetDef {
    ffi::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set: None,
        doc: doc.as_ptr(),
        closure: ptr::null_mut(),
    }
}

/// A new `Function` object owning `function`, raising through `on_error`.
pub(crate) fn new<'py>(
    py: Python<'py>,
    function: Function,
    on_error: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    make(py, function, on_error, &TYPE)
}

/// A new `Method` object (a function whose first parameter is `self`).
pub(crate) fn new_method<'py>(
    py: Python<'py>,
    function: Function,
    on_error: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    make(py, function, on_error, &METHOD_TYPE)
}

fn make<'py>(
    py: Python<'py>,
    function: Function,
    on_error: Bound<'py, PyAny>,
    store: &AtomicPtr<ffi::PyTypeObject>,
) -> PyResult<Bound<'py, PyAny>> {
    let type_object = store.load(Ordering::Acquire);
    if type_object.is_null() {
        return Err(PyRuntimeError::new_err(
            "ferryman._native is not initialised",
        ));
    }
    // SAFETY: `type_object` is our live type; `PyType_GenericAlloc` returns a
    // zeroed, GC-tracked instance (a new reference) or null with an exception.
    let object =
        unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(type_object, 0)) }?;
    let raw = object.as_ptr().cast::<FunctionObject>();
    let entry: ffi::vectorcallfunc = if function.is_hash_protocol() {
        vectorcall_hash
    } else {
        vectorcall
    };
    // SAFETY: `raw` is the instance just allocated with our layout; nothing has
    // seen it yet, and filling it runs no Python code (no collection can observe
    // a half-built object: every field is valid, null or set, at each step).
    unsafe {
        (*raw).on_error = on_error.into_ptr();
        (*raw).function = Box::into_raw(Box::new(function));
        (*raw).vectorcall = Some(entry);
    }
    Ok(object)
}

/// The `Function` inside `object`, if it is one of ours.
///
/// # Safety
/// `object` must be a live object, and the returned reference must not outlive it.
unsafe fn function_of<'a>(object: *mut ffi::PyObject) -> Option<&'a Function> {
    // SAFETY: `object` is live (contract above); only instances of our type have
    // our layout, and their `function` is set at construction and freed in dealloc.
    unsafe {
        let type_object = ffi::Py_TYPE(object);
        if type_object != TYPE.load(Ordering::Relaxed)
            && type_object != METHOD_TYPE.load(Ordering::Relaxed)
        {
            return None;
        }
        (*object.cast::<FunctionObject>()).function.as_ref()
    }
}

/// What a failed call returns to CPython: the exception is set.
fn raise(py: Python<'_>, error: PyErr) -> *mut ffi::PyObject {
    error.restore(py);
    ptr::null_mut()
}

/// [`raise`] for a call's boxed error, out of line: moving a `PyErr` out of
/// its box inside `vectorcall` was compiled into ~600 instructions of
/// unpacking its fields.
#[cold]
#[inline(never)]
#[allow(clippy::boxed_local)] // The box is the point: the caller never moves the `PyErr`.
fn raise_boxed(py: Python<'_>, error: Box<PyErr>) -> *mut ffi::PyObject {
    raise(py, *error)
}

/// The vectorcall entry point: `function(*args[..nargs], **dict(zip(kwnames, args[nargs..])))`.
///
/// CPython calls it with the GIL held. Like the object slots
/// (`object_value::slot_token`), it takes the token with
/// `Python::assume_attached` and catches panics itself instead of going
/// through PyO3's trampoline for fast calls: that trampoline, its attach
/// count (a thread-local) and the out-of-line call into the body were ~6 ns
/// of a ~83 ns method call (`bench/README.md`, "The call's own trampoline").
/// The attach count then stays 0 during the call, which changes only where a
/// `Py<T>` dropped meanwhile goes — PyO3's pool, emptied at its next attach
/// and whenever a call lets go of the GIL — and `Python::attach` in a callback
/// takes `PyGILState_Ensure`'s path, as it does anyway in a call that let go
/// of the GIL. The common path drops no `Py<T>`.
unsafe extern "C" fn vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // `nargsf` may carry PY_VECTORCALL_ARGUMENTS_OFFSET; the rest fits `Py_ssize_t`.
    let nargs = (nargsf & !ARGUMENTS_OFFSET) as ffi::Py_ssize_t;
    // SAFETY: CPython holds the GIL while it calls a vectorcall function.
    let py = unsafe { Python::assume_attached() };
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: CPython calls this with `callable` live and `args` holding
        // `nargs` positional values followed by one per name in `kwnames`.
        match unsafe { call(py, callable, args, nargs, kwnames) } {
            Ok(result) => result,
            Err(error) => raise_boxed(py, error),
        }
    }))
    .unwrap_or_else(|_| panicked())
}

/// [`vectorcall`] for a class's `__hash__`: the object keeps each answer, and
/// once closed answers with the last one instead of `ClosedObjectError`, so a
/// set or dict that holds it still finds it (`set.discard(obj)` after
/// `obj.close()`). An object closed before it was ever hashed is in no set.
unsafe extern "C" fn vectorcall_hash(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: forwarded from CPython's call, as `vectorcall` takes it.
    let result = unsafe { vectorcall(callable, args, nargsf, kwnames) };
    if nargsf & !ARGUMENTS_OFFSET == 0 {
        return result; // the receiver came by keyword: nothing to keep
    }
    // SAFETY: CPython holds the GIL while it calls a vectorcall function.
    let py = unsafe { Python::assume_attached() };
    // (`PyErr::take` resumes a `PanicException`: never unwind into CPython.)
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `callable` is this function's live object and `args[0]`,
        // the receiver, is live and borrowed for the call; `result` is a new
        // reference or null with an exception set. The class is null or one
        // with room for the hash.
        unsafe {
            let Some(function) = function_of(callable) else {
                return result;
            };
            let (receiver, class) = (*args, function.hashed_receiver_class(py));
            if !result.is_null() {
                object_value::remember_hash(receiver, class, result);
                return result;
            }
            let Some(hash) = object_value::closed_object_hash(receiver, class) else {
                return result;
            };
            // Taken before anything else runs Python (the class may be imported).
            let Some(error) = PyErr::take(py) else {
                return result;
            };
            let closed = python_classes::get(py, PyName::ClosedObjectError)
                .is_ok_and(|closed| error.is_instance(py, closed));
            if closed {
                return ffi::PyLong_FromSsize_t(hash);
            }
            raise(py, error)
        }
    }))
    .unwrap_or_else(|_| panicked())
}

/// The body of [`vectorcall`].
///
/// # Safety
/// As for a vectorcall function: the GIL is held, `callable` is live, `args`
/// holds `nargs` positional values followed by one per name in `kwnames` (a
/// tuple of str, or null), all borrowed for the duration of the call.
unsafe fn call(
    py: Python<'_>,
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> Result<*mut ffi::PyObject, Box<PyErr>> {
    // SAFETY: `callable` is the live object being called (contract above).
    let Some(function) = (unsafe { function_of(callable) }) else {
        return Err(Box::new(PyTypeError::new_err("not a ferryman function")));
    };
    // SAFETY: set at construction; null only after `tp_clear`.
    let on_error = unsafe { (*callable.cast::<FunctionObject>()).on_error };
    if on_error.is_null() {
        return Err(Box::new(PyRuntimeError::new_err(
            "this ferryman function was cleared",
        )));
    }
    // SAFETY: a live object the instance holds a reference to for the call
    // (borrowed: no reference counting on the hot path).
    let on_error = unsafe { pyo3::Borrowed::from_ptr(py, on_error) };
    let nargs = usize::try_from(nargs).unwrap_or(0);
    // SAFETY: forwarded from this function's contract.
    let result = unsafe { function.call(py, &on_error, args, nargs, kwnames) };
    result.map(Bound::into_ptr)
}

/// A panic inside the bridge: never unwind into CPython.
#[cold]
fn panicked() -> *mut ffi::PyObject {
    Python::attach(|py| {
        raise(
            py,
            PyRuntimeError::new_err("ferryman itself panicked; please report this"),
        )
    })
}

/// Runs a getter body with the GIL token, catching panics.
fn guarded(
    object: *mut ffi::PyObject,
    body: impl for<'py> FnOnce(Python<'py>, &Function) -> PyResult<Bound<'py, PyAny>>,
) -> *mut ffi::PyObject {
    // CPython calls slots and getters with the GIL held, but PyO3's attach
    // count is 0 there, so `attach` takes `PyGILState_Ensure`'s path: fine
    // for the getters (`name`, `id`, ...) and `repr`, which no call uses; the
    // objects' hot slots take `object_value::slot_token` instead.
    catch_unwind(AssertUnwindSafe(|| {
        Python::attach(|py| {
            // SAFETY: `object` is the live instance the slot was called for.
            match unsafe { function_of(object) } {
                Some(function) => {
                    body(py, function).map_or_else(|error| raise(py, error), Bound::into_ptr)
                }
                None => raise(py, PyTypeError::new_err("not a ferryman function")),
            }
        })
    }))
    .unwrap_or_else(|_| panicked())
}

unsafe extern "C" fn get_id(object: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    guarded(object, |py, function| {
        Ok(function.id().into_pyobject(py)?.into_any())
    })
}

unsafe extern "C" fn get_name(object: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    guarded(object, |py, function| {
        Ok(function.name().into_pyobject(py)?.into_any())
    })
}

unsafe extern "C" fn get_parameters(
    object: *mut ffi::PyObject,
    _: *mut c_void,
) -> *mut ffi::PyObject {
    guarded(object, |py, function| {
        Ok(PyTuple::new(py, function.params())?.into_any())
    })
}

unsafe extern "C" fn get_rust_types(
    object: *mut ffi::PyObject,
    _: *mut c_void,
) -> *mut ffi::PyObject {
    guarded(object, |py, function| {
        Ok(PyTuple::new(py, function.rust_types())?.into_any())
    })
}

/// `<ferryman function divide(a: int, b: int) -> int>`: the text the Python
/// layer stores as `_ferryman_repr`, or the bare name.
unsafe extern "C" fn repr(object: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guarded(object, |py, function| {
        // SAFETY: `object` is live for the duration of the slot call.
        let bound = unsafe { Bound::from_borrowed_ptr(py, object) };
        let text = bound
            .getattr(pyo3::intern!(py, "_ferryman_repr"))
            .and_then(|text| text.extract::<String>())
            .unwrap_or_else(|_| format!("<ferryman function {}>", function.name()));
        Ok(text.into_pyobject(py)?.into_any())
    })
}

unsafe extern "C" fn traverse(
    object: *mut ffi::PyObject,
    visit: ffi::visitproc,
    arg: *mut c_void,
) -> c_int {
    let raw = object.cast::<FunctionObject>();
    // SAFETY: the collector calls this for a live instance of our type; `visit`
    // is called on each (possibly null-checked) reference the instance owns.
    unsafe {
        for field in [(*raw).dict, (*raw).on_error] {
            if !field.is_null() {
                let result = visit(field, arg);
                if result != 0 {
                    return result;
                }
            }
        }
    }
    0
}

unsafe extern "C" fn clear(object: *mut ffi::PyObject) -> c_int {
    let raw = object.cast::<FunctionObject>();
    // SAFETY: a live instance of our type; each field is nulled before its
    // reference is dropped, so re-entrant code never sees a dangling pointer.
    unsafe {
        for field in [&raw mut (*raw).dict, &raw mut (*raw).on_error] {
            let old = std::mem::replace(&mut *field, ptr::null_mut());
            if !old.is_null() {
                ffi::Py_DECREF(old);
            }
        }
    }
    0
}

unsafe extern "C" fn dealloc(object: *mut ffi::PyObject) {
    let raw = object.cast::<FunctionObject>();
    // SAFETY: CPython deallocates a live instance of our type whose refcount
    // reached zero: untrack it, drop what it owns, free it with the type's
    // `tp_free`, and drop the reference every heap-type instance holds on its type.
    unsafe {
        ffi::PyObject_GC_UnTrack(object.cast());
        if !(*raw).weaklist.is_null() {
            ffi::PyObject_ClearWeakRefs(object);
        }
        clear(object);
        let function = std::mem::replace(&mut (*raw).function, ptr::null_mut());
        if !function.is_null() {
            drop(Box::from_raw(function));
        }
        crate::values::heap_type::free_instance(object);
    }
}
