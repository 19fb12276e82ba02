//! Integers beyond 64 bits (`spec/wire.md`, "Big integers"): `i128` and `u128`
//! values that do not fit a MessagePack int travel as extension 4, the integer
//! in big-endian two's complement.

use ferryman_abi::{BIG_INT_MAX_PAYLOAD, EXT_BIG_INT};
use std::fmt;

/// The value of an extension 4 payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BigInt {
    /// Any value `i128` holds.
    Signed(i128),
    /// A value above `i128::MAX`.
    Unsigned(u128),
}

/// Why an extension 4 payload is not a 128-bit integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BigIntError {
    /// The payload is empty or longer than 17 bytes: not a big integer at all.
    Length(usize),
    /// A well-formed integer outside both `i128` and `u128`.
    TooBig,
}

impl fmt::Display for BigIntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BigIntError::Length(len) => write!(
                f,
                "a big integer (MessagePack extension {EXT_BIG_INT}) needs a payload of 1 to \
                 {BIG_INT_MAX_PAYLOAD} bytes, but this one has {len}"
            ),
            BigIntError::TooBig => f.write_str("an integer that does not fit in 128 bits"),
        }
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BigInt::Signed(n) => n.fmt(f),
            BigInt::Unsigned(n) => n.fmt(f),
        }
    }
}

impl BigInt {
    /// Reads an extension 4 payload.
    pub fn parse(payload: &[u8]) -> Result<BigInt, BigIntError> {
        match payload.len() {
            1..=16 => {
                // Sign-extend into 16 bytes.
                let fill = if payload[0] & 0x80 == 0 { 0x00 } else { 0xff };
                let mut be = [fill; 16];
                be[16 - payload.len()..].copy_from_slice(payload);
                Ok(BigInt::Signed(i128::from_be_bytes(be)))
            }
            BIG_INT_MAX_PAYLOAD => {
                let (sign, rest) = (payload[0], &payload[1..]);
                let be: [u8; 16] = rest.try_into().expect("16 bytes");
                let top = rest[0] & 0x80 != 0;
                match (sign, top) {
                    // The sign byte only repeats the top bit: a value of `i128`.
                    (0x00, false) | (0xff, true) => Ok(BigInt::Signed(i128::from_be_bytes(be))),
                    (0x00, true) => Ok(BigInt::Unsigned(u128::from_be_bytes(be))),
                    _ => Err(BigIntError::TooBig),
                }
            }
            len => Err(BigIntError::Length(len)),
        }
    }

    /// The value as a 64-bit MessagePack int, when it fits one.
    pub(crate) fn narrow(self) -> Option<crate::direct::Int> {
        use crate::direct::Int;
        match self {
            BigInt::Signed(n) => i64::try_from(n)
                .map(Int::I)
                .or_else(|_| u64::try_from(n).map(Int::U))
                .ok(),
            BigInt::Unsigned(n) => u64::try_from(n).map(Int::U).ok(),
        }
    }
}

/// Up to 20 bytes of encoded big integer (`c7 11 04` and a 17-byte payload).
#[derive(Debug, Clone, Copy)]
pub struct EncodedBig {
    bytes: [u8; 20],
    len: usize,
}

