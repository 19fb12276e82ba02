//! A serde `Deserializer` over one MessagePack value in a byte slice.
//!
//! Why not rmp-serde alone: its borrowing deserializer cannot say where a value
//! ends (needed to cut the argument array apart and detect trailing bytes), and on
//! the hot path — scalars and sequences of scalars — a direct reader is about
//! three times faster. What it does not read itself (enums, MessagePack
//! extensions such as callables, `i128`) it hands to rmp-serde, with the exact
//! bytes of that value, so behaviour and error messages stay rmp-serde's.

use crate::skip::value_len;
use rmp_serde::decode::Error;
use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

/// Deserializes `T` from exactly one MessagePack value, borrowing from `bytes`.
///
/// `bytes` must be one complete value as measured by [`value_len`]; the callers
/// in this crate cut values that way.
#[inline]
pub(crate) fn from_value<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    T::deserialize(Value(bytes))
}

/// One complete MessagePack value (its length was checked by `value_len`).
#[derive(Clone, Copy)]
struct Value<'de>(&'de [u8]);

impl<'de> Value<'de> {
    fn marker(&self) -> u8 {
        self.0.first().copied().unwrap_or(0xc1)
    }

    fn be(&self, at: usize, width: usize) -> Result<u64, Error> {
        let bytes = self.0.get(at..at + width).ok_or_else(truncated)?;
        Ok(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }

    /// The payload of a str or bin whose length takes `width` bytes.
    fn sized(&self, width: usize) -> Result<&'de [u8], Error> {
        let len = usize::try_from(self.be(1, width)?).map_err(|_| truncated())?;
        self.0.get(1 + width..1 + width + len).ok_or_else(truncated)
    }

    fn str_payload(&self) -> Option<Result<&'de [u8], Error>> {
        Some(match self.marker() {
            b @ 0xa0..=0xbf => self
                .0
                .get(1..1 + usize::from(b & 0x1f))
                .ok_or_else(truncated),
            0xd9 => self.sized(1),
            0xda => self.sized(2),
            0xdb => self.sized(4),
            _ => return None,
        })
    }

    fn bin_payload(&self) -> Option<Result<&'de [u8], Error>> {
        Some(match self.marker() {
            0xc4 => self.sized(1),
            0xc5 => self.sized(2),
            0xc6 => self.sized(4),
            _ => return None,
        })
    }

    /// `(element count, header length)` of an array, or of a map's entries.
    fn container(&self, fix: u8, b16: u8, b32: u8) -> Option<Result<(usize, usize), Error>> {
        let m = self.marker();
        Some(if m & 0xf0 == fix {
            Ok((usize::from(m & 0x0f), 1))
        } else if m == b16 {
            self.be(1, 2).map(|n| (n as usize, 3))
        } else if m == b32 {
            self.be(1, 4).map(|n| (n as usize, 5))
        } else {
            return None;
        })
    }

    fn rmp(self) -> rmp_serde::Deserializer<rmp_serde::decode::ReadRefReader<'de, [u8]>> {
        rmp_serde::Deserializer::from_read_ref(self.0)
    }
}

fn truncated() -> Error {
    Error::InvalidDataRead(std::io::ErrorKind::UnexpectedEof.into())
}

fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(Error::Utf8Error)
}

