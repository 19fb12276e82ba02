//! Large bin results written by the library straight into a new JS
//! `Buffer` (issue 13): the result bytes are copied once (by the library,
//! encoding them) instead of twice (into the call site's buffer, then into
//! a `Buffer`). The size is not known before the call, so a call site that
//! just returned a large bin expects one as large next time; a result that
//! does not fit lands in a library box and is copied as before.
//!
//! (A `Buffer` over the library's own box, freed by a finalizer, would save
//! the same copy, but Node frees external memory only when the event loop
//! turns: a synchronous loop of calls would hold every result.)

use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ptr;

use crate::js::{napi_call, Js, JsResult, Value};
use crate::library::Lib;

/// Bin results at least this long are written into a `Buffer`; shorter ones
/// are copied (a `Buffer` allocated per call and a view of it cost more).
pub(crate) const AT_LEAST: usize = 32 << 10;

/// The room for bin 32's header (`c6` and the length).
const HEADER: usize = 5;

/// Where the payload of `bytes` starts and how long it is, when `bytes` are
/// one bin value of at least [`AT_LEAST`] bytes and nothing else.
pub(crate) fn payload(bytes: &[u8]) -> Option<(usize, usize)> {
    let (start, len) = match *bytes {
        [0xc5, a, b, ..] => (3, usize::from(u16::from_be_bytes([a, b]))),
        [0xc6, a, b, c, d, ..] => (HEADER, u32::from_be_bytes([a, b, c, d]) as usize),
        // bin 8 holds at most 255 bytes: never this long.
        _ => return None,
    };
    (len >= AT_LEAST && start + len == bytes.len()).then_some((start, len))
}

/// What a call site expects of its next result: the payload length of the
/// large bin it returned last, or 0.
#[derive(Debug, Default)]
pub(crate) struct Expect(Cell<usize>);

impl Expect {
    /// The room to offer for the next result, if a large bin is expected.
    pub(crate) fn room(&self) -> Option<usize> {
        let len = self.0.get();
        (len >= AT_LEAST).then_some(len + HEADER)
    }

    /// Notes what the last result was (its bytes, if it had any).
    pub(crate) fn saw(&self, bytes: Option<&[u8]>) {
        self.0
            .set(bytes.and_then(payload).map_or(0, |(_, len)| len));
    }
}

/// A new `Buffer` of `room` bytes (not initialised) and its memory.
pub(crate) fn new_buffer(js: Js, room: usize) -> JsResult<(Value, &'static mut [MaybeUninit<u8>])> {
    let mut value = ptr::null_mut();
    let mut data = ptr::null_mut();
    napi_call!(js, napi_create_buffer(room, &mut data, &mut value))?;
    // SAFETY: N-API allocated `room` bytes at `data` for the Buffer, which
    // a handle of this scope keeps alive; backing stores do not move. The
    // caller uses the slice only while no JS runs (no one else touches it).
    let memory = unsafe { std::slice::from_raw_parts_mut(data.cast(), room) };
    Ok((value, memory))
}

/// The result: a view of `buffer`'s `start..start + len` when the library
/// wrote a large bin into it and it is not mostly empty; otherwise `None`,
/// and the caller reads the reply as usual.
pub(crate) fn view(
    js: Js,
    lib: &'static Lib,
    buffer: Value,
    room: usize,
    found: Option<(usize, usize)>,
) -> JsResult<Option<Value>> {
    match found {
        // A short result in a large Buffer would keep all of it alive.
        Some((start, len)) if len >= room / 2 => {
            let view = js.deref(lib.hooks.buffer_view)?;
            let args = [buffer, js.int(start as i64)?, js.int((start + len) as i64)?];
            js.call(view, &args).map(Some)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(header: &[u8], len: usize) -> Vec<u8> {
        let mut bytes = header.to_vec();
        bytes.resize(header.len() + len, 7);
        bytes
    }

    #[test]
    fn only_one_large_bin_filling_the_bytes_is_a_payload() {
        let n = AT_LEAST;
        let b16 = (n as u16).to_be_bytes();
        assert_eq!(payload(&bin(&[0xc5, b16[0], b16[1]], n)), Some((3, n)));
        let big = 1 << 20;
        let b32 = (big as u32).to_be_bytes();
        let header = [0xc6, b32[0], b32[1], b32[2], b32[3]];
        assert_eq!(payload(&bin(&header, big)), Some((5, big)));
        // Too short, a bin with bytes after it, a bin inside an array.
        let short = ((n - 1) as u16).to_be_bytes();
        assert_eq!(payload(&bin(&[0xc5, short[0], short[1]], n - 1)), None);
        let mut trailing = bin(&[0xc5, b16[0], b16[1]], n);
        trailing.push(0xc0);
        assert_eq!(payload(&trailing), None);
        assert_eq!(payload(&bin(&[0x91, 0xc5, b16[0], b16[1]], n)), None);
        assert_eq!(payload(&[]), None);
    }

    #[test]
    fn a_site_expects_the_large_bin_it_saw_last() {
        let expect = Expect::default();
        assert_eq!(expect.room(), None);
        let b32 = ((1u32 << 20).to_be_bytes(), 1usize << 20);
        let header = [0xc6, b32.0[0], b32.0[1], b32.0[2], b32.0[3]];
        expect.saw(Some(&bin(&header, b32.1)));
        assert_eq!(expect.room(), Some((1 << 20) + 5));
        expect.saw(Some(&[0x01]));
        assert_eq!(expect.room(), None);
    }
}