impl EncodedBig {
    /// The encoded bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// An `i128` in its shortest form: a MessagePack int when it fits in 64 bits,
/// otherwise extension 4 with 16 bytes (`d8 04 …`).
pub fn encode_i128(n: i128) -> EncodedBig {
    if let Ok(small) = i64::try_from(n) {
        return small_int(crate::scalar::int(small));
    }
    if let Ok(small) = u64::try_from(n) {
        return small_int(crate::scalar::uint(small));
    }
    let mut bytes = [0u8; 20];
    bytes[0] = 0xd8;
    bytes[1] = EXT_BIG_INT as u8;
    bytes[2..18].copy_from_slice(&n.to_be_bytes());
    EncodedBig { bytes, len: 18 }
}

/// A `u128` in its shortest form: a MessagePack int when it fits in 64 bits,
/// extension 4 with 16 bytes when it fits `i128`, otherwise with 17 bytes
/// (`c7 11 04 00 …`).
pub fn encode_u128(n: u128) -> EncodedBig {
    if let Ok(signed) = i128::try_from(n) {
        return encode_i128(signed);
    }
    let mut bytes = [0u8; 20];
    bytes[..4].copy_from_slice(&[0xc7, BIG_INT_MAX_PAYLOAD as u8, EXT_BIG_INT as u8, 0x00]);
    bytes[4..].copy_from_slice(&n.to_be_bytes());
    EncodedBig { bytes, len: 20 }
}

fn small_int(encoded: crate::scalar::Encoded) -> EncodedBig {
    let mut bytes = [0u8; 20];
    let slice = encoded.as_slice();
    bytes[..slice.len()].copy_from_slice(slice);
    EncodedBig {
        bytes,
        len: slice.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The payload of an encoded extension 4, or `None` for a plain int.
    fn payload(encoded: &EncodedBig) -> Option<&[u8]> {
        match encoded.as_slice() {
            [0xd8, 0x04, payload @ ..] => Some(payload),
            [0xc7, 0x11, 0x04, payload @ ..] => Some(payload),
            _ => None,
        }
    }

    #[test]
    fn values_that_fit_64_bits_are_plain_ints() {
        assert_eq!(encode_i128(5).as_slice(), [0x05]);
        assert_eq!(encode_i128(-1).as_slice(), [0xff]);
        assert_eq!(
            encode_i128(i128::from(u64::MAX)).as_slice(),
            [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(encode_u128(7).as_slice(), [0x07]);
    }

    #[test]
    fn the_spec_examples() {
        // 2**64: `d8 04` and 16 bytes.
        let two_64 = encode_i128(1 << 64);
        let mut expected = vec![0xd8, 0x04];
        expected.extend_from_slice(&(1i128 << 64).to_be_bytes());
        assert_eq!(two_64.as_slice(), expected);
        // u128::MAX: `c7 11 04 00` and 16 bytes of 0xff.
        let max = encode_u128(u128::MAX);
        let mut expected = vec![0xc7, 0x11, 0x04, 0x00];
        expected.extend_from_slice(&[0xff; 16]);
        assert_eq!(max.as_slice(), expected);
    }

    #[test]
    fn short_payloads_are_sign_extended() {
        assert_eq!(BigInt::parse(&[0x01]), Ok(BigInt::Signed(1)));
        assert_eq!(BigInt::parse(&[0xff]), Ok(BigInt::Signed(-1)));
        assert_eq!(BigInt::parse(&[0x00, 0x80]), Ok(BigInt::Signed(128)));
        assert_eq!(BigInt::parse(&[0x80, 0x00]), Ok(BigInt::Signed(-32768)));
    }

    #[test]
    fn seventeen_bytes_hold_u128_and_nothing_bigger() {
        let mut max = [0xffu8; 17];
        max[0] = 0;
        assert_eq!(BigInt::parse(&max), Ok(BigInt::Unsigned(u128::MAX)));
        let mut min = [0u8; 17];
        min[0] = 0xff;
        min[1] = 0x80;
        assert_eq!(BigInt::parse(&min), Ok(BigInt::Signed(i128::MIN)));
        min[1] = 0x7f; // -2**128 + …: below i128::MIN
        assert_eq!(BigInt::parse(&min), Err(BigIntError::TooBig));
        max[0] = 0x01; // 2**128 and above
        assert_eq!(BigInt::parse(&max), Err(BigIntError::TooBig));
        assert_eq!(BigInt::parse(&[]), Err(BigIntError::Length(0)));
        assert_eq!(BigInt::parse(&[0; 18]), Err(BigIntError::Length(18)));
    }

    proptest! {
        #[test]
        fn round_trips(n in any::<i128>(), u in any::<u128>()) {
            match payload(&encode_i128(n)) {
                Some(p) => prop_assert_eq!(BigInt::parse(p), Ok(BigInt::Signed(n))),
                None => prop_assert!(i64::try_from(n).is_ok() || u64::try_from(n).is_ok()),
            }
            match payload(&encode_u128(u)) {
                Some(p) => {
                    let expected = i128::try_from(u).map_or(BigInt::Unsigned(u), BigInt::Signed);
                    prop_assert_eq!(BigInt::parse(p), Ok(expected));
                }
                None => prop_assert!(u64::try_from(u).is_ok()),
            }
        }
    }
}