impl<'de> de::Deserializer<'de> for Value<'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let m = self.marker();
        match m {
            0x00..=0x7f => visitor.visit_u64(u64::from(m)),
            0xe0..=0xff => visitor.visit_i64(i64::from(m as i8)),
            0xc0 => visitor.visit_unit(),
            0xc2 => visitor.visit_bool(false),
            0xc3 => visitor.visit_bool(true),
            0xcc => visitor.visit_u64(self.be(1, 1)?),
            0xcd => visitor.visit_u64(self.be(1, 2)?),
            0xce => visitor.visit_u64(self.be(1, 4)?),
            0xcf => visitor.visit_u64(self.be(1, 8)?),
            0xd0 => visitor.visit_i64(i64::from(self.be(1, 1)? as u8 as i8)),
            0xd1 => visitor.visit_i64(i64::from(self.be(1, 2)? as u16 as i16)),
            0xd2 => visitor.visit_i64(i64::from(self.be(1, 4)? as u32 as i32)),
            0xd3 => visitor.visit_i64(self.be(1, 8)? as i64),
            0xca => visitor.visit_f32(f32::from_bits(self.be(1, 4)? as u32)),
            0xcb => visitor.visit_f64(f64::from_bits(self.be(1, 8)?)),
            _ => {
                if let Some(payload) = self.str_payload() {
                    let payload = payload?;
                    return match std::str::from_utf8(payload) {
                        Ok(s) => visitor.visit_borrowed_str(s),
                        Err(_) => visitor.visit_borrowed_bytes(payload),
                    };
                }
                if let Some(payload) = self.bin_payload() {
                    return visitor.visit_borrowed_bytes(payload?);
                }
                if let Some(header) = self.container(0x90, 0xdc, 0xdd) {
                    let (count, header) = header?;
                    return visit_seq(self.0.get(header..).unwrap_or_default(), count, visitor);
                }
                if let Some(header) = self.container(0x80, 0xde, 0xdf) {
                    let (count, header) = header?;
                    let rest = self.0.get(header..).unwrap_or_default();
                    let mut access = Elements {
                        rest,
                        left: count.saturating_mul(2),
                    };
                    let value = visitor.visit_map(&mut access)?;
                    return access.done(value);
                }
                // Extensions and the reserved marker: rmp-serde's behaviour.
                self.rmp().deserialize_any(visitor)
            }
        }
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.marker() == 0xc0 {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.str_payload() {
            Some(payload) => visitor.visit_borrowed_str(utf8(payload?)?),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.str_payload().or_else(|| self.bin_payload()) {
            Some(payload) => visitor.visit_borrowed_bytes(payload?),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.rmp().deserialize_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.rmp().deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == rmp_serde::MSGPACK_EXT_STRUCT_NAME {
            return self.rmp().deserialize_newtype_struct(name, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.rmp().deserialize_enum(name, variants, visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.rmp().deserialize_i128(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.rmp().deserialize_u128(visitor)
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[inline]
fn visit_seq<'de, V: Visitor<'de>>(
    rest: &'de [u8],
    count: usize,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut access = Elements { rest, left: count };
    let value = visitor.visit_seq(&mut access)?;
    access.done(value)
}

/// The elements of an array (or the keys and values of a map, alternating).
struct Elements<'de> {
    rest: &'de [u8],
    left: usize,
}

impl<'de> Elements<'de> {
    #[inline]
    fn take_value(&mut self) -> Result<Value<'de>, Error> {
        let len = value_len(self.rest).map_err(|_| truncated())?;
        let (value, rest) = self.rest.split_at(len);
        self.rest = rest;
        self.left -= 1;
        Ok(Value(value))
    }

    /// A visitor that stopped early (a fixed-size tuple given a longer array).
    fn done<T>(&self, value: T) -> Result<T, Error> {
        if self.left == 0 {
            Ok(value)
        } else {
            Err(de::Error::invalid_length(self.left, &"fewer elements"))
        }
    }
}

impl<'de> de::SeqAccess<'de> for &mut Elements<'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        seed.deserialize(self.take_value()?).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        // Cap what a lying header can make a visitor preallocate.
        Some(self.left.min(self.rest.len()))
    }
}

impl<'de> de::MapAccess<'de> for &mut Elements<'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        seed.deserialize(self.take_value()?).map(Some)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.take_value()?)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.left / 2).min(self.rest.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::collections::{BTreeMap, HashMap};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Record {
        name: String,
        id: i64,
        score: f64,
        tags: Vec<i64>,
        nested: Option<Box<Record>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Empty,
        Circle { r: f64 },
        Square(f64),
        Pair(i8, u8),
    }

    /// Decodes with both deserializers: results and failures must agree.
    fn both<T>(bytes: &[u8]) -> (Result<T, String>, Result<T, String>)
    where
        T: for<'de> Deserialize<'de>,
    {
        let ours = from_value::<T>(bytes).map_err(|e| e.to_string());
        let theirs = rmp_serde::from_slice::<T>(bytes).map_err(|e| e.to_string());
        (ours, theirs)
    }

    fn agree<T>(value: &impl Serialize)
    where
        T: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let bytes = rmp_serde::to_vec_named(value).unwrap();
        let (ours, theirs) = both::<T>(&bytes);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "ours {ours:?} theirs {theirs:?}"
        );
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            assert_eq!(a, b);
        }
    }

    #[test]
    fn borrowed_str_and_bytes_point_into_the_input() {
        let bytes = rmp_serde::to_vec(&("hé", serde_bytes::Bytes::new(b"raw"))).unwrap();
        let (s, b): (&str, &serde_bytes::Bytes) = from_value(&bytes).unwrap();
        assert_eq!((s, &b[..]), ("hé", &b"raw"[..]));
        assert!(bytes.as_ptr_range().contains(&s.as_ptr()));
    }

    #[test]
    fn out_of_range_and_wrong_types_fail_like_rmp_serde() {
        let (ours, _) = both::<u8>(&rmp_serde::to_vec(&300).unwrap());
        assert!(ours
            .unwrap_err()
            .starts_with("invalid value: integer `300`"));
        let (ours, _) = both::<i64>(&rmp_serde::to_vec("x").unwrap());
        assert!(ours.unwrap_err().starts_with("invalid type: string \"x\""));
        let (ours, _) = both::<(i32, i32)>(&rmp_serde::to_vec(&(1, 2, 3)).unwrap());
        assert!(ours.is_err());
    }

    #[test]
    fn enums_structs_maps_and_options() {
        agree::<Shape>(&Shape::Empty);
        agree::<Shape>(&Shape::Circle { r: 1.5 });
        agree::<Shape>(&Shape::Square(2.0));
        agree::<Shape>(&Shape::Pair(-1, 255));
        agree::<Vec<Shape>>(&vec![Shape::Empty, Shape::Square(1.0)]);
        let record = Record {
            name: "a".into(),
            id: -7,
            score: 0.5,
            tags: vec![1, 2],
            nested: None,
        };
        let outer = Record {
            nested: Some(Box::new(record.clone())),
            ..record.clone()
        };
        agree::<Record>(&outer);
        agree::<Option<Record>>(&None::<Record>);
        agree::<HashMap<String, Vec<Option<i32>>>>(&HashMap::from([(
            "k".to_owned(),
            vec![Some(1), None],
        )]));
        agree::<BTreeMap<u32, String>>(&BTreeMap::from([(1, "x".to_owned())]));
        agree::<char>(&'é');
        agree::<()>(&());
    }

    #[test]
    fn a_struct_may_come_as_an_array() {
        let bytes = rmp_serde::to_vec(&("n", 1i64, 2.0f64, vec![3i64], None::<()>)).unwrap();
        let r: Record = from_value(&bytes).unwrap();
        assert_eq!((r.name.as_str(), r.id, r.tags), ("n", 1, vec![3]));
    }

    proptest! {
        #[test]
        fn agrees_with_rmp_serde_on_values(
            ints in proptest::collection::vec(any::<i64>(), 0..30),
            text in ".*",
            floats in proptest::collection::vec(any::<f64>(), 0..5),
            map in proptest::collection::hash_map(".{0,4}", any::<u32>(), 0..5),
        ) {
            let value = (ints, text, map, floats.iter().map(|f| f.to_bits()).collect::<Vec<_>>());
            agree::<(Vec<i64>, String, HashMap<String, u32>, Vec<u64>)>(&value);
            agree::<Vec<i32>>(&value.0);
            agree::<Vec<u8>>(&value.0);
        }

        #[test]
        fn noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            if let Ok(len) = value_len(&bytes) {
                let value = &bytes[..len];
                let _ = from_value::<Vec<Record>>(value);
                let _ = from_value::<(String, Option<Shape>, HashMap<String, f64>)>(value);
                let _ = from_value::<serde_bytes::ByteBuf>(value);
            }
        }
    }
}
