//! Parameters of primitive types read straight from the argument bytes.
//!
//! Most exported functions take a few integers, floats or flags. Going through
//! serde for each costs a visitor, an error type and a couple of calls; a
//! [`Direct`] type reads its own MessagePack encodings in a dozen
//! instructions. Anything else (another encoding, a value out of range) is left
//! to the serde path, which owns the error messages.

/// A type whose usual encodings can be read without serde.
pub trait Direct: Sized {
    /// The value at the start of `bytes` and how many bytes it took, when it is
    /// one of this type's direct encodings and in range; `None` otherwise.
    fn read(bytes: &[u8]) -> Option<(Self, usize)>;

    /// The value of a positive fixint (`byte` in `0x00..=0x7f`: a small
    /// non-negative number in one byte), for the types that take one as
    /// [`read`](Self::read) does; `None` for the others, whatever `byte`.
    #[inline(always)]
    fn from_fixint(byte: u8) -> Option<Self> {
        let _ = byte;
        None
    }
}

/// A MessagePack int: unsigned markers and positive fixints, or signed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    /// `0x00..=0x7f` and `uint 8` … `uint 64`.
    U(u64),
    /// Negative fixints and `int 8` … `int 64`.
    I(i64),
}

impl Int {
    /// The value, whichever encoding carried it.
    #[inline]
    pub fn as_i128(self) -> i128 {
        match self {
            Int::U(n) => i128::from(n),
            Int::I(n) => i128::from(n),
        }
    }
}

/// What is at the start of some bytes, for integer readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntAt {
    /// An integer and how many bytes it takes.
    Int(Int, usize),
    /// An integer marker without all its bytes.
    Truncated,
    /// Something else (or nothing).
    Other,
}

/// The MessagePack integer at the start of `bytes`. Every width is read with a
/// fixed-size load: a variable-length copy would be a `memcpy` call per value.
#[inline(always)]
pub(crate) fn int_at(bytes: &[u8]) -> IntAt {
    fn be<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
        bytes.get(1..=N)?.try_into().ok()
    }
    let Some(&marker) = bytes.first() else {
        return IntAt::Other;
    };
    let read = match marker {
        0x00..=0x7f => return IntAt::Int(Int::U(u64::from(marker)), 1),
        0xe0..=0xff => return IntAt::Int(Int::I(i64::from(marker as i8)), 1),
        0xcc => be::<1>(bytes).map(|b| (Int::U(u64::from(b[0])), 2)),
        0xcd => be::<2>(bytes).map(|b| (Int::U(u64::from(u16::from_be_bytes(b))), 3)),
        0xce => be::<4>(bytes).map(|b| (Int::U(u64::from(u32::from_be_bytes(b))), 5)),
        0xcf => be::<8>(bytes).map(|b| (Int::U(u64::from_be_bytes(b)), 9)),
        0xd0 => be::<1>(bytes).map(|b| (Int::I(i64::from(b[0] as i8)), 2)),
        0xd1 => be::<2>(bytes).map(|b| (Int::I(i64::from(i16::from_be_bytes(b))), 3)),
        0xd2 => be::<4>(bytes).map(|b| (Int::I(i64::from(i32::from_be_bytes(b))), 5)),
        0xd3 => be::<8>(bytes).map(|b| (Int::I(i64::from_be_bytes(b)), 9)),
        _ => return IntAt::Other,
    };
    match read {
        Some((int, len)) => IntAt::Int(int, len),
        None => IntAt::Truncated,
    }
}

/// An integer at the start of `bytes` (as `i128`, which holds every MessagePack
/// integer) and its length.
#[inline(always)]
fn int(bytes: &[u8]) -> Option<(i128, usize)> {
    match int_at(bytes) {
        IntAt::Int(Int::U(n), len) => Some((i128::from(n), len)),
        IntAt::Int(Int::I(n), len) => Some((i128::from(n), len)),
        IntAt::Truncated | IntAt::Other => None,
    }
}

macro_rules! direct_ints {
    ($($t:ty)*) => {$(
        impl Direct for $t {
            #[inline(always)]
            fn read(bytes: &[u8]) -> Option<(Self, usize)> {
                let (value, len) = int(bytes)?;
                Some((<$t>::try_from(value).ok()?, len))
            }

            #[inline(always)]
            fn from_fixint(byte: u8) -> Option<Self> {
                // 0x7f at most: in range of every integer type.
                Some(byte as $t)
            }
        }
    )*};
}

direct_ints!(i8 i16 i32 i64 u8 u16 u32 u64);

impl Direct for f64 {
    #[inline(always)]
    fn read(bytes: &[u8]) -> Option<(Self, usize)> {
        match bytes {
            [0xcb, payload @ ..] if payload.len() >= 8 => {
                let mut be = [0u8; 8];
                be.copy_from_slice(&payload[..8]);
                Some((f64::from_be_bytes(be), 9))
            }
            _ => None,
        }
    }
}

impl Direct for bool {
    #[inline(always)]
    fn read(bytes: &[u8]) -> Option<(Self, usize)> {
        match bytes.first()? {
            0xc2 => Some((false, 1)),
            0xc3 => Some((true, 1)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;

    /// Whatever the direct path accepts, serde decodes to the same value.
    fn agrees<T: Direct + DeserializeOwned + PartialEq + std::fmt::Debug>(bytes: &[u8]) {
        if let Some((value, len)) = T::read(bytes) {
            let (expected, rest) =
                crate::decode_args::from_prefix::<T>(bytes, crate::Lending::REFUSED)
                    .expect("serde accepts it too");
            assert_eq!(value, expected);
            assert_eq!(len, bytes.len() - rest.len());
        }
    }

    #[test]
    fn reads_each_width_and_refuses_the_rest() {
        assert_eq!(i64::read(&[0x05]), Some((5, 1)));
        assert_eq!(i64::read(&[0xff]), Some((-1, 1)));
        assert_eq!(i64::read(&[0xd0, 0x80]), Some((-128, 2)));
        assert_eq!(u8::read(&[0xcd, 0x01, 0x00]), None, "256 is out of range");
        assert_eq!(u64::read(&[0xff]), None, "negative");
        assert_eq!(
            i64::read(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            None
        );
        assert_eq!(i64::read(&[0xd3, 0x01]), None, "truncated");
        assert_eq!(i64::read(&[0xa1, b'x']), None);
        assert_eq!(bool::read(&[0xc3]), Some((true, 1)));
        assert_eq!(f64::read(&[0x01]), None, "ints go the serde way");
    }

    proptest! {
        #[test]
        fn agrees_with_serde(bytes in proptest::collection::vec(any::<u8>(), 0..12)) {
            agrees::<i8>(&bytes);
            agrees::<i16>(&bytes);
            agrees::<i32>(&bytes);
            agrees::<i64>(&bytes);
            agrees::<u8>(&bytes);
            agrees::<u16>(&bytes);
            agrees::<u32>(&bytes);
            agrees::<u64>(&bytes);
            agrees::<f64>(&bytes);
            agrees::<bool>(&bytes);
        }

        #[test]
        fn reads_every_encoded_int(n in any::<i64>(), u in any::<u64>()) {
            let encoded = crate::scalar::int(n);
            prop_assert_eq!(i64::read(encoded.as_slice()), Some((n, encoded.as_slice().len())));
            let encoded = crate::scalar::uint(u);
            prop_assert_eq!(u64::read(encoded.as_slice()), Some((u, encoded.as_slice().len())));
        }
    }
}
