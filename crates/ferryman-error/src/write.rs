//! The one encoder of error values (`spec/wire.md`, "Error values").
//!
//! It writes MessagePack by hand into a `Vec<u8>`, from borrowed parts
//! ([`ErrorView`]): a returned `Err` is encoded without first being copied into
//! an [`ErrorValue`](crate::ErrorValue) of owned strings, and without serde's
//! generic struct path. The message can be written straight from `Display`.
//! Keys come in the order of the spec's table, every key always present.

use crate::{Cause, Frame, OsError};
use std::fmt::{self, Display, Write as _};
use std::ops::Range;

/// An error value, borrowed from wherever its parts live.
#[derive(Debug, Clone, Copy)]
pub struct ErrorView<'a> {
    pub kind: &'a str,
    pub type_name: &'a str,
    pub rust_type: Option<&'a str>,
    pub message: Message<'a>,
    pub function: Option<&'a str>,
    pub param: Option<&'a str>,
    pub index: Option<usize>,
    pub expected: Option<&'a str>,
    pub found: Option<&'a str>,
    pub variant: Option<&'a str>,
    pub fields: Option<FieldsView<'a>>,
    pub base: Option<&'a str>,
    pub os_error: Option<&'a OsError>,
    pub causes: &'a [Cause],
    pub notes: &'a [String],
    /// Written before `frames` (the exported function's own frame, say).
    pub first_frame: Option<FrameView<'a>>,
    pub frames: &'a [Frame],
    pub host_exception: Option<u64>,
}

/// The `message` of an error value: text at hand, or an error to `Display`
/// (formatted straight into the output).
#[derive(Clone, Copy)]
pub enum Message<'a> {
    Text(&'a str),
    Display(&'a dyn Display),
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Text(text) => fmt::Debug::fmt(text, f),
            Message::Display(shown) => write!(f, "Display({:?})", shown.to_string()),
        }
    }
}

/// The `fields` of an error value: a decoded value, or one MessagePack map
/// already encoded.
#[derive(Debug, Clone, Copy)]
pub enum FieldsView<'a> {
    Value(&'a rmpv::Value),
    Encoded(&'a [u8]),
}

/// One frame, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameView<'a> {
    pub function: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub language: &'a str,
}

