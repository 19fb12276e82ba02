//! Is an error value a plain `Err` — kind `error`, a type name, a message, no
//! causes, no notes, no callback exception — and if so its type names,
//! message and frames, read in place by the one host-side decoder of error
//! values (`ferryman_host::ErrorValueRef`) without making Python objects.
//!
//! The exception keeps the bytes and decodes them into Python objects when
//! an attribute is first asked for (`python/ferryman/_errors.py`). So that
//! nothing can fail then that would not have failed now, the value must also
//! be one `values/decode.rs` accepts: well-formed MessagePack, UTF-8 strings,
//! no extension values, no map inside a map key, nesting within
//! [`MAX_DEPTH`] ([`decodable`]).
//!
//! Anything else — another kind, an odd shape, bytes that do not decode — is
//! `None`, and the general path builds (or reports) it.

use ferryman_host::reader::{Int, Kind, Reader};
use ferryman_host::{ErrorKind, ErrorValueRef, FrameRef};

use crate::values::limits::MAX_DEPTH;

/// What the native core reads of a plain `Err`.
#[derive(Debug)]
pub(crate) struct PlainError<'b> {
    pub(crate) type_name: &'b str,
    pub(crate) rust_type: Option<&'b str>,
    pub(crate) message: &'b str,
    /// Where each frame points, outermost first.
    pub(crate) frames: Vec<FrameLocation<'b>>,
}

/// `bytes` as a plain `Err`, or `None` when the general path must handle them.
pub(crate) fn plain_error(bytes: &[u8]) -> Option<PlainError<'_>> {
    decodable(bytes)?;
    let value = ErrorValueRef::decode(bytes).ok()?;
    let plain = value.kind() == ErrorKind::Error
        && !value.type_name.is_empty()
        && value.causes().len() == 0
        && value.notes().len() == 0
        && value.host_exception.is_none();
    plain.then(|| PlainError {
        type_name: value.type_name,
        rust_type: value.rust_type,
        message: value.message,
        frames: value.frames().map(FrameLocation::of).collect(),
    })
}

/// Where one wire frame points, with the defaults `_traceback.frame_location`
/// applies: `<rust>` for a missing file or function, line 1 for a missing or
/// unknown line, at most 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FrameLocation<'b> {
    pub(crate) file: &'b str,
    pub(crate) line: u32,
    pub(crate) function: &'b str,
}

