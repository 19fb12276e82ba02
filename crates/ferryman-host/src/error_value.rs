//! Error values (`spec/wire.md`, "Error values") decoded into Rust values: the
//! one decoder of error values on the host side.

use crate::keyed::{keep, opt_string, opt_uint, read_map, string};
use crate::shape_error::{Context, ShapeError};
use crate::value::Value;
use ferryman_wire::reader::Reader;

/// What kind of failure an error value reports (its `kind`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// An `Err` the function returned.
    Error,
    /// A panic.
    Panic,
    /// The wrong number of arguments.
    Arity,
    /// An argument of the wrong type.
    Type,
    /// An integer (or float) outside its parameter's range.
    Overflow,
    /// Arguments that are not well-formed.
    Malformed,
    /// No function has that id (or the closure was released).
    NoFunction,
    /// The bridge itself failed.
    Internal,
    /// A host's exception, from a callback.
    Host,
    /// A kind this crate does not know (a newer library); empty when the
    /// value had no `kind`.
    Other(String),
}

impl Default for ErrorKind {
    fn default() -> ErrorKind {
        ErrorKind::Other(String::new())
    }
}

impl ErrorKind {
    /// The kind as the wire names it.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorKind::Error => "error",
            ErrorKind::Panic => "panic",
            ErrorKind::Arity => "arity",
            ErrorKind::Type => "type",
            ErrorKind::Overflow => "overflow",
            ErrorKind::Malformed => "malformed",
            ErrorKind::NoFunction => "no_function",
            ErrorKind::Internal => "internal",
            ErrorKind::Host => "host",
            ErrorKind::Other(kind) => kind,
        }
    }

    /// The kind named `name` on the wire.
    pub fn from_name(name: &str) -> ErrorKind {
        match name {
            "error" => ErrorKind::Error,
            "panic" => ErrorKind::Panic,
            "arity" => ErrorKind::Arity,
            "type" => ErrorKind::Type,
            "overflow" => ErrorKind::Overflow,
            "malformed" => ErrorKind::Malformed,
            "no_function" => ErrorKind::NoFunction,
            "internal" => ErrorKind::Internal,
            "host" => ErrorKind::Host,
            other => ErrorKind::Other(other.to_owned()),
        }
    }

    /// Whether the arguments were at fault (`arity`, `type`, `overflow`,
    /// `malformed`).
    pub fn is_bad_argument(&self) -> bool {
        matches!(
            self,
            ErrorKind::Arity | ErrorKind::Type | ErrorKind::Overflow | ErrorKind::Malformed
        )
    }
}

/// One link of an error's `source()` chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cause {
    /// The link's type name, when known.
    pub type_name: Option<String>,
    /// Its `Display` text.
    pub message: String,
    /// A host exception this link stands for (a handle the reader releases).
    pub host_exception: Option<u64>,
}

/// Where an error happened: one frame, outermost first in [`ErrorValue::frames`].
///
/// The spec gives every frame all five keys; a frame that lacks one (a host
/// without columns) reads as empty text or `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub function: String,
    pub file: String,
    /// The line, when it is an int in `1..=u32::MAX`.
    pub line: Option<u32>,
    /// The column, when it is an int in `1..=u32::MAX`.
    pub column: Option<u32>,
    /// `"rust"` for the library's frames; a host's language for its own.
    pub language: String,
}

/// One error value, every key decoded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorValue {
    pub kind: ErrorKind,
    /// `type`: the short type name (`MathError`, `Panic`, `ArgumentError`).
    pub type_name: String,
    pub rust_type: Option<String>,
    pub message: String,
    pub function: Option<String>,
    pub param: Option<String>,
    pub index: Option<u64>,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub variant: Option<String>,
    /// The error's serialized fields, as a generic tree.
    pub fields: Option<Value>,
    pub causes: Vec<Cause>,
    pub notes: Vec<String>,
    pub frames: Vec<Frame>,
    /// A host exception handle, which comes with one reference the reader
    /// releases (`spec/callbacks.md`, "Exception handles").
    pub host_exception: Option<u64>,
    /// Keys this crate does not know, kept as they came.
    pub extra: Vec<(String, Value)>,
}

