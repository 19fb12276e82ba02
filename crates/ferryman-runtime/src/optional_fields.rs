//! Which struct fields a type's `Deserialize` lets a map leave out
//! (`#[serde(default)]`, `Option`): serde-reflection records the fields but
//! not that. For each field, `T` is deserialized once from a made-up value that
//! follows the traced formats and omits just that field; if `T` still reads,
//! the field is optional. The made-up value takes whatever path (enum variant,
//! `Some`, one element) reaches the struct, so fields of nested types are
//! probed too.

use std::collections::BTreeSet;

use serde::de::value::{Error, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_reflection::{ContainerFormat, Format, Named, Registry, VariantFormat};

use crate::native_marks::by_mark;

/// A field of a struct (`variant: None`) or of an enum's struct variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FieldAt {
    pub container: String,
    pub variant: Option<u32>,
    pub index: usize,
}

/// How deep the made-up value goes before it stops choosing `Some` and
/// non-empty sequences (recursive types).
const MAX_DEPTH: u32 = 32;

/// The fields of every struct `root` reaches that `T` accepts without.
pub(crate) fn optional_fields<T: DeserializeOwned>(
    root: &Format,
    registry: &Registry,
) -> BTreeSet<FieldAt> {
    let made_up = |omit: Option<&FieldAt>| {
        T::deserialize(MadeUp {
            format: root,
            registry,
            omit,
            depth: 0,
        })
        .is_ok()
    };
    // A type whose custom impl refuses made-up values cannot be probed: its
    // `Option` fields are the optional ones, as serde's derive makes them.
    let probed = made_up(None);
    fields(registry)
        .filter(|(at, format)| matches!(format, Format::Option(_)) || (probed && made_up(Some(at))))
        .map(|(at, _)| at)
        .collect()
}

