//! Lent bytes (`spec/wire.md`, extension 3): a large `bytes` argument goes to
//! the library as the address of its buffer instead of a copy, and lent bytes
//! a result hands back are copied once into a new `bytes`.

use std::sync::atomic::{AtomicU64, Ordering};

use ferryman_wire::{ItemType, LentPayload};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope;
use crate::state::host_objects::{self, Held, Kind};
use crate::values::encode::{encode_exact_scalar, encode_with};
use crate::values::encode_error::Located;
use crate::values::ints::Ints;
use crate::values::lent_slices;

/// `bytes` shorter than this are copied into the argument array even where
/// they could be lent for the call (`&[u8]`, `Vec<u8>`, `ByteBuf`): below it the
/// two cost the same within the noise (measured: `slice_address(&[u8])` 205 ns
/// copied vs 203–221 ns lent from 512 B to 2 KiB; lending wins from 3 KiB on).
pub(crate) const LEND_FOR_CALL_AT: usize = 2 * 1024;

/// `bytes` shorter than this are copied even for a `ferryman::Bytes`
/// parameter. Lending a host object costs a table entry, four reference
/// counts across the boundary and the result's check, about 300 ns; copying
/// costs three more copies of the data. Measured with `bytes_echo(Bytes) ->
/// Bytes`: 532 ns copied vs 580–599 ns lent at 8 KiB, 634 vs 613–622 ns at
/// 9 KiB, 938 vs 644–669 ns at 12 KiB (`bench/README.md`, "Large values").
pub(crate) const LEND_OBJECT_AT: usize = 9 * 1024;

/// How a parameter takes a large `bytes` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lend {
    /// Copied into the argument array: not a bytes parameter, or the library
    /// does not accept lent bytes, or this host is not registered with it.
    Never,
    /// Handle 0, lent for the call (`&[u8]`, `Vec<u8>`, `ByteBuf`): host id.
    ForCall(u32),
    /// A host object (`ferryman::Bytes`, which may keep it): host id.
    Object(u32),
    /// A list of numbers of this type, which a read-only array may be lent
    /// to for the call as a lent slice (`values/lent_slices.rs`): host id.
    Slice(u32, ItemType),
}

impl Lend {
    /// The way to lend to a parameter whose type descriptor is `descriptor`
    /// and whose Rust type is written `rust`, given the library's handshake
    /// flags (`lent_bytes`, `lent_slices`) and this host's id.
    pub(crate) fn of_param(
        descriptor: Option<&Bound<'_, PyAny>>,
        rust: &str,
        (library_accepts, accepts_slices): (bool, bool),
        host_id: Option<u32>,
    ) -> Lend {
        if let (Some(host_id), true) = (host_id, accepts_slices) {
            if let Some(item) = lent_slices::item_of_descriptor(descriptor) {
                return Lend::Slice(host_id, item);
            }
        }
        let is_bytes = descriptor
            .and_then(|descriptor| descriptor.extract::<String>().ok())
            .is_some_and(|descriptor| descriptor == "bytes");
        match host_id {
            Some(host_id) if is_bytes && library_accepts => {
                if keeps_bytes(rust) {
                    Lend::Object(host_id)
                } else {
                    Lend::ForCall(host_id)
                }
            }
            _ => Lend::Never,
        }
    }
}

impl Lend {
    /// Whether the argument object `arg` would be lent: an exact `bytes` at
    /// least as long as this way of lending asks for.
    ///
    /// # Safety
    /// `arg` is a live object and the GIL is held.
    #[inline]
    pub(crate) unsafe fn would_lend(self, arg: *mut ffi::PyObject) -> bool {
        let at = match self {
            Lend::Never | Lend::Slice(..) => return false,
            Lend::ForCall(_) => LEND_FOR_CALL_AT,
            Lend::Object(_) => LEND_OBJECT_AT,
        };
        // SAFETY: `arg` is live with the GIL held (contract above); the size is
        // read only once the exact-type check passed.
        unsafe { ffi::PyBytes_CheckExact(arg) != 0 && ffi::PyBytes_Size(arg) as usize >= at }
    }

