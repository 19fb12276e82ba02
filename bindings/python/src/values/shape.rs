//! Where a return type has tuples, bytes, floats, closures, paths or times:
//! lets the decoder build `tuple`s, not `list`s, `bytes` from an empty array,
//! `float`s from ints, give closures their signature, and make paths and
//! times Python's own at any depth, named types included (`named_shapes`).

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::state::python_classes::{self, PyName};

/// The part of a type descriptor (`spec/wire.md`) that changes how a result is
/// decoded. Everything without a tuple, bytes, a float or a callback inside is
/// [`Shape::Any`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Decode as usual: arrays become lists.
    Any,
    /// `"bytes"`: bin, or an array of ints that becomes `bytes` (an empty
    /// sequence of `u8` comes as an empty array).
    Bytes,
    /// `"f32"` or `"f64"`: a float, or an int that becomes a `float`
    /// (`spec/wire.md`, "Results": `3` is `3.0`). Also `{"option": "f64"}`:
    /// nil decodes as `None` either way.
    Float,
    /// `{"tuple": [...]}`: an array that becomes a tuple.
    Tuple(Vec<Shape>),
    /// `{"list": T}`: a list whose elements have shape `T`.
    List(Box<Shape>),
    /// `{"map": [K, V]}`: a dict whose values have shape `V` (keys that are
    /// arrays always become tuples, to be hashable).
    Map(Box<Shape>),
    /// `{"option": T}`: nil, or a value of shape `T`.
    Option(Box<Shape>),
    /// `{"callback": [[A, …], R]}`: a closure, whose results have shape `R`.
    Callback(Arc<ClosureShape>),
    /// `{"iter": T}`: a closure that yields batches (arrays) of `T`, which
    /// becomes a `RustIterator`; the shape is the item's.
    Iter(Arc<Shape>),
    /// `"path"`, `"duration"`, `"timestamp"`, `"date"`, `"datetime"`: decoded
    /// as usual, then made a `pathlib.Path`, `timedelta`, `datetime` or `date`
    /// by `ferryman._wire_values.from_wire` (`spec/wire.md`, "Paths", "Times").
    Native(&'static str),
    /// A named type's array (a tuple struct, a tuple variant, or a tuple
    /// inside a named type) that holds paths or times: the items' shapes,
    /// by position; it stays a `list`, as every array of a named type does.
    Items(Vec<Shape>),
    /// A named type's map that holds paths or times: a struct (by field
    /// name) or an enum's `{"Variant": content}` (by variant name). Keys not
    /// listed decode as usual.
    Keyed(Arc<[(String, Shape)]>),
    /// A named type met inside itself (`struct Tree { children: Vec<Tree> }`):
    /// the whole type's shape, set once it is built.
    Recursive(Recursive),
}

/// The shape of a recursive named type. The type's own shape holds the
/// only strong reference ([`Recursive::Owner`]); its uses inside itself hold
/// weak ones ([`Recursive::Inner`]), which are only ever inside that owner,
/// so nothing forms a cycle and dropping the function frees it all.
#[derive(Clone)]
pub(crate) enum Recursive {
    Owner(Arc<std::sync::OnceLock<Shape>>),
    Inner(std::sync::Weak<std::sync::OnceLock<Shape>>),
}

impl Recursive {
    /// `then` of the type's shape (`Any` while it is being built).
    #[inline]
    pub(crate) fn with<R>(&self, then: impl FnOnce(&Shape) -> R) -> R {
        match self {
            Recursive::Owner(cell) => then(cell.get().unwrap_or(&Shape::Any)),
            Recursive::Inner(cell) => {
                let cell = cell.upgrade();
                then(
                    cell.as_ref()
                        .and_then(|cell| cell.get())
                        .unwrap_or(&Shape::Any),
                )
            }
        }
    }
}

