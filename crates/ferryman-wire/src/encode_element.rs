//! The serializer an element of a sequence goes through while the sequence
//! may still be bytes ([`crate::encode_compound`]): a `u8` is collected, and
//! anything else makes the sequence an array and is written as the encoder
//! writes it.

use crate::encode::{Encoder, Error};
use crate::encode_compound::{Compound, Map, Seq};
use crate::out::Out;
use serde::ser::{self, Serialize};

/// One element of `seq`.
pub(crate) struct Element<'s, 'a, W> {
    seq: &'s mut Seq<'a, W>,
}

impl<'s, 'a, W: Out> Element<'s, 'a, W> {
    #[inline]
    pub(crate) fn new(seq: &'s mut Seq<'a, W>) -> Self {
        Element { seq }
    }

    /// The element is not a `u8`: the encoder, with the sequence an array.
    #[inline]
    fn encoder(self) -> Result<&'s mut Encoder<W>, Error> {
        self.seq.start_array()
    }
}

/// Serializer methods that end the byte sequence and carry on as the encoder.
macro_rules! as_encoder {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<$ok, Error> {
            self.encoder()?.$method($($arg),*)
        }
    )*};
}

impl<'s, W: Out> ser::Serializer for Element<'s, '_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'s, W>;
    type SerializeTuple = Compound<'s, W>;
    type SerializeTupleStruct = Compound<'s, W>;
    type SerializeTupleVariant = Compound<'s, W>;
    type SerializeMap = Map<'s, W>;
    type SerializeStruct = Compound<'s, W>;
    type SerializeStructVariant = Compound<'s, W>;

    #[inline]
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.seq.push_byte(v);
        Ok(())
    }

    /// A newtype around a `u8` is a `u8`; an extension never is.
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name == rmp_serde::MSGPACK_EXT_STRUCT_NAME {
            return self.encoder()?.serialize_newtype_struct(name, value);
        }
        self.seq.next_is::<T>();
        value.serialize(self)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        self.encoder()?.serialize_some(value)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.encoder()?
            .serialize_newtype_variant(name, index, variant, value)
    }

    as_encoder! {
        serialize_bool(v: bool) -> ();
        serialize_i8(v: i8) -> ();
        serialize_i16(v: i16) -> ();
        serialize_i32(v: i32) -> ();
        serialize_i64(v: i64) -> ();
        serialize_i128(v: i128) -> ();
        serialize_u16(v: u16) -> ();
        serialize_u32(v: u32) -> ();
        serialize_u64(v: u64) -> ();
        serialize_u128(v: u128) -> ();
        serialize_f32(v: f32) -> ();
        serialize_f64(v: f64) -> ();
        serialize_char(v: char) -> ();
        serialize_str(v: &str) -> ();
        serialize_bytes(v: &[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(name: &'static str) -> ();
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> ();
        serialize_seq(len: Option<usize>) -> Seq<'s, W>;
        serialize_tuple(len: usize) -> Compound<'s, W>;
        serialize_tuple_struct(name: &'static str, len: usize) -> Compound<'s, W>;
        serialize_tuple_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> Compound<'s, W>;
        serialize_map(len: Option<usize>) -> Map<'s, W>;
        serialize_struct(name: &'static str, len: usize) -> Compound<'s, W>;
        serialize_struct_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> Compound<'s, W>;
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}
