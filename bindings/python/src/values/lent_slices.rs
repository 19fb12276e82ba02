//! Lent slices (`spec/wire.md`, "Lent slices"): a large one-dimensional
//! numpy array (or any object with the array interface) of exactly a list
//! parameter's number type goes to the library as the address of its items,
//! which a `&[f64]` parameter reads in place, instead of as an array of
//! MessagePack numbers.
//!
//! Only memory nobody can change during the call is lent (`spec/abi.md`,
//! "Lent bytes"): the GIL is released while the library runs, so a writable
//! array could be written by another thread meanwhile. numpy's WRITEABLE
//! flag alone does not say that: an array made read-only with
//! `flags.writeable = False` can be made writable again, and views taken
//! before still write. So an array is lent only when it is read-only and its
//! memory belongs to a `bytes` (following `.base` through arrays and
//! `memoryview`s), which no one can change: `np.frombuffer(data, "f8")`, its
//! slices and views. Everything else is copied.
//!
//! The array interface (its `data` address) is read rather than the buffer
//! protocol, whose C functions the limited API of Python 3.10 (this
//! package's abi3 floor) does not offer.

use ferryman_wire::{ItemType, LentPayload, LentSlice};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyMemoryView, PyTuple};

/// Arrays of fewer bytes than this are copied into the argument array even
/// where they could be lent. None are: the question (is this array lendable?)
/// is asked either way, and the copy it saves (a `memoryview`, `tobytes`, a
/// MessagePack number per item, a `Vec` in the library) costs more than the
/// extension from the first item on. Measured with `f64_slice_address(&[f64])`
/// and float64 arrays, best of 7 × 2000 calls on a loaded 2-core machine
/// (`bench/README.md`, "Lent slices"): lent 3.5–7.0 µs at every size from 1 to
/// 8192 items; copied 5.1–7.5 µs at 1–8 items, 10–14 µs at 16–32, 98–113 µs at
/// 1024, 0.66–0.75 ms at 8192. Kept as a constant to raise if a quieter
/// measurement disagrees.
pub(crate) const LEND_SLICE_AT: usize = 0;

/// How deep `.base` is followed looking for the `bytes` that owns the memory.
const MAX_BASES: usize = 16;

/// The item type a list parameter lends: its descriptor is `{"list": "f64"}`
/// (or another number type a slice can hold).
pub(crate) fn item_of_descriptor(descriptor: Option<&Bound<'_, PyAny>>) -> Option<ItemType> {
    let map = descriptor?.cast::<PyDict>().ok()?;
    if map.len() != 1 {
        return None;
    }
    let item = map.get_item("list").ok()??;
    ItemType::of_name(item.extract::<&str>().ok()?)
}

/// Writes `value` as a lent slice of `item` for the call (handle 0) when it
/// is a one-dimensional C-contiguous array of exactly `item`, in this
/// machine's byte order, of at least [`LEND_SLICE_AT`] bytes, whose memory
/// cannot change ([module docs](self)); `Ok(false)`, nothing written,
/// otherwise. Nothing needs holding: the caller owns a reference to the
/// argument until the call returns, and the array its bases.
pub(crate) fn lend_slice(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
    host_id: u32,
    item: ItemType,
) -> PyResult<bool> {
    let Some((ptr, len)) = lendable(value, item)? else {
        return Ok(false);
    };
    let slice = LentSlice {
        bytes: LentPayload {
            host_id,
            handle: 0,
            ptr,
            len,
        },
        item,
    };
    out.extend_from_slice(&slice.to_ext());
    Ok(true)
}