// By identity: comparing contents would go round the type.
impl PartialEq for Recursive {
    fn eq(&self, other: &Recursive) -> bool {
        match (self, other) {
            (Recursive::Owner(a), Recursive::Owner(b)) => Arc::ptr_eq(a, b),
            (Recursive::Inner(a), Recursive::Inner(b)) => a.ptr_eq(b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for Recursive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recursive")
    }
}

/// Where `{"named": …}` descriptors lead: describe's `types`
/// (`values::named_shapes`, which builds on this file).
pub(crate) trait NamedTypes {
    /// The shape of the named type `name`, met at `depth`.
    fn shape(&mut self, name: &str, depth: usize) -> Shape;
}

/// The scalar descriptors with a Python type of their own ([`Shape::Native`]).
pub(crate) const NATIVE: [&str; 5] = ["path", "duration", "timestamp", "date", "datetime"];

/// What a closure's type descriptor says: how to decode what it returns, its
/// signature for `repr`, and the Rust type of each argument for messages.
#[derive(Debug, Clone)]
pub(crate) struct ClosureShape {
    pub(crate) returns: Shape,
    /// `(int, str) -> str`
    pub(crate) text: String,
    /// `["i64", "String"]`
    pub(crate) params: Vec<String>,
    /// The closure's `inspect.Signature` (`ferryman._types.closure_signature`),
    /// when it could be made.
    pub(crate) signature: Option<Arc<Py<PyAny>>>,
}

// The signature is made from the same descriptor as the text: not compared.
impl PartialEq for ClosureShape {
    fn eq(&self, other: &ClosureShape) -> bool {
        self.returns == other.returns && self.text == other.text && self.params == other.params
    }
}

impl ClosureShape {
    /// From the `[[A, …], R]` of a callback descriptor.
    fn build(inner: &Bound<'_, PyAny>, depth: usize, named: &mut dyn NamedTypes) -> Shape {
        let Ok(pair) = inner.cast::<PyList>() else {
            return Shape::Any;
        };
        let (Ok(params), Ok(returns)) = (pair.get_item(0), pair.get_item(1)) else {
            return Shape::Any;
        };
        let text = |descriptor: &Bound<'_, PyAny>| {
            python_classes::get(descriptor.py(), PyName::AnnotationText)
                .and_then(|annotation_text| annotation_text.call1((descriptor,)))
                .and_then(|text| text.extract::<String>())
                .unwrap_or_else(|_| descriptor.to_string())
        };
        let params: Vec<Bound<'_, PyAny>> = params
            .try_iter()
            .map(|items| items.flatten().collect())
            .unwrap_or_default();
        let texts: Vec<String> = params.iter().map(text).collect();
        let py = inner.py();
        let signature = python_classes::get(py, PyName::ClosureSignature)
            .and_then(|make| make.call1((PyList::new(py, &params)?, &returns)))
            .ok()
            .filter(|signature| !signature.is_none())
            .map(|signature| Arc::new(signature.unbind()));
        Shape::Callback(Arc::new(ClosureShape {
            returns: Shape::build(&returns, depth + 1, named, false),
            text: format!("({}) -> {}", texts.join(", "), text(&returns)),
            params: params
                .iter()
                .map(|param| rust_text(param, depth + 1))
                .collect(),
            signature,
        }))
    }
}

impl Shape {
    /// A [`Shape::Native`], or an `Option` of one: a str that the scalar fast
    /// path must leave to the full decoder.
    #[inline]
    pub(crate) fn is_native(&self) -> bool {
        match self {
            Shape::Native(_) => true,
            Shape::Option(inner) => matches!(**inner, Shape::Native(_)),
            _ => false,
        }
    }

    /// The shape of a type descriptor, or `None` when decoding needs no
    /// guidance; `named` follows `{"named": …}` into describe's `types`.
    pub(crate) fn of_descriptor(
        descriptor: &Bound<'_, PyAny>,
        named: &mut dyn NamedTypes,
    ) -> Option<Shape> {
        let shape = Shape::build(descriptor, 0, named, false);
        (shape != Shape::Any).then_some(shape)
    }

