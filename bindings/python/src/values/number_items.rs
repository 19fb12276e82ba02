//! What numbers a list parameter takes (`spec/wire.md`, "Arrays from
//! buffers"), decided once per parameter from its type descriptor: a buffer
//! (numpy array, `array.array`) whose items are of another kind is refused
//! before sending, naming its dtype, rather than failing item by item in the
//! library.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMemoryView, PyString, PyTuple};

use crate::values::encode_error::{EncodeError, Located};
use crate::values::native_values::buffer_name;

/// The items of a `{"list": …}` parameter (at any nesting), when numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumberItems {
    /// Not a list of numbers: nothing to check.
    Any,
    /// Integers of this descriptor (`"i32"`): float and bool items are refused.
    Ints(String),
    /// Floats of this descriptor (`"f64"`): bool items are refused (ints are
    /// floats to the library).
    Floats(String),
}

impl NumberItems {
    /// The numbers a parameter of type `descriptor` holds, if it is a list
    /// (or an option or nested list of one) of numbers.
    pub(crate) fn of_descriptor(descriptor: Option<&Bound<'_, PyAny>>) -> NumberItems {
        let mut at = match descriptor {
            Some(descriptor) => descriptor.clone(),
            None => return NumberItems::Any,
        };
        let mut lists = 0;
        for _ in 0..crate::values::limits::MAX_DEPTH {
            if let Ok(name) = at.cast::<PyString>() {
                let Ok(name) = name.to_str() else {
                    return NumberItems::Any;
                };
                return match name {
                    _ if lists == 0 => NumberItems::Any,
                    "f32" | "f64" => NumberItems::Floats(name.to_owned()),
                    "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32"
                    | "u64" | "u128" | "usize" => NumberItems::Ints(name.to_owned()),
                    _ => NumberItems::Any,
                };
            }
            let Ok(map) = at.cast::<PyDict>() else {
                return NumberItems::Any;
            };
            let inner = match (map.len(), map.get_item("list"), map.get_item("option")) {
                (1, Ok(Some(inner)), _) => {
                    lists += 1;
                    inner
                }
                (1, _, Ok(Some(inner))) => inner,
                _ => return NumberItems::Any,
            };
            at = inner;
        }
        NumberItems::Any
    }

    /// Refuses `value` when it is a buffer whose items this parameter cannot
    /// hold. Asked only of values that are not a common type (a list, an
    /// int…), and cheap for those that are no buffer.
    pub(crate) fn check(&self, value: &Bound<'_, PyAny>) -> Result<(), Located> {
        let (wanted, refuses_ints) = match self {
            NumberItems::Any => return Ok(()),
            NumberItems::Ints(name) => (name, true),
            NumberItems::Floats(name) => (name, false),
        };
        // (`PyObject_CheckBuffer` is not in the limited API before 3.11: a
        // sequence is skipped by its type, anything else asks for a view.)
        if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            return Ok(());
        }
        let Ok(view) = PyMemoryView::from(value) else {
            return Ok(());
        };
        let format: String = view.getattr("format")?.extract()?;
        let code = format.trim_start_matches(['@', '=', '<', '>', '!']);
        let items = match code {
            "?" => "bool",
            "e" | "f" | "d" if refuses_ints => "float",
            _ => return Ok(()),
        };
        let takes = if refuses_ints { "integers" } else { "numbers" };
        Err(EncodeError::WrongItems {
            found: buffer_name(value, Some(&format)),
            why: format!("whose {items} items are no {wanted} ({wanted} takes {takes})"),
        }
        .into())
    }
}
