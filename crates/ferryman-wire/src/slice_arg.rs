//! A `&[T]` parameter of numbers: the host's memory when it lent a slice of
//! exactly `T` at an address aligned for `T` (`spec/wire.md`, "Lent slices"),
//! otherwise a `Vec<T>` decoded as usual (an array, or a lent slice copied).
//! serde cannot borrow `&[f64]` from bytes, hence this type: the generated
//! code decodes a `SliceArg<T>` and passes `&*arg`.

use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, EnumAccess, SeqAccess, VariantAccess, Visitor};

use crate::lent_items::{visit_items, whole_items, ItemType};

/// The newtype name [`SliceArg`] asks for: the argument reader answers a lent
/// slice with `visit_enum` (item code, borrowed bytes); every other
/// deserializer hands it the value inside.
pub const LENT_SLICE_NEWTYPE: &str = "_FerrymanLentSlice";

/// The number types a lent slice may hold. Sealed: each has no invalid bit
/// patterns, so any aligned bytes of the right length are a valid `[T]`.
pub trait SliceItem: Copy + for<'de> Deserialize<'de> + sealed::Sealed + 'static {
    /// This type's item code.
    const ITEM: ItemType;
    /// One item from its bytes in this machine's order.
    fn from_raw(raw: &[u8]) -> Self;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! slice_items {
    ($($ty:ty => $item:ident),* $(,)?) => {$(
        impl sealed::Sealed for $ty {}
        impl SliceItem for $ty {
            const ITEM: ItemType = ItemType::$item;
            #[inline]
            fn from_raw(raw: &[u8]) -> Self {
                <$ty>::from_ne_bytes(raw.try_into().expect("one item"))
            }
        }
    )*};
}

slice_items!(
    f64 => F64, f32 => F32, i64 => I64, i32 => I32, u64 => U64, u32 => U32,
    i16 => I16, u16 => U16, i8 => I8,
);

/// A decoded `&[T]` argument: borrowed from the host, or owned.
#[derive(Debug, Clone, PartialEq)]
pub enum SliceArg<'de, T> {
    /// The host's memory, for the call.
    Borrowed(&'de [T]),
    /// Decoded or copied items.
    Owned(Vec<T>),
}

impl<T> Deref for SliceArg<'_, T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            SliceArg::Borrowed(items) => items,
            SliceArg::Owned(items) => items,
        }
    }
}

impl<'de, T: SliceItem> SliceArg<'de, T> {
    /// `bytes` holding items of type `item`: borrowed when they are exactly
    /// `T` and aligned for it, copied otherwise.
    fn from_lent<E: de::Error>(item: ItemType, bytes: &'de [u8]) -> Result<Self, E> {
        if item != T::ITEM {
            return visit_items(item, bytes, SliceVisitor::<T>(PhantomData));
        }
        whole_items(item, bytes).map_err(E::custom)?;
        let size = std::mem::size_of::<T>();
        if bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0 {
            let items = bytes.chunks_exact(size).map(T::from_raw).collect();
            return Ok(SliceArg::Owned(items));
        }
        // SAFETY: `bytes` is valid for reads for `'de`, and so is every part of
        // it; the address is aligned for `T` (checked above) and the length a
        // whole number of `T` (`whole_items`); `T` is a sealed number type, for
        // which every bit pattern is a value, and the memory is not written
        // while `bytes` borrows it.
        let items =
            unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) };
        Ok(SliceArg::Borrowed(items))
    }

    /// Whether the items are the lender's memory (tests, benchmarks).
    pub fn is_borrowed(&self) -> bool {
        matches!(self, SliceArg::Borrowed(_))
    }
}

impl<'de, T: SliceItem> Deserialize<'de> for SliceArg<'de, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(LENT_SLICE_NEWTYPE, SliceVisitor(PhantomData))
    }
}

struct SliceVisitor<T>(PhantomData<T>);

impl<'de, T: SliceItem> Visitor<'de> for SliceVisitor<T> {
    type Value = SliceArg<'de, T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a sequence of {}", T::ITEM.name())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Vec::<T>::deserialize(d).map(SliceArg::Owned)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(SliceArg::Owned)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (code, variant) = data.variant::<u8>()?;
        let bytes: &'de [u8] = variant.newtype_variant()?;
        let Some(item) = ItemType::from_code(code) else {
            return Err(de::Error::custom(format!("unknown item type {code:#04x}")));
        };
        SliceArg::from_lent(item, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lent_items::SliceEnum;
    use rmp_serde::decode::Error;

    fn lent<T: SliceItem>(item: ItemType, bytes: &[u8]) -> Result<SliceArg<'_, T>, Error> {
        SliceVisitor::<T>(PhantomData).visit_enum(SliceEnum::<Error> {
            item,
            bytes,
            error: PhantomData,
        })
    }

    #[test]
    fn exact_aligned_items_are_borrowed_others_copied() {
        let data: Vec<f64> = vec![1.5, -2.0, 3.25];
        let bytes: Vec<u8> = data.iter().flat_map(|x| x.to_ne_bytes()).collect();
        // An 8-aligned copy of the bytes, and the same bytes one past it.
        let mut aligned: Vec<u64> = vec![0; 4];
        // SAFETY: the u64 buffer's 32 bytes, borrowed mutably through `room`
        // only; u8 needs no alignment.
        let room = unsafe { std::slice::from_raw_parts_mut(aligned.as_mut_ptr().cast::<u8>(), 32) };
        room[..24].copy_from_slice(&bytes);
        let arg = lent::<f64>(ItemType::F64, &room[..24]).unwrap();
        assert!(arg.is_borrowed());
        assert_eq!(arg.as_ptr() as usize, room.as_ptr() as usize);
        assert_eq!(&*arg, &data[..]);

        room.copy_within(0..24, 1);
        let arg = lent::<f64>(ItemType::F64, &room[1..25]).unwrap();
        assert!(!arg.is_borrowed());
        assert_eq!(&*arg, &data[..]);

        // Another item type: read item by item, as serde converts them.
        let ints: Vec<u8> = [7i32, -8].iter().flat_map(|x| x.to_ne_bytes()).collect();
        let arg = lent::<f64>(ItemType::I32, &ints).unwrap();
        assert_eq!(&*arg, &[7.0, -8.0]);
        let err = lent::<i64>(ItemType::F64, &bytes).unwrap_err().to_string();
        assert!(err.contains("floating point"), "{err}");

        let err = lent::<f64>(ItemType::F64, &bytes[..13])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a whole number of 8-byte items"), "{err}");
        assert!(lent::<f64>(ItemType::F64, &[]).unwrap().is_empty());
    }
}
