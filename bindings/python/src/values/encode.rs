//! Python objects → MessagePack, straight into the call's argument buffer.

use crate::state::call_scope;
use crate::values::callables::encode_callable;
use crate::values::encode_error::{EncodeError, Located, Step};
use crate::values::ints::{self, Ints};
use crate::values::limits::MAX_DEPTH;
use crate::values::native_values::{self, Native};
use crate::values::object_value::{self, ObjectRef};
use ferryman_wire::scalar;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple,
};
use std::ptr;

type Result<T> = std::result::Result<T, Located>;

/// Appends `value` to `out` as one MessagePack value; an `int` beyond 64 bits
/// is refused.
pub(crate) fn encode(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> Result<()> {
    encode_at::<false>(out, value, 0)
}

/// As [`encode`], for a value whose integers may be as wide as `ints` says
/// (up to 128 bits: extension 4 beyond 64).
pub(crate) fn encode_with(out: &mut Vec<u8>, value: &Bound<'_, PyAny>, ints: Ints) -> Result<()> {
    match ints {
        Ints::Bits64 => encode_at::<false>(out, value, 0),
        Ints::Bits128 => encode_at::<true>(out, value, 0),
    }
}

/// Appends the header of an array of `len` elements.
pub(crate) fn array_header(out: &mut Vec<u8>, len: usize) -> Result<()> {
    let len = u32::try_from(len).map_err(|_| {
        EncodeError::Invalid(format!(
            "a sequence of {len} elements, more than an array holds"
        ))
    })?;
    written(rmp::encode::write_array_len(out, len))
}

/// One value; `WIDE`: an `int` of up to 128 bits is sent as extension 4 (a
/// constant, so that choosing costs nothing per value).
fn encode_at<const WIDE: bool>(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
    depth: usize,
) -> Result<()> {
    if encode_exact_scalar(out, value) {
        return Ok(());
    }
    if value.is_none() {
        rmp::encode::write_nil(out).map_err(io_error)?;
    } else if let Ok(flag) = value.cast::<PyBool>() {
        rmp::encode::write_bool(out, flag.is_true()).map_err(io_error)?;
    } else if value.is_instance_of::<PyInt>() {
        encode_int::<WIDE>(out, value)?;
    } else if let Ok(float) = value.cast::<PyFloat>() {
        written(rmp::encode::write_f64(out, float.value()))?;
    } else if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_str().map_err(|_| {
            EncodeError::Invalid(
                "a str that is not valid Unicode (it holds a lone surrogate)".into(),
            )
        })?;
        let len = length(text.len(), "str")?;
        written(rmp::encode::write_str_len(out, len))?;
        out.extend_from_slice(text.as_bytes());
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        binary(out, bytes.as_bytes())?;
    } else if let Ok(list) = value.cast::<PyList>() {
        list_items::<WIDE>(out, list, depth)?;
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        sequence::<WIDE>(out, tuple.len(), tuple.iter(), depth)?;
    } else if let Ok(dict) = value.cast::<PyDict>() {
        dict_items::<WIDE>(out, dict, depth)?;
    } else if let Ok(array) = value.cast::<PyByteArray>() {
        binary(out, &array.to_vec())?;
    } else if value.is_instance_of::<PySet>() || value.is_instance_of::<PyFrozenSet>() {
        let items: Vec<_> = value.try_iter()?.collect::<PyResult<_>>()?;
        sequence::<WIDE>(out, items.len(), items.into_iter(), depth)?;
    // SAFETY: `value` keeps the object alive and proves the GIL is held.
    } else if let Some(object) = unsafe { object_value::object_ref(value.as_ptr()) } {
        encode_rust_object(out, value, object)?;
    } else if value.is_callable() {
        // A host object (extension 1) or a library closure (extension 2).
        encode_callable(out, value)?;
    } else {
        match native_values::native(out, value)? {
            Native::Written => {}
            // A path, a time, a dataclass… goes as what it stands for.
            Native::Instead(instead) => encode_at::<WIDE>(out, &instead, depth + 1)?,
            Native::Unknown => match as_index(value)? {
                // An integer that is not an `int`: its `__index__`.
                Some(index) => encode_int::<WIDE>(out, &index)?,
                None => {
                    // Qualified unless a builtin: numpy's `bool` is `numpy.bool`,
                    // not a puzzling "type 'bool' (expected bool)".
                    let name = value
                        .get_type()
                        .fully_qualified_name()
                        .map(|name| name.to_string())
                        .unwrap_or_else(|_| "?".into());
                    return Err(EncodeError::Unsupported(name).into());
                }
            },
        }
    }
    Ok(())
}

