//! Python values with a wire form of their own (`spec/wire.md`, "Paths",
//! "Times", "Arrays from buffers", "Records from objects"): reached only
//! after every common type has been tried, so the common path pays nothing.
//!
//! Buffers (numpy arrays and scalars, `array.array`, typed `memoryview`s) are
//! read here, natively: their items become MessagePack numbers. Everything
//! else asks `ferryman._wire_values.to_wire` what to send instead.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyTuple};

use crate::state::python_classes::{self, PyName};
use crate::values::encode_error::{EncodeError, Located};

type Result<T> = std::result::Result<T, Located>;

/// What a value is sent as.
pub(crate) enum Native<'py> {
    /// Written to `out` already (a buffer's items).
    Written,
    /// Send this object instead (`to_wire`'s answer).
    Instead(Bound<'py, PyAny>),
    /// No wire form of its own.
    Unknown,
}

/// `value` as a buffer of numbers, or what `to_wire` says it stands for.
pub(crate) fn native<'py>(out: &mut Vec<u8>, value: &Bound<'py, PyAny>) -> Result<Native<'py>> {
    if let Some(view) = buffer_view(value)? {
        write_buffer(out, value, &view)?;
        return Ok(Native::Written);
    }
    let py = value.py();
    let instead = python_classes::get(py, PyName::ToWire)?
        .call1((value,))
        .map_err(|error| {
            if error.is_instance_of::<PyValueError>(py) || error.is_instance_of::<PyTypeError>(py) {
                Located::from(EncodeError::Invalid(error.value(py).to_string()))
            } else {
                Located::from(error)
            }
        })?;
    if instead.is(py.NotImplemented()) {
        return Ok(Native::Unknown);
    }
    Ok(Native::Instead(instead))
}

/// A `memoryview` of `value` when it exports a buffer (numpy arrays and
/// scalars, `array.array`); `None` for anything else. A numpy array whose
/// dtype has no buffer format (objects, datetimes) is refused by name.
fn buffer_view<'py>(value: &Bound<'py, PyAny>) -> Result<Option<Bound<'py, PyMemoryView>>> {
    if let Ok(view) = value.cast::<PyMemoryView>() {
        return Ok(Some(view.clone()));
    }
    match PyMemoryView::from(value) {
        Ok(view) => Ok(Some(view)),
        Err(_) if dtype(value).is_some() => Err(unsupported(value, None).into()),
        Err(_) => Ok(None),
    }
}

/// numpy's `dtype` of `value` as text (`"complex128"`), when it has one.
fn dtype(value: &Bound<'_, PyAny>) -> Option<String> {
    let module = value.get_type().module().ok()?;
    if !module.to_str().ok()?.starts_with("numpy") {
        return None;
    }
    Some(value.getattr("dtype").ok()?.str().ok()?.to_string())
}

fn unsupported(value: &Bound<'_, PyAny>, format: Option<&str>) -> EncodeError {
    let kind = value
        .get_type()
        .fully_qualified_name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "?".into());
    let what = match (dtype(value), format) {
        (Some(dtype), _) => format!("{kind} of dtype {dtype}"),
        (None, Some(format)) => format!("{kind} of format {format:?}"),
        (None, None) => kind,
    };
    EncodeError::Unsupported(format!(
        "a {what}, which has no wire form (buffers of bool, integers and floats travel as lists of numbers)"
    ))
}

/// One item's kind, from a buffer format (`struct` module syntax).
#[derive(Clone, Copy, PartialEq)]
enum Item {
    Bool,
    Signed,
    Unsigned,
    Float,
    /// `B` and `c`: the innermost dimension travels as bin.
    Byte,
}

