//! An error value's bytes read without making Python objects: is it a plain
//! `Err` — kind `error`, a type name, a message, no causes, no notes, no
//! callback exception — and if so its type names, message and frames.
//!
//! The rest of the value is only checked, not read: the exception keeps the
//! bytes and decodes them when an attribute is first asked for
//! (`python/ferryman/_errors.py`). So that nothing can fail then that would not
//! have failed now, the check accepts exactly what `values/decode.rs` accepts
//! for an error value: well-formed MessagePack, UTF-8 strings, no extension
//! values, no map inside a map key, nesting within [`MAX_DEPTH`].
//!
//! Anything else — another kind, an odd shape, bytes that do not decode — is
//! `None`, and the general path builds (or reports) it.

use crate::values::limits::MAX_DEPTH;

/// What the native core reads of a plain `Err`.
#[derive(Debug)]
pub(crate) struct PlainError<'b> {
    pub(crate) type_name: &'b str,
    pub(crate) rust_type: Option<&'b str>,
    pub(crate) message: &'b str,
    /// Each frame's map, as bytes, outermost first.
    pub(crate) frames: Vec<&'b [u8]>,
}

/// `bytes` as a plain `Err`, or `None` when the general path must handle them.
pub(crate) fn plain_error(bytes: &[u8]) -> Option<PlainError<'_>> {
    let mut reader = Reader { bytes, pos: 0 };
    let entries = reader.map_len()?;
    let (mut kind, mut type_name, mut rust_type, mut message) = (None, None, None, None);
    let mut frames = Vec::new();
    for _ in 0..entries {
        let key = match reader.peek()? {
            0xa0..=0xbf | 0xd9..=0xdb => reader.str_bytes()?,
            _ => {
                reader.check(1, true)?;
                reader.check(1, false)?;
                continue;
            }
        };
        // A key given twice counts the last time, as in a dict.
        match key {
            b"kind" => kind = Some(reader.str()?),
            b"type" => type_name = Some(reader.str()?),
            b"rust_type" => rust_type = reader.opt_str()?,
            b"message" => message = Some(reader.str()?),
            b"causes" | b"notes" => reader.empty_or_nil()?,
            b"host_exception" => reader.nil()?,
            b"frames" => frames = reader.frames()?,
            _ => {
                text(key)?;
                reader.item(1, false)?;
            }
        }
    }
    if reader.pos != bytes.len() || kind != Some("error") {
        return None;
    }
    Some(PlainError {
        type_name: type_name.filter(|name| !name.is_empty())?,
        rust_type,
        message: message?,
        frames,
    })
}

/// Where one wire frame points, with the defaults `_traceback.frame_location`
/// applies: `<rust>` for a missing file or function, line 1 for a missing or
/// non-positive line, at most 1,000,000.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FrameLocation<'b> {
    pub(crate) file: &'b str,
    pub(crate) line: u32,
    pub(crate) function: &'b str,
}