/// The common exact types (`int`, `float`, `str`, `bytes`), straight through the C
/// API: about a third of the generic path's cost. `false` when `value` is not one
/// of them (or an `int` outside 64 bits), for the generic path to handle.
#[inline]
pub(crate) fn encode_exact_scalar(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `value` keeps the object alive and proves the GIL is held.
    unsafe { encode_exact_ptr(out, value.as_ptr()) }
}

/// An exact `int` that fits in `i64`, the most common argument: inlined into
/// the argument loop ahead of [`encode_exact_ptr`]. `false` for anything else.
///
/// # Safety
/// As [`encode_exact_ptr`].
#[inline(always)]
pub(crate) unsafe fn encode_exact_int(out: &mut Vec<u8>, ptr: *mut ffi::PyObject) -> bool {
    // SAFETY: `ptr` is live with the GIL held (contract above); the exact-type
    // check makes the conversion valid for it.
    unsafe {
        if ffi::PyLong_CheckExact(ptr) == 0 {
            return false;
        }
        let mut overflow = 0;
        let n = ffi::PyLong_AsLongLongAndOverflow(ptr, &mut overflow);
        if overflow != 0 {
            return false;
        }
        scalar::int(n).append_to(out);
        true
    }
}

/// [`encode_exact_scalar`] on a raw (possibly borrowed) object pointer.
///
/// # Safety
/// `ptr` must point to a live object for the duration of the call, with the GIL
/// held. Nothing here runs Python code (exact types only), so a borrowed
/// reference stays valid throughout.
#[inline]
pub(crate) unsafe fn encode_exact_ptr(out: &mut Vec<u8>, ptr: *mut ffi::PyObject) -> bool {
    // SAFETY: `ptr` is live (contract above); the exact-type checks make each
    // following call valid for it, and the UTF-8 and bytes buffers belong to the
    // object, which outlives the copy.
    unsafe {
        if ffi::PyLong_CheckExact(ptr) != 0 {
            // `false` for an int outside 64 bits: the generic path.
            encode_exact_int(out, ptr)
        } else if ffi::PyFloat_CheckExact(ptr) != 0 {
            scalar::f64(ffi::PyFloat_AsDouble(ptr)).append_to(out);
            true
        } else if ffi::PyUnicode_CheckExact(ptr) != 0 {
            let mut len: ffi::Py_ssize_t = 0;
            let data = ffi::PyUnicode_AsUTF8AndSize(ptr, &mut len);
            if data.is_null() {
                // Lone surrogates: let the generic path explain.
                ffi::PyErr_Clear();
                return false;
            }
            let Ok(len32) = u32::try_from(len) else {
                return false;
            };
            scalar::str_header(len32).append_to(out);
            out.extend_from_slice(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
            true
        } else if ffi::PyBytes_CheckExact(ptr) != 0 {
            let data = ffi::PyBytes_AsString(ptr);
            let len = ffi::PyBytes_Size(ptr);
            let Ok(len32) = u32::try_from(len) else {
                return false;
            };
            scalar::bin_header(len32).append_to(out);
            out.extend_from_slice(std::slice::from_raw_parts(data.cast::<u8>(), len as usize));
            true
        } else if ffi::PyList_CheckExact(ptr) != 0
            || ffi::PyDict_CheckExact(ptr) != 0
            || ffi::PyTuple_CheckExact(ptr) != 0
            || ptr == ffi::Py_None()
            || ffi::PyBool_Check(ptr) != 0
        {
            // The generic path's; answered before the subtype walk of `object_ref`.
            false
        } else if let Some(object) = object_value::object_ref(ptr) {
            // An open object of the library being called (the common case);
            // anything else is for the generic path to explain.
            if object.handle == 0 || !same_library(object) {
                return false;
            }
            object_value::encode_object(out, object);
            true
        } else {
            false
        }
    }
}

/// Whether `object` belongs to the library the value is being encoded for.
#[inline]
fn same_library(object: ObjectRef) -> bool {
    match (object.registration, call_scope::current_registration()) {
        (Some(own), Some(current)) => ptr::eq(own, current) || own.same_as(current),
        _ => false,
    }
}

/// A Rust object (extension 5): borrowed by the call, which the caller's
/// reference keeps alive; a closed one or one of another library is refused.
fn encode_rust_object(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
    object: ObjectRef,
) -> Result<()> {
    let class = object_value::class_name(value);
    if object.handle == 0 {
        return Err(EncodeError::Closed(class).into());
    }
    if !same_library(object) {
        return Err(
            EncodeError::Unsupported(format!("a {class} object of another library")).into(),
        );
    }
    object_value::encode_object(out, object);
    Ok(())
}

/// A list's items, by index (no iterator object), each through the fast path first.
fn list_items<const WIDE: bool>(
    out: &mut Vec<u8>,
    list: &Bound<'_, PyList>,
    depth: usize,
) -> Result<()> {
    deeper(depth)?;
    let len = list.len();
    array_header(out, len)?;
    for index in 0..len {
        // Exact scalars straight from the list's borrowed item: no reference
        // counting, and no Python code runs, so the list cannot change meanwhile.
        // SAFETY: `list` is alive and the GIL held; `PyList_GetItem` returns a
        // borrowed reference or NULL past the end.
        let borrowed = unsafe { ffi::PyList_GetItem(list.as_ptr(), index as ffi::Py_ssize_t) };
        // An int is checked inline first: a call per item cost a list of
        // 10,000 ints ~10% (`bench/README.md`, "Lists of ints").
        if !borrowed.is_null()
            // SAFETY: non-null `borrowed` is a live item of `list` (see above).
            && unsafe { encode_exact_int(out, borrowed) || encode_exact_ptr(out, borrowed) }
        {
            continue;
        }
        if borrowed.is_null() {
            // SAFETY: `PyList_GetItem` set IndexError; the message below replaces it.
            unsafe { ffi::PyErr_Clear() };
        }
        // The list may shrink while an item's encoding runs Python code.
        let item = list.get_item(index).map_err(|_| {
            Located::from(EncodeError::Invalid(
                "a list that changed size while it was being sent".into(),
            ))
        })?;
        encode_at::<WIDE>(out, &item, depth + 1)
            .map_err(|error| error.inside(Step::Index(index)))?;
    }
    if list.len() != len {
        return Err(EncodeError::Invalid(
            "a list that changed size while it was being sent".into(),
        )
        .into());
    }
    Ok(())
}

/// A dict's items, by `PyDict_Next` (no iterator object, no snapshot: pyo3's
/// dict iterator panics when the dict changes under it, and encoding an item
/// may run Python code that changes it); a change of size is refused like a
/// list's, checked after every item.
fn dict_items<const WIDE: bool>(
    out: &mut Vec<u8>,
    dict: &Bound<'_, PyDict>,
    depth: usize,
) -> Result<()> {
    deeper(depth)?;
    let changed = || {
        Located::from(EncodeError::Invalid(
            "a dict that changed size while it was being sent".into(),
        ))
    };
    let py = dict.py();
    let len = dict.len();
    let header =
        u32::try_from(len).map_err(|_| EncodeError::Invalid("a dict that is too large".into()))?;
    written(rmp::encode::write_map_len(out, header))?;
    let mut position: ffi::Py_ssize_t = 0;
    let (mut key, mut item) = (ptr::null_mut(), ptr::null_mut());
    let mut count = 0;
    // SAFETY: the GIL is held and `dict` is a dict. `PyDict_Next` bounds-checks
    // `position` against the dict's current entries, so it stays sound after
    // a change (which is then refused below); the borrowed key and value
    // become owned references before any Python code can run.
    while unsafe { ffi::PyDict_Next(dict.as_ptr(), &mut position, &mut key, &mut item) } != 0 {
        // SAFETY: as above: live borrowed references, owned from here.
        let (key, item) = unsafe {
            (
                Bound::from_borrowed_ptr(py, key),
                Bound::from_borrowed_ptr(py, item),
            )
        };
        count += 1;
        encode_at::<WIDE>(out, &key, depth + 1).map_err(|error| error.inside(key_step(&key)))?;
        encode_at::<WIDE>(out, &item, depth + 1).map_err(|error| error.inside(key_step(&key)))?;
        if dict.len() != len {
            return Err(changed());
        }
    }
    if count != len {
        return Err(changed());
    }
    Ok(())
}

fn sequence<'py, const WIDE: bool>(
    out: &mut Vec<u8>,
    len: usize,
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
) -> Result<()> {
    deeper(depth)?;
    array_header(out, len)?;
    let mut count = 0;
    for (index, item) in items.enumerate() {
        encode_at::<WIDE>(out, &item, depth + 1)
            .map_err(|error| error.inside(Step::Index(index)))?;
        count += 1;
    }
    if count != len {
        return Err(EncodeError::Invalid(
            "a list that changed size while it was being sent".into(),
        )
        .into());
    }
    Ok(())
}