impl<'a> ErrorView<'a> {
    /// A view with `kind`, `type` and `message`; every other key nil or empty.
    pub fn new(kind: &'a str, type_name: &'a str, message: Message<'a>) -> ErrorView<'a> {
        ErrorView {
            kind,
            type_name,
            rust_type: None,
            message,
            function: None,
            param: None,
            index: None,
            expected: None,
            found: None,
            variant: None,
            fields: None,
            base: None,
            os_error: None,
            causes: &[],
            notes: &[],
            first_frame: None,
            frames: &[],
            host_exception: None,
        }
    }

    /// Appends the error value to `out`.
    ///
    /// Each key goes out together with the first byte of its value (a nil, a
    /// str header, a small int), so a value with few keys set takes about
    /// two dozen small writes rather than seventy.
    pub fn write(&self, out: &mut Vec<u8>) {
        self.write_marking_message(out);
    }

    /// [`write`](Self::write), returning where the `message` key and its
    /// value lie in `out`: the bytes around them are those of every value
    /// that differs from this one only in its message, and
    /// [`write_message`] writes what goes between.
    pub fn write_marking_message(&self, out: &mut Vec<u8>) -> Range<usize> {
        // 17 keys: past a fixmap, so a map 16 header, as rmp-serde writes it.
        key_str(out, START, self.kind);
        key_str(out, TYPE, self.type_name);
        key_opt_str(out, RUST_TYPE, self.rust_type);
        let message_start = out.len();
        write_message(out, self.message);
        let message = message_start..out.len();
        key_opt_str(out, FUNCTION, self.function);
        // Set together, by argument errors only: nil, nil, nil, nil otherwise.
        if self.param.is_none()
            && self.index.is_none()
            && self.expected.is_none()
            && self.found.is_none()
        {
            out.extend_from_slice(&NO_ARGUMENT);
        } else {
            key_opt_str(out, PARAM, self.param);
            key_opt_uint(out, INDEX, self.index.map(|index| index as u64));
            key_opt_str(out, EXPECTED, self.expected);
            key_opt_str(out, FOUND, self.found);
        }
        key_opt_str(out, VARIANT, self.variant);
        match self.fields {
            None => key_then(out, FIELDS, NIL),
            Some(FieldsView::Encoded(bytes)) => {
                key_only(out, FIELDS);
                out.extend_from_slice(bytes);
            }
            // Writing into a `Vec` cannot fail.
            Some(FieldsView::Value(value)) => {
                key_only(out, FIELDS);
                let _ = rmpv::encode::write_value(out, value);
            }
        }
        key_opt_str(out, BASE, self.base);
        os_error(out, OS_ERROR, self.os_error);
        key_array(out, CAUSES, self.causes.len());
        for cause in self.causes {
            key_opt_str(out, CAUSE_START, cause.type_name.as_deref());
            key_str(out, MESSAGE, &cause.message);
            key_opt_uint(out, HOST_EXCEPTION, cause.host_exception);
            os_error(out, OS_ERROR, cause.os_error.as_ref());
        }
        key_array(out, NOTES, self.notes.len());
        for note in self.notes {
            str(out, note);
        }
        let count = self.frames.len() + usize::from(self.first_frame.is_some());
        key_array(out, FRAMES, count);
        if let Some(first) = &self.first_frame {
            frame(out, first);
        }
        for f in self.frames {
            frame(out, &f.view());
        }
        key_opt_uint(out, HOST_EXCEPTION, self.host_exception);
        message
    }
}

/// An error value's `message` key and its value, as [`ErrorView::write`]
/// writes them.
pub fn write_message(out: &mut Vec<u8>, message: Message<'_>) {
    match message {
        Message::Text(text) => key_str(out, MESSAGE, text),
        Message::Display(shown) => key_display(out, MESSAGE, shown),
    }
}

impl Frame {
    /// This frame, borrowed.
    pub fn view(&self) -> FrameView<'_> {
        FrameView {
            function: &self.function,
            file: &self.file,
            line: self.line,
            column: self.column,
            language: &self.language,
        }
    }
}

const NIL: u8 = 0xc0;

/// A key (a fixstr) and one more byte, the first of its value, filled in as
/// it is written ([`key_then`]): the two go out in one piece, the value's
/// header or all of it (nil, a small int, an empty array).
type Key<const N: usize> = [u8; N];

/// The [`Key`] `name`; `N` is its length plus two (checked as it compiles).
const fn key<const N: usize>(name: &str) -> Key<N> {
    headed::<N, 0>([], name)
}

/// `head`, then the [`Key`] `name`: a map's header and its first key.
const fn headed<const N: usize, const H: usize>(head: [u8; H], name: &str) -> Key<N> {
    let name = name.as_bytes();
    assert!(name.len() < 32 && N == H + name.len() + 2);
    let mut out = [0; N];
    let mut i = 0;
    while i < H {
        out[i] = head[i];
        i += 1;
    }
    out[H] = 0xa0 | name.len() as u8;
    let mut i = 0;
    while i < name.len() {
        out[H + 1 + i] = name[i];
        i += 1;
    }
    out
}

/// The error value's map header (17 keys: a map 16, as rmp-serde writes it)
/// and its first key.
const START: Key<9> = headed([0xde, 0x00, 17], "kind");
const TYPE: Key<6> = key("type");
const RUST_TYPE: Key<11> = key("rust_type");
const MESSAGE: Key<9> = key("message");
const FUNCTION: Key<10> = key("function");
const PARAM: Key<7> = key("param");
const INDEX: Key<7> = key("index");
const EXPECTED: Key<10> = key("expected");
const FOUND: Key<7> = key("found");
const VARIANT: Key<9> = key("variant");
const FIELDS: Key<8> = key("fields");
const BASE: Key<6> = key("base");
const OS_ERROR: Key<10> = key("os_error");
const CAUSES: Key<8> = key("causes");
const NOTES: Key<7> = key("notes");
const FRAMES: Key<8> = key("frames");
const HOST_EXCEPTION: Key<16> = key("host_exception");
/// A cause's map header (4 keys) and its first key.
const CAUSE_START: Key<7> = headed([0x80 | 4], "type");
/// A frame's map header (5 keys) and its first key.
const FRAME_START: Key<11> = headed([0x80 | 5], "function");
const FILE: Key<6> = key("file");
const LINE: Key<6> = key("line");
const COLUMN: Key<8> = key("column");
const LANGUAGE: Key<10> = key("language");
/// An `os_error` map's header (2 keys) and its first key.
const ERRNO_START: Key<8> = headed([0x80 | 2], "errno");
const KIND: Key<6> = key("kind");

