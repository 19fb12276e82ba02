//! The schemas of user structs and enums that describe lists (`spec/wire.md`,
//! "Named types"), traced through their `Deserialize` impls with
//! `serde-reflection`, so that serde attributes are applied as serde applies them.
//!
//! `#[export]` registers one [`NamedType`] per named type in a signature. Its
//! `trace` goes through [`TypeProbe`]: a type that is `DeserializeOwned` is
//! traced, any other (a result type that is only `Serialize`) has no schema.
//! Tracing runs once per process, on the first describe. The error types
//! whose shape `#[ferryman::error]` read (`ErrorShape`) are listed too, with
//! the named types of their fields.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use ferryman_wire::schema::{FieldSchema, NamedTypeSchema, TypeShape, VariantSchema, VariantShape};
use ferryman_wire::TypeDesc;
use serde::de::DeserializeOwned;
use serde_reflection::{
    ContainerFormat, Error as TraceError, Format, Named, Registry, Samples, Tracer, TracerConfig,
    VariantFormat,
};

use crate::error_base::error_shape;
use crate::native_marks::{by_mark, MarkedType};
use crate::optional_fields::{optional_fields, FieldAt};
use crate::{ErrorShape, Export};

/// One named type of an exported function's signature, as `#[export]` saw it.
#[derive(Debug)]
pub struct NamedType {
    /// The name the type descriptor carries (`{"named": "Point"}`).
    pub written: &'static str,
    /// Traces it; `None` when it cannot be (see [`TypeProbe`]).
    pub trace: fn() -> Option<Traced>,
}

/// What tracing one type found: its format (a type name, unless the written
/// name was an alias of something else) and every container it reaches.
#[derive(Debug)]
pub struct Traced {
    root: Format,
    registry: Registry,
    optional: BTreeSet<FieldAt>,
}

/// Picks how to trace `T` by autoref specialisation: `(&&TypeProbe::<T>::NEW).trace()`
/// resolves to [`TraceDeserialize`] when `T: DeserializeOwned` and to
/// [`TraceNothing`] otherwise. Only works where `T` is a concrete type, as in
/// generated code.
pub struct TypeProbe<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> std::fmt::Debug for TypeProbe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypeProbe")
    }
}

impl<T: ?Sized> TypeProbe<T> {
    pub const NEW: Self = TypeProbe(PhantomData);
}

/// The probe's choice for a type that can be read.
pub trait TraceDeserialize {
    fn trace(&self) -> Option<Traced>;
}

impl<T: DeserializeOwned> TraceDeserialize for &TypeProbe<T> {
    fn trace(&self) -> Option<Traced> {
        trace::<T>()
    }
}

/// The probe's fallback: no schema.
pub trait TraceNothing {
    fn trace(&self) -> Option<Traced>;
}

impl<T: ?Sized> TraceNothing for TypeProbe<T> {
    fn trace(&self) -> Option<Traced> {
        None
    }
}

/// Passes over `T` before giving up: each pass reaches one more variant of
/// every enum whose variants are not all known yet.
const MAX_PASSES: usize = 256;

/// Traces `T` and everything it contains, every variant of every enum
/// included; `None` when serde-reflection cannot (custom impls that validate,
/// `deserialize_any`, flatten) or the impl panics.
fn trace<T: DeserializeOwned>() -> Option<Traced> {
    catch_unwind(AssertUnwindSafe(trace_all::<T>)).ok()?.ok()
}

