//! The wire shape of an error type marked `#[ferryman::error]` that derives
//! `Serialize`, as the attribute read it from the type's tokens (serde's
//! attributes applied): describe lists it in `types`, and the function's
//! `error.type` names it (`spec/wire.md`, "Describe").

use ferryman_wire::schema::{FieldSchema, TypeShape, VariantSchema, VariantShape};
use ferryman_wire::TypeDesc;

use crate::NamedType;

/// One error type's shape.
#[derive(Debug)]
pub struct ErrorShape {
    /// serde's name of the type when it serializes (`#[serde(rename)]` applied).
    pub name: &'static str,
    pub body: ShapeBody,
    /// The type itself, traced when it is also `Deserialize`: then the traced
    /// entry describes it, as for any named type.
    pub itself: NamedType,
    /// The named types its fields hold.
    pub types: &'static [NamedType],
}

/// The content of the type, or of one variant (never `Enum` there).
#[derive(Debug)]
pub enum ShapeBody {
    Unit,
    Newtype(&'static TypeDesc),
    Tuple(&'static [TypeDesc]),
    Struct(&'static [ShapeField]),
    Enum(&'static [ShapeVariant]),
}

/// One variant that serializes (serde's name).
#[derive(Debug)]
pub struct ShapeVariant {
    pub name: &'static str,
    pub body: ShapeBody,
}

/// One named field that serializes (serde's name).
#[derive(Debug)]
pub struct ShapeField {
    pub name: &'static str,
    pub ty: TypeDesc,
    /// `skip_serializing_if`: the error value may lack it.
    pub optional: bool,
}

impl ErrorShape {
    /// The shape as a `types` entry's, each descriptor passed through `desc`
    /// (written names → serde's).
    pub(crate) fn schema(
        &self,
        desc: &dyn Fn(&'static TypeDesc) -> &'static TypeDesc,
    ) -> TypeShape<'static> {
        match self.body {
            ShapeBody::Unit => TypeShape::UnitStruct,
            ShapeBody::Newtype(inner) => TypeShape::NewtypeStruct(desc(inner)),
            ShapeBody::Tuple(items) => TypeShape::TupleStruct(items.iter().map(desc).collect()),
            ShapeBody::Struct(fields) => TypeShape::Struct(field_schemas(fields, desc)),
            ShapeBody::Enum(variants) => TypeShape::Enum(
                variants
                    .iter()
                    .map(|variant| VariantSchema {
                        name: variant.name.to_owned(),
                        shape: match variant.body {
                            ShapeBody::Unit | ShapeBody::Enum(_) => VariantShape::Unit,
                            ShapeBody::Newtype(inner) => VariantShape::Newtype(desc(inner)),
                            ShapeBody::Tuple(items) => {
                                VariantShape::Tuple(items.iter().map(desc).collect())
                            }
                            ShapeBody::Struct(fields) => {
                                VariantShape::Struct(field_schemas(fields, desc))
                            }
                        },
                    })
                    .collect(),
            ),
        }
    }
}

fn field_schemas(
    fields: &'static [ShapeField],
    desc: &dyn Fn(&'static TypeDesc) -> &'static TypeDesc,
) -> Vec<FieldSchema<'static>> {
    fields
        .iter()
        .map(|field| FieldSchema {
            name: field.name.to_owned(),
            ty: desc(&field.ty),
            optional: field.optional,
        })
        .collect()
}
