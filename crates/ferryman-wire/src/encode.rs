use serde::Serialize;
use std::io::Write;

/// A result that would not encode (a `Serialize` impl that failed, say).
#[derive(Debug, thiserror::Error)]
#[error("the result could not be encoded as MessagePack: {0}")]
pub struct EncodeError(#[from] rmp_serde::encode::Error);

/// Writes `value` as one MessagePack value, structs as maps keyed by field name
/// (`spec/wire.md`), so every host sees the same shape.
///
/// Scalars, strings and bytes are written directly (a small result costs a few
/// dozen instructions instead of a few hundred); everything else goes through
/// rmp-serde, which defines the encoding.
#[inline]
pub fn encode<T: Serialize + ?Sized, W: Write>(value: &T, out: W) -> Result<(), EncodeError> {
    let mut serializer = rmp_serde::Serializer::new(out).with_struct_map();
    value.serialize(Fast(&mut serializer))?;
    Ok(())
}

type Inner<W> =
    rmp_serde::Serializer<W, rmp_serde::config::StructMapConfig<rmp_serde::config::DefaultConfig>>;
type Error = rmp_serde::encode::Error;

/// rmp-serde's serializer with the scalar cases short-circuited.
struct Fast<'a, W: Write>(&'a mut Inner<W>);

impl<W: Write> Fast<'_, W> {
    #[inline]
    fn put(self, bytes: &[u8]) -> Result<(), Error> {
        self.0.get_mut().write_all(bytes).map_err(|e| {
            Error::InvalidValueWrite(rmp::encode::ValueWriteError::InvalidDataWrite(e))
        })
    }

    #[inline]
    fn put_sized(self, header: crate::scalar::Encoded, payload: &[u8]) -> Result<(), Error> {
        let writer = self.0.get_mut();
        writer
            .write_all(header.as_slice())
            .and_then(|()| writer.write_all(payload))
            .map_err(|e| {
                Error::InvalidValueWrite(rmp::encode::ValueWriteError::InvalidDataWrite(e))
            })
    }
}

fn too_long(what: &str) -> Error {
    Error::Syntax(format!("{what} longer than 4 GiB"))
}

impl<'a, W: Write> serde::Serializer for Fast<'a, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = <&'a mut Inner<W> as serde::Serializer>::SerializeSeq;
    type SerializeTuple = <&'a mut Inner<W> as serde::Serializer>::SerializeTuple;
    type SerializeTupleStruct = <&'a mut Inner<W> as serde::Serializer>::SerializeTupleStruct;
    type SerializeTupleVariant = <&'a mut Inner<W> as serde::Serializer>::SerializeTupleVariant;
    type SerializeMap = <&'a mut Inner<W> as serde::Serializer>::SerializeMap;
    type SerializeStruct = <&'a mut Inner<W> as serde::Serializer>::SerializeStruct;
    type SerializeStructVariant = <&'a mut Inner<W> as serde::Serializer>::SerializeStructVariant;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.put(&[0xc2 | u8::from(v)])
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    #[inline]
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.put(crate::scalar::int(v).as_slice())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    #[inline]
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.put(crate::scalar::uint(v).as_slice())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.0.serialize_i128(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.0.serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.put(crate::scalar::f32(v).as_slice())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.put(crate::scalar::f64(v).as_slice())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        let len = u32::try_from(v.len()).map_err(|_| too_long("a string"))?;
        self.put_sized(crate::scalar::str_header(len), v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let len = u32::try_from(v.len()).map_err(|_| too_long("a byte string"))?;
        self.put_sized(crate::scalar::bin_header(len), v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.put(&[0xc0])
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.put(&[0xc0])
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name == rmp_serde::MSGPACK_EXT_STRUCT_NAME {
            return self.0.serialize_newtype_struct(name, value);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        self.0.serialize_seq(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Error> {
        self.0.serialize_tuple(len)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        self.0.serialize_tuple_struct(name, len)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        self.0.serialize_tuple_variant(name, index, variant, len)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        self.0.serialize_map(len)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        self.0.serialize_struct(name, len)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        self.0.serialize_struct_variant(name, index, variant, len)
    }
    fn is_human_readable(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(Serialize)]
    enum Shape {
        Dot,
        Circle { r: u8 },
    }

    fn bytes<T: Serialize>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out).unwrap();
        out
    }

    #[test]
    fn structs_are_maps_by_field_name() {
        assert_eq!(
            bytes(&Point { x: 1, y: 2 }),
            [0x82, 0xa1, b'x', 0x01, 0xa1, b'y', 0x02]
        );
    }

    #[test]
    fn enums_are_externally_tagged() {
        assert_eq!(bytes(&Shape::Dot), [0xa3, b'D', b'o', b't']);
        let circle = bytes(&Shape::Circle { r: 3 });
        assert_eq!(
            &circle[..8],
            [0x81, 0xa6, b'C', b'i', b'r', b'c', b'l', b'e']
        );
        assert_eq!(&circle[8..], [0x81, 0xa1, b'r', 0x03]);
    }

    #[test]
    fn the_fast_path_writes_what_rmp_serde_writes() {
        fn check<T: Serialize>(v: &T) {
            assert_eq!(bytes(v), rmp_serde::to_vec_named(v).unwrap());
        }
        check(&(
            1i8,
            -100i16,
            70_000i32,
            -5_000_000_000i64,
            200u8,
            65_535u16,
            u64::MAX,
        ));
        check(&(1.5f32, -2.25f64, 'é', "text", true, None::<u8>, Some(3u8)));
        check(&vec![Some("a".to_owned()), None]);
        check(&std::collections::BTreeMap::from([("k", vec![1u8, 2])]));
        check(&Shape::Circle { r: 3 });
        check(&"x".repeat(300));
    }

    #[test]
    fn unit_is_nil_and_bytes_are_bin() {
        assert_eq!(bytes(&()), [0xc0]);
        assert_eq!(
            bytes(&serde_bytes::Bytes::new(b"ab")),
            [0xc4, 0x02, b'a', b'b']
        );
    }
}
