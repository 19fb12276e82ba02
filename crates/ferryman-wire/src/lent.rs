//! Lent host bytes (`spec/wire.md`, "Lent bytes"): MessagePack extension 3 names
//! `len` bytes at `ptr` in the host's memory instead of holding them.
//!
//! Turning such a payload into a slice is only sound when the bytes come from a
//! host that made the promises of `spec/abi.md` ("Lent bytes"). A reader trusts
//! them only when it was given [`Lending::trusted`], which is `unsafe`;
//! everywhere else (callback results, bytes a Rust caller encoded) extension 3
//! is an ordinary decode error.

use ferryman_abi::{EXT_LENT_BYTES, LENT_BYTES_PAYLOAD};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The newtype name a `Deserialize` impl asks for to learn whether the bytes it
/// is given are a lent host object ([`lent_object`]); every other deserializer
/// hands it the plain bytes inside.
pub const LENT_BYTES_NEWTYPE: &str = "_FerrymanLentBytes";

/// Whether a reader may turn extension 3 into slices of host memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lending(bool);

impl Lending {
    /// Extension 3 is refused: the bytes did not come from a host's arguments.
    pub const REFUSED: Lending = Lending(false);

    /// Extension 3 is read as the host memory it names.
    ///
    /// # Safety
    ///
    /// Use the token only with the argument bytes of one call made by a host
    /// under `spec/abi.md` ("Lent bytes"), for as long as those bytes are
    /// borrowed: every extension 3 in them must name memory that is readable and
    /// unchanged until the call returns, and, for a non-zero handle, for as long
    /// as the host object is retained.
    pub const unsafe fn trusted() -> Lending {
        Lending(true)
    }

    pub(crate) fn is_trusted(self) -> bool {
        self.0
    }
}

/// The fields of an extension 3 payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LentPayload {
    /// The id `ferryman_register_host` gave the host.
    pub host_id: u32,
    /// `0`: lent for one call; otherwise a host object.
    pub handle: u64,
    /// Address of the first byte, in the host's memory.
    pub ptr: u64,
    /// Number of bytes.
    pub len: u64,
}

impl LentPayload {
    /// Reads a payload; `Err` says why it is not one.
    pub fn parse(payload: &[u8]) -> Result<LentPayload, String> {
        let Ok(fields) = <&[u8; LENT_BYTES_PAYLOAD]>::try_from(payload) else {
            return Err(format!(
                "lent bytes (MessagePack extension {EXT_LENT_BYTES}) need a {LENT_BYTES_PAYLOAD}-byte \
                 payload, but this one has {} bytes",
                payload.len()
            ));
        };
        let u64_at =
            |at: usize| u64::from_be_bytes(fields[at..at + 8].try_into().expect("8 bytes"));
        Ok(LentPayload {
            host_id: u32::from_be_bytes(fields[..4].try_into().expect("4 bytes")),
            handle: u64_at(4),
            ptr: u64_at(12),
            len: u64_at(20),
        })
    }

    /// The payload's bytes.
    pub fn to_bytes(&self) -> [u8; LENT_BYTES_PAYLOAD] {
        let mut out = [0u8; LENT_BYTES_PAYLOAD];
        out[..4].copy_from_slice(&self.host_id.to_be_bytes());
        out[4..12].copy_from_slice(&self.handle.to_be_bytes());
        out[12..20].copy_from_slice(&self.ptr.to_be_bytes());
        out[20..].copy_from_slice(&self.len.to_be_bytes());
        out
    }

    /// The complete extension value: `c7 1c 03` and the payload.
    pub fn to_ext(&self) -> [u8; 3 + LENT_BYTES_PAYLOAD] {
        let mut out = [0u8; 3 + LENT_BYTES_PAYLOAD];
        out[0] = 0xc7;
        out[1] = LENT_BYTES_PAYLOAD as u8;
        out[2] = EXT_LENT_BYTES as u8;
        out[3..].copy_from_slice(&self.to_bytes());
        out
    }