impl ErrorValue {
    /// Decodes `bytes`, which must hold exactly one error value.
    ///
    /// Missing keys keep their defaults (nil, empty); a known key with a
    /// value of the wrong type is an error naming the key and the byte.
    pub fn decode(bytes: &[u8]) -> Result<ErrorValue, ShapeError> {
        let mut reader = Reader::new(bytes);
        let value = ErrorValue::read(&mut reader)?;
        reader.finish().context(|| "error value".to_owned())?;
        Ok(value)
    }

    /// Reads the error value at the cursor (a value of its own: level 1).
    pub fn read(reader: &mut Reader<'_>) -> Result<ErrorValue, ShapeError> {
        let mut value = ErrorValue::default();
        let top = || "error value".to_owned();
        read_map(reader, 1, &top, |key, r| {
            let at = || format!("error value key `{key}`");
            match key {
                "kind" => value.kind = ErrorKind::from_name(r.str().context(at)?),
                "type" => value.type_name = string(r, at)?,
                "rust_type" => value.rust_type = opt_string(r, at)?,
                "message" => value.message = string(r, at)?,
                "function" => value.function = opt_string(r, at)?,
                "param" => value.param = opt_string(r, at)?,
                "index" => value.index = opt_uint(r, at)?,
                "expected" => value.expected = opt_string(r, at)?,
                "found" => value.found = opt_string(r, at)?,
                "variant" => value.variant = opt_string(r, at)?,
                "fields" => {
                    value.fields = match r.try_nil() {
                        true => None,
                        false => Some(Value::read(r, 2).context(at)?),
                    }
                }
                "causes" => value.causes = list(r, &at, cause)?,
                "notes" => value.notes = list(r, &at, |r, _| string(r, at))?,
                "frames" => value.frames = list(r, &at, frame)?,
                "host_exception" => value.host_exception = opt_uint(r, at)?,
                _ => keep(r, 2, key, &mut value.extra, at)?,
            }
            Ok(())
        })?;
        Ok(value)
    }
}

/// An array (level 2) of items read by `item`; nil reads as empty.
fn list<'a, T>(
    reader: &mut Reader<'a>,
    context: &dyn Fn() -> String,
    mut item: impl FnMut(&mut Reader<'a>, usize) -> Result<T, ShapeError>,
) -> Result<Vec<T>, ShapeError> {
    if reader.try_nil() {
        return Ok(Vec::new());
    }
    reader.check_level(2).context(context)?;
    let len = reader.array_len().context(context)?;
    let mut items = Vec::with_capacity(len.min(reader.rest().len()));
    for index in 0..len {
        items.push(item(reader, index)?);
    }
    Ok(items)
}

fn cause(reader: &mut Reader<'_>, index: usize) -> Result<Cause, ShapeError> {
    let mut cause = Cause::default();
    let context = || format!("error value cause {index}");
    read_map(reader, 3, &context, |key, r| {
        let at = || format!("error value cause {index} key `{key}`");
        match key {
            "type" => cause.type_name = opt_string(r, at)?,
            "message" => cause.message = string(r, at)?,
            "host_exception" => cause.host_exception = opt_uint(r, at)?,
            _ => r.skip_at(4).context(at)?,
        }
        Ok(())
    })?;
    Ok(cause)
}

fn frame(reader: &mut Reader<'_>, index: usize) -> Result<Frame, ShapeError> {
    let mut frame = Frame::default();
    let context = || format!("error value frame {index}");
    read_map(reader, 3, &context, |key, r| {
        let at = || format!("error value frame {index} key `{key}`");
        match key {
            "function" => frame.function = opt_string(r, at)?.unwrap_or_default(),
            "file" => frame.file = opt_string(r, at)?.unwrap_or_default(),
            "line" => frame.line = position(r).context(at)?,
            "column" => frame.column = position(r).context(at)?,
            "language" => frame.language = opt_string(r, at)?.unwrap_or_default(),
            _ => r.skip_at(4).context(at)?,
        }
        Ok(())
    })?;
    Ok(frame)
}