impl<'b> FrameLocation<'b> {
    /// The location of `frame`, defaults applied.
    pub(crate) fn of(frame: FrameRef<'b>) -> FrameLocation<'b> {
        let or_rust = |text: &'b str| if text.is_empty() { "<rust>" } else { text };
        FrameLocation {
            file: or_rust(frame.file),
            line: frame.line.unwrap_or(1).clamp(1, 1_000_000),
            function: or_rust(frame.function),
        }
    }
}

/// `Some` when `values/decode.rs` would decode `bytes` (one value).
fn decodable(bytes: &[u8]) -> Option<()> {
    let mut reader = Reader::new(bytes);
    check(&mut reader, 0, false)?;
    reader.is_at_end().then_some(())
}

/// Checks one value at nesting `depth` (the value itself is at 0), as
/// `values/decode.rs` would read it; `key`: in a map key.
fn check(reader: &mut Reader<'_>, depth: usize, key: bool) -> Option<()> {
    let (items, map) = match reader.peek_kind().ok()? {
        Kind::Nil => return reader.nil().ok(),
        Kind::Bool => return reader.bool().ok().map(drop),
        Kind::Int => return reader.int().ok().map(|_: Int| ()),
        Kind::Float => return reader.float().ok().map(drop),
        Kind::Str => return reader.str().ok().map(drop),
        Kind::Bin => return reader.bin().ok().map(drop),
        Kind::Array => (reader.array_len().ok()?, false),
        Kind::Map => (reader.map_len().ok()?, true),
        // Extension values (callables are never part of an error value) and 0xc1.
        Kind::Ext | Kind::Reserved => return None,
    };
    // Python cannot hash a dict; nesting as deep as the decoder allows.
    if (map && key) || depth >= MAX_DEPTH {
        return None;
    }
    for _ in 0..items {
        if map {
            check(reader, depth + 1, true)?;
        }
        check(reader, depth + 1, key)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal MessagePack writer for the tests.
    #[derive(Default)]
    struct W(Vec<u8>);

    impl W {
        fn str(mut self, text: &str) -> W {
            assert!(text.len() < 32);
            self.0.push(0xa0 | text.len() as u8);
            self.0.extend_from_slice(text.as_bytes());
            self
        }
        fn raw(mut self, bytes: &[u8]) -> W {
            self.0.extend_from_slice(bytes);
            self
        }
    }

    fn value(extra: &[(&str, &[u8])]) -> Vec<u8> {
        let frame = W::default()
            .raw(&[0x83])
            .str("function")
            .str("fail")
            .str("file")
            .str("src/lib.rs")
            .str("line")
            .raw(&[0x3b])
            .0;
        let mut entries: Vec<(&str, Vec<u8>)> = vec![
            ("kind", W::default().str("error").0),
            ("type", W::default().str("MathError").0),
            ("rust_type", W::default().str("calc::MathError").0),
            ("message", W::default().str("division by zero").0),
            ("fields", vec![0x81, 0xa1, b'x', 0x92, 0x01, 0xc0]),
            ("causes", vec![0x90]),
            ("notes", vec![0x90]),
            ("frames", [&[0x91][..], &frame].concat()),
            ("host_exception", vec![0xc0]),
        ];
        for (key, bytes) in extra {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = bytes.to_vec(),
                None => entries.push((key, bytes.to_vec())),
            }
        }
        let mut out = W::default().raw(&[0x80 | entries.len() as u8]);
        for (key, bytes) in entries {
            out = out.str(key).raw(&bytes);
        }
        out.0
    }

    #[test]
    fn a_plain_err_is_read_without_decoding_the_rest() {
        let bytes = value(&[]);
        let plain = plain_error(&bytes).unwrap();
        assert_eq!(
            (plain.type_name, plain.rust_type, plain.message),
            ("MathError", Some("calc::MathError"), "division by zero")
        );
        assert_eq!(plain.frames.len(), 1);
        assert_eq!(
            plain.frames[0],
            FrameLocation {
                file: "src/lib.rs",
                line: 59,
                function: "fail"
            }
        );
    }

    #[test]
    fn other_kinds_and_shapes_take_the_general_path() {
        let refused: [&[(&str, &[u8])]; 9] = [
            &[("kind", b"\xa5panic")],
            &[("causes", b"\x91\x80")],
            &[("notes", b"\x91\xa1x")],
            &[("host_exception", b"\x07")],
            &[("type", b"\xc0")],
            &[("type", b"\xa0")],
            &[("message", b"\x07")],
            &[("frames", b"\x91\xa1x")],
            &[("rust_type", b"\x07")],
        ];
        for extra in refused {
            assert!(plain_error(&value(extra)).is_none(), "{extra:?}");
        }
        assert!(plain_error(&[0x05]).is_none());
        let mut trailing = value(&[]);
        trailing.push(0xc0);
        assert!(plain_error(&trailing).is_none());
    }

    #[test]
    fn what_the_decoder_refuses_anywhere_is_refused() {
        let deep = [vec![0x91; MAX_DEPTH], vec![0x90]].concat();
        let refused: [&[u8]; 7] = [
            b"\xd4\x01\x02",         // an extension value
            b"\xc1",                 // the reserved byte
            b"\xa2\xff\xfe",         // not UTF-8
            b"\x81\x80\x01",         // a map as a map key
            b"\x81\x91\x80\x01",     // a map inside an array key
            b"\xdd\xff\xff\xff\xff", // a length beyond the bytes
            &deep,
        ];
        for bad in refused {
            assert!(plain_error(&value(&[("fields", bad)])).is_none(), "{bad:?}");
        }
        let fine = [vec![0x91; MAX_DEPTH - 2], vec![0x90]].concat();
        assert!(plain_error(&value(&[("fields", &fine)])).is_some());
        let keys = value(&[("fields", b"\x82\x92\x01\x02\xc0\xc4\x01x\xc3")]);
        assert!(plain_error(&keys).is_some());
        assert!(plain_error(&value(&[("surprise", b"\xa3\xc3\xa9!")])).is_some());
    }

    #[test]
    fn frame_locations_default_like_the_python_layer() {
        let frame = |function, file, line| FrameRef {
            function,
            file,
            line,
            ..FrameRef::default()
        };
        assert_eq!(
            FrameLocation::of(frame("", "", None)),
            FrameLocation {
                file: "<rust>",
                line: 1,
                function: "<rust>"
            }
        );
        assert_eq!(
            FrameLocation::of(frame("f", "a.rs", Some(5_000_000))).line,
            1_000_000
        );
        assert_eq!(
            FrameLocation::of(frame("f", "a.rs", Some(59))),
            FrameLocation {
                file: "a.rs",
                line: 59,
                function: "f"
            }
        );
        // A frame whose line is not an int is no plain `Err`'s: the general path.
        let odd = W::default().raw(&[0x81]).str("line").raw(&[0xc3]).0;
        let frames = [&[0x91][..], &odd].concat();
        assert!(plain_error(&value(&[("frames", &frames)])).is_none());
    }
}