    /// The memory as a slice, after the checks a reader can make.
    ///
    /// # Safety
    ///
    /// `ptr[0..len]` is readable and unchanged for `'a` (the host's promise that
    /// [`Lending::trusted`] stands for).
    pub(crate) unsafe fn slice<'a>(&self) -> Result<&'a [u8], String> {
        let (Ok(ptr), Ok(len)) = (usize::try_from(self.ptr), usize::try_from(self.len)) else {
            return Err("lent bytes beyond this process's address space".to_owned());
        };
        if len == 0 {
            return Ok(&[]);
        }
        if ptr == 0 {
            return Err(format!("lent bytes at a NULL ptr with len {len}"));
        }
        if len > isize::MAX as usize || ptr.checked_add(len).is_none() {
            return Err(format!(
                "lent bytes at {ptr:#x} with len {len} wrap around the address space"
            ));
        }
        // SAFETY: non-NULL, at most `isize::MAX` bytes that do not wrap (checked
        // above); readable and unchanged for `'a` by this function's contract.
        // Bytes need no alignment.
        Ok(unsafe { std::slice::from_raw_parts(ptr as *const u8, len) })
    }
}

/// A host object whose bytes the argument reader is handing to a visitor right
/// now: what `ferryman::Bytes` needs to keep them beyond the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LentObject {
    /// The host that lent the bytes.
    pub host_id: u32,
    /// The host object (never 0).
    pub handle: u64,
}

thread_local! {
    /// Set by a trusting reader only while it visits the bytes of a lent host
    /// object: (object, address, length).
    static PRESENTED: Cell<Option<(LentObject, usize, usize)>> = const { Cell::new(None) };
}

/// How many threads are presenting a lent object right now: while none is,
/// [`lent_object`] answers without the thread-local look-up (which costs more
/// than the rest of a small `Bytes` argument in a shared library).
static PRESENTING: AtomicUsize = AtomicUsize::new(0);

/// When `bytes` is exactly the memory of a host object that a trusting
/// argument reader is visiting at this moment, that object.
///
/// `ferryman::Bytes` asks this from inside its visitor: when the answer is
/// `Some`, the memory stays valid beyond the call for as long as the object is
/// retained (`spec/abi.md`, "Lent bytes"), so the bytes may be kept without a
/// copy. Nothing else can make the answer `Some`.
pub fn lent_object(bytes: &[u8]) -> Option<LentObject> {
    if PRESENTING.load(Ordering::Acquire) == 0 {
        return None;
    }
    let (object, ptr, len) = PRESENTED.try_with(Cell::get).ok().flatten()?;
    (bytes.as_ptr() as usize == ptr && bytes.len() == len && len != 0).then_some(object)
}

/// Presents a lent object until dropped (also on unwinding).
pub(crate) struct Presenting {
    previous: Option<(LentObject, usize, usize)>,
}

impl Presenting {
    pub(crate) fn start(object: LentObject, bytes: &[u8]) -> Presenting {
        PRESENTING.fetch_add(1, Ordering::AcqRel);
        let entry = Some((object, bytes.as_ptr() as usize, bytes.len()));
        let previous = PRESENTED.try_with(|p| p.replace(entry)).ok().flatten();
        Presenting { previous }
    }
}

impl Drop for Presenting {
    fn drop(&mut self) {
        let _ = PRESENTED.try_with(|p| p.set(self.previous));
        PRESENTING.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_checks_its_length() {
        let p = LentPayload {
            host_id: 7,
            handle: 9,
            ptr: 0x7f3a_1234_5000,
            len: 65_536,
        };
        assert_eq!(LentPayload::parse(&p.to_bytes()), Ok(p));
        assert_eq!(&p.to_ext()[..3], &[0xc7, 0x1c, 0x03]);
        let err = LentPayload::parse(&[0; 27]).unwrap_err();
        assert!(err.contains("28-byte") && err.contains("27"), "{err}");
    }

    #[test]
    fn slices_refuse_null_and_wrapping_ranges() {
        let bad = |ptr, len| LentPayload {
            host_id: 0,
            handle: 0,
            ptr,
            len,
        };
        // SAFETY: every call below fails its checks before reading memory, or
        // has len 0.
        unsafe {
            assert!(bad(0, 4).slice().is_err());
            assert!(bad(u64::MAX - 2, 8).slice().is_err());
            assert_eq!(bad(0, 0).slice().unwrap(), &[] as &[u8]);
        }
    }

    #[test]
    fn only_the_presented_memory_is_a_lent_object() {
        let data = vec![1u8, 2, 3];
        let object = LentObject {
            host_id: 1,
            handle: 5,
        };
        assert_eq!(lent_object(&data), None);
        {
            let _presenting = Presenting::start(object, &data);
            assert_eq!(lent_object(&data), Some(object));
            assert_eq!(lent_object(&data[1..]), None);
            assert_eq!(lent_object(&data.clone()), None);
        }
        assert_eq!(lent_object(&data), None);
    }
}
