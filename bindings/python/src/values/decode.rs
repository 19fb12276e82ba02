//! MessagePack → Python objects, straight from the bytes the library wrote.

use pyo3::exceptions::PyUnicodeDecodeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};
use rmp::Marker;

use crate::ffi::host_registration::HostRegistration;
use crate::values::extensions::from_extension;
use crate::values::limits::MAX_DEPTH;
use crate::values::map_keys;
use crate::values::shape::Shape;
use ferryman_wire::BigInt;

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
    // A shape guides only arrays, maps and extensions: scalars decode alike.
    if let Some(value) = scalar(py, bytes) {
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
        bytes,
        pos: 0,
        registration,
    };
    let value = decoder.value(shape.unwrap_or(&Shape::Any), 0, false)?;
    if decoder.pos != bytes.len() {
        return Err(decoder.malformed(format!(
            "{} bytes after the value",
            bytes.len() - decoder.pos
        )));
    }
    Ok(value)
}

/// The most common results, when `bytes` is exactly one of them: an integer,
/// a float, nil, a bool, a str or a bin. `None` for anything else (or anything
/// malformed), which the full decoder handles and explains.
#[inline]
fn scalar<'py>(py: Python<'py>, bytes: &[u8]) -> Option<Bound<'py, PyAny>> {
    use ferryman_wire::Direct;
    let (&marker, rest) = bytes.split_first()?;
    let sized = |len: usize, header: usize| (rest.len() == header + len).then(|| &rest[header..]);
    let object = match marker {
        0xc0 if rest.is_empty() => py.None().into_bound(py),
        0xc2 | 0xc3 if rest.is_empty() => PyBool::new(py, marker == 0xc3).to_owned().into_any(),
        0xc0 | 0xc2 | 0xc3 => return None,
        0xcb => {
            let (value, len) = f64::read(bytes)?;
            (len == bytes.len()).then_some(())?;
            PyFloat::new(py, value).into_any()
        }
        0xa0..=0xbf => new_str(py, sized(usize::from(marker & 0x1f), 0)?)
            .ok()?
            .into_any(),
        0xc4 => PyBytes::new(py, sized(usize::from(*rest.first()?), 1)?).into_any(),
        0xc5 => {
            let len = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?);
            PyBytes::new(py, sized(usize::from(len), 2)?).into_any()
        }
        0xc6 => {
            let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
            PyBytes::new(py, sized(usize::try_from(len).ok()?, 4)?).into_any()
        }
        0xcf => {
            let (value, len) = u64::read(bytes)?;
            (len == bytes.len()).then_some(())?;
            value.into_pyobject(py).ok()?.into_any()
        }
        _ => {
            let (value, len) = i64::read(bytes)?;
            (len == bytes.len()).then_some(())?;
            value.into_pyobject(py).ok()?.into_any()
        }
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
    bytes: &'b [u8],
    pos: usize,
    registration: Option<&'static HostRegistration>,
}

impl<'py, 'b> Decoder<'py, 'b> {
    fn malformed(&self, what: impl Into<String>) -> DecodeError {
        DecodeError::Malformed(what.into(), self.pos)
    }

