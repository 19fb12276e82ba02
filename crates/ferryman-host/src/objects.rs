//! The library's exported objects (`spec/wire.md`, "Objects"): releasing and
//! cloning the handles it hands out (extension 5), and listing the live ones.

use ferryman_abi::FerryBox;

use crate::keyed::{opt_string, read_map, uint};
use crate::library::{read_map as read_entry, resolve, WriteFn};
use crate::load_error::EntryError;
use crate::reply::{BoxFreeFn, Reply};
use crate::shape_error::{Context, ShapeError};
use crate::status::{status, Status, UnknownStatus};
use ferryman_wire::reader::Reader;

type ObjectReleaseFn = unsafe extern "C" fn(u64) -> i32;
type ObjectCloneFn = unsafe extern "C" fn(u64) -> u64;

/// The three optional entry points of objects, resolved once. A library
/// without them loads; it exports no classes.
///
/// `Copy`: hosts keep it wherever they release handles; the pointers stay
/// valid because libraries are never unloaded.
#[derive(Debug, Clone, Copy)]
pub struct Objects {
    release: ObjectReleaseFn,
    clone: ObjectCloneFn,
    live: WriteFn,
    box_free: BoxFreeFn,
}

/// One object handle a host still holds (`ferryman_live_objects`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveObject {
    /// Its handle.
    pub handle: u64,
    /// The name of its class (`Tokenizer`).
    pub class: String,
}

impl Objects {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        box_free: BoxFreeFn,
    ) -> Option<Objects> {
        // SAFETY: (this and the next two) the caller guarantees the ABI
        // version, hence the signatures, and that the handle stays open.
        let release = unsafe { resolve(library, "ferryman_object_release") }.ok()?;
        // SAFETY: as above.
        let clone = unsafe { resolve(library, "ferryman_object_clone") }.ok()?;
        // SAFETY: as above.
        let live = unsafe { resolve(library, "ferryman_live_objects") }.ok()?;
        Some(Objects {
            release,
            clone,
            live,
            box_free,
        })
    }

    /// Whether `self` and `other` are the same copy of the ferryman runtime
    /// (one library, possibly loaded twice), so object handles mean the same.
    pub fn same_library(&self, other: &Objects) -> bool {
        self.release as usize == other.release as usize
    }

    /// `ferryman_object_release(handle)`: the host's reference is gone. It
    /// may run the Rust `Drop` on this thread: call it holding no lock that
    /// `Drop` could need. A handle that is not live gives `Status::NoFunction`.
    pub fn release(&self, handle: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: takes a plain integer and never unwinds; a handle that is
        // not live is reported, not undefined behaviour.
        status(unsafe { (self.release)(handle) })
    }

    /// `ferryman_object_clone(handle)`: a new handle to the same object (the
    /// host releases it too), or `None` when `handle` is not live.
    pub fn clone_handle(&self, handle: u64) -> Option<u64> {
        // SAFETY: as `release`.
        let new = unsafe { (self.clone)(handle) };
        (new != 0).then_some(new)
    }

    /// `ferryman_live_objects(out)`, as bytes.
    pub fn live_into<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: `boxed` follows the ABI's `out` rule.
        let code = unsafe { (self.live)(&mut boxed as *mut FerryBox) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_live_objects`, decoded: every handle hosts still hold,
    /// oldest first.
    pub fn live(&self) -> Result<Vec<LiveObject>, EntryError> {
        let mut out = Vec::new();
        read_entry(
            "ferryman_live_objects",
            self.live_into(&mut out),
            decode_live,
        )
    }
}

fn decode_live(bytes: &[u8]) -> Result<Vec<LiveObject>, ShapeError> {
    let mut reader = Reader::new(bytes);
    let context = || "live objects".to_owned();
    let len = reader.array_len().context(context)?;
    let mut live = Vec::with_capacity(len.min(bytes.len()));
    for index in 0..len {
        let mut object = LiveObject {
            handle: 0,
            class: String::new(),
        };
        let at = || format!("live object {index}");
        read_map(&mut reader, 2, &at, |key, r| {
            match key {
                "handle" => object.handle = uint(r, at)?,
                "class" => object.class = opt_string(r, at)?.unwrap_or_default(),
                _ => r.skip_at(3).context(at)?,
            }
            Ok(())
        })?;
        live.push(object);
    }
    reader.finish().context(context)?;
    Ok(live)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_objects_decode_and_skip_unknown_keys() {
        // [{"handle": 3, "class": "Counter", "x": nil}]
        let bytes = b"\x91\x83\xa6handle\x03\xa5class\xa7Counter\xa1x\xc0";
        assert_eq!(
            decode_live(bytes).unwrap(),
            vec![LiveObject {
                handle: 3,
                class: "Counter".into()
            }]
        );
    }
}