    /// Writes `arg` as MessagePack bin when it is an exact `bytes` this
    /// parameter does not lend (one type check and one size look-up for both
    /// questions); `false`, having written nothing, otherwise.
    ///
    /// # Safety
    /// `arg` is a live object and the GIL is held.
    #[inline(always)]
    pub(crate) unsafe fn encode_copied(self, out: &mut Vec<u8>, arg: *mut ffi::PyObject) -> bool {
        // SAFETY: `arg` is live with the GIL held (contract above); the size and
        // the buffer are read once the exact-type check passed, and the buffer
        // belongs to `arg`, which outlives the copy.
        unsafe {
            if ffi::PyBytes_CheckExact(arg) == 0 {
                return false;
            }
            let len = ffi::PyBytes_Size(arg) as usize;
            let lent = match self {
                Lend::Never | Lend::Slice(..) => false,
                Lend::ForCall(_) => len >= LEND_FOR_CALL_AT,
                Lend::Object(_) => len >= LEND_OBJECT_AT,
            };
            let Ok(len32) = u32::try_from(len) else {
                return false;
            };
            if lent {
                return false;
            }
            let data = ffi::PyBytes_AsString(arg).cast::<u8>();
            ferryman_wire::scalar::bin_header(len32).append_to(out);
            ferryman_wire::short_copy::extend_short(out, std::slice::from_raw_parts(data, len));
            true
        }
    }
}

/// Whether a parameter of this Rust type may keep its bytes beyond the call:
/// `ferryman::Bytes` (however it is spelled), as opposed to `Vec<u8>`,
/// `&[u8]`, `ByteBuf` and `&serde_bytes::Bytes`, which read them during the
/// call. When unsure, say yes: a host object is always safe, only slower.
fn keeps_bytes(rust: &str) -> bool {
    let path = rust.trim_start_matches('&').trim_start();
    let path = match path.strip_prefix('\'') {
        // `&'a Bytes`: skip the lifetime.
        Some(rest) => rest.split_once(' ').map_or(rest, |(_, path)| path),
        None => path,
    };
    let last = path.rsplit("::").next().unwrap_or(path);
    last == "Bytes" && !path.ends_with("serde_bytes::Bytes")
}

/// Encodes one argument for its parameter: lent when the parameter and the
/// value allow it, otherwise as usual (the exact-type fast path first), with
/// integers as wide as the parameter takes.
#[inline]
pub(crate) fn encode_argument(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
    lend: Lend,
    ints: Ints,
) -> Result<(), Located> {
    if let Lend::Slice(host_id, item) = lend {
        if lent_slices::lend_slice(out, value, host_id, item)? {
            return Ok(());
        }
    } else if lend != Lend::Never && lend_bytes(out, value, lend) {
        return Ok(());
    }
    if encode_exact_scalar(out, value) {
        return Ok(());
    }
    encode_with(out, value, ints)
}

/// Writes `value` as lent bytes when it is an exact `bytes` large enough for
/// `lend`; `false` (nothing written) otherwise.
fn lend_bytes(out: &mut Vec<u8>, value: &Bound<'_, PyAny>, lend: Lend) -> bool {
    let object = value.as_ptr();
    // SAFETY: `value` keeps the object alive and proves the GIL is held; the
    // exact-type check makes the two `PyBytes_*` calls valid for it.
    let (ptr, len) = unsafe {
        if ffi::PyBytes_CheckExact(object) == 0 {
            return false;
        }
        (ffi::PyBytes_AsString(object), ffi::PyBytes_Size(object))
    };
    let len = len as usize;
    let (host_id, handle) = match lend {
        Lend::Never | Lend::Slice(..) => return false,
        // Nothing to hold: the caller owns a reference to every argument (the
        // argument tuple, keyword dict or vectorcall array) until the call
        // returns, and a `bytes` never changes (`spec/abi.md`, "Lent bytes").
        Lend::ForCall(host_id) if len >= LEND_FOR_CALL_AT => (host_id, 0),
        Lend::Object(host_id) if len >= LEND_OBJECT_AT => {
            (host_id, lend_for_call(value.clone().unbind()))
        }
        Lend::ForCall(_) | Lend::Object(_) => return false,
    };
    let payload = LentPayload {
        host_id,
        handle,
        ptr: ptr as usize as u64,
        len: len as u64,
    };
    out.extend_from_slice(&payload.to_ext());
    true
}

