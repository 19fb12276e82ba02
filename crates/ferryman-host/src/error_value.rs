//! Error values (`spec/wire.md`, "Error values") decoded into Rust values: the
//! one decoder of error values on the host side.

use crate::keyed::{keep, opt_uint, read_map};
use crate::shape_error::{Context, ShapeError};
use crate::value::Value;
use ferryman_wire::reader::{ReadError, Reader};

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
    /// A host exception this link stands for (a handle the reader releases;
    /// handle 0 reads as `None`).
    pub host_exception: Option<u64>,
    /// The link is an `std::io::Error`.
    pub os_error: Option<OsError>,
}

/// An error that is (or whose link is) an `std::io::Error`: what a host needs
/// to raise its own OS error (`spec/wire.md`, "Error values": `os_error`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OsError {
    /// The OS error number, when the error came from the OS.
    pub errno: Option<i64>,
    /// `io::ErrorKind` in snake case (`not_found`, `permission_denied`, …).
    pub kind: String,
}

/// Where an error happened: one frame, outermost first in [`ErrorValue::frames`].
///
/// The spec gives every frame all five keys; a frame that lacks one (a host
/// without columns) reads as empty text or `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub function: String,
    pub file: String,
    /// The line (1-based); `None` for 0, which means unknown, or nil, or a
    /// missing key (`spec/wire.md`).
    pub line: Option<u32>,
    /// The column (1-based), as `line` (0: a host language without columns).
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
    /// The error type's base category (`spec/wire.md`, "Error bases").
    pub base: Option<String>,
    /// The error is an `std::io::Error`.
    pub os_error: Option<OsError>,
    pub causes: Vec<Cause>,
    pub notes: Vec<String>,
    pub frames: Vec<Frame>,
    /// A host exception handle, which comes with one reference the reader
    /// releases (`spec/callbacks.md`, "Exception handles"); 0 reads as `None`.
    pub host_exception: Option<u64>,
    /// Keys this crate does not know, kept as they came.
    pub extra: Vec<(String, Value)>,
}

/// One error value read in place: every str borrowed from the bytes, the
/// lists kept as their bytes (checked when decoded) and read on demand.
/// Decoding one allocates nothing, so a host can build an exception from a
/// plain `Err` without first copying it into an [`ErrorValue`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorValueRef<'a> {
    /// `kind` as it came (see [`ErrorValueRef::kind`]).
    pub kind_name: &'a str,
    /// `type`.
    pub type_name: &'a str,
    pub rust_type: Option<&'a str>,
    pub message: &'a str,
    pub function: Option<&'a str>,
    pub param: Option<&'a str>,
    pub index: Option<u64>,
    pub expected: Option<&'a str>,
    pub found: Option<&'a str>,
    pub variant: Option<&'a str>,
    /// The MessagePack bytes of `fields` (see [`ErrorValueRef::fields_value`]).
    pub fields: Option<&'a [u8]>,
    /// `base`.
    pub base: Option<&'a str>,
    /// `os_error` (its `kind` borrowed).
    pub os_error: Option<OsErrorRef<'a>>,
    pub host_exception: Option<u64>,
    causes: List<'a>,
    notes: List<'a>,
    frames: List<'a>,
    /// Whether the value has keys this crate does not know.
    pub has_unknown_keys: bool,
}

/// One frame, borrowed (see [`Frame`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameRef<'a> {
    pub function: &'a str,
    pub file: &'a str,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub language: &'a str,
}

/// One cause, borrowed (see [`Cause`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CauseRef<'a> {
    pub type_name: Option<&'a str>,
    pub message: &'a str,
    pub host_exception: Option<u64>,
    pub os_error: Option<OsErrorRef<'a>>,
}

/// An `os_error`, borrowed (see [`OsError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OsErrorRef<'a> {
    pub errno: Option<i64>,
    pub kind: &'a str,
}

