//! The serde fields of an error, for error types that implement `Serialize`.
//!
//! Generated code calls `(&FieldsProbe(&error)).ferryman_fields()` with both traits
//! in scope. The error type is concrete there, so method resolution picks
//! [`FieldsViaSerialize`] (receiver `&FieldsProbe`) when it implements `Serialize`
//! and falls back to [`FieldsNone`] (receiver `&&FieldsProbe`) otherwise
//! ("autoref specialization").

use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// An error's variant name (for enums) and its fields as a MessagePack map.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFields {
    pub variant: Option<&'static str>,
    pub fields: rmpv::Value,
}

/// Wraps a borrowed error for the probe; see the module docs.
#[derive(Debug)]
pub struct FieldsProbe<'a, E>(pub &'a E);

/// Chosen when the error type implements `Serialize`.
pub trait FieldsViaSerialize {
    fn ferryman_fields(&self) -> Option<ErrorFields>;
}

/// Chosen otherwise: no fields.
pub trait FieldsNone {
    fn ferryman_fields(&self) -> Option<ErrorFields>;
}

impl<E: Serialize> FieldsViaSerialize for FieldsProbe<'_, E> {
    fn ferryman_fields(&self) -> Option<ErrorFields> {
        fields_of(self.0)
    }
}

impl<E> FieldsNone for &FieldsProbe<'_, E> {
    fn ferryman_fields(&self) -> Option<ErrorFields> {
        None
    }
}

/// Serializes `error` by field name and splits off the enum variant, if any.
pub fn fields_of<E: Serialize + ?Sized>(error: &E) -> Option<ErrorFields> {
    let bytes = rmp_serde::to_vec_named(error).ok()?;
    let value = rmpv::decode::read_value(&mut &bytes[..]).ok()?;
    let mut sniffer = VariantSniffer(None);
    let _ = error.serialize(&mut sniffer);
    let variant = sniffer.0;
    let content = match (variant, value) {
        (Some(_), rmpv::Value::String(_)) => rmpv::Value::Map(Vec::new()),
        (Some(_), rmpv::Value::Map(mut entries)) if entries.len() == 1 => entries.remove(0).1,
        (_, other) => other,
    };
    let fields = match content {
        map @ rmpv::Value::Map(_) => map,
        rmpv::Value::Array(items) => numbered(items),
        rmpv::Value::Nil => rmpv::Value::Map(Vec::new()),
        single => numbered(vec![single]),
    };
    Some(ErrorFields { variant, fields })
}

fn numbered(items: Vec<rmpv::Value>) -> rmpv::Value {
    rmpv::Value::Map(
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (rmpv::Value::from(i.to_string()), v))
            .collect(),
    )
}

/// A serializer that only records the top-level enum variant name and stops.
struct VariantSniffer(Option<&'static str>);

#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stop")
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

macro_rules! stop {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), Stop> { Err(Stop) })*
    };
}

impl ser::Serializer for &mut VariantSniffer {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Impossible<(), Stop>;
    type SerializeStruct = Impossible<(), Stop>;
    type SerializeStructVariant = Impossible<(), Stop>;

    stop!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.0 = Some(variant);
        Err(Stop)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        self.0 = Some(variant);
        Err(Stop)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        self.0 = Some(variant);
        Err(Stop)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        self.0 = Some(variant);
        Err(Stop)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Stop> {
        Err(Stop)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(Stop)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Debug, Serialize)]
    enum MathError {
        DivisionByZero,
        Overflow { left: i64, right: i64 },
        Negative(i64),
    }

    #[derive(Debug, Serialize)]
    struct Plain {
        code: u16,
    }

    #[derive(Debug)]
    struct NotSerialize;

    // The explicit `&` is the point: it is what lets `FieldsNone` be found at all.
    #[allow(clippy::needless_borrow)]
    fn probe_serialize<E: Serialize>(e: &E) -> Option<ErrorFields> {
        #[allow(unused_imports)]
        use super::{FieldsNone as _, FieldsViaSerialize as _};
        (&FieldsProbe(e)).ferryman_fields()
    }

    #[test]
    fn enum_variants_split_name_and_fields() {
        let f = probe_serialize(&MathError::DivisionByZero).unwrap();
        assert_eq!(
            (f.variant, f.fields.to_string()),
            (Some("DivisionByZero"), "{}".to_owned())
        );
        let f = probe_serialize(&MathError::Overflow { left: 1, right: 2 }).unwrap();
        assert_eq!(f.variant, Some("Overflow"));
        assert_eq!(f.fields.to_string(), r#"{"left": 1, "right": 2}"#);
        let f = probe_serialize(&MathError::Negative(-3)).unwrap();
        assert_eq!(f.fields.to_string(), r#"{"0": -3}"#);
    }

    #[test]
    fn structs_have_fields_but_no_variant() {
        let f = probe_serialize(&Plain { code: 7 }).unwrap();
        assert_eq!(
            (f.variant, f.fields.to_string()),
            (None, r#"{"code": 7}"#.to_owned())
        );
    }

    #[test]
    #[allow(clippy::needless_borrow)]
    fn types_without_serialize_fall_back_to_none() {
        #[allow(unused_imports)]
        use super::{FieldsNone as _, FieldsViaSerialize as _};
        assert!((&FieldsProbe(&NotSerialize)).ferryman_fields().is_none());
        assert!((&FieldsProbe(&Plain { code: 1 }))
            .ferryman_fields()
            .is_some());
    }
}