/// Lends `object` (a `bytes`) to the call being encoded: a new handle whose
/// reference the call's scope holds until the call returns.
pub(crate) fn lend_for_call(object: Py<PyAny>) -> u64 {
    let handle = host_objects::insert(object, Kind::Bytes);
    call_scope::hold(Held::Reference(handle));
    handle
}

/// How many lent results were copied (tests: the zero-copy path ran).
static COPIED: AtomicU64 = AtomicU64::new(0);

/// How many results came back as lent bytes and were copied into new `bytes`.
#[pyfunction]
pub(crate) fn lent_results_copied() -> u64 {
    COPIED.load(Ordering::Relaxed)
}

/// A new `bytes` holding the lent bytes a result hands back (extension 3),
/// after dropping the reference that came with them. `Err` says why the
/// payload is not bytes this host lent.
pub(crate) fn copy_returned<'py>(
    py: Python<'py>,
    registration: &HostRegistration,
    payload: &[u8],
) -> Result<Bound<'py, PyAny>, String> {
    let lent = LentPayload::parse(payload)?;
    if Some(lent.host_id) != registration.host_id() {
        return Err(format!(
            "lent bytes of host {}, which is not this host ({:?})",
            lent.host_id,
            registration.host_id()
        ));
    }
    if lent.handle == 0 {
        return Err("lent bytes with handle 0 in a result".to_owned());
    }
    // Drops the reference the library handed over with the value, whatever
    // the value turns out to be.
    let object = host_objects::take(py, lent.handle).ok_or_else(|| {
        format!(
            "lent bytes of host object {}, which is not live",
            lent.handle
        )
    })?;
    let Ok(bytes) = object.cast::<PyBytes>() else {
        return Err(format!(
            "lent bytes of host object {}, which is not a bytes object",
            lent.handle
        ));
    };
    let buffer = bytes.as_bytes();
    let start = usize::try_from(lent.ptr)
        .ok()
        .and_then(|ptr| ptr.checked_sub(buffer.as_ptr() as usize));
    let range = start.and_then(|start| {
        let end = start.checked_add(usize::try_from(lent.len).ok()?)?;
        buffer.get(start..end)
    });
    let Some(range) = range else {
        return Err(format!(
            "lent bytes at {:#x} (len {}) outside host object {}'s {} bytes",
            lent.ptr,
            lent.len,
            lent.handle,
            buffer.len()
        ));
    };
    COPIED.fetch_add(1, Ordering::Relaxed);
    Ok(PyBytes::new(py, range).into_any())
}

#[cfg(test)]
mod tests {
    use super::keeps_bytes;

    #[test]
    fn only_ferryman_bytes_keeps_its_bytes() {
        for rust in [
            "Bytes",
            "ferryman::Bytes",
            "&Bytes",
            "&'a ferryman::Bytes",
            "::ferryman::Bytes",
        ] {
            assert!(keeps_bytes(rust), "{rust}");
        }
        for rust in [
            "Vec<u8>",
            "&[u8]",
            "ByteBuf",
            "serde_bytes::ByteBuf",
            "&serde_bytes::Bytes",
            "&'a serde_bytes::Bytes",
        ] {
            assert!(!keeps_bytes(rust), "{rust}");
        }
    }
}