/// Every named field of every struct and struct variant in `registry`.
fn fields(registry: &Registry) -> impl Iterator<Item = (FieldAt, &Format)> {
    let at = |container: &str, variant, index| FieldAt {
        container: container.to_owned(),
        variant,
        index,
    };
    registry.iter().flat_map(move |(name, container)| {
        let named: Vec<(Option<u32>, &[Named<Format>])> = match container {
            ContainerFormat::Struct(fields) => vec![(None, fields)],
            ContainerFormat::Enum(variants) => variants
                .iter()
                .filter_map(|(index, variant)| match &variant.value {
                    VariantFormat::Struct(fields) => Some((Some(*index), fields.as_slice())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        named.into_iter().flat_map(move |(variant, fields)| {
            fields
                .iter()
                .enumerate()
                .map(move |(index, field)| (at(name, variant, index), &field.value))
        })
    })
}

/// Whether a value of `format` can contain the container `name`.
fn reaches(format: &Format, name: &str, registry: &Registry, seen: &mut BTreeSet<String>) -> bool {
    match format {
        Format::TypeName(n) if n == name => true,
        Format::TypeName(n) => {
            if !seen.insert(n.clone()) {
                return false;
            }
            match registry.get(n) {
                Some(ContainerFormat::NewTypeStruct(inner)) => reaches(inner, name, registry, seen),
                Some(ContainerFormat::TupleStruct(items)) => {
                    items.iter().any(|item| reaches(item, name, registry, seen))
                }
                Some(ContainerFormat::Struct(fields)) => fields
                    .iter()
                    .any(|f| reaches(&f.value, name, registry, seen)),
                Some(ContainerFormat::Enum(variants)) => variants
                    .values()
                    .any(|v| variant_reaches(&v.value, name, registry, seen)),
                _ => false,
            }
        }
        Format::Option(inner) | Format::Seq(inner) => reaches(inner, name, registry, seen),
        Format::TupleArray { content, .. } => reaches(content, name, registry, seen),
        Format::Map { key, value } => {
            reaches(key, name, registry, seen) || reaches(value, name, registry, seen)
        }
        Format::Tuple(items) => items.iter().any(|item| reaches(item, name, registry, seen)),
        _ => false,
    }
}

fn variant_reaches(
    variant: &VariantFormat,
    name: &str,
    registry: &Registry,
    seen: &mut BTreeSet<String>,
) -> bool {
    match variant {
        VariantFormat::NewType(inner) => reaches(inner, name, registry, seen),
        VariantFormat::Tuple(items) => items.iter().any(|item| reaches(item, name, registry, seen)),
        VariantFormat::Struct(fields) => fields
            .iter()
            .any(|f| reaches(&f.value, name, registry, seen)),
        _ => false,
    }
}

/// A deserializer that makes up a value of `format`, leaving out `omit`.
#[derive(Clone, Copy)]
struct MadeUp<'r> {
    format: &'r Format,
    registry: &'r Registry,
    omit: Option<&'r FieldAt>,
    depth: u32,
}

impl<'r> MadeUp<'r> {
    fn at(&self, format: &'r Format) -> Self {
        MadeUp {
            format,
            depth: self.depth + 1,
            ..*self
        }
    }

    /// Whether to go into `inner` (`Some`, one element): only on the way to
    /// the struct being probed, and not too deep.
    fn worth_entering(&self, inner: &Format) -> bool {
        let Some(omit) = self.omit else {
            return false;
        };
        self.depth < MAX_DEPTH
            && reaches(inner, &omit.container, self.registry, &mut BTreeSet::new())
    }

    fn omits(&self, container: &str, variant: Option<u32>, index: usize) -> bool {
        self.omit.is_some_and(|omit| {
            omit.container == container && omit.variant == variant && omit.index == index
        })
    }
}

impl<'de, 'r> de::Deserializer<'de> for MadeUp<'r> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.format {
            Format::Unit => visitor.visit_unit(),
            Format::Bool => visitor.visit_bool(false),
            Format::I8 | Format::I16 | Format::I32 | Format::I64 => visitor.visit_i64(0),
            Format::U8 | Format::U16 | Format::U32 | Format::U64 => visitor.visit_u64(0),
            Format::I128 => visitor.visit_i128(0),
            Format::U128 => visitor.visit_u128(0),
            Format::F32 | Format::F64 => visitor.visit_f64(0.0),
            Format::Char => visitor.visit_char('a'),
            Format::Str => visitor.visit_str(""),
            Format::Bytes => visitor.visit_bytes(&[]),
            Format::Option(inner) if self.worth_entering(inner) => {
                visitor.visit_some(self.at(inner))
            }
            Format::Option(_) => visitor.visit_none(),
            Format::Seq(item) => {
                let count = usize::from(self.worth_entering(item));
                visitor.visit_seq(Items::repeat(self, item, count))
            }
            Format::TupleArray { content, size } => {
                visitor.visit_seq(Items::repeat(self, content, *size))
            }
            Format::Tuple(items) => visitor.visit_seq(Items::of(self, items)),
            Format::Map { key, value } => {
                let count = usize::from(self.worth_entering(key) || self.worth_entering(value));
                visitor.visit_map(Entries {
                    made_up: self,
                    key,
                    value,
                    count,
                })
            }
            Format::TypeName(name) => match by_mark(name) {
                Some(known) => known.feed(visitor),
                None => self.container(name, visitor),
            },
            Format::Variable(_) => Err(de::Error::custom("format left unknown by tracing")),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'r> MadeUp<'r> {
    fn container<'de, V: Visitor<'de>>(self, name: &'r str, visitor: V) -> Result<V::Value, Error> {
        let Some(container) = self.registry.get(name) else {
            return Err(de::Error::custom("unknown container"));
        };
        match container {
            ContainerFormat::UnitStruct => visitor.visit_unit(),
            ContainerFormat::NewTypeStruct(inner) => visitor.visit_newtype_struct(self.at(inner)),
            ContainerFormat::TupleStruct(items) => visitor.visit_seq(Items::of(self, items)),
            ContainerFormat::Struct(fields) => {
                visitor.visit_map(Fields::new(self, name, None, fields))
            }
            ContainerFormat::Enum(variants) => {
                // The probed variant, else the first that leads to the probed
                // struct, else the first.
                let probed = self
                    .omit
                    .filter(|omit| omit.container == name)
                    .and_then(|omit| omit.variant)
                    .and_then(|index| variants.get_key_value(&index));
                let chosen = probed
                    .or_else(|| {
                        variants.iter().find(|(_, v)| {
                            self.omit.is_some_and(|omit| {
                                self.depth < MAX_DEPTH
                                    && variant_reaches(
                                        &v.value,
                                        &omit.container,
                                        self.registry,
                                        &mut BTreeSet::new(),
                                    )
                            })
                        })
                    })
                    .or_else(|| variants.iter().next());
                let Some((index, variant)) = chosen else {
                    return Err(de::Error::custom("enum without variants"));
                };
                visitor.visit_enum(Variant {
                    made_up: self,
                    name,
                    index: *index,
                    variant,
                })
            }
        }
    }
}

/// The elements of a sequence, tuple or tuple struct.
struct Items<'r> {
    made_up: MadeUp<'r>,
    formats: Vec<&'r Format>,
}

impl<'r> Items<'r> {
    fn of(made_up: MadeUp<'r>, items: &'r [Format]) -> Self {
        Items {
            made_up,
            formats: items.iter().rev().collect(),
        }
    }

    fn repeat(made_up: MadeUp<'r>, item: &'r Format, count: usize) -> Self {
        Items {
            made_up,
            formats: vec![item; count],
        }
    }
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        match self.formats.pop() {
            Some(format) => seed.deserialize(self.made_up.at(format)).map(Some),
            None => Ok(None),
        }
    }
}

/// The entries of a map: `count` made-up pairs.
struct Entries<'r> {
    made_up: MadeUp<'r>,
    key: &'r Format,
    value: &'r Format,
    count: usize,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        if self.count == 0 {
            return Ok(None);
        }
        self.count -= 1;
        seed.deserialize(self.made_up.at(self.key)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self.made_up.at(self.value))
    }
}