fn trace_all<T: DeserializeOwned>() -> Result<Traced, TraceError> {
    let samples = Samples::new();
    // Enums below the root are only reached one variant per pass; their names
    // are learnt from the registry's complaint, then the passes start over.
    let mut enums: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut tracer = Tracer::new(TracerConfig::default());
        let (root, _) = tracer.trace_type_with_seed(&samples, MarkedType::<T>::new())?;
        for _ in 0..MAX_PASSES {
            let mut incomplete = false;
            for name in &enums {
                incomplete |= tracer.check_incomplete_enum(name).is_some();
            }
            if !incomplete {
                break;
            }
            tracer.trace_type_with_seed(&samples, MarkedType::<T>::new())?;
        }
        match tracer.registry() {
            Ok(mut registry) => {
                // Clearing the marks above hides enums that no later pass
                // reached (one inside a variant of another enum): their
                // variants are still at serde-reflection's provisional indices.
                registry.retain(|_, container| match container {
                    ContainerFormat::Enum(variants) => variants
                        .keys()
                        .all(|&index| (index as usize) < variants.len()),
                    _ => true,
                });
                let optional = optional_fields::<T>(&root, &registry);
                return Ok(Traced {
                    root,
                    registry,
                    optional,
                });
            }
            Err(TraceError::MissingVariants(names)) => {
                let before = enums.len();
                enums.extend(names);
                if enums.len() == before {
                    return Err(TraceError::MissingVariants(enums.into_iter().collect()));
                }
            }
            Err(other) => return Err(other),
        }
    }
}

/// describe's `types`, and for every export its parameter and result
/// descriptors with written names replaced by serde's.
#[derive(Debug)]
pub(crate) struct NamedTypes {
    pub types: Vec<NamedTypeSchema<'static>>,
    /// Per export, in `exports()` order: the parameters' descriptors, then the result's.
    pub signatures: Vec<(Vec<&'static TypeDesc>, &'static TypeDesc)>,
    /// Per error type (its `type_name`) whose shape `types` describes: its
    /// descriptor (describe's `error.type`).
    pub errors: BTreeMap<&'static str, &'static TypeDesc>,
}

/// Traced once per process.
pub(crate) fn named_types(exports: &'static [&'static Export]) -> &'static NamedTypes {
    static TYPES: OnceLock<NamedTypes> = OnceLock::new();
    TYPES.get_or_init(|| build(exports))
}

fn build(exports: &'static [&'static Export]) -> NamedTypes {
    let mut containers: BTreeMap<String, ContainerFormat> = BTreeMap::new();
    let mut ambiguous: BTreeSet<String> = BTreeSet::new();
    let mut renames: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut optional: BTreeSet<FieldAt> = BTreeSet::new();
    // The error types whose shape `#[ferryman::error]` read, each once.
    let shapes: BTreeMap<&'static str, &'static ErrorShape> = exports
        .iter()
        .filter_map(|export| export.error)
        .filter_map(|rust_type| Some((rust_type(), error_shape(rust_type())?)))
        .collect();
    let probes = exports.iter().flat_map(|export| export.types).chain(
        shapes
            .values()
            .flat_map(|shape| std::iter::once(&shape.itself).chain(shape.types)),
    );
    for named in probes {
        let Some(traced) = (named.trace)() else {
            continue;
        };
        optional.extend(traced.optional);
        for (name, container) in traced.registry {
            match containers.get(&name) {
                Some(known) if *known != container => {
                    ambiguous.insert(name);
                }
                Some(_) => {}
                None => {
                    containers.insert(name, container);
                }
            }
        }
        if let Format::TypeName(name) = traced.root {
            if renames
                .get(named.written)
                .is_some_and(|known| *known != name)
            {
                ambiguous.insert(name);
            } else {
                renames.insert(named.written, name);
            }
        }
    }
    // An error type that is also `Deserialize` was traced as itself: that
    // entry describes it. The others are described by their shape, unless
    // another type has the same name.
    let mut described: BTreeMap<&'static str, &'static ErrorShape> = BTreeMap::new();
    for shape in shapes.values() {
        if renames
            .get(shape.itself.written)
            .is_some_and(|name| name == shape.name)
        {
            continue;
        }
        if containers.contains_key(shape.name) || described.contains_key(shape.name) {
            ambiguous.insert(shape.name.to_owned());
        } else {
            described.insert(shape.name, shape);
        }
    }
    for name in &ambiguous {
        containers.remove(name);
        described.remove(name.as_str());
    }
    // Paths and times are descriptors, not types (`native_marks`).
    containers.retain(|name, _| by_mark(name).is_none());
    renames.retain(|_, name| containers.contains_key(name) || by_mark(name).is_some());
    let mut entries: BTreeMap<String, TypeShape<'static>> = containers
        .iter()
        .map(|(name, container)| (name.clone(), shape(name, container, &optional)))
        .collect();
    for (name, error) in &described {
        entries.insert(
            (*name).to_owned(),
            error.schema(&|desc| rename(desc, &renames)),
        );
    }
    let errors = shapes
        .iter()
        .filter(|(_, shape)| entries.contains_key(shape.name))
        .map(|(rust_type, shape)| {
            let desc: &'static TypeDesc = Box::leak(Box::new(TypeDesc::Named(shape.name)));
            (*rust_type, desc)
        })
        .collect();
    let types = entries
        .into_iter()
        .map(|(name, shape)| NamedTypeSchema {
            name,
            doc: None,
            shape,
        })
        .collect();
    let signatures = exports
        .iter()
        .map(|export| {
            let params = export
                .params
                .iter()
                .map(|p| rename(p.ty, &renames))
                .collect();
            (params, rename(export.returns, &renames))
        })
        .collect();
    NamedTypes {
        types,
        signatures,
        errors,
    }
}

