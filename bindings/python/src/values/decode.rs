//! MessagePack → Python objects, straight from the bytes the library wrote,
//! read with the one MessagePack cursor (`ferryman_host::reader`).

use pyo3::exceptions::PyUnicodeDecodeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};

use crate::ffi::host_registration::HostRegistration;
use crate::state::python_classes::{self, PyName};
use crate::values::extensions::from_extension;
use crate::values::map_keys;
use crate::values::shape::Shape;
use ferryman_host::reader::{BigInt, Int, Kind, ReadError, Reader};

/// Why bytes did not decode.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// Not one well-formed ferryman value; what is wrong and at which byte.
    Malformed(String, usize),
    /// Python raised while objects were built.
    Python(PyErr),
}

impl From<PyErr> for DecodeError {
    fn from(error: PyErr) -> DecodeError {
        DecodeError::Python(error)
    }
}

impl DecodeError {
    /// A sentence for a `ProtocolError`.
    pub(crate) fn describe(&self, py: Python<'_>) -> String {
        match self {
            DecodeError::Malformed(what, offset) => format!("{what} (at byte {offset})"),
            DecodeError::Python(error) => error.value(py).to_string(),
        }
    }
}

impl From<ReadError> for DecodeError {
    fn from(error: ReadError) -> DecodeError {
        DecodeError::Malformed(error.problem.to_string(), error.at)
    }
}

impl From<std::convert::Infallible> for DecodeError {
    fn from(never: std::convert::Infallible) -> DecodeError {
        match never {}
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

/// Decodes `bytes`, which must hold exactly one value, guided by `shape`.
pub(crate) fn decode<'py>(
    py: Python<'py>,
    bytes: &[u8],
    shape: Option<&Shape>,
) -> Result<Bound<'py, PyAny>> {
    decode_with(py, bytes, shape, None)
}

/// As [`decode`], for a value from the library `registration`, which may hold
/// callables (`spec/callbacks.md`); without a registration they are malformed.
#[inline(always)]
pub(crate) fn decode_with<'py>(
    py: Python<'py>,
    bytes: &[u8],
    shape: Option<&Shape>,
    registration: Option<&'static HostRegistration>,
) -> Result<Bound<'py, PyAny>> {
    // A shape guides only arrays, maps, extensions and ints where the type is
    // a float: other scalars decode alike.
    if let Some(value) = scalar(py, bytes, shape) {
        return Ok(value);
    }
    decode_value(py, bytes, shape, registration)
}

/// [`decode_with`] for anything but a lone scalar.
#[inline(never)]
fn decode_value<'py>(
    py: Python<'py>,
    bytes: &[u8],
    shape: Option<&Shape>,
    registration: Option<&'static HostRegistration>,
) -> Result<Bound<'py, PyAny>> {
    let mut decoder = Decoder {
        py,
        reader: Reader::new(bytes),
        registration,
    };
    let value = match shape {
        None => decoder.value(&Shape::Any, 0, false)?,
        Some(Shape::Float) => decoder.float(0, false)?,
        Some(shape) => decoder.shaped(shape, 0, false)?,
    };
    decoder.reader.finish()?;
    Ok(value)
}

/// The items of the array in `bytes` (an iterator's batch), each decoded
/// with `item`, in order.
pub(crate) fn decode_items<'py>(
    py: Python<'py>,
    bytes: &[u8],
    item: &Shape,
    registration: Option<&'static HostRegistration>,
) -> Result<Vec<Bound<'py, PyAny>>> {
    let mut decoder = Decoder {
        py,
        reader: Reader::new(bytes),
        registration,
    };
    let len = decoder.reader.array_len()?;
    let depth = decoder.enter(0)?;
    decoder.check_len(len, 1)?;
    let mut items = Vec::with_capacity(len);
    for _ in 0..len {
        items.push(match item {
            Shape::Float => decoder.float(depth, false)?,
            item => decoder.shaped(item, depth, false)?,
        });
    }
    decoder.reader.finish()?;
    Ok(items)
}