impl<'b> FrameLocation<'b> {
    /// Reads a frame map that [`plain_error`] accepted.
    pub(crate) fn read(frame: &'b [u8]) -> Option<FrameLocation<'b>> {
        let mut reader = Reader {
            bytes: frame,
            pos: 0,
        };
        let mut location = FrameLocation {
            file: "<rust>",
            line: 1,
            function: "<rust>",
        };
        for _ in 0..reader.map_len()? {
            let key = match reader.peek()? {
                0xa0..=0xbf | 0xd9..=0xdb => reader.str()?,
                _ => "",
            };
            if key.is_empty() {
                reader.check(1, true)?;
            }
            match (key, reader.peek()?) {
                ("file" | "function", 0xa0..=0xbf | 0xd9..=0xdb) => {
                    let text = reader.str()?;
                    if !text.is_empty() {
                        if key == "file" {
                            location.file = text;
                        } else {
                            location.function = text;
                        }
                    }
                }
                ("line", _) => location.line = reader.line()?,
                _ => reader.check(1, false)?,
            }
        }
        Some(location)
    }
}

/// `bytes` as text, if they are UTF-8: short ASCII strings (keys, names) are
/// checked eight bytes at a time, anything else by the full check.
#[inline]
fn text(bytes: &[u8]) -> Option<&str> {
    let mut words = bytes.chunks_exact(8);
    let mut high = 0u64;
    for word in &mut words {
        high |= u64::from_ne_bytes(word.try_into().ok()?);
    }
    let tail = words.remainder().iter().fold(0u8, |all, &b| all | b);
    if high & 0x8080_8080_8080_8080 == 0 && tail < 0x80 {
        // SAFETY: ASCII is UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

/// A cursor over MessagePack bytes; every method is `None` on bytes the
/// decoder would refuse (or, for the typed readers, on another type).
struct Reader<'b> {
    bytes: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn take(&mut self, len: usize) -> Option<&'b [u8]> {
        let end = self.pos.checked_add(len)?;
        let taken = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(taken)
    }

    #[inline]
    fn byte(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    #[inline]
    fn be(&mut self, width: usize) -> Option<usize> {
        let bytes = self.take(width)?;
        Some(bytes.iter().fold(0, |n, &b| (n << 8) | usize::from(b)))
    }

    /// A str (any width), valid UTF-8.
    #[inline]
    fn str(&mut self) -> Option<&'b str> {
        text(self.str_bytes()?)
    }

    /// A str's bytes, not checked.
    #[inline]
    fn str_bytes(&mut self) -> Option<&'b [u8]> {
        let len = match self.byte()? {
            marker @ 0xa0..=0xbf => usize::from(marker & 0x1f),
            0xd9 => self.be(1)?,
            0xda => self.be(2)?,
            0xdb => self.be(4)?,
            _ => return None,
        };
        self.take(len)
    }

