//! Lent slices (`spec/wire.md`, "Lent slices"): extension 3 with a 29-byte
//! payload lends host memory holding numbers of one type, in this process's
//! byte order, instead of bytes. Where a sequence is expected the items are
//! read one by one; a `&[T]` parameter ([`crate::SliceArg`]) borrows them.

use std::marker::PhantomData;

use ferryman_abi::{EXT_LENT_BYTES, LENT_BYTES_PAYLOAD, LENT_SLICE_PAYLOAD};
use serde::de::value::{
    BorrowedBytesDeserializer, F32Deserializer, I16Deserializer, I32Deserializer, I64Deserializer,
    I8Deserializer, U16Deserializer, U32Deserializer, U64Deserializer, U8Deserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, SeqAccess, Unexpected, VariantAccess, Visitor,
};

use crate::lent::LentPayload;

/// The number type of lent items: the payload's last byte is its code, the
/// `struct`-module format character of the type (`spec/wire.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    F64,
    F32,
    I64,
    I32,
    U64,
    U32,
    I16,
    U16,
    I8,
}

impl ItemType {
    /// Every item type, for hosts and tests.
    pub const ALL: [ItemType; 9] = [
        ItemType::F64,
        ItemType::F32,
        ItemType::I64,
        ItemType::I32,
        ItemType::U64,
        ItemType::U32,
        ItemType::I16,
        ItemType::U16,
        ItemType::I8,
    ];

    /// The code byte: `d f q i Q I h H b`.
    pub const fn code(self) -> u8 {
        match self {
            ItemType::F64 => b'd',
            ItemType::F32 => b'f',
            ItemType::I64 => b'q',
            ItemType::I32 => b'i',
            ItemType::U64 => b'Q',
            ItemType::U32 => b'I',
            ItemType::I16 => b'h',
            ItemType::U16 => b'H',
            ItemType::I8 => b'b',
        }
    }

    /// The item type of a code byte.
    pub fn from_code(code: u8) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|item| item.code() == code)
    }

    /// The type descriptor of one item (`"f64"`), which is also its Rust name.
    pub const fn name(self) -> &'static str {
        match self {
            ItemType::F64 => "f64",
            ItemType::F32 => "f32",
            ItemType::I64 => "i64",
            ItemType::I32 => "i32",
            ItemType::U64 => "u64",
            ItemType::U32 => "u32",
            ItemType::I16 => "i16",
            ItemType::U16 => "u16",
            ItemType::I8 => "i8",
        }
    }

    /// The item type of a type descriptor (`"f64"`).
    pub fn of_name(name: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|item| item.name() == name)
    }

    /// Bytes per item, which is also the alignment a borrowed slice needs.
    pub const fn size(self) -> usize {
        match self {
            ItemType::F64 | ItemType::I64 | ItemType::U64 => 8,
            ItemType::F32 | ItemType::I32 | ItemType::U32 => 4,
            ItemType::I16 | ItemType::U16 => 2,
            ItemType::I8 => 1,
        }
    }
}

/// The fields of a lent slice's payload: lent bytes and their item type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LentSlice {
    /// Host id, handle, ptr and len (in bytes), as for lent bytes.
    pub bytes: LentPayload,
    pub item: ItemType,
}

impl LentSlice {
    /// The complete extension value: `c7 1d 03` and the payload.
    pub fn to_ext(&self) -> [u8; 3 + LENT_SLICE_PAYLOAD] {
        let mut out = [0u8; 3 + LENT_SLICE_PAYLOAD];
        out[0] = 0xc7;
        out[1] = LENT_SLICE_PAYLOAD as u8;
        out[2] = EXT_LENT_BYTES as u8;
        out[3..3 + LENT_BYTES_PAYLOAD].copy_from_slice(&self.bytes.to_bytes());
        out[3 + LENT_BYTES_PAYLOAD] = self.item.code();
        out
    }
}

/// An extension 3 payload: lent bytes (28 bytes) or a lent slice (29).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lent {
    Bytes(LentPayload),
    Slice(LentSlice),
}

impl Lent {
    pub(crate) fn parse(payload: &[u8]) -> Result<Lent, String> {
        if payload.len() != LENT_SLICE_PAYLOAD {
            return LentPayload::parse(payload).map(Lent::Bytes);
        }
        let code = payload[LENT_BYTES_PAYLOAD];
        let Some(item) = ItemType::from_code(code) else {
            return Err(format!(
                "lent slice (MessagePack extension {EXT_LENT_BYTES}) of unknown item type {code:#04x}"
            ));
        };
        Ok(Lent::Slice(LentSlice {
            bytes: LentPayload::parse(&payload[..LENT_BYTES_PAYLOAD])?,
            item,
        }))
    }
}

