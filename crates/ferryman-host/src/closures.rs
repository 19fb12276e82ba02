//! The library's side of callables (`spec/callbacks.md`): calling and
//! releasing the closures it hands out, and registering a host.

use ferryman_abi::{FerryBox, FerryHost};

use crate::keyed::{opt_string, read_map, uint};
use crate::library::{borrowed_box, read_map as read_entry, resolve, WriteFn};
use crate::load_error::EntryError;
use crate::reply::{BoxFreeFn, Reply};
use crate::shape_error::{Context, ShapeError};
use crate::status::{status, Status, UnknownStatus};
use ferryman_wire::reader::Reader;

pub(crate) type RegisterHostFn = unsafe extern "C" fn(*const FerryHost) -> i32;
type ClosureCallFn = unsafe extern "C" fn(u64, *const FerryBox, *mut FerryBox) -> i32;
type ClosureReleaseFn = unsafe extern "C" fn(u64) -> i32;

/// The four entry points a library needs for callables, resolved once. A
/// library without them still loads; it just cannot take or return callables.
///
/// `Copy`: a host keeps it wherever it calls closures from; the pointers stay
/// valid because libraries are never unloaded.
#[derive(Debug, Clone, Copy)]
pub struct Closures {
    pub(crate) register_host: RegisterHostFn,
    closure_call: ClosureCallFn,
    closure_release: ClosureReleaseFn,
    live_closures: WriteFn,
    pub(crate) box_free: BoxFreeFn,
}

/// One closure a host still holds (`ferryman_live_closures`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveClosure {
    /// Its handle.
    pub handle: u64,
    /// Its Rust signature, for a reader: `(i64) -> Result<i64, MathError>`.
    pub signature: String,
}

impl Closures {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        box_free: BoxFreeFn,
    ) -> Option<Closures> {
        // SAFETY: (this and the next three) the caller guarantees the ABI
        // version, hence the signatures, and that the handle stays open.
        let register_host = unsafe { resolve(library, "ferryman_register_host") }.ok()?;
        // SAFETY: as above.
        let closure_call = unsafe { resolve(library, "ferryman_closure_call") }.ok()?;
        // SAFETY: as above.
        let closure_release = unsafe { resolve(library, "ferryman_closure_release") }.ok()?;
        // SAFETY: as above.
        let live_closures = unsafe { resolve(library, "ferryman_live_closures") }.ok()?;
        Some(Closures {
            register_host,
            closure_call,
            closure_release,
            live_closures,
            box_free,
        })
    }

    /// Whether `self` and `other` are the same copy of the ferryman runtime
    /// (one library, possibly loaded twice), so closure handles mean the same.
    pub fn same_library(&self, other: &Closures) -> bool {
        self.closure_call as usize == other.closure_call as usize
    }

    /// `ferryman_closure_call(handle, args, out)`: as [`crate::Library::call`].
    ///
    /// # Safety
    ///
    /// As [`crate::Library::call`]: lent bytes in `args` name memory that
    /// stays readable and unchanged for as long as the library may read it.
    #[inline]
    pub unsafe fn call<'a>(&self, handle: u64, args: &[u8], out: &'a mut Vec<u8>) -> Reply<'a> {
        let args_box = borrowed_box(args);
        let mut boxed = Reply::host_box(out);
        // SAFETY: as `ferryman_call`: `args_box` borrows `args` for the call,
        // lent bytes are the caller's promise, `boxed` follows the `out` rule.
        let code = unsafe { (self.closure_call)(handle, &args_box, &mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_closure_release(handle)`: the host's reference is gone.
    /// A handle that is not live gives `Status::NoFunction`.
    pub fn release(&self, handle: u64) -> Result<Status, UnknownStatus> {
        // SAFETY: takes a plain integer and never unwinds; a handle that is not
        // live is reported, not undefined behaviour.
        status(unsafe { (self.closure_release)(handle) })
    }

    /// `ferryman_live_closures(out)`, as bytes.
    pub fn live_into<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: `boxed` follows the ABI's `out` rule.
        let code = unsafe { (self.live_closures)(&mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_live_closures`, decoded: every closure hosts still hold,
    /// oldest first.
    pub fn live(&self) -> Result<Vec<LiveClosure>, EntryError> {
        let mut out = Vec::new();
        read_entry(
            "ferryman_live_closures",
            self.live_into(&mut out),
            decode_live,
        )
    }
}

fn decode_live(bytes: &[u8]) -> Result<Vec<LiveClosure>, ShapeError> {
    let mut reader = Reader::new(bytes);
    let context = || "live closures".to_owned();
    let len = reader.array_len().context(context)?;
    let mut live = Vec::with_capacity(len.min(bytes.len()));
    for index in 0..len {
        let mut closure = LiveClosure {
            handle: 0,
            signature: String::new(),
        };
        let at = || format!("live closure {index}");
        read_map(&mut reader, 2, &at, |key, r| {
            match key {
                "handle" => closure.handle = uint(r, at)?,
                "signature" => closure.signature = opt_string(r, at)?.unwrap_or_default(),
                _ => r.skip_at(3).context(at)?,
            }
            Ok(())
        })?;
        live.push(closure);
    }
    reader.finish().context(context)?;
    Ok(live)
}