impl OsErrorRef<'_> {
    /// This `os_error` with owned parts.
    pub fn to_owned_os_error(self) -> OsError {
        OsError {
            errno: self.errno,
            kind: self.kind.to_owned(),
        }
    }
}

/// The items of an array already checked: its count and the bytes after its
/// header.
#[derive(Debug, Clone, Copy, Default)]
struct List<'a> {
    len: usize,
    items: &'a [u8],
}

impl<'a> List<'a> {
    /// Reads (and checks) the array at the cursor (level 2), or nil as empty.
    fn read<T>(
        reader: &mut Reader<'a>,
        context: &dyn Fn() -> String,
        mut item: impl FnMut(&mut Reader<'a>, usize) -> Result<T, ShapeError>,
    ) -> Result<List<'a>, ShapeError> {
        if reader.try_nil() {
            return Ok(List::default());
        }
        reader.check_level(2).context(context)?;
        let len = reader.array_len().context(context)?;
        let items = reader.rest();
        for index in 0..len {
            item(reader, index)?;
        }
        let used = items.len() - reader.rest().len();
        Ok(List {
            len,
            items: &items[..used],
        })
    }

    /// The items, read again by `item` (they were checked: nothing fails).
    fn iter<T>(
        self,
        item: fn(&mut Reader<'a>, usize) -> Result<T, ShapeError>,
    ) -> impl ExactSizeIterator<Item = T> + 'a
    where
        T: 'a,
    {
        let mut reader = Reader::new(self.items);
        let mut index = 0;
        let items = std::iter::from_fn(move || {
            let read = item(&mut reader, index).ok();
            index += 1;
            read
        });
        Counted {
            items,
            left: self.len,
        }
    }
}

/// An iterator that knows its length.
struct Counted<I> {
    items: I,
    left: usize,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let next = self.items.next();
        if next.is_none() {
            self.left = 0;
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

impl<'a> ErrorValueRef<'a> {
    /// Decodes `bytes`, which must hold exactly one error value, checking all
    /// of it (as [`ErrorValue::decode`] does) without copying anything.
    pub fn decode(bytes: &'a [u8]) -> Result<ErrorValueRef<'a>, ShapeError> {
        let mut reader = Reader::new(bytes);
        let value = ErrorValueRef::read_with(&mut reader, |_, r| {
            r.skip_at(2)
                .context(|| "error value".to_owned())
                .map(|()| true)
        })?;
        reader.finish().context(|| "error value".to_owned())?;
        Ok(value)
    }

    /// Reads the error value at the cursor; `unknown` consumes the value of a
    /// key this crate does not know (and says whether it was unknown).
    fn read_with(
        reader: &mut Reader<'a>,
        mut unknown: impl FnMut(&'a str, &mut Reader<'a>) -> Result<bool, ShapeError>,
    ) -> Result<ErrorValueRef<'a>, ShapeError> {
        let mut value = ErrorValueRef::default();
        let top = || "error value".to_owned();
        read_map(reader, 1, &top, |key, r| {
            let at = || format!("error value key `{key}`");
            match key {
                "kind" => value.kind_name = r.str().context(at)?,
                "type" => value.type_name = r.str().context(at)?,
                "rust_type" => value.rust_type = opt_str(r, at)?,
                "message" => value.message = r.str().context(at)?,
                "function" => value.function = opt_str(r, at)?,
                "param" => value.param = opt_str(r, at)?,
                "index" => value.index = opt_uint(r, at)?,
                "expected" => value.expected = opt_str(r, at)?,
                "found" => value.found = opt_str(r, at)?,
                "variant" => value.variant = opt_str(r, at)?,
                "fields" => {
                    value.fields = match r.try_nil() {
                        true => None,
                        false => {
                            let start = r.rest();
                            r.skip_at(2).context(at)?;
                            Some(&start[..start.len() - r.rest().len()])
                        }
                    }
                }
                "base" => value.base = opt_str(r, at)?,
                "os_error" => value.os_error = os_error(r, 2, &at)?,
                "causes" => value.causes = List::read(r, &at, cause)?,
                "notes" => value.notes = List::read(r, &at, note)?,
                "frames" => value.frames = List::read(r, &at, frame)?,
                "host_exception" => value.host_exception = handle(r, at)?,
                _ => value.has_unknown_keys |= unknown(key, r)?,
            }
            Ok(())
        })?;
        Ok(value)
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_name(self.kind_name)
    }

    /// The frames, outermost first.
    pub fn frames(&self) -> impl ExactSizeIterator<Item = FrameRef<'a>> + 'a {
        self.frames.iter(frame)
    }

    /// The causes, nearest first.
    pub fn causes(&self) -> impl ExactSizeIterator<Item = CauseRef<'a>> + 'a {
        self.causes.iter(cause)
    }

    /// The notes.
    pub fn notes(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.notes.iter(note)
    }

    /// `fields` decoded as a generic tree (its structure was checked when
    /// decoded; a str in it that is not UTF-8 is an error now).
    pub fn fields_value(&self) -> Result<Option<Value>, ReadError> {
        match self.fields {
            Some(bytes) => Value::read(&mut Reader::new(bytes), 2).map(Some),
            None => Ok(None),
        }
    }

    /// This value with owned parts (unknown keys are not kept, and `fields`
    /// that do not decode are `None`: see [`ErrorValue::decode`]).
    pub fn to_owned_value(self) -> ErrorValue {
        let owned = |text: Option<&str>| text.map(str::to_owned);
        ErrorValue {
            kind: self.kind(),
            type_name: self.type_name.to_owned(),
            rust_type: owned(self.rust_type),
            message: self.message.to_owned(),
            function: owned(self.function),
            param: owned(self.param),
            index: self.index,
            expected: owned(self.expected),
            found: owned(self.found),
            variant: owned(self.variant),
            fields: self.fields_value().ok().flatten(),
            base: owned(self.base),
            os_error: self.os_error.map(OsErrorRef::to_owned_os_error),
            causes: self.causes().map(|c| c.to_owned_cause()).collect(),
            notes: self.notes().map(str::to_owned).collect(),
            frames: self.frames().map(|f| f.to_owned_frame()).collect(),
            host_exception: self.host_exception,
            extra: Vec::new(),
        }
    }
}

impl FrameRef<'_> {
    /// This frame with owned parts.
    pub fn to_owned_frame(self) -> Frame {
        Frame {
            function: self.function.to_owned(),
            file: self.file.to_owned(),
            line: self.line,
            column: self.column,
            language: self.language.to_owned(),
        }
    }
}

impl CauseRef<'_> {
    /// This cause with owned parts.
    pub fn to_owned_cause(self) -> Cause {
        Cause {
            type_name: self.type_name.map(str::to_owned),
            message: self.message.to_owned(),
            host_exception: self.host_exception,
            os_error: self.os_error.map(OsErrorRef::to_owned_os_error),
        }
    }
}

impl ErrorValue {
    /// Decodes `bytes`, which must hold exactly one error value.
    ///
    /// Missing keys keep their defaults (nil, empty); a known key with a
    /// value of the wrong type is an error naming the key and the byte; keys
    /// this crate does not know are kept in `extra`.
    pub fn decode(bytes: &[u8]) -> Result<ErrorValue, ShapeError> {
        let mut reader = Reader::new(bytes);
        let value = ErrorValue::read(&mut reader)?;
        reader.finish().context(|| "error value".to_owned())?;
        Ok(value)
    }