/// Checks that `bytes` hold a whole number of `item`s.
pub(crate) fn whole_items(item: ItemType, bytes: &[u8]) -> Result<(), String> {
    if bytes.len() % item.size() == 0 {
        Ok(())
    } else {
        Err(format!(
            "a lent slice of {} items with len {}, which is not a whole number of {}-byte items",
            item.name(),
            bytes.len(),
            item.size()
        ))
    }
}

/// Visits the items of a lent slice as a sequence, one number at a time
/// (copied: the memory may be unaligned for them). The item type is matched
/// once here, not per item: each arm's loop reads one fixed-size number and
/// inlines into the visitor (a `Vec<i64>` of 10,000 lent items fills in a
/// few microseconds, not tens). `bytes` must hold a whole number of items.
pub(crate) fn visit_items<'de, V: Visitor<'de>, E: de::Error>(
    item: ItemType,
    bytes: &'de [u8],
    visitor: V,
) -> Result<V::Value, E> {
    whole_items(item, bytes).map_err(E::custom)?;
    macro_rules! visit {
        ($ty:ty) => {{
            let mut items = Items::<$ty, E> {
                rest: bytes,
                number: PhantomData,
            };
            let value = visitor.visit_seq(&mut items)?;
            items.done()?;
            Ok(value)
        }};
    }
    match item {
        ItemType::F64 => visit!(f64),
        ItemType::F32 => visit!(f32),
        ItemType::I64 => visit!(i64),
        ItemType::I32 => visit!(i32),
        ItemType::U64 => visit!(u64),
        ItemType::U32 => visit!(u32),
        ItemType::I16 => visit!(i16),
        ItemType::U16 => visit!(u16),
        ItemType::I8 => visit!(i8),
    }
}

/// One lent number type: its size and how one item is read and handed on.
trait Number: Sized {
    const SIZE: usize;
    /// Reads one item from exactly `SIZE` bytes in this machine's order.
    fn from_raw(raw: &[u8]) -> Self;
    fn deserialize<'de, S: DeserializeSeed<'de>, E: de::Error>(
        self,
        seed: S,
    ) -> Result<S::Value, E>;
}

macro_rules! number {
    ($($ty:ty => $de:ident),* $(,)?) => {$(
        impl Number for $ty {
            const SIZE: usize = std::mem::size_of::<$ty>();
            #[inline(always)]
            fn from_raw(raw: &[u8]) -> Self {
                <$ty>::from_ne_bytes(raw.try_into().expect("one item"))
            }
            #[inline(always)]
            fn deserialize<'de, S: DeserializeSeed<'de>, E: de::Error>(
                self,
                seed: S,
            ) -> Result<S::Value, E> {
                seed.deserialize($de::<E>::new(self))
            }
        }
    )*};
}

number!(
    f64 => LentF64, f32 => F32Deserializer, i64 => I64Deserializer,
    i32 => I32Deserializer, u64 => U64Deserializer, u32 => U32Deserializer,
    i16 => I16Deserializer, u16 => U16Deserializer, i8 => I8Deserializer,
);

/// A lent `f64` item: serde's `F64Deserializer`, except that a finite value
/// too large for an `f32` is out of range, as the same value sent as a float
/// is (`decode_args.rs`), instead of becoming an infinity.
struct LentF64<E> {
    value: f64,
    error: PhantomData<E>,
}

impl<E> LentF64<E> {
    fn new(value: f64) -> Self {
        LentF64 {
            value,
            error: PhantomData,
        }
    }
}

impl<'de, E: de::Error> Deserializer<'de> for LentF64<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_f64(self.value)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        if self.value.is_finite() && (self.value as f32).is_infinite() {
            let found = format!("floating point `{:e}`", self.value);
            return Err(de::Error::invalid_value(
                Unexpected::Other(&found),
                &visitor,
            ));
        }
        visitor.visit_f64(self.value)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct
        map struct enum identifier ignored_any
    }
}

/// The items of a lent slice of one number type `N`, as a sequence.
struct Items<'de, N, E> {
    rest: &'de [u8],
    number: PhantomData<(N, E)>,
}

impl<N: Number, E: de::Error> Items<'_, N, E> {
    /// A visitor that stopped early (a fixed-size type given more items).
    fn done(&self) -> Result<(), E> {
        match self.rest.len() / N::SIZE {
            0 => Ok(()),
            left => Err(de::Error::invalid_length(left, &"fewer elements")),
        }
    }
}

