//! Describe's `types` (`spec/wire.md`, "Named types"): the user structs and
//! enums that `{"named": …}` descriptors refer to.

use crate::keyed::{opt_string, read_map, string};
use crate::shape_error::{Context, ShapeError};
use crate::type_desc::Type;
use ferryman_wire::reader::Reader;

/// One struct or enum, as the library's `Deserialize` reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    /// serde's name of the type (the `Name` of `{"named": "Name"}`).
    pub name: String,
    /// Its doc comment, when the library knows it.
    pub doc: Option<String>,
    /// Its fields or variants.
    pub shape: Shape,
}

/// What a struct, or an enum variant, holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Named fields: a map of field name to value.
    Struct(Vec<Field>),
    /// Unnamed items: an array.
    Tuple(Vec<Type>),
    /// One unnamed item: the inner value itself.
    Newtype(Type),
    /// Nothing (a unit struct is written as an empty array, a unit variant
    /// as its name).
    Unit,
    /// An enum's variants.
    Enum(Vec<Variant>),
    /// A `kind` this crate does not know.
    Other(String),
}

/// A named field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// serde's name of the field.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Whether the library accepts a map without it.
    pub optional: bool,
}

/// An enum variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// serde's name of the variant.
    pub name: String,
    /// [`Shape::Unit`], [`Shape::Newtype`], [`Shape::Tuple`] or [`Shape::Struct`].
    pub shape: Shape,
}

/// The keys a struct kind or variant kind may have, read in any order.
#[derive(Default)]
struct Parts {
    kind: String,
    fields: Vec<Field>,
    items: Vec<Type>,
    ty: Option<Type>,
    variants: Vec<Variant>,
}

impl Parts {
    /// Reads `key` when it is a shape key: `Ok(true)`.
    fn read_key(
        &mut self,
        key: &str,
        reader: &mut Reader<'_>,
        level: usize,
        context: &dyn Fn() -> String,
    ) -> Result<bool, ShapeError> {
        let at = || format!("{} key `{key}`", context());
        match key {
            "kind" => self.kind = string(reader, at)?,
            "fields" => self.fields = list(reader, level + 1, &at, field)?,
            "items" => self.items = Type::read_list(reader, level + 1, &at)?,
            "type" => self.ty = Some(Type::read(reader, level + 1, &at)?),
            "variants" => self.variants = list(reader, level + 1, &at, variant)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn shape(self) -> Shape {
        match self.kind.as_str() {
            "struct" => Shape::Struct(self.fields),
            "tuple_struct" | "tuple" => Shape::Tuple(self.items),
            "newtype_struct" | "newtype" => Shape::Newtype(self.ty.unwrap_or(Type::Unit)),
            "unit_struct" | "unit" => Shape::Unit,
            "enum" => Shape::Enum(self.variants),
            _ => Shape::Other(self.kind),
        }
    }
}

impl NamedType {
    /// Reads one entry of `types` at the cursor (a map at nesting `level`).
    pub(crate) fn read(
        reader: &mut Reader<'_>,
        level: usize,
        index: usize,
    ) -> Result<NamedType, ShapeError> {
        let (mut name, mut doc, mut parts) = (String::new(), None, Parts::default());
        let context = || format!("describe type {index}");
        read_map(reader, level, &context, |key, r| {
            let at = || format!("describe type {index} key `{key}`");
            match key {
                "name" => name = string(r, at)?,
                "doc" => doc = opt_string(r, at)?,
                _ if parts.read_key(key, r, level, &context)? => {}
                _ => r.skip_at(level + 1).context(at)?,
            }
            Ok(())
        })?;
        Ok(NamedType {
            name,
            doc,
            shape: parts.shape(),
        })
    }
}

/// Reads one map of a list: the reader, its level, the list's context.
type ReadItem<T> = fn(&mut Reader<'_>, usize, &dyn Fn() -> String) -> Result<T, ShapeError>;

/// An array (at `level`) of maps read by `item`.
fn list<T>(
    reader: &mut Reader<'_>,
    level: usize,
    context: &dyn Fn() -> String,
    item: ReadItem<T>,
) -> Result<Vec<T>, ShapeError> {
    reader.check_level(level).context(context)?;
    let len = reader.array_len().context(context)?;
    let mut items = Vec::with_capacity(len.min(reader.rest().len()));
    for _ in 0..len {
        items.push(item(reader, level + 1, context)?);
    }
    Ok(items)
}

fn field(
    reader: &mut Reader<'_>,
    level: usize,
    context: &dyn Fn() -> String,
) -> Result<Field, ShapeError> {
    let mut field = Field {
        name: String::new(),
        ty: Type::Unknown(crate::Value::Nil),
        optional: false,
    };
    read_map(reader, level, context, |key, r| {
        let at = || format!("{} field key `{key}`", context());
        match key {
            "name" => field.name = string(r, at)?,
            "type" => field.ty = Type::read(r, level + 1, &at)?,
            "optional" => field.optional = r.bool().context(at)?,
            _ => r.skip_at(level + 1).context(at)?,
        }
        Ok(())
    })?;
    Ok(field)
}

fn variant(
    reader: &mut Reader<'_>,
    level: usize,
    context: &dyn Fn() -> String,
) -> Result<Variant, ShapeError> {
    let (mut name, mut parts) = (String::new(), Parts::default());
    let here = || format!("{} variant", context());
    read_map(reader, level, &here, |key, r| {
        match key {
            "name" => name = string(r, || format!("{} key `name`", here()))?,
            _ if parts.read_key(key, r, level, &here)? => {}
            _ => r.skip_at(level + 1).context(here)?,
        }
        Ok(())
    })?;
    Ok(Variant {
        name,
        shape: parts.shape(),
    })
}