    /// `inside_named`: the descriptor is part of a named type, whose values
    /// keep their usual decoding (lists, ints) but for paths and times, so
    /// that a record is decoded alike whether or not it holds one.
    pub(crate) fn build(
        descriptor: &Bound<'_, PyAny>,
        depth: usize,
        named: &mut dyn NamedTypes,
        inside_named: bool,
    ) -> Shape {
        if depth > crate::values::limits::MAX_DEPTH {
            return Shape::Any;
        }
        let Ok(map) = descriptor.cast::<PyDict>() else {
            let name = descriptor.cast::<PyString>();
            return match name.as_ref().map(|name| name.to_str()) {
                Ok(Ok("bytes" | "f32" | "f64")) if inside_named => Shape::Any,
                Ok(Ok("bytes")) => Shape::Bytes,
                Ok(Ok("f32" | "f64")) => Shape::Float,
                Ok(Ok(name)) => NATIVE
                    .iter()
                    .find(|native| **native == name)
                    .map_or(Shape::Any, |native| Shape::Native(native)),
                _ => Shape::Any,
            };
        };
        if map.len() != 1 {
            return Shape::Any;
        }
        let Some((key, inner)) = map.iter().next() else {
            return Shape::Any;
        };
        let Ok(key) = key.cast::<PyString>() else {
            return Shape::Any;
        };
        let key = key.to_str().unwrap_or("");
        let mut build = |descriptor: &Bound<'_, PyAny>| {
            Shape::build(descriptor, depth + 1, named, inside_named)
        };
        let shape = match key {
            "tuple" => {
                let items: Vec<Shape> = inner
                    .cast::<PyList>()
                    .map(|items| items.iter().map(|item| build(&item)).collect())
                    .unwrap_or_default();
                if inside_named {
                    return Shape::items(items);
                }
                return Shape::Tuple(items);
            }
            "list" => Shape::List(Box::new(build(&inner))),
            "option" => Shape::Option(Box::new(build(&inner))),
            "callback" if inside_named => Shape::Any,
            "iter" if inside_named => Shape::Any,
            "callback" => return ClosureShape::build(&inner, depth, named),
            "iter" => return Shape::Iter(Arc::new(build(&inner))),
            "map" => {
                let value = inner
                    .cast::<PyList>()
                    .ok()
                    .and_then(|pair| pair.get_item(1).ok())
                    .map_or(Shape::Any, |value| build(&value));
                Shape::Map(Box::new(value))
            }
            "named" => match inner.cast::<PyString>() {
                Ok(name) => return named.shape(name.to_str().unwrap_or(""), depth + 1),
                Err(_) => Shape::Any,
            },
            _ => Shape::Any,
        };
        match &shape {
            // A container of plain values decodes like `Any`.
            Shape::List(inner) | Shape::Option(inner) | Shape::Map(inner)
                if **inner == Shape::Any =>
            {
                Shape::Any
            }
            // So that the scalar fast path, which sees only the outer shape,
            // declines its ints.
            Shape::Option(inner) if **inner == Shape::Float => Shape::Float,
            _ => shape,
        }
    }

    /// [`Shape::Items`], or `Any` when no item needs a shape.
    pub(crate) fn items(items: Vec<Shape>) -> Shape {
        if items.iter().all(|item| *item == Shape::Any) {
            Shape::Any
        } else {
            Shape::Items(items)
        }
    }
}

/// A type descriptor as the Rust type it stands for, for messages (`"i64"`,
/// `Vec<String>`, `Option<(i64, f64)>`); `any value` when it says nothing.
pub(crate) fn rust_text(descriptor: &Bound<'_, PyAny>, depth: usize) -> String {
    let unknown = || "any value".to_owned();
    if depth > crate::values::limits::MAX_DEPTH {
        return unknown();
    }
    if let Ok(name) = descriptor.cast::<PyString>() {
        return match name.to_str().unwrap_or("") {
            "unit" => "()".to_owned(),
            "str" => "String".to_owned(),
            "bytes" => "Vec<u8>".to_owned(),
            "path" => "PathBuf".to_owned(),
            "duration" => "Duration".to_owned(),
            "timestamp" => "SystemTime".to_owned(),
            "date" => "NaiveDate".to_owned(),
            "datetime" => "NaiveDateTime".to_owned(),
            "" => unknown(),
            other => other.to_owned(),
        };
    }
    let Some((key, inner)) = descriptor
        .cast::<PyDict>()
        .ok()
        .filter(|map| map.len() == 1)
        .and_then(|map| map.iter().next())
    else {
        return unknown();
    };
    let items = |inner: &Bound<'_, PyAny>| -> Vec<String> {
        inner
            .cast::<PyList>()
            .map(|items| {
                items
                    .iter()
                    .map(|item| rust_text(&item, depth + 1))
                    .collect()
            })
            .unwrap_or_default()
    };
    match key.extract::<String>().as_deref() {
        Ok("list") => format!("Vec<{}>", rust_text(&inner, depth + 1)),
        Ok("option") => format!("Option<{}>", rust_text(&inner, depth + 1)),
        Ok("tuple") => format!("({})", items(&inner).join(", ")),
        Ok("map") => format!("HashMap<{}>", items(&inner).join(", ")),
        Ok("named") => inner.extract::<String>().unwrap_or_else(|_| unknown()),
        Ok("callback") => "a callable".to_owned(),
        Ok("async_callback") => "an async callable".to_owned(),
        Ok("object") => format!(
            "&{}",
            inner.extract::<String>().unwrap_or_else(|_| unknown())
        ),
        Ok("iter") => format!("iterator of {}", rust_text(&inner, depth + 1)),
        _ => unknown(),
    }
}