/// A struct's (or struct variant's) fields by name, one of them perhaps left out.
struct Fields<'r> {
    made_up: MadeUp<'r>,
    fields: Vec<&'r Named<Format>>,
}

impl<'r> Fields<'r> {
    fn new(
        made_up: MadeUp<'r>,
        container: &str,
        variant: Option<u32>,
        fields: &'r [Named<Format>],
    ) -> Self {
        let fields = fields
            .iter()
            .enumerate()
            .filter(|(index, _)| !made_up.omits(container, variant, *index))
            .map(|(_, field)| field)
            .rev()
            .collect();
        Fields { made_up, fields }
    }
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        match self.fields.last() {
            Some(field) => {
                let key: StrDeserializer<'_, Error> = field.name.as_str().into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let field = self.fields.pop().expect("a key was given");
        seed.deserialize(self.made_up.at(&field.value))
    }
}

/// The chosen variant of an enum.
struct Variant<'r> {
    made_up: MadeUp<'r>,
    name: &'r str,
    index: u32,
    variant: &'r Named<VariantFormat>,
}

impl<'de, 'r> EnumAccess<'de> for Variant<'r> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let name: StrDeserializer<'_, Error> = self.variant.name.as_str().into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        match &self.variant.value {
            VariantFormat::NewType(inner) => seed.deserialize(self.made_up.at(inner)),
            _ => Err(de::Error::custom("not a newtype variant")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match &self.variant.value {
            VariantFormat::Tuple(items) => visitor.visit_seq(Items::of(self.made_up, items)),
            _ => Err(de::Error::custom("not a tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.variant.value {
            VariantFormat::Struct(fields) => visitor.visit_map(Fields::new(
                self.made_up,
                self.name,
                Some(self.index),
                fields,
            )),
            _ => Err(de::Error::custom("not a struct variant")),
        }
    }
}
