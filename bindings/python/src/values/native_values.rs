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
use ferryman_wire::scalar;

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

/// `a numpy.ndarray of dtype float64`, `an array.array of format "d"`.
pub(crate) fn buffer_name(value: &Bound<'_, PyAny>, format: Option<&str>) -> String {
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
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {what}")
}

fn unsupported(value: &Bound<'_, PyAny>, format: Option<&str>) -> EncodeError {
    EncodeError::Unsupported(format!(
        "{}, which has no wire form (buffers of bool, integers and floats travel as lists of numbers)",
        buffer_name(value, format)
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
    let count: usize = shape.iter().product();
    if bytes.len() != count * itemsize {
        return Err(invalid("a buffer whose size does not match its shape"));
    }
    let layout = Layout {
        item,
        itemsize,
        swap: big_endian != cfg!(target_endian = "big"),
    };
    let mut rest = bytes;
    layout.write(out, &shape, &mut rest)
}

/// How a buffer's items read.
struct Layout {
    item: Item,
    itemsize: usize,
    /// The items' byte order is not this machine's.
    swap: bool,
}

impl Layout {
    /// The items of `shape` from the front of `rest`, which moves past them.
    fn write(&self, out: &mut Vec<u8>, shape: &[usize], rest: &mut &[u8]) -> Result<()> {
        let Some((&len, inner)) = shape.split_first() else {
            // A 0-dimensional buffer (a numpy scalar): one number.
            let (item, after) = rest.split_at(self.itemsize);
            *rest = after;
            self.row(out, item);
            return Ok(());
        };
        let len32 = u32::try_from(len)
            .map_err(|_| invalid("a buffer dimension of more than 2^32 items"))?;
        if inner.is_empty() {
            let (row, after) = rest.split_at(len * self.itemsize);
            *rest = after;
            if self.item == Item::Byte {
                rmp::encode::write_bin_len(out, len32).map_err(|e| invalid(&e.to_string()))?;
                out.extend_from_slice(row);
            } else {
                rmp::encode::write_array_len(out, len32).map_err(|e| invalid(&e.to_string()))?;
                self.row(out, row);
            }
            return Ok(());
        }
        rmp::encode::write_array_len(out, len32).map_err(|e| invalid(&e.to_string()))?;
        for _ in 0..len {
            self.write(out, inner, rest)?;
        }
        Ok(())
    }

    /// Each item of `row` as one MessagePack number (or bool); the kind is
    /// matched once, outside the loops.
    fn row(&self, out: &mut Vec<u8>, row: &[u8]) {
        out.reserve(row.len() / self.itemsize * 9);
        macro_rules! each {
            ($ty:ty, $write:expr) => {{
                for item in row.chunks_exact(std::mem::size_of::<$ty>()) {
                    let mut raw = [0u8; std::mem::size_of::<$ty>()];
                    raw.copy_from_slice(item);
                    if self.swap {
                        raw.reverse();
                    }
                    let value = <$ty>::from_ne_bytes(raw);
                    #[allow(clippy::redundant_closure_call)]
                    ($write)(out, value);
                }
            }};
        }
        let int = |out: &mut Vec<u8>, n: i64| scalar::int(n).append_to(out);
        let uint = |out: &mut Vec<u8>, n: u64| match i64::try_from(n) {
            Ok(n) => scalar::int(n).append_to(out),
            Err(_) => {
                out.push(0xcf);
                out.extend_from_slice(&n.to_be_bytes());
            }
        };
        match (self.item, self.itemsize) {
            (Item::Bool, _) => out.extend(row.iter().map(|b| if *b != 0 { 0xc3 } else { 0xc2 })),
            (Item::Float, 8) => each!(f64, |out: &mut Vec<u8>, x: f64| scalar::f64(x)
                .append_to(out)),
            (Item::Float, _) => each!(f32, |out: &mut Vec<u8>, x: f32| {
                out.push(0xca);
                out.extend_from_slice(&x.to_bits().to_be_bytes());
            }),
            (Item::Signed, 1) => each!(i8, |out, n: i8| int(out, i64::from(n))),
            (Item::Signed, 2) => each!(i16, |out, n: i16| int(out, i64::from(n))),
            (Item::Signed, 4) => each!(i32, |out, n: i32| int(out, i64::from(n))),
            (Item::Signed, _) => each!(i64, |out, n: i64| int(out, n)),
            (Item::Unsigned | Item::Byte, 1) => each!(u8, |out, n: u8| uint(out, u64::from(n))),
            (Item::Unsigned, 2) => each!(u16, |out, n: u16| uint(out, u64::from(n))),
            (Item::Unsigned, 4) => each!(u32, |out, n: u32| uint(out, u64::from(n))),
            (Item::Unsigned | Item::Byte, _) => each!(u64, |out, n: u64| uint(out, n)),
        }
    }
}

fn invalid(what: &str) -> Located {
    EncodeError::Invalid(what.to_owned()).into()
}
