//! An error value's bytes read without making Python objects: is it a plain
//! `Err` — kind `error`, a type name, a message, no causes, no notes, no
//! callback exception, no `os_error` — and if so its type names, base,
//! message and frames.
//!
//! The rest of the value is only checked, not read: the exception keeps the
//! bytes and decodes them when an attribute is first asked for
//! (`python/ferryman/_errors.py`). So that nothing can fail then that would not
//! have failed now, the check accepts exactly what `values/decode.rs` accepts
//! for an error value: well-formed MessagePack, UTF-8 strings, no extension
//! values, no map inside a map key, nesting within [`MAX_DEPTH`].
//!
//! One pass with the one MessagePack cursor (`ferryman_host::reader`) does
//! both: this is the common error, and `ferryman_host::ErrorValueRef` (which
//! the general path uses) would read it, and then the check would read it
//! again. Anything else — another kind, an odd shape, bytes that do not
//! decode — is `None`, and the general path builds (or reports) it.

use ferryman_host::reader::{utf8, Int, Kind, Reader};

use crate::values::limits::MAX_DEPTH;

/// What the native core reads of a plain `Err`.
#[derive(Debug)]
pub(crate) struct PlainError<'b> {
    pub(crate) type_name: &'b str,
    pub(crate) rust_type: Option<&'b str>,
    /// The enum variant, when the error is one (its class is the variant's).
    pub(crate) variant: Option<&'b str>,
    /// The type's base category (`spec/wire.md`, "Error bases"), for a class
    /// made now.
    pub(crate) base: Option<&'b str>,
    pub(crate) message: &'b str,
    /// Where each frame points, outermost first.
    pub(crate) frames: Frames<'b>,
}

/// The frames of a plain `Err`. Most have one (the function that returned
/// it): that one is kept in place, without allocating.
#[derive(Debug)]
pub(crate) enum Frames<'b> {
    None,
    One(FrameLocation<'b>),
    Many(Vec<FrameLocation<'b>>),
}

impl<'b> Frames<'b> {
    /// The frames, outermost first.
    pub(crate) fn as_slice(&self) -> &[FrameLocation<'b>] {
        match self {
            Frames::None => &[],
            Frames::One(frame) => std::slice::from_ref(frame),
            Frames::Many(frames) => frames,
        }
    }
}

/// `bytes` as a plain `Err`, or `None` when the general path must handle them.
pub(crate) fn plain_error(bytes: &[u8]) -> Option<PlainError<'_>> {
    let mut reader = Reader::new(bytes);
    let entries = reader.map_len().ok()?;
    let (mut kind, mut type_name, mut rust_type, mut message) = (None, None, None, None);
    let (mut variant, mut base) = (None, None);
    let mut frames = Frames::None;
    for _ in 0..entries {
        if reader.peek_kind().ok()? != Kind::Str {
            check(&mut reader, 1, true)?;
            check(&mut reader, 1, false)?;
            continue;
        }
        let key = reader.str_bytes().ok()?;
        // A key given twice counts the last time, as in a dict.
        match key {
            b"kind" => kind = Some(text(&mut reader)?),
            b"type" => type_name = Some(text(&mut reader)?),
            b"rust_type" => rust_type = opt_str(&mut reader)?,
            b"variant" => variant = opt_str(&mut reader)?,
            b"base" => base = opt_str(&mut reader)?,
            // An OS error's class and `errno` are the general path's.
            b"os_error" => reader.try_nil().then_some(())?,
            b"message" => message = Some(text(&mut reader)?),
            b"causes" | b"notes" => empty_or_nil(&mut reader)?,
            b"host_exception" => no_exception(&mut reader)?,
            b"frames" => frames = read_frames(&mut reader)?,
            _ => {
                utf8(key)?;
                // Most other entries are nil (`param`, `index`, ...).
                if !reader.try_nil() {
                    check(&mut reader, 1, false)?;
                }
            }
        }
    }
    if !reader.is_at_end() || kind != Some("error") {
        return None;
    }
    Some(PlainError {
        type_name: type_name.filter(|name| !name.is_empty())?,
        rust_type,
        variant: variant.filter(|name| !name.is_empty()),
        base,
        message: message?,
        frames,
    })
}

/// Where one wire frame points, with the defaults `_traceback.frame_location`
/// applies: `<rust>` for a missing file or function, line 1 for a missing,
/// unknown (0) or negative line, at most 1,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FrameLocation<'b> {
    pub(crate) file: &'b str,
    pub(crate) line: u32,
    pub(crate) function: &'b str,
}

/// A str, checked for UTF-8 here (this path reads every str of the value:
/// kept inline).
#[inline(always)]
fn text<'b>(reader: &mut Reader<'b>) -> Option<&'b str> {
    utf8(reader.str_bytes().ok()?)
}

/// Nil or a str.
fn opt_str<'b>(reader: &mut Reader<'b>) -> Option<Option<&'b str>> {
    if reader.try_nil() {
        return Some(None);
    }
    text(reader).map(Some)
}

/// Nil or an empty array.
fn empty_or_nil(reader: &mut Reader<'_>) -> Option<()> {
    if reader.try_nil() {
        return Some(());
    }
    (reader.array_len().ok()? == 0).then_some(())
}

/// `host_exception` naming no exception: nil, or 0 (`spec/callbacks.md`).
fn no_exception(reader: &mut Reader<'_>) -> Option<()> {
    if reader.try_nil() {
        return Some(());
    }
    (reader.int().ok()?.as_i128() == 0).then_some(())
}