fn encode_int<const WIDE: bool>(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> Result<()> {
    if let Ok(signed) = value.extract::<i64>() {
        written(rmp::encode::write_sint(out, signed))
    } else if let Ok(unsigned) = value.extract::<u64>() {
        written(rmp::encode::write_uint(out, unsigned))
    } else if WIDE && ints::encode_big(out, value) {
        Ok(())
    } else {
        Err(EncodeError::Overflow(describe_big_int(value)).into())
    }
}

/// `operator.index(value)` for an object that is not an `int` but says it is
/// one (`__index__`); `None` for every other object.
fn as_index<'py>(value: &Bound<'py, PyAny>) -> Result<Option<Bound<'py, PyAny>>> {
    // SAFETY: `value` is alive and the GIL is held; `PyIndex_Check` only reads
    // the type's slots.
    if unsafe { ffi::PyIndex_Check(value.as_ptr()) } == 0 {
        return Ok(None);
    }
    // SAFETY: as above; `PyNumber_Index` returns a new reference to an `int`,
    // or NULL with an exception set (which becomes the `Err`).
    let index =
        unsafe { Bound::from_owned_ptr_or_err(value.py(), ffi::PyNumber_Index(value.as_ptr())) }?;
    Ok(Some(index))
}

/// `"integer 18446744073709551616"`, or `"an integer of 4000 bits"` when printing it
/// would be unreasonable.
fn describe_big_int(value: &Bound<'_, PyAny>) -> String {
    let bits = value
        .call_method0("bit_length")
        .and_then(|bits| bits.extract::<u64>())
        .unwrap_or(u64::MAX);
    if bits <= 256 {
        if let Ok(text) = value.str() {
            return format!("integer {text}");
        }
    }
    format!("an integer of {bits} bits")
}

fn binary(out: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    let len = length(bytes.len(), "bytes value")?;
    written(rmp::encode::write_bin_len(out, len))?;
    out.extend_from_slice(bytes);
    Ok(())
}

fn key_step(key: &Bound<'_, PyAny>) -> Step {
    let mut text = key
        .repr()
        .map(|repr| repr.to_string())
        .unwrap_or_else(|_| "?".into());
    if text.chars().count() > 40 {
        text = text.chars().take(39).collect::<String>() + "…";
    }
    Step::Key(text)
}

fn deeper(depth: usize) -> Result<()> {
    if depth >= MAX_DEPTH {
        Err(EncodeError::TooDeep.into())
    } else {
        Ok(())
    }
}

fn length(len: usize, what: &str) -> Result<u32> {
    u32::try_from(len).map_err(|_| {
        EncodeError::Invalid(format!("a {what} of {len} bytes, larger than 4 GiB")).into()
    })
}

fn written<T, E: std::fmt::Display>(result: std::result::Result<T, E>) -> Result<()> {
    result
        .map(|_| ())
        .map_err(|error| EncodeError::Invalid(error.to_string()).into())
}

fn io_error(error: std::io::Error) -> Located {
    EncodeError::Invalid(error.to_string()).into()
}