/// `param`, `index`, `expected` and `found`, all nil.
const NO_ARGUMENT: [u8; 31] = {
    let parts = [PARAM.as_slice(), &INDEX, &EXPECTED, &FOUND];
    let mut out = [0; 31];
    let (mut at, mut p) = (0, 0);
    while p < parts.len() {
        let part = parts[p];
        let mut i = 0;
        while i < part.len() - 1 {
            out[at] = part[i];
            at += 1;
            i += 1;
        }
        out[at] = NIL;
        at += 1;
        p += 1;
    }
    assert!(at == out.len());
    out
};

/// `key` with `first` as the first byte of its value.
#[inline(always)]
fn key_then<const N: usize>(out: &mut Vec<u8>, mut key: Key<N>, first: u8) {
    key[N - 1] = first;
    out.extend_from_slice(&key);
}

/// `key` alone: its value follows whole.
#[inline(always)]
fn key_only<const N: usize>(out: &mut Vec<u8>, key: Key<N>) {
    out.extend_from_slice(&key[..N - 1]);
}

#[inline(always)]
fn key_str<const N: usize>(out: &mut Vec<u8>, key: Key<N>, text: &str) {
    if text.len() < 32 {
        key_then(out, key, 0xa0 | text.len() as u8);
    } else {
        key_only(out, key);
        str_header(out, text.len());
    }
    out.extend_from_slice(text.as_bytes());
}

#[inline(always)]
fn key_opt_str<const N: usize>(out: &mut Vec<u8>, key: Key<N>, text: Option<&str>) {
    match text {
        Some(text) => key_str(out, key, text),
        None => key_then(out, key, NIL),
    }
}

#[inline(always)]
fn key_uint<const N: usize>(out: &mut Vec<u8>, key: Key<N>, n: u64) {
    if n < 0x80 {
        key_then(out, key, n as u8);
    } else {
        key_only(out, key);
        uint(out, n);
    }
}

#[inline(always)]
fn key_opt_uint<const N: usize>(out: &mut Vec<u8>, key: Key<N>, n: Option<u64>) {
    match n {
        Some(n) => key_uint(out, key, n),
        None => key_then(out, key, NIL),
    }
}

/// `key` and the header of an array of `len` items.
#[inline(always)]
fn key_array<const N: usize>(out: &mut Vec<u8>, key: Key<N>, len: usize) {
    if len < 16 {
        key_then(out, key, 0x90 | len as u8);
    } else {
        key_only(out, key);
        header(out, 0x90, 0xdc, len);
    }
}

/// `key` and `{"errno": int or nil, "kind": str}`, or nil.
#[inline(always)]
fn os_error<const N: usize>(out: &mut Vec<u8>, key: Key<N>, os: Option<&OsError>) {
    match os {
        None => key_then(out, key, NIL),
        Some(os) => {
            key_only(out, key);
            os_error_map(out, os);
        }
    }
}

fn os_error_map(out: &mut Vec<u8>, os: &OsError) {
    match os.errno {
        Some(errno) if errno >= 0 => key_uint(out, ERRNO_START, errno as u64),
        Some(errno) => {
            key_only(out, ERRNO_START);
            // Writing into a `Vec` cannot fail.
            let _ = rmp::encode::write_sint(out, i64::from(errno));
        }
        None => key_then(out, ERRNO_START, NIL),
    }
    key_str(out, KIND, &os.kind);
}

fn frame(out: &mut Vec<u8>, f: &FrameView<'_>) {
    key_str(out, FRAME_START, f.function);
    key_str(out, FILE, f.file);
    key_uint(out, LINE, u64::from(f.line));
    key_uint(out, COLUMN, u64::from(f.column));
    key_str(out, LANGUAGE, f.language);
}