/// The address and length in bytes of `value`'s items when it may be lent.
fn lendable(value: &Bound<'_, PyAny>, item: ItemType) -> PyResult<Option<(u64, u64)>> {
    // The common arguments first: a list or tuple has no array interface, and
    // asking for it would make and drop an `AttributeError` (×3 the cost of
    // sending `[1, …, 10]`).
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return Ok(None);
    }
    let Ok(interface) = value.getattr(pyo3::intern!(value.py(), "__array_interface__")) else {
        return Ok(None);
    };
    let Ok(interface) = interface.cast_into::<PyDict>() else {
        return Ok(None);
    };
    let get = |key: &str| interface.get_item(key).ok().flatten();
    let shape = get("shape").and_then(|shape| shape.extract::<Vec<usize>>().ok());
    let Some([count]) = shape.as_deref() else {
        return Ok(None);
    };
    let len = count.saturating_mul(item.size());
    let contiguous = get("strides").is_none_or(|strides| {
        strides.is_none() || strides.extract::<Vec<usize>>().ok() == Some(vec![item.size()])
    });
    let data = get("data").and_then(|data| data.extract::<(u64, bool)>().ok());
    let typestr = get("typestr").and_then(|t| t.extract::<String>().ok());
    let (Some((ptr, read_only)), Some(typestr)) = (data, typestr) else {
        return Ok(None);
    };
    // The threshold is 0 today (measured), kept to raise.
    #[allow(clippy::absurd_extreme_comparisons)]
    let lend = len >= LEND_SLICE_AT
        && contiguous
        && read_only
        && typestr == native_typestr(item)
        && get("version").and_then(|v| v.extract::<u32>().ok()) == Some(3)
        && owning_bytes(value).is_some_and(|owner| within(owner.as_bytes(), ptr, len));
    Ok(lend.then_some((ptr, len as u64)))
}

/// The array interface's `typestr` of `item` in this machine's byte order
/// (`"<f8"`); a one-byte item has no order (`"|i1"`).
fn native_typestr(item: ItemType) -> String {
    let kind = match item {
        ItemType::F64 | ItemType::F32 => 'f',
        ItemType::I64 | ItemType::I32 | ItemType::I16 | ItemType::I8 => 'i',
        ItemType::U64 | ItemType::U32 | ItemType::U16 => 'u',
    };
    let order = match item.size() {
        1 => '|',
        _ if cfg!(target_endian = "big") => '>',
        _ => '<',
    };
    format!("{order}{kind}{}", item.size())
}

/// Whether `ptr[0..len]` lies inside `owner`: the array interface is only a
/// dict, which an object could fill with any address.
fn within(owner: &[u8], ptr: u64, len: usize) -> bool {
    let start = owner.as_ptr() as u64;
    ptr >= start
        && ptr
            .checked_add(len as u64)
            .is_some_and(|end| end <= start + owner.len() as u64)
}

/// The `bytes` `value`'s memory belongs to, through read-only views: its
/// `.base` (arrays) or `.obj` (memoryviews), followed to the end.
fn owning_bytes<'py>(value: &Bound<'py, PyAny>) -> Option<Bound<'py, PyBytes>> {
    let py = value.py();
    let mut at = value.clone();
    for _ in 0..MAX_BASES {
        if at.is_exact_instance_of::<PyBytes>() {
            return at.cast_into::<PyBytes>().ok();
        }
        let next = if let Ok(view) = at.cast::<PyMemoryView>() {
            let read_only = view
                .getattr(pyo3::intern!(py, "readonly"))
                .and_then(|flag| flag.extract::<bool>());
            if !matches!(read_only, Ok(true)) {
                return None;
            }
            view.getattr(pyo3::intern!(py, "obj"))
        } else {
            at.getattr(pyo3::intern!(py, "base"))
        };
        match next {
            Ok(next) if !next.is_none() && !next.is_instance_of::<PyTuple>() => at = next,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typestrs_are_numpys_for_this_machine() {
        if cfg!(target_endian = "little") {
            assert_eq!(native_typestr(ItemType::F64), "<f8");
            assert_eq!(native_typestr(ItemType::U16), "<u2");
        }
        assert_eq!(native_typestr(ItemType::I8), "|i1");
    }
}
