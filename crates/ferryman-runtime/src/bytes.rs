//! `Bytes`: an immutable, cheaply clonable byte buffer that can be a host's own
//! memory (lent bytes, `spec/wire.md` extension 3), kept without a copy.

use crate::host::HostObject;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Bound, Deref, RangeBounds};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Immutable bytes, cheap to clone and to slice, that may be the caller's own
/// memory.
///
/// As a parameter of an exported function, `Bytes` receives a host's byte
/// string: when the host lends it as a host object (the Python host does for
/// `bytes` of a few KiB and more), `Bytes` keeps a reference to the host's
/// object instead of copying — it may be stored and read after the call, from
/// any thread, and the host's object is released when the last clone is
/// dropped. Small or copied byte strings are held in a buffer of its own.
///
/// As a result, `Bytes` that are (a slice of) the caller's memory go back as a
/// reference to that memory, so the host copies them once into a new object of
/// its own; any other `Bytes` go out as MessagePack bin. Both directions are
/// typed `bytes` for hosts, like `Vec<u8>`.
///
/// Reach for `Bytes` for large byte strings: `fn echo(data: Bytes) -> Bytes`
/// costs one copy of the data from Python to Python, where `Vec<u8>` in and out
/// costs four. `&[u8]` is as cheap in (it borrows for the call) but cannot be
/// kept or returned.
///
/// (Compiled as a doctest of the `ferryman` crate, which re-exports this type.)
///
/// ```ignore
/// use ferryman::Bytes;
/// use std::sync::Mutex;
///
/// static LAST: Mutex<Option<Bytes>> = Mutex::new(None);
///
/// /// Returns the middle half of `data`, without copying it.
/// #[ferryman::export]
/// pub fn middle(data: Bytes) -> Bytes {
///     let quarter = data.len() / 4;
///     data.slice(quarter..data.len() - quarter)
/// }
///
/// /// Keeps `data` for later (no copy when the host lent it).
/// #[ferryman::export]
/// pub fn remember(data: Bytes) {
///     *LAST.lock().unwrap() = Some(data);
/// }
/// ```
#[derive(Clone)]
pub struct Bytes {
    data: Data,
    start: usize,
    end: usize,
}

/// Copies this short are kept inline: no allocation (as large as the other
/// variants make `Data` anyway).
const INLINE: usize = 23;

#[derive(Clone)]
enum Data {
    Static(&'static [u8]),
    /// A short copy, in the first `end` bytes.
    Inline([u8; INLINE]),
    /// A copy: header and bytes in one allocation.
    Copied(Arc<[u8]>),
    /// A `Vec` taken over without copying.
    Owned(Arc<Vec<u8>>),
    Lent(Arc<Lent>),
}

/// A host's bytes, kept valid by one retained reference to its host object.
pub(crate) struct Lent {
    pub(crate) object: HostObject,
    ptr: *const u8,
    len: usize,
}

// SAFETY: the memory is immutable and readable from any thread for as long as
// the host object is retained (`spec/abi.md`, "Lent bytes"), and `HostObject`
// may be released from any thread (`spec/callbacks.md`).
unsafe impl Send for Lent {}
// SAFETY: as above; `Lent` only ever reads the memory.
unsafe impl Sync for Lent {}

/// How many `Lent` exist: while there are none, results need no lending scope.
static LENT_ALIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether any `Bytes` holds a host's memory (so a result might lend it back).
#[inline]
pub(crate) fn any_lent() -> bool {
    LENT_ALIVE.load(Ordering::Relaxed) != 0
}

impl Lent {
    /// Keeps `bytes`, the memory of `object`, for as long as the result lives.
    ///
    /// # Safety
    ///
    /// `bytes` is the memory of the host object `object` retained, lent under
    /// `spec/abi.md` ("Lent bytes"): valid and unchanged while it is retained.
    unsafe fn new(object: HostObject, bytes: &[u8]) -> Lent {
        LENT_ALIVE.fetch_add(1, Ordering::Relaxed);
        Lent {
            object,
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `new`'s contract: the memory stays valid and unchanged while
        // `self.object` holds its reference, which is as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        LENT_ALIVE.fetch_sub(1, Ordering::Relaxed);
        // `object` is dropped next, releasing the host's object.
    }
}

impl Bytes {
    /// Empty bytes.
    pub const fn new() -> Bytes {
        Bytes::from_static(&[])
    }

    /// Bytes of a static slice (no allocation).
    pub const fn from_static(bytes: &'static [u8]) -> Bytes {
        Bytes {
            data: Data::Static(bytes),
            start: 0,
            end: bytes.len(),
        }
    }

    /// A copy of `bytes`.
    #[inline]
    pub fn copy_from_slice(bytes: &[u8]) -> Bytes {
        let data = if bytes.len() <= INLINE {
            let mut inline = [0u8; INLINE];
            // SAFETY: `bytes.len() <= INLINE` bytes, from a borrow into a local.
            unsafe {
                ferryman_wire::short_copy::copy_short(
                    bytes.as_ptr(),
                    inline.as_mut_ptr(),
                    bytes.len(),
                )
            };
            Data::Inline(inline)
        } else {
            Data::Copied(Arc::from(bytes))
        };
        Bytes {
            data,
            start: 0,
            end: bytes.len(),
        }
    }