fn shape(
    name: &str,
    container: &ContainerFormat,
    optional: &BTreeSet<FieldAt>,
) -> TypeShape<'static> {
    let fields = |variant: Option<u32>, fields: &[Named<Format>]| -> Vec<FieldSchema<'static>> {
        fields
            .iter()
            .enumerate()
            .map(|(index, named)| FieldSchema {
                name: named.name.clone(),
                ty: desc(&named.value),
                optional: optional.contains(&FieldAt {
                    container: name.to_owned(),
                    variant,
                    index,
                }),
            })
            .collect()
    };
    match container {
        ContainerFormat::UnitStruct => TypeShape::UnitStruct,
        ContainerFormat::NewTypeStruct(inner) => TypeShape::NewtypeStruct(desc(inner)),
        ContainerFormat::TupleStruct(items) => {
            TypeShape::TupleStruct(items.iter().map(desc).collect())
        }
        ContainerFormat::Struct(named) => TypeShape::Struct(fields(None, named)),
        ContainerFormat::Enum(variants) => TypeShape::Enum(
            variants
                .iter()
                .map(|(index, variant)| VariantSchema {
                    name: variant.name.clone(),
                    shape: match &variant.value {
                        VariantFormat::NewType(inner) => VariantShape::Newtype(desc(inner)),
                        VariantFormat::Tuple(items) => {
                            VariantShape::Tuple(items.iter().map(desc).collect())
                        }
                        VariantFormat::Struct(named) => {
                            VariantShape::Struct(fields(Some(*index), named))
                        }
                        VariantFormat::Unit | VariantFormat::Variable(_) => VariantShape::Unit,
                    },
                })
                .collect(),
        ),
    }
}

