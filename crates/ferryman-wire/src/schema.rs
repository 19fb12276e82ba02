//! The handshake and describe maps (`spec/wire.md`), as serde types.

use crate::TypeDesc;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// What `ferryman_handshake` returns.
#[derive(Debug, Clone, Serialize)]
pub struct Handshake<'a> {
    pub abi: u32,
    pub wire: u32,
    pub ferryman: &'a str,
    pub library: &'a str,
    pub library_version: &'a str,
    pub functions: usize,
    /// Whether arguments may hold lent bytes (extension 3).
    pub lent_bytes: bool,
    /// Whether arguments may hold lent slices (extension 3 with an item type).
    pub lent_slices: bool,
    /// Whether this library knows objects (extension 5, describe's `classes`).
    pub objects: bool,
    /// Whether this library has the future and stream symbols (`spec/abi.md`,
    /// "Futures" and "Streams").
    pub futures: bool,
}

/// What `ferryman_describe` returns: the handshake plus every function.
#[derive(Debug, Clone, Serialize)]
pub struct Describe<'a> {
    pub abi: u32,
    pub wire: u32,
    pub ferryman: &'a str,
    pub library: &'a str,
    pub library_version: &'a str,
    pub functions: Vec<FunctionSchema<'a>>,
    /// Whether arguments may hold lent bytes (extension 3).
    pub lent_bytes: bool,
    /// Whether arguments may hold lent slices (extension 3 with an item type).
    pub lent_slices: bool,
    /// The user structs and enums the functions use, each once, sorted by name.
    pub types: &'a [NamedTypeSchema<'a>],
    /// Whether this library knows objects (as the handshake's `objects`).
    pub objects: bool,
    /// The exported classes, sorted by name; the index is the class id.
    pub classes: Vec<ClassSchema<'a>>,
    /// As the handshake's `futures`.
    pub futures: bool,
}

/// One exported class (`spec/wire.md`, "Classes in describe").
#[derive(Debug, Clone, Serialize)]
pub struct ClassSchema<'a> {
    pub id: u32,
    pub name: &'a str,
    pub doc: &'a str,
    pub rust: &'a str,
    pub file: &'a str,
    pub line: u32,
    /// The function id of `Class.new`, if it has one.
    pub constructor: Option<u32>,
    pub methods: Vec<u32>,
    pub statics: Vec<u32>,
    pub protocols: &'a [&'a str],
}

/// One exported function.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSchema<'a> {
    pub id: u32,
    pub name: &'a str,
    pub doc: &'a str,
    pub params: Vec<ParamSchema<'a>>,
    pub returns: TypeSchema<'a>,
    pub error: Option<ErrorSchema<'a>>,
    pub file: &'a str,
    pub line: u32,
    /// The class of a member, `None` for a free function.
    pub class: Option<&'a str>,
    /// `function`, `constructor`, `static` or `method`.
    pub kind: &'a str,
    /// An `async fn`: a call may answer `FERRY_PENDING` (`spec/abi.md`, "Futures").
    #[serde(rename = "async")]
    pub is_async: bool,
    /// Returns a stream (`spec/abi.md`, "Streams"); `returns` is `{"stream": T}`.
    pub stream: bool,
}

/// One parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamSchema<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub ty: &'a TypeDesc,
    pub rust: &'a str,
    /// What a call that leaves the parameter out gets; absent for a
    /// required parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<crate::DefaultValue<'a>>,
}

/// A type, as a descriptor and as written in Rust.
#[derive(Debug, Clone, Serialize)]
pub struct TypeSchema<'a> {
    #[serde(rename = "type")]
    pub ty: &'a TypeDesc,
    pub rust: &'a str,
}