    /// Reads the error value at the cursor (a value of its own: level 1).
    pub fn read(reader: &mut Reader<'_>) -> Result<ErrorValue, ShapeError> {
        let mut extra = Vec::new();
        let borrowed = ErrorValueRef::read_with(reader, |key, r| {
            keep(r, 2, key, &mut extra, || format!("error value key `{key}`"))?;
            Ok(true)
        })?;
        let mut value = borrowed.to_owned_value();
        value.extra = extra;
        if let Some(fields) = borrowed.fields {
            // Strictly, with the offset in the whole input.
            let whole = reader.bytes();
            let offset = fields.as_ptr() as usize - whole.as_ptr() as usize;
            let mut at_fields = Reader::new(whole);
            at_fields
                .take(offset)
                .context(|| "error value".to_owned())?;
            let fields = Value::read(&mut at_fields, 2);
            value.fields = Some(fields.context(|| "error value key `fields`".to_owned())?);
        }
        Ok(value)
    }
}

/// A `host_exception`: a handle, or nil; handle 0 is no object and reads as
/// nil (`spec/callbacks.md`, "Host objects").
fn handle(
    reader: &mut Reader<'_>,
    context: impl Fn() -> String,
) -> Result<Option<u64>, ShapeError> {
    Ok(opt_uint(reader, context)?.filter(|handle: &u64| *handle != 0))
}

/// A str, or nil.
fn opt_str<'a>(
    reader: &mut Reader<'a>,
    context: impl FnOnce() -> String,
) -> Result<Option<&'a str>, ShapeError> {
    if reader.try_nil() {
        return Ok(None);
    }
    reader.str().map(Some).context(context)
}