    fn take(&mut self, len: usize) -> Result<&'b [u8]> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| self.malformed(format!("truncated: {len} more bytes expected")))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<usize> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn u32(&mut self) -> Result<usize> {
        usize::try_from(u32::from_be_bytes(self.array()?))
            .map_err(|_| self.malformed("length too large"))
    }

    /// One value. `key` is set for dict keys, where arrays become tuples so
    /// they can be hashed.
    fn value(&mut self, shape: &Shape, depth: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        let py = self.py;
        let shape = match shape {
            Shape::Option(inner) => {
                if self.bytes.get(self.pos) == Some(&0xc0) {
                    self.pos += 1;
                    return Ok(py.None().into_bound(py));
                }
                inner
            }
            other => other,
        };
        let start = self.pos;
        let marker = Marker::from_u8(self.u8()?);
        let value = match marker {
            Marker::Null => py.None().into_bound(py),
            Marker::True => PyBool::new(py, true).to_owned().into_any(),
            Marker::False => PyBool::new(py, false).to_owned().into_any(),
            Marker::FixPos(value) => value.into_pyobject(py)?.into_any(),
            Marker::FixNeg(value) => value.into_pyobject(py)?.into_any(),
            Marker::U8 => self.u8()?.into_pyobject(py)?.into_any(),
            Marker::U16 => u16::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::U32 => u32::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::U64 => u64::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::I8 => i8::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::I16 => i16::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::I32 => i32::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::I64 => i64::from_be_bytes(self.array()?)
                .into_pyobject(py)?
                .into_any(),
            Marker::F32 => {
                PyFloat::new(py, f64::from(f32::from_be_bytes(self.array()?))).into_any()
            }
            Marker::F64 => PyFloat::new(py, f64::from_be_bytes(self.array()?)).into_any(),
            Marker::FixStr(len) => self.text(usize::from(len), key)?,
            Marker::Str8 => {
                let len = usize::from(self.u8()?);
                self.text(len, key)?
            }
            Marker::Str16 => {
                let len = self.u16()?;
                self.text(len, key)?
            }
            Marker::Str32 => {
                let len = self.u32()?;
                self.text(len, key)?
            }
            Marker::Bin8 => {
                let len = usize::from(self.u8()?);
                PyBytes::new(py, self.take(len)?).into_any()
            }
            Marker::Bin16 => {
                let len = self.u16()?;
                PyBytes::new(py, self.take(len)?).into_any()
            }
            Marker::Bin32 => {
                let len = self.u32()?;
                PyBytes::new(py, self.take(len)?).into_any()
            }
            Marker::FixArray(len) => self.sequence(usize::from(len), shape, depth, key)?,
            Marker::Array16 => {
                let len = self.u16()?;
                self.sequence(len, shape, depth, key)?
            }
            Marker::Array32 => {
                let len = self.u32()?;
                self.sequence(len, shape, depth, key)?
            }
            Marker::FixMap(len) => self.map(usize::from(len), shape, depth, key)?,
            Marker::Map16 => {
                let len = self.u16()?;
                self.map(len, shape, depth, key)?
            }
            Marker::Map32 => {
                let len = self.u32()?;
                self.map(len, shape, depth, key)?
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => return self.extension(marker, shape, start),
            Marker::Reserved => {
                self.pos = start;
                return Err(self.malformed("the reserved MessagePack byte 0xc1"));
            }
        };
        Ok(value)
    }

    /// A big integer (extension 4), or a callable or lent bytes (extensions 1
    /// to 3) of a library this host is registered with; other extensions are malformed.
    fn extension(
        &mut self,
        marker: Marker,
        shape: &Shape,
        start: usize,
    ) -> Result<Bound<'py, PyAny>> {
        let len = match marker {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => usize::from(self.u8()?),
            Marker::Ext16 => self.u16()?,
            _ => self.u32()?,
        };
        let tag = i8::from_be_bytes(self.array()?);
        let payload = self.take(len)?;
        if tag == ferryman_abi::EXT_BIG_INT {
            let value = match BigInt::parse(payload) {
                Ok(BigInt::Signed(n)) => n.into_pyobject(self.py)?.into_any(),
                Ok(BigInt::Unsigned(n)) => n.into_pyobject(self.py)?.into_any(),
                Err(error) => return Err(DecodeError::Malformed(error.to_string(), start)),
            };
            return Ok(value);
        }
        let Some(registration) = self.registration else {
            self.pos = start;
            return Err(self.malformed(
                "a MessagePack extension value, which ferryman's wire format does not use here",
            ));
        };
        from_extension(self.py, registration, tag, payload, shape)
            .map_err(|what| DecodeError::Malformed(what, start))
    }

    /// An array of ints from 0 to 255 where the type is bytes (an empty
    /// sequence of `u8` comes as an empty array: `spec/wire.md`, "Byte
    /// sequences at any depth"); `None`, with nothing read, for any other array.
    fn byte_array(&mut self, len: usize) -> Option<Bound<'py, PyAny>> {
        let mut bytes = Vec::with_capacity(len);
        let mut pos = self.pos;
        for _ in 0..len {
            match *self.bytes.get(pos..)? {
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
        self.pos = pos;
        Some(PyBytes::new(self.py, &bytes).into_any())
    }

    /// A str; map keys come from [`map_keys`] when they can.
    fn text(&mut self, len: usize, key: bool) -> Result<Bound<'py, PyAny>> {
        let start = self.pos;
        let bytes = self.take(len)?;
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

    fn enter(&self, depth: usize) -> Result<usize> {
        if depth >= MAX_DEPTH {
            Err(self.malformed(format!("values nested deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(depth + 1)
        }
    }

    /// Every element takes at least one byte: refuse lengths the rest of the
    /// buffer cannot hold before allocating for them.
    fn check_len(&self, len: usize, bytes_each: usize) -> Result<()> {
        if len.saturating_mul(bytes_each) > self.bytes.len() - self.pos {
            Err(self.malformed(format!(
                "a container of {len} elements in a buffer too short for them"
            )))
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
            Shape::Tuple(shapes) => {
                for index in 0..len {
                    items.push(self.value(shapes.get(index).unwrap_or(&Shape::Any), depth, key)?);
                }
            }
            Shape::List(inner) => {
                for _ in 0..len {
                    items.push(self.value(inner, depth, key)?);
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

    fn map(
        &mut self,
        len: usize,
        shape: &Shape,
        depth: usize,
        key: bool,
    ) -> Result<Bound<'py, PyAny>> {
        let start = self.pos - 1;
        if key {
            return Err(DecodeError::Malformed(
                "a map used as a map key, which Python cannot hash".into(),
                start,
            ));
        }
        let depth = self.enter(depth)?;
        self.check_len(len, 2)?;
        let values = match shape {
            Shape::Map(values) => &**values,
            _ => &Shape::Any,
        };
        let dict = PyDict::new(self.py);
        for _ in 0..len {
            let key_at = self.pos;
            let key = self.value(&Shape::Any, depth, true)?;
            let value = self.value(values, depth, false)?;
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