/// The buffer's items as MessagePack, nested as its shape is (C order).
fn write_buffer(
    out: &mut Vec<u8>,
    value: &Bound<'_, PyAny>,
    view: &Bound<'_, PyMemoryView>,
) -> Result<()> {
    let format: String = view.getattr("format")?.extract()?;
    let itemsize: usize = view.getattr("itemsize")?.extract()?;
    let shape: Vec<usize> = view
        .getattr("shape")?
        .cast::<PyTuple>()
        .map_err(PyErr::from)?
        .extract()?;
    let (order, code) = match format.as_bytes() {
        [order @ (b'@' | b'=' | b'<' | b'>' | b'!'), code] => (*order, *code),
        [code] => (b'@', *code),
        _ => return Err(unsupported(value, Some(&format)).into()),
    };
    let item = match (code, itemsize) {
        (b'?', 1) => Item::Bool,
        (b'B' | b'c', 1) => Item::Byte,
        (b'b' | b'h' | b'i' | b'l' | b'q' | b'n', 1 | 2 | 4 | 8) => Item::Signed,
        (b'H' | b'I' | b'L' | b'Q' | b'N', 1 | 2 | 4 | 8) => Item::Unsigned,
        (b'f', 4) | (b'd', 8) => Item::Float,
        _ => return Err(unsupported(value, Some(&format)).into()),
    };
    let big_endian = match order {
        b'>' | b'!' => true,
        b'<' => false,
        _ => cfg!(target_endian = "big"),
    };
    let bytes = view.call_method0("tobytes")?;
    let bytes = bytes.cast::<PyBytes>().map_err(PyErr::from)?.as_bytes();
    let layout = Layout {
        item,
        itemsize,
        big_endian,
    };
    let mut items = bytes.chunks_exact(itemsize);
    layout.write(out, &shape, &mut items)
}

struct Layout {
    item: Item,
    itemsize: usize,
    big_endian: bool,
}

impl Layout {
    fn write(
        &self,
        out: &mut Vec<u8>,
        shape: &[usize],
        items: &mut std::slice::ChunksExact<'_, u8>,
    ) -> Result<()> {
        let Some((&len, inner)) = shape.split_first() else {
            // A 0-dimensional buffer (a numpy scalar): one number.
            let item = items
                .next()
                .ok_or_else(|| invalid("a buffer shorter than its shape"))?;
            self.scalar(out, item);
            return Ok(());
        };
        let len32 = u32::try_from(len)
            .map_err(|_| invalid("a buffer dimension of more than 2^32 items"))?;
        if inner.is_empty() && self.item == Item::Byte {
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                bytes.extend_from_slice(
                    items
                        .next()
                        .ok_or_else(|| invalid("a buffer shorter than its shape"))?,
                );
            }
            rmp::encode::write_bin_len(out, len32).map_err(|e| invalid(&e.to_string()))?;
            out.extend_from_slice(&bytes);
            return Ok(());
        }
        rmp::encode::write_array_len(out, len32).map_err(|e| invalid(&e.to_string()))?;
        for _ in 0..len {
            self.write(out, inner, items)?;
        }
        Ok(())
    }

    fn scalar(&self, out: &mut Vec<u8>, item: &[u8]) {
        let mut raw = [0u8; 8];
        let n = self.itemsize;
        // Widen to 8 bytes, big-endian, sign-extending signed integers.
        if self.big_endian {
            raw[8 - n..].copy_from_slice(item);
        } else {
            for (i, b) in item.iter().enumerate() {
                raw[7 - i] = *b;
            }
        }
        let negative = raw[8 - n] & 0x80 != 0;
        if self.item == Item::Signed && negative {
            raw[..8 - n].fill(0xff);
        }
        let bits = u64::from_be_bytes(raw);
        match self.item {
            Item::Bool => {
                let _ = rmp::encode::write_bool(out, bits != 0);
            }
            Item::Signed => ferryman_wire::scalar::int(bits as i64).append_to(out),
            Item::Unsigned | Item::Byte => {
                let _ = rmp::encode::write_uint(out, bits);
            }
            Item::Float if n == 4 => {
                let _ = rmp::encode::write_f32(out, f32::from_bits(bits as u32));
            }
            Item::Float => ferryman_wire::scalar::f64(f64::from_bits(bits)).append_to(out),
        }
    }
}

fn invalid(what: &str) -> Located {
    EncodeError::Invalid(what.to_owned()).into()
}