/// The most common results, when `bytes` is exactly one of them: an integer,
/// a float, nil, a bool, a str or a bin. `None` for anything else (or anything
/// malformed), which the full decoder handles and explains, and for an
/// integer where `shape` says float (the decoder makes it one). Numbers are
/// read by `ferryman_wire::Direct` (the readers the library's shims use), the
/// rest by the cursor.
#[inline]
fn scalar<'py>(py: Python<'py>, bytes: &[u8], shape: Option<&Shape>) -> Option<Bound<'py, PyAny>> {
    use ferryman_wire::Direct;
    if shape.is_some_and(Shape::is_native) {
        // A str that becomes a path or a time: the full decoder converts it.
        return None;
    }
    // Asked only once an integer has been read, so no other result pays for it.
    let stays_int = || !matches!(shape, Some(Shape::Float));
    // Integers first, the most common result (a `uint 64` beyond `i64` is
    // read below).
    if let Some((value, len)) = i64::read(bytes) {
        (len == bytes.len() && stays_int()).then_some(())?;
        return value.into_pyobject(py).ok().map(Bound::into_any);
    }
    let (&marker, rest) = bytes.split_first()?;
    let object = match marker {
        0xc0 if rest.is_empty() => py.None().into_bound(py),
        0xc2 | 0xc3 if rest.is_empty() => PyBool::new(py, marker == 0xc3).to_owned().into_any(),
        0xc0 | 0xc2 | 0xc3 => return None,
        0xcb => {
            let (value, len) = f64::read(bytes)?;
            (len == bytes.len()).then_some(())?;
            PyFloat::new(py, value).into_any()
        }
        0xcf => {
            let (value, len) = u64::read(bytes)?;
            (len == bytes.len() && stays_int()).then_some(())?;
            value.into_pyobject(py).ok()?.into_any()
        }
        0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6 => {
            let mut reader = Reader::new(bytes);
            let object = if (0xc4..=0xc6).contains(&marker) {
                PyBytes::new(py, reader.bin().ok()?).into_any()
            } else {
                new_str(py, reader.str_bytes().ok()?).ok()?.into_any()
            };
            return reader.is_at_end().then_some(object);
        }
        // Containers, extensions, cut-short numbers: the full decoder.
        _ => return None,
    };
    Some(object)
}

/// A `str` from UTF-8 `bytes`, which CPython checks as it decodes them (so
/// they are not checked twice); `Err(None)` when they are not UTF-8.
fn new_str<'py>(
    py: Python<'py>,
    bytes: &[u8],
) -> std::result::Result<Bound<'py, PyString>, Option<PyErr>> {
    let len = isize::try_from(bytes.len()).map_err(|_| None)?;
    // SAFETY: `bytes` is valid for `len` bytes for the duration of the call;
    // NULL errors mean "strict". The result is a new reference or NULL with an
    // exception set.
    let made = unsafe { ffi::PyUnicode_DecodeUTF8(bytes.as_ptr().cast(), len, std::ptr::null()) };
    if made.is_null() {
        let error = PyErr::fetch(py);
        if error.is_instance_of::<PyUnicodeDecodeError>(py) {
            return Err(None);
        }
        return Err(Some(error));
    }
    // SAFETY: a new, non-NULL reference to a `str`.
    Ok(unsafe { Bound::from_owned_ptr(py, made).cast_into_unchecked() })
}

struct Decoder<'py, 'b> {
    py: Python<'py>,
    reader: Reader<'b>,
    registration: Option<&'static HostRegistration>,
}