fn note<'a>(reader: &mut Reader<'a>, index: usize) -> Result<&'a str, ShapeError> {
    reader.str().context(|| format!("error value note {index}"))
}

fn cause<'a>(reader: &mut Reader<'a>, index: usize) -> Result<CauseRef<'a>, ShapeError> {
    let mut cause = CauseRef::default();
    let context = || format!("error value cause {index}");
    read_map(reader, 3, &context, |key, r| {
        let at = || format!("error value cause {index} key `{key}`");
        match key {
            "type" => cause.type_name = opt_str(r, at)?,
            "message" => cause.message = r.str().context(at)?,
            "host_exception" => cause.host_exception = handle(r, at)?,
            "os_error" => cause.os_error = os_error(r, 4, &at)?,
            _ => r.skip_at(4).context(at)?,
        }
        Ok(())
    })?;
    Ok(cause)
}

/// An `os_error` map at nesting `level`, or nil.
fn os_error<'a>(
    reader: &mut Reader<'a>,
    level: usize,
    context: &dyn Fn() -> String,
) -> Result<Option<OsErrorRef<'a>>, ShapeError> {
    if reader.try_nil() {
        return Ok(None);
    }
    let mut os = OsErrorRef::default();
    read_map(reader, level, context, |key, r| {
        let at = || format!("{} key `{key}`", context());
        match key {
            "errno" => {
                os.errno = match r.try_nil() {
                    true => None,
                    false => {
                        // Past i64 is no OS's error number: unknown.
                        i64::try_from(r.int().context(at)?.as_i128()).ok()
                    }
                }
            }
            "kind" => os.kind = r.str().context(at)?,
            _ => r.skip_at(level + 2).context(at)?,
        }
        Ok(())
    })?;
    Ok(Some(os))
}

fn frame<'a>(reader: &mut Reader<'a>, index: usize) -> Result<FrameRef<'a>, ShapeError> {
    let mut frame = FrameRef::default();
    let context = || format!("error value frame {index}");
    read_map(reader, 3, &context, |key, r| {
        let at = || format!("error value frame {index} key `{key}`");
        match key {
            "function" => frame.function = opt_str(r, at)?.unwrap_or_default(),
            "file" => frame.file = opt_str(r, at)?.unwrap_or_default(),
            "line" => frame.line = position(r).context(at)?,
            "column" => frame.column = position(r).context(at)?,
            "language" => frame.language = opt_str(r, at)?.unwrap_or_default(),
            _ => r.skip_at(4).context(at)?,
        }
        Ok(())
    })?;
    Ok(frame)
}

