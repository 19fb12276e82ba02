//! The serde fields of an error, for error types that implement `Serialize`.
//!
//! Generated code calls `(&FieldsProbe(&error)).ferryman_fields()` with both traits
//! in scope. The error type is concrete there, so method resolution picks
//! [`FieldsViaSerialize`] (receiver `&FieldsProbe`) when it implements `Serialize`
//! and falls back to [`FieldsNone`] (receiver `&&FieldsProbe`) otherwise
//! ("autoref specialization").

use ferryman_wire::value_len;
use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// An error's variant name (for enums) and its fields, encoded as one
/// MessagePack map (`spec/wire.md`, "Error values": `fields`).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFields {
    pub variant: Option<&'static str>,
    pub fields: Vec<u8>,
}

impl ErrorFields {
    /// The fields as a decoded value.
    pub fn value(&self) -> rmpv::Value {
        rmpv::decode::read_value(&mut &self.fields[..]).unwrap_or(rmpv::Value::Nil)
    }
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
///
/// The error is encoded once, as results are (`ferryman_wire::encode`: byte
/// vectors as bin, big integers as extension 4); its fields are cut out of
/// those bytes (a tuple's elements renumbered as `"0"`, `"1"`, …) without
/// decoding them.
pub fn fields_of<E: Serialize + ?Sized>(error: &E) -> Option<ErrorFields> {
    let mut bytes = Vec::new();
    ferryman_wire::encode(error, &mut bytes).ok()?;
    let mut sniffer = VariantSniffer(None);
    let _ = error.serialize(&mut sniffer);
    let variant = sniffer.0;
    let content = match (variant, bytes.first()?) {
        (Some(_), 0xa0..=0xbf | 0xd9..=0xdb) => return Some(ErrorFields::empty(variant)),
        // `{"Variant": content}`: skip the one key.
        (Some(_), 0x81) => {
            let key = value_len(&bytes[1..]).ok()?;
            &bytes[1 + key..]
        }
        _ => &bytes[..],
    };
    let fields = match content.first()? {
        0x80..=0x8f | 0xde | 0xdf => content.to_vec(),
        0xc0 => return Some(ErrorFields::empty(variant)),
        0x90..=0x9f | 0xdc | 0xdd => numbered(content)?,
        _ => {
            let mut out = vec![0x81, 0xa1, b'0'];
            out.extend_from_slice(content);
            out
        }
    };
    Some(ErrorFields { variant, fields })
}

impl ErrorFields {
    fn empty(variant: Option<&'static str>) -> ErrorFields {
        ErrorFields {
            variant,
            fields: vec![0x80],
        }
    }
}

/// An encoded array as a map from each element's index (as a str) to the element.
fn numbered(array: &[u8]) -> Option<Vec<u8>> {
    let (len, mut rest) = match array[0] {
        marker @ 0x90..=0x9f => (usize::from(marker & 0x0f), &array[1..]),
        0xdc => (
            usize::from(u16::from_be_bytes(array.get(1..3)?.try_into().ok()?)),
            &array[3..],
        ),
        _ => (
            usize::try_from(u32::from_be_bytes(array.get(1..5)?.try_into().ok()?)).ok()?,
            &array[5..],
        ),
    };
    let mut out = Vec::with_capacity(array.len() + 2 * len + 4);
    match len {
        0..=15 => out.push(0x80 | len as u8),
        16..=0xffff => {
            out.push(0xde);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(0xdf);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
    }
    for index in 0..len {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = index;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.push(0xa0 | (digits.len() - at) as u8);
        out.extend_from_slice(&digits[at..]);
        let element = value_len(rest).ok()?;
        out.extend_from_slice(&rest[..element]);
        rest = &rest[element..];
    }
    Some(out)
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
            (f.variant, f.value().to_string()),
            (Some("DivisionByZero"), "{}".to_owned())
        );
        let f = probe_serialize(&MathError::Overflow { left: 1, right: 2 }).unwrap();
        assert_eq!(f.variant, Some("Overflow"));
        assert_eq!(f.value().to_string(), r#"{"left": 1, "right": 2}"#);
        let f = probe_serialize(&MathError::Negative(-3)).unwrap();
        assert_eq!(f.value().to_string(), r#"{"0": -3}"#);
    }

    #[test]
    fn structs_have_fields_but_no_variant() {
        let f = probe_serialize(&Plain { code: 7 }).unwrap();
        assert_eq!(
            (f.variant, f.value().to_string()),
            (None, r#"{"code": 7}"#.to_owned())
        );
    }

    #[derive(Debug, Serialize)]
    enum Shapes {
        Pair(i64, String),
        Many(Vec<u8>),
        Wrapped(Plain),
        Nothing(()),
        Long(
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
            u8,
        ),
    }

    #[derive(Debug, Serialize)]
    struct Code(u32);

    #[derive(Debug, Serialize)]
    struct Unit;

    #[derive(Debug, Serialize)]
    struct Tuple(bool, Option<u8>);

    #[derive(Debug, Serialize)]
    #[serde(tag = "kind")]
    enum Tagged {
        Inner { x: i8 },
    }

    /// What the fields were before they were cut out of the bytes: the whole
    /// error decoded, then split.
    fn decoded_split<E: Serialize>(error: &E) -> rmpv::Value {
        use rmpv::Value;
        let mut bytes = Vec::new();
        ferryman_wire::encode(error, &mut bytes).unwrap();
        let value = rmpv::decode::read_value(&mut &bytes[..]).unwrap();
        let mut sniffer = VariantSniffer(None);
        let _ = error.serialize(&mut sniffer);
        let numbered = |items: Vec<Value>| {
            Value::Map(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Value::from(i.to_string()), v))
                    .collect(),
            )
        };
        let content = match (sniffer.0, value) {
            (Some(_), Value::String(_)) => Value::Map(Vec::new()),
            (Some(_), Value::Map(mut entries)) if entries.len() == 1 => entries.remove(0).1,
            (_, other) => other,
        };
        match content {
            map @ Value::Map(_) => map,
            Value::Array(items) => numbered(items),
            Value::Nil => Value::Map(Vec::new()),
            single => numbered(vec![single]),
        }
    }

    fn check<E: Serialize>(error: &E) {
        let f = fields_of(error).unwrap();
        assert_eq!(f.value(), decoded_split(error), "{:?}", f.fields);
        assert_eq!(
            rmpv::decode::read_value(&mut &f.fields[..]).unwrap(),
            f.value()
        );
    }

    #[test]
    fn cutting_the_bytes_gives_what_decoding_gave() {
        check(&MathError::DivisionByZero);
        check(&MathError::Overflow { left: -1, right: 2 });
        check(&MathError::Negative(-3));
        check(&Shapes::Pair(1, "two".to_owned()));
        check(&Shapes::Many(vec![1, 2, 3]));
        check(&Shapes::Wrapped(Plain { code: 9 }));
        check(&Shapes::Nothing(()));
        check(&Shapes::Long(
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        ));
        check(&Code(70_000));
        check(&Unit);
        check(&Tuple(true, None));
        check(&Tagged::Inner { x: -5 });
        check(&Plain { code: 7 });
        check(&"a string");
    }

    #[test]
    fn fields_are_encoded_like_results() {
        #[derive(Debug, Serialize)]
        struct Wide {
            data: Vec<u8>,
            big: u128,
        }
        let f = fields_of(&Wide {
            data: b"ab".to_vec(),
            big: u128::MAX,
        })
        .unwrap();
        let value = f.value();
        assert_eq!(value["data"], rmpv::Value::Binary(b"ab".to_vec()));
        assert!(matches!(value["big"], rmpv::Value::Ext(4, ref p) if p.len() == 17));
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