impl<'py> Decoder<'py, '_> {
    /// A value of `shape`, which may be a [`Shape::Native`] one (checked
    /// here rather than in [`Decoder::value`], which every item goes through).
    /// A [`Shape::Recursive`] is resolved here too: containers reach their
    /// items and values through this function, so plain values do not pay.
    #[inline]
    fn shaped(&mut self, shape: &Shape, depth: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        match shape {
            Shape::Native(kind) => self.native(kind, depth, key),
            Shape::Recursive(recursive) => recursive.with(|shape| self.value(shape, depth, key)),
            shape => self.value(shape, depth, key),
        }
    }

    /// One value. `key` is set for dict keys, where arrays become tuples so
    /// they can be hashed. A [`Shape::Float`] is for the caller to see (and
    /// call [`Decoder::float`]): checking here would cost every value.
    fn value(&mut self, shape: &Shape, depth: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        let py = self.py;
        let shape = match shape {
            Shape::Option(inner) => {
                if self.reader.try_nil() {
                    return Ok(py.None().into_bound(py));
                }
                match &**inner {
                    Shape::Native(kind) => return self.native(kind, depth, key),
                    Shape::Recursive(recursive) => {
                        return recursive.with(|shape| self.value(shape, depth, key))
                    }
                    inner => inner,
                }
            }
            other => other,
        };
        let start = self.reader.position();
        let marker = self.reader.peek()?;
        let value = match Kind::of(marker) {
            Kind::Nil => {
                self.reader.nil()?;
                py.None().into_bound(py)
            }
            Kind::Bool => PyBool::new(py, self.reader.bool()?).to_owned().into_any(),
            Kind::Int => match self.reader.int()? {
                Int::U(n) => n.into_pyobject(py)?.into_any(),
                Int::I(n) => n.into_pyobject(py)?.into_any(),
            },
            Kind::Float => PyFloat::new(py, self.reader.float()?).into_any(),
            Kind::Str => {
                let bytes = self.reader.str_bytes()?;
                self.text(bytes, start, key)?
            }
            Kind::Bin => PyBytes::new(py, self.reader.bin()?).into_any(),
            Kind::Array => {
                let len = self.reader.array_len()?;
                self.sequence(len, shape, depth, key)?
            }
            Kind::Map => {
                if key {
                    return Err(DecodeError::Malformed(
                        "a map used as a map key, which Python cannot hash".into(),
                        start,
                    ));
                }
                let len = self.reader.map_len()?;
                self.map(len, shape, depth)?
            }
            Kind::Ext => return self.extension(shape, start),
            Kind::Reserved => {
                return Err(DecodeError::Malformed(
                    "the reserved MessagePack byte 0xc1".into(),
                    start,
                ))
            }
        };
        Ok(value)
    }

    /// A value of a [`Shape::Native`] descriptor: decoded as usual, then
    /// converted by `ferryman._wire_values.from_wire` (which returns what it
    /// does not recognise unchanged).
    #[cold]
    fn native(&mut self, kind: &'static str, depth: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        let value = self.value(&Shape::Any, depth, key)?;
        let from_wire = python_classes::get(self.py, PyName::FromWire)?;
        Ok(from_wire.call1((kind, value))?)
    }

    /// A value where the type is `f32` or `f64`: an int becomes a `float`
    /// (`spec/wire.md`, "Results"); anything else decodes as usual.
    #[inline]
    fn float(&mut self, depth: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        let value = match Kind::of(self.reader.peek()?) {
            Kind::Float => self.reader.float()?,
            Kind::Int => match self.reader.int()? {
                Int::U(n) => n as f64,
                Int::I(n) => n as f64,
            },
            _ => return self.value(&Shape::Any, depth, key),
        };
        Ok(PyFloat::new(self.py, value).into_any())
    }

    /// A big integer (extension 4), or a callable or lent bytes (extensions 1
    /// to 3) of a library this host is registered with; other extensions are
    /// malformed.
    fn extension(&mut self, shape: &Shape, start: usize) -> Result<Bound<'py, PyAny>> {
        let ext = self.reader.ext()?;
        if ext.tag == ferryman_abi::EXT_BIG_INT {
            let value = match BigInt::parse(ext.payload) {
                Ok(BigInt::Signed(n)) => n.into_pyobject(self.py)?.into_any(),
                Ok(BigInt::Unsigned(n)) => n.into_pyobject(self.py)?.into_any(),
                Err(error) => return Err(DecodeError::Malformed(error.to_string(), start)),
            };
            return Ok(value);
        }
        let Some(registration) = self.registration else {
            return Err(DecodeError::Malformed(
                "a MessagePack extension value, which ferryman's wire format does not use here"
                    .into(),
                start,
            ));
        };
        from_extension(self.py, registration, ext.tag, ext.payload, shape)
            .map_err(|what| DecodeError::Malformed(what, start))
    }

    /// An array of ints from 0 to 255 where the type is bytes (an empty
    /// sequence of `u8` comes as an empty array: `spec/wire.md`, "Byte
    /// sequences at any depth"); `None`, with nothing read, for any other array.
    fn byte_array(&mut self, len: usize) -> Option<Bound<'py, PyAny>> {
        let mut bytes = Vec::with_capacity(len);
        let rest = self.reader.rest();
        let mut pos = 0;
        for _ in 0..len {
            match *rest.get(pos..)? {
                [b @ 0x00..=0x7f, ..] => {
                    bytes.push(b);
                    pos += 1;
                }
                [0xcc, b, ..] => {
                    bytes.push(b);
                    pos += 2;
                }
                _ => return None,
            }
        }
        self.reader.take(pos).ok()?;
        Some(PyBytes::new(self.py, &bytes).into_any())
    }

    /// A str from its `bytes` (the value started at `start`); map keys come
    /// from [`map_keys`] when they can.
    fn text(&mut self, bytes: &[u8], start: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        if key {
            if let Some(text) = map_keys::cached(self.py, bytes) {
                return Ok(text.into_any());
            }
        }
        let text = new_str(self.py, bytes).map_err(|error| match error {
            Some(error) => DecodeError::Python(error),
            None => DecodeError::Malformed(
                match std::str::from_utf8(bytes) {
                    Err(error) => format!("a str that is not UTF-8 ({error})"),
                    Ok(_) => "a str that is not UTF-8".to_owned(),
                },
                start,
            ),
        })?;
        if key {
            map_keys::remember(bytes, &text);
        }
        Ok(text.into_any())
    }

    /// The nesting of a container inside one at `depth`, within [`MAX_DEPTH`](crate::values::limits::MAX_DEPTH).
    fn enter(&self, depth: usize) -> Result<usize> {
        self.reader.check_level(depth + 1)?;
        Ok(depth + 1)
    }

    /// Every element takes at least one byte: refuse lengths the rest of the
    /// buffer cannot hold before allocating for them.
    fn check_len(&self, len: usize, bytes_each: usize) -> Result<()> {
        if len.saturating_mul(bytes_each) > self.reader.rest().len() {
            Err(DecodeError::Malformed(
                format!("a container of {len} elements in a buffer too short for them"),
                self.reader.position(),
            ))
        } else {
            Ok(())
        }
    }

    fn sequence(
        &mut self,
        len: usize,
        shape: &Shape,
        depth: usize,
        key: bool,
    ) -> Result<Bound<'py, PyAny>> {
        let depth = self.enter(depth)?;
        self.check_len(len, 1)?;
        if matches!(shape, Shape::Bytes) && !key {
            if let Some(bytes) = self.byte_array(len) {
                return Ok(bytes);
            }
        }
        let mut items = Vec::with_capacity(len);
        match shape {
            Shape::Items(shapes) => {
                for index in 0..len {
                    let shape = shapes.get(index).unwrap_or(&Shape::Any);
                    items.push(self.shaped(shape, depth, key)?);
                }
            }
            Shape::Tuple(shapes) => {
                for index in 0..len {
                    let shape = shapes.get(index).unwrap_or(&Shape::Any);
                    items.push(if matches!(shape, Shape::Float) {
                        self.float(depth, key)?
                    } else {
                        self.shaped(shape, depth, key)?
                    });
                }
            }
            Shape::List(inner) if matches!(**inner, Shape::Float) => {
                for _ in 0..len {
                    items.push(self.float(depth, key)?);
                }
            }
            Shape::List(inner) => {
                for _ in 0..len {
                    items.push(self.shaped(inner, depth, key)?);
                }
            }
            _ => {
                for _ in 0..len {
                    items.push(self.value(&Shape::Any, depth, key)?);
                }
            }
        }
        if key || matches!(shape, Shape::Tuple(_)) {
            Ok(PyTuple::new(self.py, items)?.into_any())
        } else {
            Ok(PyList::new(self.py, items)?.into_any())
        }
    }

    fn map(&mut self, len: usize, shape: &Shape, depth: usize) -> Result<Bound<'py, PyAny>> {
        let depth = self.enter(depth)?;
        self.check_len(len, 2)?;
        let values = match shape {
            Shape::Map(values) if matches!(**values, Shape::Float) => {
                return self.entries(len, depth, |decoder, depth| decoder.float(depth, false));
            }
            Shape::Map(values) => &**values,
            Shape::Keyed(keyed) => return self.keyed(len, depth, keyed),
            // A record, or any map of plain values.
            _ => {
                return self.entries(len, depth, |decoder, depth| {
                    decoder.value(&Shape::Any, depth, false)
                })
            }
        };
        self.entries(len, depth, |decoder, depth| {
            decoder.shaped(values, depth, false)
        })
    }

    /// A named type's map (a struct, or an enum's `{"Variant": content}`),
    /// each value decoded with the shape its str key has in `keyed`.
    #[cold]
    fn keyed(
        &mut self,
        len: usize,
        depth: usize,
        keyed: &[(String, Shape)],
    ) -> Result<Bound<'py, PyAny>> {
        let dict = PyDict::new(self.py);
        for _ in 0..len {
            let key_at = self.reader.position();
            let key = self.value(&Shape::Any, depth, true)?;
            let shape = key
                .cast::<PyString>()
                .ok()
                .and_then(|key| key.to_str().ok())
                .and_then(|key| keyed.iter().find(|(name, _)| name == key))
                .map_or(&Shape::Any, |(_, shape)| shape);
            let value = self.shaped(shape, depth, false)?;
            dict.set_item(&key, value).map_err(|error| {
                DecodeError::Malformed(
                    format!("a map key Python cannot use ({})", error.value(self.py)),
                    key_at,
                )
            })?;
        }
        Ok(dict.into_any())
    }

    /// A dict of `len` entries whose values `value` decodes.
    #[inline(always)]
    fn entries(
        &mut self,
        len: usize,
        depth: usize,
        mut value: impl FnMut(&mut Self, usize) -> Result<Bound<'py, PyAny>>,
    ) -> Result<Bound<'py, PyAny>> {
        let dict = PyDict::new(self.py);
        for _ in 0..len {
            let key_at = self.reader.position();
            let key = self.value(&Shape::Any, depth, true)?;
            let value = value(self, depth)?;
            dict.set_item(&key, value).map_err(|error| {
                DecodeError::Malformed(
                    format!("a map key Python cannot use ({})", error.value(self.py)),
                    key_at,
                )
            })?;
        }
        Ok(dict.into_any())
    }
}