/// `frames`: nil, or an array of maps, each read (and checked) in place.
fn read_frames<'b>(reader: &mut Reader<'b>) -> Option<Frames<'b>> {
    if reader.try_nil() {
        return Some(Frames::None);
    }
    let count = reader.array_len().ok()?;
    match count {
        0 => return Some(Frames::None),
        1 => return read_frame(reader).map(Frames::One),
        _ => {}
    }
    // Each frame takes at least one byte: a count the rest cannot hold is refused
    // before anything is allocated for it.
    if count > reader.rest().len() {
        return None;
    }
    let mut frames = Vec::with_capacity(count);
    for _ in 0..count {
        frames.push(read_frame(reader)?);
    }
    Some(Frames::Many(frames))
}

/// One frame map (at nesting 2), its location read, the rest checked.
fn read_frame<'b>(reader: &mut Reader<'b>) -> Option<FrameLocation<'b>> {
    let mut location = FrameLocation {
        file: "<rust>",
        line: 1,
        function: "<rust>",
    };
    for _ in 0..reader.map_len().ok()? {
        if reader.peek_kind().ok()? != Kind::Str {
            check(reader, 3, true)?;
            check(reader, 3, false)?;
            continue;
        }
        // The keys looked for are ASCII: only another key is checked for UTF-8.
        match reader.str_bytes().ok()? {
            b"file" => location.file = located(reader)?.unwrap_or(location.file),
            b"function" => location.function = located(reader)?.unwrap_or(location.function),
            b"line" => location.line = line(reader)?,
            key => {
                utf8(key)?;
                check(reader, 3, false)?;
            }
        }
    }
    Some(location)
}

/// A frame's `file` or `function`: the str when it is one and not empty,
/// else `None` (the default stays).
#[inline(always)]
fn located<'b>(reader: &mut Reader<'b>) -> Option<Option<&'b str>> {
    if reader.peek_kind().ok()? != Kind::Str {
        check(reader, 3, false)?;
        return Some(None);
    }
    let text = text(reader)?;
    Some((!text.is_empty()).then_some(text))
}

/// A frame's `line`: an int, else 1; clamped to 1..=1,000,000.
fn line(reader: &mut Reader<'_>) -> Option<u32> {
    const MOST: i128 = 1_000_000;
    match reader.try_int().ok()? {
        Some(int) => Some(int.as_i128().clamp(1, MOST) as u32),
        None => {
            // Anything that is not an int: the default.
            check(reader, 3, false)?;
            Some(1)
        }
    }
}

/// Checks one value at nesting `depth` (the top-level map's entries are at
/// 1), as `values/decode.rs` would read it; `key`: in a map key. Scalars
/// inline; containers in [`check_container`].
#[inline(always)]
fn check(reader: &mut Reader<'_>, depth: usize, key: bool) -> Option<()> {
    let (items, map) = match reader.peek_kind().ok()? {
        Kind::Nil => return reader.nil().ok(),
        Kind::Bool => return reader.bool().ok().map(drop),
        Kind::Int => return reader.int().ok().map(|_: Int| ()),
        Kind::Float => return reader.float().ok().map(drop),
        Kind::Str => return text(reader).map(drop),
        Kind::Bin => return reader.bin().ok().map(drop),
        Kind::Array => (reader.array_len().ok()?, false),
        Kind::Map => (reader.map_len().ok()?, true),
        // Extension values (callables are never part of an error value) and 0xc1.
        Kind::Ext | Kind::Reserved => return None,
    };
    check_container(reader, items, map, depth, key)
}

/// The `items` elements (or entries, for a `map`) of a container at nesting
/// `depth` whose header was read.
#[inline(never)]
fn check_container(
    reader: &mut Reader<'_>,
    items: usize,
    map: bool,
    depth: usize,
    key: bool,
) -> Option<()> {
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
        assert_eq!(plain.variant, None);
        let bytes = value(&[("variant", b"\xaeDivisionByZero")]);
        assert_eq!(plain_error(&bytes).unwrap().variant, Some("DivisionByZero"));
        let bytes = value(&[("variant", b"\xc0")]);
        assert_eq!(plain_error(&bytes).unwrap().variant, None);
        assert_eq!(plain.frames.as_slice().len(), 1);
        assert_eq!(
            plain.frames.as_slice()[0],
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
        let located = |frame: Vec<u8>| {
            let frames = [&[0x91][..], &frame].concat();
            let bytes = value(&[("frames", &frames)]);
            let found = plain_error(&bytes).unwrap().frames.as_slice()[0];
            (found.file.to_owned(), found.line, found.function.to_owned())
        };
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
        assert_eq!(located(odd), ("<rust>".to_owned(), 1, "<rust>".to_owned()));
        let far = W::default()
            .raw(&[0x81])
            .str("line")
            .raw(&[0xce, 0x7f, 0, 0, 0])
            .0;
        assert_eq!(located(far).1, 1_000_000);
        for (encoded, line) in [
            (&[0xd1, 0x00, 0x3b][..], 59),
            (&[0x00], 1),
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
            assert_eq!(located(frame).1, line, "{encoded:?}");
        }
    }

    #[test]
    fn host_exception_zero_names_no_exception() {
        assert!(plain_error(&value(&[("host_exception", b"\x00")])).is_some());
    }
}