    /// Keeps a host's lent memory without copying it.
    ///
    /// # Safety
    ///
    /// As [`Lent::new`].
    pub(crate) unsafe fn lent(object: HostObject, bytes: &[u8]) -> Bytes {
        let len = bytes.len();
        Bytes {
            // SAFETY: forwarded from this function's contract.
            data: Data::Lent(Arc::new(unsafe { Lent::new(object, bytes) })),
            start: 0,
            end: len,
        }
    }

    /// The bytes `range` of these, sharing the same memory (no copy).
    ///
    /// # Panics
    ///
    /// When `range` is out of bounds or decreasing, like slicing a `[u8]`.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Bytes {
        let len = self.len();
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.checked_add(1).expect("range start overflows"),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.checked_add(1).expect("range end overflows"),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => len,
        };
        assert!(
            start <= end && end <= len,
            "range {start}..{end} out of bounds for Bytes of length {len}"
        );
        Bytes {
            data: self.data.clone(),
            start: self.start + start,
            end: self.start + end,
        }
    }

    /// A copy in a new `Vec`.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_ref().to_vec()
    }

    /// Whether these bytes are a host's memory, kept without a copy (the host
    /// lent them as a host object).
    pub fn is_lent(&self) -> bool {
        matches!(self.data, Data::Lent(_))
    }

    /// The host memory and the range of it these bytes are, when lent.
    pub(crate) fn lent_range(&self) -> Option<(&Arc<Lent>, &[u8])> {
        match &self.data {
            Data::Lent(lent) => Some((lent, &lent.bytes()[self.start..self.end])),
            _ => None,
        }
    }

    fn full(&self) -> &[u8] {
        match &self.data {
            Data::Static(bytes) => bytes,
            Data::Inline(bytes) => bytes,
            Data::Copied(bytes) => bytes,
            Data::Owned(vec) => vec,
            Data::Lent(lent) => lent.bytes(),
        }
    }
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::new()
    }
}

impl Deref for Bytes {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        &self.full()[self.start..self.end]
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::borrow::Borrow<[u8]> for Bytes {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(vec: Vec<u8>) -> Bytes {
        let end = vec.len();
        Bytes {
            data: Data::Owned(Arc::new(vec)),
            start: 0,
            end,
        }
    }
}

impl From<&'static [u8]> for Bytes {
    fn from(bytes: &'static [u8]) -> Bytes {
        Bytes::from_static(bytes)
    }
}

impl From<Box<[u8]>> for Bytes {
    fn from(bytes: Box<[u8]>) -> Bytes {
        Bytes::from(bytes.into_vec())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(bytes: Bytes) -> Vec<u8> {
        bytes.to_vec()
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 64;
        let shown = &self[..self.len().min(SHOWN)];
        write!(f, "b\"{}", shown.escape_ascii())?;
        if self.len() > SHOWN {
            write!(f, "\"… ({} bytes", self.len())?;
        } else {
            write!(f, "\" ({} bytes", self.len())?;
        }
        if let Data::Lent(lent) = &self.data {
            write!(
                f,
                ", lent by host {} as object {}",
                lent.object.host_id, lent.object.handle
            )?;
        }
        f.write_str(")")
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        **self == **other
    }
}

impl Eq for Bytes {}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl PartialEq<&[u8]> for Bytes {
    fn eq(&self, other: &&[u8]) -> bool {
        **self == **other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        **self == **other
    }
}

impl PartialOrd for Bytes {
    fn partial_cmp(&self, other: &Bytes) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bytes {
    fn cmp(&self, other: &Bytes) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl Hash for Bytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slices_share_and_compare_by_content() {
        let bytes = Bytes::from(b"hello world".to_vec());
        let world = bytes.slice(6..);
        assert_eq!(&*world, b"world");
        assert_eq!(world.slice(1..=2), b"or"[..]);
        assert_eq!(bytes.slice(..0), Bytes::new());
        assert_eq!(world, Bytes::from_static(b"world"));
        assert_eq!(world.to_vec(), b"world".to_vec());
        let set: HashSet<Bytes> = [world.clone(), Bytes::copy_from_slice(b"world")].into();
        assert_eq!(set.len(), 1);
        assert!(set.contains(&b"world"[..]));
        assert!(!world.is_lent());
    }

    #[test]
    #[should_panic(expected = "out of bounds")]
    fn slicing_past_the_end_panics() {
        let _ = Bytes::from_static(b"abc").slice(1..4);
    }

    #[test]
    fn debug_shows_the_start_and_the_length() {
        assert_eq!(
            format!("{:?}", Bytes::from_static(b"a\n")),
            "b\"a\\n\" (2 bytes)"
        );
        let long = format!("{:?}", Bytes::from(vec![b'x'; 100]));
        assert!(long.ends_with("\"… (100 bytes)"), "{long}");
    }

    #[test]
    fn is_send_sync_static_and_five_words() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Bytes>();
        assert_eq!(
            std::mem::size_of::<Bytes>(),
            5 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn short_and_long_copies_read_the_same() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 100] {
            let data: Vec<u8> = (0..len as u8).collect();
            let bytes = Bytes::copy_from_slice(&data);
            assert_eq!(&*bytes, &data[..]);
            assert_eq!(&*bytes.slice(len / 2..), &data[len / 2..]);
            assert_eq!(bytes.clone(), Bytes::from(data));
        }
    }
}
