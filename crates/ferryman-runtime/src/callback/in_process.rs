//! The references a value written for a host carries, given back when no host
//! reads it: a Rust closure called in-process (`Callback::call` on a
//! `Target::Rust`) gets its arguments, and returns its result, as bytes that
//! encoding wrote *for a host* — each callable (extension 1 or 2) and object
//! (extension 5) in them is one reference the reader owns (`spec/callbacks.md`,
//! "Host objects"). The closure's decoding takes references of its own, so once
//! it has run the bytes' references are released here.

use crate::callback::closure_table;
use crate::callback::host_registry::{self, HostObject};
use crate::object::table;
use ferryman_abi::{EXT_HOST_OBJECT, EXT_LIBRARY_CLOSURE, EXT_OBJECT};
use ferryman_wire::reader::{Kind, Reader};

/// Releases one reference for every callable and object in `bytes`, which
/// this library encoded (so they are well-formed; a malformed tail is left
/// alone rather than guessed at).
pub(crate) fn release_references(bytes: &[u8]) {
    let mut reader = Reader::new(bytes);
    while !reader.is_at_end() {
        if release_value(&mut reader, 1).is_none() {
            return;
        }
    }
}

fn release_value(reader: &mut Reader<'_>, level: usize) -> Option<()> {
    match reader.peek_kind().ok()? {
        Kind::Array => {
            reader.check_level(level).ok()?;
            let len = reader.array_len().ok()?;
            for _ in 0..len {
                release_value(reader, level + 1)?;
            }
        }
        Kind::Map => {
            reader.check_level(level).ok()?;
            let len = reader.map_len().ok()?;
            for _ in 0..len.checked_mul(2)? {
                release_value(reader, level + 1)?;
            }
        }
        Kind::Ext => {
            let ext = reader.ext().ok()?;
            release_extension(ext.tag, ext.payload);
        }
        _ => reader.skip_at(level).ok()?,
    }
    Some(())
}

fn release_extension(tag: i8, payload: &[u8]) {
    let word = |at: usize| -> Option<u64> {
        Some(u64::from_be_bytes(
            payload.get(at..at + 8)?.try_into().ok()?,
        ))
    };
    match (tag, payload.len()) {
        (EXT_HOST_OBJECT, 12) => {
            let host_id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
            if let (Some(host), Some(handle)) = (host_registry::host(host_id), word(4)) {
                // Dropping the adopted reference releases it.
                drop(HostObject::adopt(host, host_id, handle));
            }
        }
        (EXT_LIBRARY_CLOSURE, 8) => {
            if let Some(handle) = word(0) {
                closure_table::release(handle);
            }
        }
        (EXT_OBJECT, 12) => {
            if let Some(handle) = word(4) {
                table::release(handle);
            }
        }
        _ => {}
    }
}