/// `format` as a type descriptor. Built once per process, so the descriptors
/// are leaked to get the `'static` the describe types hold.
fn desc(format: &Format) -> &'static TypeDesc {
    let leak = |desc: TypeDesc| &*Box::leak(Box::new(desc));
    match format {
        Format::Unit => &TypeDesc::Unit,
        Format::Bool => &TypeDesc::Bool,
        Format::I8 => &TypeDesc::I8,
        Format::I16 => &TypeDesc::I16,
        Format::I32 => &TypeDesc::I32,
        Format::I64 => &TypeDesc::I64,
        Format::I128 => &TypeDesc::I128,
        Format::U8 => &TypeDesc::U8,
        Format::U16 => &TypeDesc::U16,
        Format::U32 => &TypeDesc::U32,
        Format::U64 => &TypeDesc::U64,
        Format::U128 => &TypeDesc::U128,
        Format::F32 => &TypeDesc::F32,
        Format::F64 => &TypeDesc::F64,
        Format::Char => &TypeDesc::Char,
        Format::Str => &TypeDesc::Str,
        // A sequence of u8 is bytes at any depth (`spec/wire.md`).
        Format::Bytes => &TypeDesc::Bytes,
        Format::Seq(item) if matches!(**item, Format::U8) => &TypeDesc::Bytes,
        Format::Seq(item) | Format::TupleArray { content: item, .. } => {
            leak(TypeDesc::List(desc(item)))
        }
        Format::Option(inner) => leak(TypeDesc::Option(desc(inner))),
        Format::Map { key, value } => leak(TypeDesc::Map(desc(key), desc(value))),
        Format::Tuple(items) => {
            let items: Vec<TypeDesc> = items.iter().map(|item| *desc(item)).collect();
            leak(TypeDesc::Tuple(Box::leak(items.into_boxed_slice())))
        }
        Format::TypeName(name) => match by_mark(name) {
            Some(known) => &known.desc,
            None => leak(TypeDesc::Named(Box::leak(name.clone().into_boxed_str()))),
        },
        // Not left after a successful trace; "any value" to a host.
        Format::Variable(_) => leak(TypeDesc::Named("?")),
    }
}

/// `desc` with every `{"named": written}` that was traced renamed as serde
/// names it; `desc` itself when nothing changes.
fn rename(desc: &'static TypeDesc, renames: &BTreeMap<&'static str, String>) -> &'static TypeDesc {
    if !mentions(desc, renames) {
        return desc;
    }
    let leak = |desc: TypeDesc| &*Box::leak(Box::new(desc));
    let all = |items: &'static [TypeDesc]| -> &'static [TypeDesc] {
        let renamed: Vec<TypeDesc> = items.iter().map(|item| *rename(item, renames)).collect();
        Box::leak(renamed.into_boxed_slice())
    };
    match desc {
        TypeDesc::Named(written) => match renames.get(written) {
            Some(name) => match by_mark(name) {
                Some(known) => &known.desc,
                None => leak(TypeDesc::Named(Box::leak(name.clone().into_boxed_str()))),
            },
            None => desc,
        },
        TypeDesc::List(item) => leak(TypeDesc::List(rename(item, renames))),
        TypeDesc::Option(inner) => leak(TypeDesc::Option(rename(inner, renames))),
        TypeDesc::Map(key, value) => {
            leak(TypeDesc::Map(rename(key, renames), rename(value, renames)))
        }
        TypeDesc::Tuple(items) => leak(TypeDesc::Tuple(all(items))),
        TypeDesc::Callback(params, returns) => {
            leak(TypeDesc::Callback(all(params), rename(returns, renames)))
        }
        TypeDesc::AsyncCallback(params, returns) => leak(TypeDesc::AsyncCallback(
            all(params),
            rename(returns, renames),
        )),
        TypeDesc::Iter(item) => leak(TypeDesc::Iter(rename(item, renames))),
        TypeDesc::Stream(item) => leak(TypeDesc::Stream(rename(item, renames))),
        _ => desc,
    }
}

/// Whether `desc` holds a written name that serde spells differently.
fn mentions(desc: &TypeDesc, renames: &BTreeMap<&'static str, String>) -> bool {
    match desc {
        TypeDesc::Named(written) => renames.get(written).is_some_and(|name| name != written),
        TypeDesc::List(inner)
        | TypeDesc::Option(inner)
        | TypeDesc::Iter(inner)
        | TypeDesc::Stream(inner) => mentions(inner, renames),
        TypeDesc::Map(key, value) => mentions(key, renames) || mentions(value, renames),
        TypeDesc::Tuple(items) => items.iter().any(|item| mentions(item, renames)),
        TypeDesc::Callback(params, returns) | TypeDesc::AsyncCallback(params, returns) => {
            params.iter().any(|item| mentions(item, renames)) || mentions(returns, renames)
        }
        _ => false,
    }
}