impl<'de, N: Number, E: de::Error> SeqAccess<'de> for Items<'de, N, E> {
    type Error = E;

    #[inline(always)]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, E> {
        let Some((raw, rest)) = self.rest.split_at_checked(N::SIZE) else {
            return Ok(None);
        };
        self.rest = rest;
        N::from_raw(raw).deserialize(seed).map(Some)
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        Some(self.rest.len() / N::SIZE)
    }
}

/// A lent slice handed to [`crate::SliceArg`]'s visitor as an enum: the item
/// code is the variant, the borrowed memory its newtype content. (Any
/// deserializer may call `visit_enum`; the visitor's borrow is sound for any
/// bytes, since every bit pattern is a valid number.)
pub(crate) struct SliceEnum<'de, E> {
    pub(crate) item: ItemType,
    pub(crate) bytes: &'de [u8],
    pub(crate) error: PhantomData<E>,
}

impl<'de, E: de::Error> EnumAccess<'de> for SliceEnum<'de, E> {
    type Error = E;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), E> {
        let code = seed.deserialize(U8Deserializer::<E>::new(self.item.code()))?;
        Ok((code, self))
    }
}

impl<'de, E: de::Error> VariantAccess<'de> for SliceEnum<'de, E> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        Err(de::Error::custom("a lent slice is not a unit variant"))
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, E> {
        seed.deserialize(BorrowedBytesDeserializer::<E>::new(self.bytes))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, E> {
        Err(de::Error::custom("a lent slice is not a tuple variant"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, E> {
        Err(de::Error::custom("a lent slice is not a struct variant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_sizes_match_the_rust_types() {
        for item in ItemType::ALL {
            assert_eq!(ItemType::from_code(item.code()), Some(item));
            assert_eq!(ItemType::of_name(item.name()), Some(item));
        }
        assert_eq!(ItemType::F64.size(), std::mem::size_of::<f64>());
        assert_eq!(ItemType::I16.size(), std::mem::size_of::<i16>());
        assert_eq!(ItemType::from_code(b'B'), None);
    }

    #[test]
    fn payloads_of_29_bytes_are_slices_and_of_28_bytes() {
        let bytes = LentPayload {
            host_id: 1,
            handle: 0,
            ptr: 0x1000,
            len: 16,
        };
        let slice = LentSlice {
            bytes,
            item: ItemType::F64,
        };
        let ext = slice.to_ext();
        assert_eq!(&ext[..3], &[0xc7, 0x1d, 0x03]);
        assert_eq!(Lent::parse(&ext[3..]), Ok(Lent::Slice(slice)));
        assert_eq!(Lent::parse(&bytes.to_bytes()), Ok(Lent::Bytes(bytes)));
        let mut unknown = ext;
        unknown[3 + LENT_BYTES_PAYLOAD] = b'x';
        let err = Lent::parse(&unknown[3..]).unwrap_err();
        assert!(err.contains("unknown item type 0x78"), "{err}");
        let err = whole_items(ItemType::F64, &[0; 13]).unwrap_err();
        assert!(err.contains("f64") && err.contains("13"), "{err}");
    }

    /// Lent `f64` items into `f32`s: as sent floats, a finite value beyond
    /// `f32` is out of range (it became an infinity); NaN and infinities stay.
    #[test]
    fn lent_f64_items_beyond_f32_are_out_of_range() {
        use serde::de::value::Error;
        use serde::Deserialize;
        struct Items<'a>(&'a [u8]);
        impl<'de> Deserializer<'de> for Items<'de> {
            type Error = Error;
            fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                visit_items(ItemType::F64, self.0, visitor)
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct
                map struct enum identifier ignored_any
            }
        }
        let bytes =
            |values: &[f64]| -> Vec<u8> { values.iter().flat_map(|v| v.to_ne_bytes()).collect() };
        let fine = bytes(&[1.5, -2.0, f64::INFINITY, f64::from(f32::MAX)]);
        let read = Vec::<f32>::deserialize(Items(&fine)).unwrap();
        assert_eq!(read, [1.5, -2.0, f32::INFINITY, f32::MAX]);
        assert!(Vec::<f32>::deserialize(Items(&bytes(&[f64::NAN]))).unwrap()[0].is_nan());
        for beyond in [1e300, -1e300] {
            let err = Vec::<f32>::deserialize(Items(&bytes(&[0.0, beyond]))).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("invalid value: floating point `"),
                "{text}"
            );
        }
        // f64 parameters take them as they are.
        assert_eq!(
            Vec::<f64>::deserialize(Items(&bytes(&[1e300]))).unwrap(),
            [1e300]
        );
    }
}
