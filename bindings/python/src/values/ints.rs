//! How wide a Python `int` a parameter takes (`spec/wire.md`, "Big
//! integers"): decided once per parameter when the library is loaded, from its
//! type descriptor, so a call pays nothing for it unless an int is beyond 64
//! bits.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// The widest integer a parameter's value may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ints {
    /// Every integer inside is at most 64 bits wide: a bigger `int` is refused
    /// here, naming the parameter, before the library is called.
    Bits64,
    /// Some integer inside may be an `i128`/`u128` (or the descriptor cannot
    /// tell, as for a struct): an `int` up to 128 bits goes as extension 4 and
    /// the library checks its range.
    Bits128,
}

impl Ints {
    /// The width of the integers inside a parameter of type `descriptor`.
    pub(crate) fn of_descriptor(descriptor: Option<&Bound<'_, PyAny>>) -> Ints {
        match descriptor {
            Some(descriptor) if !wide(descriptor, 0) => Ints::Bits64,
            _ => Ints::Bits128,
        }
    }
}

/// Descriptor strings whose values hold no integer wider than 64 bits.
const NARROW: [&str; 17] = [
    "unit", "bool", "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize", "f32",
    "f64", "char", "str", "bytes",
];

/// Whether a value of type `descriptor` may hold an integer beyond 64 bits:
/// `i128`, `u128`, a named type, or anything this host does not know.
fn wide(descriptor: &Bound<'_, PyAny>, depth: usize) -> bool {
    if depth > crate::values::limits::MAX_DEPTH {
        return true;
    }
    if let Ok(name) = descriptor.cast::<PyString>() {
        return !name.to_str().is_ok_and(|name| NARROW.contains(&name));
    }
    let Ok(map) = descriptor.cast::<PyDict>() else {
        return true;
    };
    let Some((key, inner)) = map.iter().next().filter(|_| map.len() == 1) else {
        return true;
    };
    let items = || -> Vec<Bound<'_, PyAny>> {
        inner
            .cast::<PyList>()
            .map(|items| items.iter().collect())
            .unwrap_or_default()
    };
    match key
        .cast::<PyString>()
        .ok()
        .and_then(|key| key.to_str().ok().map(str::to_owned))
    {
        Some(key) if key == "list" || key == "option" => wide(&inner, depth + 1),
        Some(key) if key == "tuple" => items().iter().any(|item| wide(item, depth + 1)),
        Some(key) if key == "map" => {
            let pair = items();
            pair.len() != 2 || pair.iter().any(|item| wide(item, depth + 1))
        }
        // A callable's arguments never travel as this parameter's value.
        Some(key) if key == "callback" || key == "async_callback" => false,
        _ => true,
    }
}

/// Appends `value`, a Python `int` beyond 64 bits, as extension 4 when it
/// fits in 128 bits; `false` (nothing written) when it does not.
pub(crate) fn encode_big(out: &mut Vec<u8>, value: &Bound<'_, PyAny>) -> bool {
    if let Ok(signed) = value.extract::<i128>() {
        out.extend_from_slice(ferryman_wire::encode_i128(signed).as_slice());
        return true;
    }
    if let Ok(unsigned) = value.extract::<u128>() {
        out.extend_from_slice(ferryman_wire::encode_u128(unsigned).as_slice());
        return true;
    }
    false
}
