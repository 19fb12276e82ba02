//! A `Vec` of numbers inside another value (a struct's field, say), read in
//! one loop as an argument's is ([`crate::number_vec`]), when the visitor
//! is serde's own for that `Vec`.
//!
//! The visitor is all a deserializer sees, and another visitor building a
//! `Vec<i64>` may do what it likes with the elements, so the fast path is
//! taken only for the very visitor `Vec<N>`'s `Deserialize` uses: its type
//! is found once, by asking `Vec<N>` to read from a probe that notes the
//! visitor it is given. Anything the loop does not read (another form, a
//! value out of range) goes the serde way, which owns the error messages.

use std::any::TypeId;
use std::mem::ManuallyDrop;
use std::sync::OnceLock;

use serde::de::{self, Deserialize, Visitor};
use serde::forward_to_deserialize_any;

use crate::number_vec::read_array;
use crate::Direct;

/// A number type whose `Vec` is read by [`read`].
trait Number: Direct + for<'de> Deserialize<'de> + 'static {
    /// The type of the visitor `Vec<Self>`'s `Deserialize` uses.
    fn visitor() -> TypeId;
}

macro_rules! numbers {
    ($($ty:ty),* $(,)?) => {$(
        impl Number for $ty {
            #[inline]
            fn visitor() -> TypeId {
                static VISITOR: OnceLock<TypeId> = OnceLock::new();
                *VISITOR.get_or_init(probe::<$ty>)
            }
        }
    )*};
}

// (Not u8: a `Vec<u8>` is bytes. f32 has no direct form.)
numbers!(i64, f64, i32, u64, u32, i16, u16, i8);

/// When `V` is serde's visitor for `Vec<N>` and `rest` starts with an array
/// of `N`'s direct forms: the vector, and `rest` moved past the array.
/// `None` (nothing read) for anything else.
#[inline]
pub(crate) fn read<'de, V: Visitor<'de>>(rest: &mut &[u8]) -> Option<V::Value> {
    macro_rules! try_numbers {
        ($($ty:ty),*) => {$(
            // (The first test is settled as the code is built.)
            if typeid::of::<V::Value>() == typeid::of::<Vec<$ty>>()
                && typeid::of::<V>() == <$ty as Number>::visitor()
            {
                let items: Vec<$ty> = read_array(rest)?;
                // SAFETY: `V::Value` is `Vec<$ty>`: their type ids are equal,
                // and ids differ only in lifetimes, which `Vec<$ty>` has none
                // of. The vector is moved, not dropped: the caller owns it now.
                return Some(unsafe { std::mem::transmute_copy(&ManuallyDrop::new(items)) });
            }
        )*};
    }
    try_numbers!(i64, f64, i32, u64, u32, i16, u16, i8);
    None
}

/// The type of the visitor `Vec<N>`'s `Deserialize` hands `deserialize_seq`
/// (the id of `()`, which is no visitor, if it asks something else).
fn probe<N: Number>() -> TypeId {
    let mut probe = Probe(None);
    let _ = Vec::<N>::deserialize(&mut probe);
    probe.0.unwrap_or_else(typeid::of::<()>)
}

/// A deserializer that holds nothing and notes the visitor of a sequence.
struct Probe(Option<TypeId>);

impl<'de> de::Deserializer<'de> for &mut Probe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("a probe holds nothing"))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0 = Some(typeid::of::<V>());
        self.deserialize_any(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;

    /// A visitor of its own that builds a `Vec<i64>` (doubling each item).
    struct Doubling;

    impl<'de> Visitor<'de> for Doubling {
        type Value = Vec<i64>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("ints")
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
            let mut items = Vec::new();
            while let Some(n) = seq.next_element::<i64>()? {
                items.push(n * 2);
            }
            Ok(items)
        }
    }

    /// Which visitors `read` takes: asked through a deserializer that calls
    /// it from `deserialize_seq`, as the decoder does.
    struct Reads<'b>(&'b [u8]);

    impl<'de> de::Deserializer<'de> for Reads<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not read"))
        }

        fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            let mut rest = self.0;
            match read::<V>(&mut rest) {
                Some(value) if rest.is_empty() => Ok(value),
                _ => self.deserialize_any(visitor),
            }
        }

        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct tuple
            tuple_struct map struct enum identifier ignored_any
        }
    }

    #[test]
    fn serde_s_own_vec_visitors_are_read_and_no_other() {
        let ints = [0x93, 0x01, 0xff, 0xcd, 0x01, 0x2c];
        assert_eq!(Vec::<i64>::deserialize(Reads(&ints)), Ok(vec![1, -1, 300]));
        assert_eq!(Vec::<i32>::deserialize(Reads(&ints)), Ok(vec![1, -1, 300]));
        let floats = [0x91, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
        assert_eq!(Vec::<f64>::deserialize(Reads(&floats)), Ok(vec![1.5]));
        // Out of range, another visitor, another type: not read here.
        assert!(Vec::<u32>::deserialize(Reads(&ints)).is_err());
        assert!(Vec::<i8>::deserialize(Reads(&ints)).is_err());
        assert!(de::Deserializer::deserialize_seq(Reads(&ints), Doubling).is_err());
        assert!(Vec::<IgnoredAny>::deserialize(Reads(&ints)).is_err());
        assert!(Vec::<u8>::deserialize(Reads(&[0x91, 0x01])).is_err());
    }
}
