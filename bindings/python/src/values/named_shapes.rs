//! The shapes of describe's named types (`spec/wire.md`, "Named types"), so
//! that paths and times arrive as Python's own inside records, tuple
//! structs, newtypes and enum variants too. A named type that holds none is
//! [`Shape::Any`]: its values take the same decoding path as before.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::values::shape::Shape;

/// One library's `types`, by name, and the shapes made of them so far (each
/// is built once per load and shared by every signature that names it).
pub(crate) struct NamedShapes<'py> {
    entries: HashMap<String, Bound<'py, PyAny>>,
    built: HashMap<String, Shape>,
    building: HashSet<String>,
}

impl<'py> NamedShapes<'py> {
    /// From describe's `types` (an array of entries); `None` or anything
    /// malformed names no type.
    pub(crate) fn new(types: Option<&Bound<'py, PyAny>>) -> NamedShapes<'py> {
        let mut entries = HashMap::new();
        if let Some(list) = types.and_then(|types| types.cast::<PyList>().ok()) {
            for entry in list.iter() {
                let name = entry
                    .cast::<PyDict>()
                    .ok()
                    .and_then(|map| map.get_item("name").ok().flatten())
                    .and_then(|name| name.extract::<String>().ok());
                if let Some(name) = name {
                    entries.entry(name).or_insert(entry);
                }
            }
        }
        NamedShapes {
            entries,
            built: HashMap::new(),
            building: HashSet::new(),
        }
    }

    /// The shape of `{"named": name}`. A type met again inside itself (a
    /// recursive type) is `Any` there: its values at that depth decode as
    /// usual.
    pub(crate) fn shape(&mut self, name: &str, depth: usize) -> Shape {
        if let Some(shape) = self.built.get(name) {
            return shape.clone();
        }
        let Some(entry) = self.entries.get(name).cloned() else {
            return Shape::Any;
        };
        if !self.building.insert(name.to_owned()) {
            return Shape::Any;
        }
        let shape = self.entry(&entry, depth);
        self.building.remove(name);
        self.built.insert(name.to_owned(), shape.clone());
        shape
    }

    fn entry(&mut self, entry: &Bound<'py, PyAny>, depth: usize) -> Shape {
        let get = |key: &str| entry.get_item(key).ok();
        let kind = get("kind").and_then(|kind| kind.extract::<String>().ok());
        match kind.as_deref() {
            Some("struct") => self.keyed(get("fields").as_ref(), |shapes, field| {
                shapes.descriptor(field.get_item("type").ok().as_ref(), depth)
            }),
            Some("newtype_struct") => self.descriptor(get("type").as_ref(), depth),
            Some("tuple_struct") => self.items(get("items").as_ref(), depth),
            Some("enum") => self.keyed(get("variants").as_ref(), |shapes, variant| {
                let get = |key: &str| variant.get_item(key).ok();
                let kind = get("kind").and_then(|kind| kind.extract::<String>().ok());
                match kind.as_deref() {
                    Some("newtype") => shapes.descriptor(get("type").as_ref(), depth),
                    Some("tuple") => shapes.items(get("items").as_ref(), depth),
                    Some("struct") => shapes.keyed(get("fields").as_ref(), |shapes, f| {
                        shapes.descriptor(f.get_item("type").ok().as_ref(), depth)
                    }),
                    _ => Shape::Any,
                }
            }),
            _ => Shape::Any,
        }
    }

    /// A descriptor inside a named type.
    fn descriptor(&mut self, descriptor: Option<&Bound<'py, PyAny>>, depth: usize) -> Shape {
        match descriptor {
            Some(descriptor) => Shape::build(descriptor, depth + 1, self, true),
            None => Shape::Any,
        }
    }

    /// The items of a tuple struct or tuple variant.
    fn items(&mut self, items: Option<&Bound<'py, PyAny>>, depth: usize) -> Shape {
        let Some(items) = items.and_then(|items| items.cast::<PyList>().ok()) else {
            return Shape::Any;
        };
        let shapes = items
            .iter()
            .map(|item| self.descriptor(Some(&item), depth))
            .collect();
        Shape::items(shapes)
    }

    /// A struct's fields or an enum's variants (`{"name": …, …}` each), by
    /// name, with the shape `of` gives each; only those that need one.
    fn keyed(
        &mut self,
        list: Option<&Bound<'py, PyAny>>,
        mut of: impl FnMut(&mut Self, &Bound<'py, PyAny>) -> Shape,
    ) -> Shape {
        let Some(list) = list.and_then(|list| list.cast::<PyList>().ok()) else {
            return Shape::Any;
        };
        let mut keyed = Vec::new();
        for item in list.iter() {
            let Some(name) = item
                .get_item("name")
                .ok()
                .and_then(|name| name.cast_into::<PyString>().ok())
                .and_then(|name| name.to_str().map(str::to_owned).ok())
            else {
                continue;
            };
            let shape = of(self, &item);
            if shape != Shape::Any {
                keyed.push((name, shape));
            }
        }
        if keyed.is_empty() {
            Shape::Any
        } else {
            Shape::Keyed(Arc::from(keyed))
        }
    }
}