/// A line or column: an int from 1 up, else `None` (0 means "unknown").
fn position(reader: &mut Reader<'_>) -> Result<Option<u32>, ferryman_wire::reader::ReadError> {
    if reader.try_nil() {
        return Ok(None);
    }
    let n = reader.int()?.as_i128();
    Ok(u32::try_from(n).ok().filter(|n| *n > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal MessagePack writer for the tests (short strs and maps only).
    fn str(out: &mut Vec<u8>, text: &str) {
        out.push(0xa0 | text.len() as u8);
        out.extend_from_slice(text.as_bytes());
    }

    fn divide_by_zero() -> Vec<u8> {
        let mut out = vec![0x80 | 15];
        for (key, value) in [
            ("kind", "error"),
            ("type", "MathError"),
            ("rust_type", "calc::MathError"),
            ("message", "division by zero"),
            ("function", "divide"),
        ] {
            str(&mut out, key);
            str(&mut out, value);
        }
        for key in ["param", "index", "expected", "found"] {
            str(&mut out, key);
            out.push(0xc0);
        }
        str(&mut out, "variant");
        str(&mut out, "DivisionByZero");
        str(&mut out, "fields");
        out.extend_from_slice(&[0x81, 0xa1, b'x', 0x92, 0x01, 0xc0]);
        str(&mut out, "causes");
        out.push(0x91);
        out.push(0x83);
        str(&mut out, "type");
        out.push(0xc0);
        str(&mut out, "message");
        str(&mut out, "inner");
        str(&mut out, "host_exception");
        out.push(0x07);
        str(&mut out, "notes");
        out.push(0x91);
        str(&mut out, "a note");
        str(&mut out, "frames");
        out.push(0x91);
        out.push(0x84);
        str(&mut out, "function");
        str(&mut out, "divide");
        str(&mut out, "file");
        str(&mut out, "src/errors.rs");
        str(&mut out, "line");
        out.extend_from_slice(&[0xcd, 0x01, 0x00]);
        str(&mut out, "language");
        str(&mut out, "go");
        str(&mut out, "host_exception");
        out.push(0xc0);
        out
    }

    #[test]
    fn decodes_every_key() {
        let value = ErrorValue::decode(&divide_by_zero()).unwrap();
        assert_eq!(value.kind, ErrorKind::Error);
        assert_eq!(value.type_name, "MathError");
        assert_eq!(value.rust_type.as_deref(), Some("calc::MathError"));
        assert_eq!(value.function.as_deref(), Some("divide"));
        assert_eq!(value.variant.as_deref(), Some("DivisionByZero"));
        assert_eq!(
            value.fields.as_ref().and_then(|f| f.get("x")),
            Some(&Value::Array(vec![Value::Int(1), Value::Nil]))
        );
        assert_eq!(
            value.causes,
            vec![Cause {
                type_name: None,
                message: "inner".into(),
                host_exception: Some(7)
            }]
        );
        assert_eq!(value.notes, vec!["a note".to_owned()]);
        assert_eq!(
            value.frames,
            vec![Frame {
                function: "divide".into(),
                file: "src/errors.rs".into(),
                line: Some(256),
                column: None,
                language: "go".into()
            }]
        );
        assert!(value.extra.is_empty());
    }

    #[test]
    fn unknown_keys_are_kept_and_a_wrong_type_is_named() {
        let mut bytes = vec![0x82];
        str(&mut bytes, "kind");
        str(&mut bytes, "sideways");
        str(&mut bytes, "new");
        bytes.push(0x05);
        let value = ErrorValue::decode(&bytes).unwrap();
        assert_eq!(value.kind, ErrorKind::Other("sideways".into()));
        assert_eq!(value.extra, vec![("new".to_owned(), Value::Int(5))]);

        let mut bytes = vec![0x81];
        str(&mut bytes, "frames");
        str(&mut bytes, "x");
        let error = ErrorValue::decode(&bytes).unwrap_err();
        assert_eq!(
            error.to_string(),
            "error value key `frames`: expected an array, but found a str (at byte 8)"
        );
    }
}