    fn opt_str(&mut self) -> Option<Option<&'b str>> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            return Some(None);
        }
        self.str().map(Some)
    }

    fn nil(&mut self) -> Option<()> {
        (self.byte()? == 0xc0).then_some(())
    }

    /// Nil or an empty array.
    fn empty_or_nil(&mut self) -> Option<()> {
        matches!(self.byte()?, 0xc0 | 0x90).then_some(())
    }

    fn map_len(&mut self) -> Option<usize> {
        match self.byte()? {
            marker @ 0x80..=0x8f => Some(usize::from(marker & 0x0f)),
            0xde => self.be(2),
            0xdf => self.be(4),
            _ => None,
        }
    }

    fn array_len(&mut self) -> Option<usize> {
        match self.byte()? {
            marker @ 0x90..=0x9f => Some(usize::from(marker & 0x0f)),
            0xdc => self.be(2),
            0xdd => self.be(4),
            _ => None,
        }
    }

    /// `frames`: nil, or an array of maps (each checked and kept as bytes).
    fn frames(&mut self) -> Option<Vec<&'b [u8]>> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            return Some(Vec::new());
        }
        let count = self.array_len()?;
        // Each frame takes at least one byte: a count the rest cannot hold is refused
        // before anything is allocated for it.
        if count > self.bytes.len() - self.pos {
            return None;
        }
        let mut frames = Vec::with_capacity(count);
        for _ in 0..count {
            let start = self.pos;
            if !matches!(self.peek()?, 0x80..=0x8f | 0xde | 0xdf) {
                return None;
            }
            self.check(2, false)?;
            frames.push(&self.bytes[start..self.pos]);
        }
        Some(frames)
    }

    /// A frame's `line`: an int, else 1; clamped to 1..=1,000,000.
    fn line(&mut self) -> Option<u32> {
        const MOST: i128 = 1_000_000;
        let marker = self.peek()?;
        let width = match marker {
            0x00..=0x7f => 0,
            0xcc | 0xd0 => 1,
            0xcd | 0xd1 => 2,
            0xce | 0xd2 => 4,
            0xcf | 0xd3 => 8,
            _ => {
                // Negative fixints and anything that is not an int: the default.
                self.check(1, false)?;
                return Some(1);
            }
        };
        self.pos += 1;
        let line = if width == 0 {
            i128::from(marker)
        } else {
            let bytes = self.take(width)?;
            let unsigned = bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
            if marker >= 0xd0 {
                // Sign-extend a `width`-byte two's complement number.
                let shift = 64 - 8 * width as u32;
                i128::from(((unsigned << shift) as i64) >> shift)
            } else {
                i128::from(unsigned)
            }
        };
        Some(line.clamp(1, MOST) as u32)
    }

    /// Checks one value at nesting `depth` (the top-level map's entries are at
    /// 1), as `values/decode.rs` would read it; `key`: in a map key.
    fn check(&mut self, depth: usize, key: bool) -> Option<()> {
        let marker = self.byte()?;
        let (items, map) = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => return Some(()),
            0xcc | 0xd0 => return self.take(1).map(drop),
            0xcd | 0xd1 => return self.take(2).map(drop),
            0xca | 0xce | 0xd2 => return self.take(4).map(drop),
            0xcb | 0xcf | 0xd3 => return self.take(8).map(drop),
            0xa0..=0xbf => {
                return self
                    .take(usize::from(marker & 0x1f))
                    .and_then(text)
                    .map(drop)
            }
            0xd9..=0xdb => {
                self.pos -= 1;
                return self.str().map(drop);
            }
            0xc4 => return self.sized(1),
            0xc5 => return self.sized(2),
            0xc6 => return self.sized(4),
            0x90..=0x9f => (usize::from(marker & 0x0f), false),
            0xdc => (self.be(2)?, false),
            0xdd => (self.be(4)?, false),
            0x80..=0x8f => (usize::from(marker & 0x0f), true),
            0xde => (self.be(2)?, true),
            0xdf => (self.be(4)?, true),
            // Extension values (callables are never part of an error value) and 0xc1.
            _ => return None,
        };
        // Python cannot hash a dict; nesting as deep as the decoder allows.
        if (map && key) || depth >= MAX_DEPTH {
            return None;
        }
        for _ in 0..items {
            if map {
                self.item(depth + 1, true)?;
            }
            self.item(depth + 1, key)?;
        }
        Some(())
    }

    /// [`Reader::check`], with the common scalars and short strings inline.
    #[inline(always)]
    fn item(&mut self, depth: usize, key: bool) -> Option<()> {
        match self.peek()? {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {
                self.pos += 1;
                Some(())
            }
            marker @ 0xa0..=0xbf => {
                self.pos += 1;
                self.take(usize::from(marker & 0x1f))
                    .and_then(text)
                    .map(drop)
            }
            _ => self.check(depth, key),
        }
    }

    /// A bin of `width`-byte length.
    fn sized(&mut self, width: usize) -> Option<()> {
        let len = self.be(width)?;
        self.take(len).map(drop)
    }
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
            FrameLocation::read(plain.frames[0]).unwrap(),
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
        let odd = W::default()
            .raw(&[0x84])
            .str("function")
            .raw(&[0x07])
            .str("file")
            .str("")
            .str("line")
            .raw(&[0xff])
            .str("column")
            .raw(&[0x01])
            .0;
        assert_eq!(
            FrameLocation::read(&odd).unwrap(),
            FrameLocation {
                file: "<rust>",
                line: 1,
                function: "<rust>"
            }
        );
        let far = W::default()
            .raw(&[0x81])
            .str("line")
            .raw(&[0xce, 0x7f, 0, 0, 0])
            .0;
        assert_eq!(FrameLocation::read(&far).unwrap().line, 1_000_000);
        for (encoded, line) in [
            (&[0xd1, 0x00, 0x3b][..], 59),
            (&[0xd0, 0x85], 1),
            (&[0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                1_000_000,
            ),
            (&[0xc3], 1),
            (&[0xcb, 0x40, 0x4d, 0x80, 0, 0, 0, 0, 0], 1),
        ] {
            let frame = W::default().raw(&[0x81]).str("line").raw(encoded).0;
            assert_eq!(
                FrameLocation::read(&frame).unwrap().line,
                line,
                "{encoded:?}"
            );
        }
    }
}