/// The error type of a function returning `Result<T, E>`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorSchema<'a> {
    pub name: &'a str,
    pub rust: &'a str,
    /// The error type's base category (`spec/wire.md`, "Error bases").
    pub base: Option<&'a str>,
    /// An enum error type's variants, when `#[ferryman::error]` named them.
    pub variants: Option<&'a [&'a str]>,
    /// `{"named": …}` of the error type's complete entry in `types`, when
    /// describe knows its shape.
    #[serde(rename = "type")]
    pub ty: Option<&'a TypeDesc>,
}

/// One user struct or enum of describe's `types` (`spec/wire.md`, "Named types").
#[derive(Debug, Clone)]
pub struct NamedTypeSchema<'a> {
    /// serde's name of the type.
    pub name: String,
    /// The doc comment, when known.
    pub doc: Option<&'a str>,
    pub shape: TypeShape<'a>,
}

/// What a named type is made of: the `kind` of a named type and its other keys.
#[derive(Debug, Clone)]
pub enum TypeShape<'a> {
    Struct(Vec<FieldSchema<'a>>),
    TupleStruct(Vec<&'a TypeDesc>),
    NewtypeStruct(&'a TypeDesc),
    UnitStruct,
    Enum(Vec<VariantSchema<'a>>),
}

/// One variant of an enum: its serde name and its content.
#[derive(Debug, Clone)]
pub struct VariantSchema<'a> {
    pub name: String,
    pub shape: VariantShape<'a>,
}

/// What an enum variant holds (`kind` `unit`, `newtype`, `tuple` or `struct`).
#[derive(Debug, Clone)]
pub enum VariantShape<'a> {
    Unit,
    Newtype(&'a TypeDesc),
    Tuple(Vec<&'a TypeDesc>),
    Struct(Vec<FieldSchema<'a>>),
}

/// One named field of a struct or struct variant.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSchema<'a> {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'a TypeDesc,
    /// Whether the library accepts the map without this field.
    pub optional: bool,
}

impl Serialize for NamedTypeSchema<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, content) = match &self.shape {
            TypeShape::Struct(fields) => ("struct", Some(Content::Fields(fields))),
            TypeShape::TupleStruct(items) => ("tuple_struct", Some(Content::Items(items))),
            TypeShape::NewtypeStruct(ty) => ("newtype_struct", Some(Content::Type(ty))),
            TypeShape::UnitStruct => ("unit_struct", None),
            TypeShape::Enum(variants) => ("enum", Some(Content::Variants(variants))),
        };
        let mut map = s.serialize_map(Some(3 + usize::from(content.is_some())))?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("doc", &self.doc)?;
        map.serialize_entry("kind", kind)?;
        if let Some(content) = content {
            content.serialize_entry(&mut map)?;
        }
        map.end()
    }
}

impl Serialize for VariantSchema<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, content) = match &self.shape {
            VariantShape::Unit => ("unit", None),
            VariantShape::Newtype(ty) => ("newtype", Some(Content::Type(ty))),
            VariantShape::Tuple(items) => ("tuple", Some(Content::Items(items))),
            VariantShape::Struct(fields) => ("struct", Some(Content::Fields(fields))),
        };
        let mut map = s.serialize_map(Some(2 + usize::from(content.is_some())))?;
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("kind", kind)?;
        if let Some(content) = content {
            content.serialize_entry(&mut map)?;
        }
        map.end()
    }
}

/// The kind-specific key of a named type or variant: `fields`, `items`, `type`
/// or `variants`.
enum Content<'s, 'a> {
    Fields(&'s [FieldSchema<'a>]),
    Items(&'s [&'a TypeDesc]),
    Type(&'a TypeDesc),
    Variants(&'s [VariantSchema<'a>]),
}

impl Content<'_, '_> {
    fn serialize_entry<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        match self {
            Content::Fields(fields) => map.serialize_entry("fields", fields),
            Content::Items(items) => map.serialize_entry("items", items),
            Content::Type(ty) => map.serialize_entry("type", ty),
            Content::Variants(variants) => map.serialize_entry("variants", variants),
        }
    }
}