/// A line or column: an int from 1 up, else `None` (0 means "unknown").
fn position(reader: &mut Reader<'_>) -> Result<Option<u32>, ReadError> {
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
        out.push(0x00);
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
                host_exception: Some(7),
                os_error: None,
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
        assert_eq!(value.host_exception, None, "handle 0 is no object");
    }

    #[test]
    fn the_borrowed_value_reads_in_place_and_agrees() {
        let bytes = divide_by_zero();
        let borrowed = ErrorValueRef::decode(&bytes).unwrap();
        assert_eq!(borrowed.kind(), ErrorKind::Error);
        assert!(bytes.as_ptr_range().contains(&borrowed.message.as_ptr()));
        assert_eq!(borrowed.frames().len(), 1);
        let frame = borrowed.frames().next().unwrap();
        assert_eq!((frame.function, frame.line), ("divide", Some(256)));
        assert_eq!(borrowed.notes().collect::<Vec<_>>(), ["a note"]);
        assert_eq!(borrowed.causes().next().unwrap().host_exception, Some(7));
        assert_eq!(
            borrowed.fields,
            Some(&[0x81, 0xa1, b'x', 0x92, 0x01, 0xc0][..])
        );
        assert!(!borrowed.has_unknown_keys);
        assert_eq!(
            borrowed.to_owned_value(),
            ErrorValue::decode(&bytes).unwrap()
        );
    }

    #[test]
    fn a_bad_frame_is_refused_when_decoded_not_when_iterated() {
        let mut bytes = vec![0x81];
        str(&mut bytes, "frames");
        bytes.extend_from_slice(&[0x91, 0x81]);
        str(&mut bytes, "line");
        str(&mut bytes, "x");
        let error = ErrorValueRef::decode(&bytes).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("error value frame 0 key `line`"),
            "{error}"
        );
        let mut bad_fields = vec![0x81];
        str(&mut bad_fields, "fields");
        bad_fields.extend_from_slice(&[0x91, 0xa1, 0xff]);
        assert!(ErrorValueRef::decode(&bad_fields).is_ok(), "structure only");
        let error = ErrorValue::decode(&bad_fields).unwrap_err();
        assert_eq!(
            error.to_string(),
            "error value key `fields`: a str that is not UTF-8 (at byte 9)"
        );
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

    #[test]
    fn base_and_os_error_are_read_for_the_value_and_its_causes() {
        let mut bytes = vec![0x83];
        str(&mut bytes, "base");
        str(&mut bytes, "os");
        str(&mut bytes, "os_error");
        bytes.push(0x82);
        str(&mut bytes, "errno");
        bytes.push(0x02);
        str(&mut bytes, "kind");
        str(&mut bytes, "not_found");
        str(&mut bytes, "causes");
        bytes.extend_from_slice(&[0x91, 0x82]);
        str(&mut bytes, "message");
        str(&mut bytes, "inner");
        str(&mut bytes, "os_error");
        bytes.push(0x82);
        str(&mut bytes, "errno");
        bytes.push(0xc0);
        str(&mut bytes, "kind");
        str(&mut bytes, "timed_out");
        let value = ErrorValue::decode(&bytes).unwrap();
        assert_eq!(value.base.as_deref(), Some("os"));
        assert_eq!(
            value.os_error,
            Some(OsError {
                errno: Some(2),
                kind: "not_found".into()
            })
        );
        assert_eq!(
            value.causes[0].os_error,
            Some(OsError {
                errno: None,
                kind: "timed_out".into()
            })
        );
        let borrowed = ErrorValueRef::decode(&bytes).unwrap();
        assert_eq!(borrowed.os_error.unwrap().kind, "not_found");
        assert!(!borrowed.has_unknown_keys);
    }
}