fn str(out: &mut Vec<u8>, text: &str) {
    str_header(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn str_header(out: &mut Vec<u8>, len: usize) {
    let (bytes, used) = str_header_bytes(len);
    out.extend_from_slice(&bytes[..used]);
}

/// The shortest str header for `len` bytes, and how many of the 5 bytes it uses.
fn str_header_bytes(len: usize) -> ([u8; 5], usize) {
    let mut bytes = [0u8; 5];
    let used = match len {
        0..=31 => {
            bytes[0] = 0xa0 | len as u8;
            1
        }
        32..=0xff => {
            bytes[..2].copy_from_slice(&[0xd9, len as u8]);
            2
        }
        0x100..=0xffff => {
            bytes[0] = 0xda;
            bytes[1..3].copy_from_slice(&(len as u16).to_be_bytes());
            3
        }
        _ => {
            bytes[0] = 0xdb;
            bytes[1..].copy_from_slice(&(len as u32).to_be_bytes());
            5
        }
    };
    (bytes, used)
}

/// An array (`fix` 0x90, `wide` 0xdc) or map (0x80, 0xde) header.
fn header(out: &mut Vec<u8>, fix: u8, wide: u8, len: usize) {
    match len {
        0..=15 => out.push(fix | len as u8),
        16..=0xffff => {
            out.push(wide);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(wide + 1);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
}

fn uint(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0xff => out.extend_from_slice(&[0xcc, n as u8]),
        0x100..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(0xcf);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// `key` and `shown` as a str, formatted in place: a one-byte header is
/// reserved (with the key), and widened when the text turns out to need a
/// longer one.
///
/// A `Display` impl that reports an error keeps what it wrote (where
/// `to_string` would panic).
fn key_display<const N: usize>(out: &mut Vec<u8>, key: Key<N>, shown: &dyn Display) {
    key_then(out, key, 0xa0);
    let at = out.len() - 1;
    let _ = write!(VecText(out), "{shown}");
    let (header, used) = str_header_bytes(out.len() - at - 1);
    if used == 1 {
        out[at] = header[0];
    } else {
        out.splice(at..=at, header[..used].iter().copied());
    }
}

/// `fmt::Write` into a `Vec<u8>`.
struct VecText<'a>(&'a mut Vec<u8>);

impl fmt::Write for VecText<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorValue;

    fn full_value() -> ErrorValue {
        ErrorValue {
            kind: "error".to_owned(),
            type_name: "MathError".to_owned(),
            rust_type: Some("calc::MathError".to_owned()),
            message: "x".repeat(40),
            function: Some("divide".to_owned()),
            param: Some("b".to_owned()),
            index: Some(300),
            expected: Some("i64".to_owned()),
            found: Some("string".to_owned()),
            variant: Some("DivisionByZero".to_owned()),
            fields: Some(rmpv::Value::Map(vec![(
                rmpv::Value::from("left"),
                rmpv::Value::from(-70_000),
            )])),
            base: Some("value".to_owned()),
            os_error: Some(OsError {
                errno: Some(70_000),
                kind: "permission_denied".to_owned(),
            }),
            causes: vec![
                Cause {
                    type_name: Some("Io".to_owned()),
                    message: "disk".to_owned(),
                    host_exception: Some(1 << 40),
                    os_error: Some(OsError {
                        errno: Some(-3),
                        kind: "not_found".to_owned(),
                    }),
                },
                Cause::default(),
            ],
            notes: vec!["a note".to_owned(), "é".repeat(200)],
            frames: vec![Frame::rust("divide", "src/lib.rs", 70_000, 1)],
            host_exception: Some(7),
        }
    }

    fn written(view: &ErrorView<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        view.write(&mut out);
        out
    }

    #[test]
    fn writes_what_serde_writes() {
        for value in [
            full_value(),
            ErrorValue::bridge("internal", "x"),
            ErrorValue::default(),
        ] {
            assert_eq!(
                written(&value.view()),
                rmp_serde::to_vec_named(&value).unwrap(),
                "{value:?}"
            );
        }
    }

    /// The bytes around the message are the same for two values that
    /// differ only in it, and the message between them is what
    /// `write_message` writes.
    #[test]
    fn the_message_is_marked_and_written_alone_as_in_the_whole() {
        let value = full_value();
        for len in [0, 5, 31, 32, 300] {
            let text = "m".repeat(len);
            let mut view = value.view();
            view.message = Message::Display(&text);
            let mut whole = Vec::new();
            let span = view.write_marking_message(&mut whole);
            assert_eq!(whole, written(&view));
            let mut alone = Vec::new();
            write_message(&mut alone, Message::Text(&text));
            assert_eq!(&whole[span.clone()], &alone[..], "{len}");
            let mut other = value.view();
            other.message = Message::Text("another message");
            let mut again = Vec::new();
            let other_span = other.write_marking_message(&mut again);
            assert_eq!(whole[..span.start], again[..other_span.start]);
            assert_eq!(whole[span.end..], again[other_span.end..]);
        }
    }

    #[test]
    fn display_messages_get_the_shortest_header() {
        for len in [0, 31, 32, 255, 256, 70_000] {
            let text = "m".repeat(len);
            let mut view = ErrorView::new("error", "E", Message::Text(&text));
            let expected = written(&view);
            view.message = Message::Display(&text);
            assert_eq!(written(&view), expected, "{len}");
        }
    }

    #[test]
    fn a_first_frame_goes_in_front() {
        let mut value = full_value();
        let mut view = value.view();
        let first = FrameView {
            function: "outer",
            file: "src/a.rs",
            line: 3,
            column: 1,
            language: "rust",
        };
        view.first_frame = Some(first);
        let bytes = written(&view);
        value
            .frames
            .insert(0, Frame::rust("outer", "src/a.rs", 3, 1));
        assert_eq!(bytes, rmp_serde::to_vec_named(&value).unwrap());
    }

    /// Each optional key alone, long arrays and every width of header: the
    /// pieces written together (a key and its value's first byte, the four
    /// argument keys at once) come out as serde writes them one by one.
    #[test]
    fn every_key_alone_and_every_width_is_written_as_serde_writes_it() {
        let os = |errno| OsError {
            errno,
            kind: "not_found".to_owned(),
        };
        let mut values = Vec::new();
        let edits: [fn(&mut ErrorValue); 13] = [
            |v| v.param = Some("b".to_owned()),
            |v| v.index = Some(0),
            |v| v.index = Some(127),
            |v| v.index = Some(128),
            |v| v.expected = Some("e".repeat(32)),
            |v| v.found = Some("f".repeat(256)),
            |v| v.rust_type = Some("r".repeat(70_000)),
            |v| v.host_exception = Some(u64::MAX),
            |v| v.variant = Some(String::new()),
            |v| v.base = Some("os".to_owned()),
            |v| v.fields = Some(rmpv::Value::Map(Vec::new())),
            |v| v.message = "m".repeat(31),
            |v| v.kind = "k".repeat(32),
        ];
        for edit in edits {
            let mut value = ErrorValue::bridge("internal", "x");
            edit(&mut value);
            values.push(value);
        }
        for errno in [
            None,
            Some(0),
            Some(127),
            Some(128),
            Some(-1),
            Some(-33),
            Some(i32::MIN),
        ] {
            let mut value = ErrorValue::bridge("internal", "x");
            value.os_error = Some(os(errno));
            value.causes.push(Cause {
                os_error: Some(os(errno)),
                ..Cause::default()
            });
            values.push(value);
        }
        for count in [15, 16, 17, 0x1_0000] {
            let mut value = ErrorValue::bridge("internal", "x");
            value.causes = vec![Cause::default(); count.min(300)];
            value.notes = vec!["n".to_owned(); count];
            value.frames = vec![Frame::rust("f", "src/f.rs", 1 << 31, 300); count.min(300)];
            values.push(value);
        }
        for value in values {
            assert_eq!(
                written(&value.view()),
                rmp_serde::to_vec_named(&value).unwrap(),
                "{:?}",
                (&value.kind.len(), &value.os_error, value.notes.len())
            );
        }
    }
}
