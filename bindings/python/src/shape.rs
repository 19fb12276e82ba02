//! Where a return type has tuples, bytes or closures: lets the decoder build
//! `tuple`s, not `list`s, `bytes` from an empty array, and give closures their
//! signature.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// The part of a type descriptor (`spec/wire.md`) that changes how a result is
/// decoded. Everything without a tuple, bytes or a callback inside is
/// [`Shape::Any`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Decode as usual: arrays become lists.
    Any,
    /// `"bytes"`: bin, or an array of ints that becomes `bytes` (an empty
    /// sequence of `u8` comes as an empty array).
    Bytes,
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
}

/// What a closure's type descriptor says: how to decode what it returns, and
/// its signature for `repr`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClosureShape {
    pub(crate) returns: Shape,
    /// `(int, str) -> str`
    pub(crate) text: String,
}

impl ClosureShape {
    /// From the `[[A, …], R]` of a callback descriptor.
    fn build(inner: &Bound<'_, PyAny>, depth: usize) -> Shape {
        let Ok(pair) = inner.cast::<PyList>() else {
            return Shape::Any;
        };
        let (Ok(params), Ok(returns)) = (pair.get_item(0), pair.get_item(1)) else {
            return Shape::Any;
        };
        let text = |descriptor: &Bound<'_, PyAny>| {
            descriptor
                .py()
                .import("ferryman._types")
                .and_then(|types| types.getattr("annotation_text"))
                .and_then(|annotation_text| annotation_text.call1((descriptor,)))
                .and_then(|text| text.extract::<String>())
                .unwrap_or_else(|_| descriptor.to_string())
        };
        let params: Vec<String> = params
            .try_iter()
            .map(|items| items.flatten().map(|param| text(&param)).collect())
            .unwrap_or_default();
        Shape::Callback(Arc::new(ClosureShape {
            returns: Shape::build(&returns, depth + 1),
            text: format!("({}) -> {}", params.join(", "), text(&returns)),
        }))
    }
}

impl Shape {
    /// The shape of a type descriptor, or `None` when decoding needs no guidance.
    pub(crate) fn of_descriptor(descriptor: &Bound<'_, PyAny>) -> Option<Shape> {
        let shape = Shape::build(descriptor, 0);
        (shape != Shape::Any).then_some(shape)
    }

    fn build(descriptor: &Bound<'_, PyAny>, depth: usize) -> Shape {
        if depth > crate::encode::MAX_DEPTH {
            return Shape::Any;
        }
        let Ok(map) = descriptor.cast::<PyDict>() else {
            let bytes = descriptor
                .cast::<PyString>()
                .is_ok_and(|name| name.to_str().is_ok_and(|name| name == "bytes"));
            return if bytes { Shape::Bytes } else { Shape::Any };
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
        let shape = match key {
            "tuple" => {
                let items = inner
                    .cast::<PyList>()
                    .map(|items| {
                        items
                            .iter()
                            .map(|item| Shape::build(&item, depth + 1))
                            .collect()
                    })
                    .unwrap_or_default();
                return Shape::Tuple(items);
            }
            "list" => Shape::List(Box::new(Shape::build(&inner, depth + 1))),
            "option" => Shape::Option(Box::new(Shape::build(&inner, depth + 1))),
            "callback" => return ClosureShape::build(&inner, depth),
            "map" => {
                let value = inner
                    .cast::<PyList>()
                    .ok()
                    .and_then(|pair| pair.get_item(1).ok())
                    .map_or(Shape::Any, |value| Shape::build(&value, depth + 1));
                Shape::Map(Box::new(value))
            }
            _ => Shape::Any,
        };
        // A container of plain values decodes like `Any`.
        match &shape {
            Shape::List(inner) | Shape::Option(inner) | Shape::Map(inner)
                if **inner == Shape::Any =>
            {
                Shape::Any
            }
            _ => shape,
        }
    }
}
