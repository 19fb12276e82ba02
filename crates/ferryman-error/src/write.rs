//! The one encoder of error values (`spec/wire.md`, "Error values").
//!
//! It writes MessagePack by hand into a `Vec<u8>`, from borrowed parts
//! ([`ErrorView`]): a returned `Err` is encoded without first being copied into
//! an [`ErrorValue`](crate::ErrorValue) of owned strings, and without serde's
//! generic struct path. The message can be written straight from `Display`.
//! Keys come in the order of the spec's table, every key always present.

use crate::{Cause, Frame, OsError};
use std::fmt::{self, Display, Write as _};

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
    pub fn write(&self, out: &mut Vec<u8>) {
        // 17 keys: past a fixmap, so a map 16 header, as rmp-serde writes it.
        header(out, 0x80, 0xde, 17);
        key(out, "kind");
        str(out, self.kind);
        key(out, "type");
        str(out, self.type_name);
        key(out, "rust_type");
        opt_str(out, self.rust_type);
        key(out, "message");
        match self.message {
            Message::Text(text) => str(out, text),
            Message::Display(shown) => display(out, shown),
        }
        key(out, "function");
        opt_str(out, self.function);
        key(out, "param");
        opt_str(out, self.param);
        key(out, "index");
        match self.index {
            Some(index) => uint(out, index as u64),
            None => out.push(NIL),
        }
        key(out, "expected");
        opt_str(out, self.expected);
        key(out, "found");
        opt_str(out, self.found);
        key(out, "variant");
        opt_str(out, self.variant);
        key(out, "fields");
        match self.fields {
            None => out.push(NIL),
            Some(FieldsView::Encoded(bytes)) => out.extend_from_slice(bytes),
            // Writing into a `Vec` cannot fail.
            Some(FieldsView::Value(value)) => {
                let _ = rmpv::encode::write_value(out, value);
            }
        }
        key(out, "base");
        opt_str(out, self.base);
        key(out, "os_error");
        os_error(out, self.os_error);
        key(out, "causes");
        header(out, 0x90, 0xdc, self.causes.len());
        for cause in self.causes {
            out.push(0x80 | 4);
            key(out, "type");
            opt_str(out, cause.type_name.as_deref());
            key(out, "message");
            str(out, &cause.message);
            key(out, "host_exception");
            opt_uint(out, cause.host_exception);
            key(out, "os_error");
            os_error(out, cause.os_error.as_ref());
        }
        key(out, "notes");
        header(out, 0x90, 0xdc, self.notes.len());
        for note in self.notes {
            str(out, note);
        }
        key(out, "frames");
        let count = self.frames.len() + usize::from(self.first_frame.is_some());
        header(out, 0x90, 0xdc, count);
        if let Some(first) = &self.first_frame {
            frame(out, first);
        }
        for f in self.frames {
            frame(out, &f.view());
        }
        key(out, "host_exception");
        opt_uint(out, self.host_exception);
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

/// `{"errno": int or nil, "kind": str}`, or nil.
fn os_error(out: &mut Vec<u8>, os: Option<&OsError>) {
    let Some(os) = os else {
        out.push(NIL);
        return;
    };
    out.push(0x80 | 2);
    key(out, "errno");
    match os.errno {
        Some(errno) => int(out, i64::from(errno)),
        None => out.push(NIL),
    }
    key(out, "kind");
    str(out, &os.kind);
}

/// A signed int (an `errno`; Windows codes are positive too), as rmp writes it.
fn int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        uint(out, n as u64);
        return;
    }
    // Writing into a `Vec` cannot fail.
    let _ = rmp::encode::write_sint(out, n);
}

fn frame(out: &mut Vec<u8>, f: &FrameView<'_>) {
    out.push(0x80 | 5);
    key(out, "function");
    str(out, f.function);
    key(out, "file");
    str(out, f.file);
    key(out, "line");
    uint(out, u64::from(f.line));
    key(out, "column");
    uint(out, u64::from(f.column));
    key(out, "language");
    str(out, f.language);
}

/// A key: always a short ASCII literal.
#[inline]
fn key(out: &mut Vec<u8>, k: &'static str) {
    debug_assert!(k.len() < 32);
    out.push(0xa0 | k.len() as u8);
    out.extend_from_slice(k.as_bytes());
}

fn opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => str(out, text),
        None => out.push(NIL),
    }
}

fn opt_uint(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => uint(out, n),
        None => out.push(NIL),
    }
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

/// `shown` as a str, formatted in place: a one-byte header is reserved, and
/// widened when the text turns out to need a longer one.
///
/// A `Display` impl that reports an error keeps what it wrote (where
/// `to_string` would panic).
fn display(out: &mut Vec<u8>, shown: &dyn Display) {
    let at = out.len();
    out.push(0xa0);
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
}
