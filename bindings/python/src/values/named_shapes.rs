//! The shapes of describe's named types (`spec/wire.md`, "Named types"), so
//! that paths and times arrive as Python's own inside records, tuple
//! structs, newtypes and enum variants too. A named type that holds none is
//! [`Shape::Any`]: its values take the same decoding path as before.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::values::shape::{NamedTypes, Recursive, Shape, NATIVE};

/// One library's `types`, by name, and the shapes made of them so far (each
/// is built once per load and shared by every signature that names it).
pub(crate) struct NamedShapes<'py> {
    entries: HashMap<String, Bound<'py, PyAny>>,
    built: HashMap<String, Shape>,
    /// The types being built, by name: their place in `cells`.
    building: HashMap<String, usize>,
    /// Per type being built, outermost first: the cell its uses inside
    /// itself get (made when the first such use is met).
    cells: Vec<Option<Arc<OnceLock<Shape>>>>,
    /// The outermost place in `cells` that the type being built used.
    lowest: usize,
}

impl NamedTypes for NamedShapes<'_> {
    /// The shape of `{"named": name}`. A type met again inside itself (a
    /// recursive type) is a [`Shape::Recursive`] there, which the whole
    /// type's shape fills once built.
    fn shape(&mut self, name: &str, depth: usize) -> Shape {
        self.named(name, depth)
    }
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
            building: HashMap::new(),
            cells: Vec::new(),
            lowest: usize::MAX,
        }
    }

    fn named(&mut self, name: &str, depth: usize) -> Shape {
        if let Some(shape) = self.built.get(name) {
            return shape.clone();
        }
        let Some(entry) = self.entries.get(name).cloned() else {
            return Shape::Any;
        };
        if !self.holds_native(name, &mut HashSet::new()) {
            // Not even through its own recursion: the common record.
            self.built.insert(name.to_owned(), Shape::Any);
            return Shape::Any;
        }
        if let Some(&level) = self.building.get(name) {
            self.lowest = self.lowest.min(level);
            let cell = self.cells[level].get_or_insert_with(Default::default);
            return Shape::Recursive(Recursive::Inner(Arc::downgrade(cell)));
        }
        let level = self.cells.len();
        self.building.insert(name.to_owned(), level);
        self.cells.push(None);
        let outer = std::mem::replace(&mut self.lowest, usize::MAX);
        let shape = self.entry(&entry, depth);
        let lowest = std::mem::replace(&mut self.lowest, outer);
        self.building.remove(name);
        let shape = match self.cells.pop().flatten() {
            // Used inside itself: those uses decode as the whole type.
            Some(cell) => {
                let _ = cell.set(shape);
                Shape::Recursive(Recursive::Owner(cell))
            }
            None => shape,
        };
        if lowest < level {
            // It reaches a type still being built around it (mutual
            // recursion): its weak uses hold only inside that type's owner,
            // so it is not kept for other signatures, which build their own.
            self.lowest = self.lowest.min(lowest);
        } else {
            self.built.insert(name.to_owned(), shape.clone());
        }
        shape
    }

    /// Whether type `name` holds a path or a time anywhere (`seen`: the
    /// types this question has already gone through).
    fn holds_native(&self, name: &str, seen: &mut HashSet<String>) -> bool {
        if !seen.insert(name.to_owned()) {
            return false;
        }
        let Some(entry) = self.entries.get(name) else {
            return false;
        };
        let get = |on: &Bound<'py, PyAny>, key: &str| on.get_item(key).ok();
        let list = |on: Option<Bound<'py, PyAny>>| -> Vec<Bound<'py, PyAny>> {
            on.and_then(|list| list.cast_into::<PyList>().ok())
                .map(|list| list.iter().collect())
                .unwrap_or_default()
        };
        let mut descriptors: Vec<Bound<'py, PyAny>> = Vec::new();
        let fields = |on: Option<Bound<'py, PyAny>>, into: &mut Vec<Bound<'py, PyAny>>| {
            into.extend(list(on).iter().filter_map(|field| get(field, "type")));
        };
        fields(get(entry, "fields"), &mut descriptors);
        descriptors.extend(get(entry, "type"));
        descriptors.extend(list(get(entry, "items")));
        for variant in list(get(entry, "variants")) {
            fields(get(&variant, "fields"), &mut descriptors);
            descriptors.extend(get(&variant, "type"));
            descriptors.extend(list(get(&variant, "items")));
        }
        descriptors
            .iter()
            .any(|descriptor| self.mentions_native(descriptor, seen, 0))
    }

    /// Whether a descriptor is or holds a path or a time.
    fn mentions_native(
        &self,
        descriptor: &Bound<'py, PyAny>,
        seen: &mut HashSet<String>,
        depth: usize,
    ) -> bool {
        if depth > crate::values::limits::MAX_DEPTH {
            return false;
        }
        if let Ok(name) = descriptor.cast::<PyString>() {
            return name.to_str().is_ok_and(|name| NATIVE.contains(&name));
        }
        let Some((key, inner)) = descriptor
            .cast::<PyDict>()
            .ok()
            .filter(|map| map.len() == 1)
            .and_then(|map| map.iter().next())
        else {
            return false;
        };
        match key.extract::<String>().as_deref() {
            Ok("named") => inner
                .extract::<String>()
                .is_ok_and(|name| self.holds_native(&name, seen)),
            Ok("list" | "option") => self.mentions_native(&inner, seen, depth + 1),
            Ok("tuple" | "map") => inner.cast::<PyList>().is_ok_and(|items| {
                items
                    .iter()
                    .any(|item| self.mentions_native(&item, seen, depth + 1))
            }),
            _ => false,
        }
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
