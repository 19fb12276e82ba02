//! MessagePack scalars and headers in their shortest form, as fixed byte
//! arrays: shared by the result encoder here and the Python host's encoder.

/// Up to 9 bytes of encoded MessagePack and how many of them are used.
#[derive(Debug, Clone, Copy)]
pub struct Encoded {
    bytes: [u8; 9],
    len: usize,
}

impl Encoded {
    /// A marker and a fixed-size payload (a const size, so no `memcpy` call).
    /// The bytes are put together in a register and stored as one word and
    /// a byte: built byte by byte, the word-sized load that copies them out
    /// (`word`, `append_to`) would straddle narrower stores just made, which
    /// stalls the CPU (store forwarding fails), ~4 ns a result.
    #[inline(always)]
    fn new<const N: usize>(marker: u8, payload: [u8; N]) -> Encoded {
        let mut padded = [0u8; 8];
        padded[..N].copy_from_slice(&payload);
        let word = u128::from(marker) | u128::from(u64::from_le_bytes(padded)) << 8;
        let wide = word.to_le_bytes();
        let mut bytes = [0u8; 9];
        bytes.copy_from_slice(&wide[..9]);
        Encoded { bytes, len: 1 + N }
    }

    /// The encoded bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// All 9 bytes and how many of them are used: for writers that store a
    /// fixed-size word (`Sink::write_word`).
    #[inline(always)]
    pub fn word(&self) -> (&[u8; 9], usize) {
        (&self.bytes, self.len)
    }

    /// Appends the encoded bytes to `out`: a fixed 9-byte store into spare
    /// capacity rather than a `memcpy` call of a variable length.
    #[inline(always)]
    pub fn append_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.bytes.len());
        let len = out.len();
        // SAFETY: `reserve` made room for all 9 bytes after `len`; they are all
        // written (initialised), and only the first `self.len` are counted.
        unsafe {
            out.as_mut_ptr()
                .add(len)
                .cast::<[u8; 9]>()
                .write_unaligned(self.bytes);
            out.set_len(len + self.len);
        }
    }
}

/// A signed integer.
#[inline]
pub fn int(n: i64) -> Encoded {
    match n {
        0.. => uint(n as u64),
        -32..=-1 => Encoded::new(n as u8, []),
        -0x80..=-33 => Encoded::new(0xd0, (n as i8).to_be_bytes()),
        -0x8000..=-0x81 => Encoded::new(0xd1, (n as i16).to_be_bytes()),
        -0x8000_0000..=-0x8001 => Encoded::new(0xd2, (n as i32).to_be_bytes()),
        _ => Encoded::new(0xd3, n.to_be_bytes()),
    }
}

/// An unsigned integer.
#[inline]
pub fn uint(n: u64) -> Encoded {
    match n {
        0..=0x7f => Encoded::new(n as u8, []),
        0x80..=0xff => Encoded::new(0xcc, [n as u8]),
        0x100..=0xffff => Encoded::new(0xcd, (n as u16).to_be_bytes()),
        0x1_0000..=0xffff_ffff => Encoded::new(0xce, (n as u32).to_be_bytes()),
        _ => Encoded::new(0xcf, n.to_be_bytes()),
    }
}

/// A 64-bit float.
#[inline]
pub fn f64(x: f64) -> Encoded {
    Encoded::new(0xcb, x.to_be_bytes())
}

/// A 32-bit float.
#[inline]
pub fn f32(x: f32) -> Encoded {
    Encoded::new(0xca, x.to_be_bytes())
}

/// The header of a str of `len` bytes.
#[inline]
pub fn str_header(len: u32) -> Encoded {
    match len {
        0..=31 => Encoded::new(0xa0 | len as u8, []),
        32..=0xff => Encoded::new(0xd9, [len as u8]),
        0x100..=0xffff => Encoded::new(0xda, (len as u16).to_be_bytes()),
        _ => Encoded::new(0xdb, len.to_be_bytes()),
    }
}

/// A str of at most 8 bytes with its header (a fixstr): `None` for a longer one.
#[inline(always)]
pub fn short_str(text: &str) -> Option<Encoded> {
    let bytes = text.as_bytes();
    if bytes.len() > 8 {
        return None;
    }
    let word = u128::from(0xa0 | bytes.len() as u8) | u128::from(short_le(bytes)) << 8;
    let wide = word.to_le_bytes();
    let mut encoded = [0u8; 9];
    encoded.copy_from_slice(&wide[..9]);
    Some(Encoded {
        bytes: encoded,
        len: 1 + bytes.len(),
    })
}

/// `bytes` (at most 8) as a little-endian `u64`, the rest zeros: read with
/// two fixed-size loads that may overlap (overlapping bytes are the same in
/// both, so or-ing them is harmless), not a copy of a variable length, which
/// is a `memcpy` call.
#[inline(always)]
fn short_le(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if let (Some(low), Some(high)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        // 4 to 8 bytes: the first four and the last four.
        return u64::from(u32::from_le_bytes(*low))
            | u64::from(u32::from_le_bytes(*high)) << (8 * (len - 4));
    }
    match bytes {
        [] => 0,
        // 1 to 3 bytes: the first, the middle and the last.
        [first, ..] => {
            u64::from(*first)
                | u64::from(bytes[len / 2]) << (8 * (len / 2))
                | u64::from(bytes[len - 1]) << (8 * (len - 1))
        }
    }
}

/// The header of a bin of `len` bytes.
#[inline]
pub fn bin_header(len: u32) -> Encoded {
    match len {
        0..=0xff => Encoded::new(0xc4, [len as u8]),
        0x100..=0xffff => Encoded::new(0xc5, (len as u16).to_be_bytes()),
        _ => Encoded::new(0xc6, len.to_be_bytes()),
    }
}

/// The header of an array of `len` elements.
#[inline]
pub fn array_header(len: u32) -> Encoded {
    match len {
        0..=15 => Encoded::new(0x90 | len as u8, []),
        16..=0xffff => Encoded::new(0xdc, (len as u16).to_be_bytes()),
        _ => Encoded::new(0xdd, len.to_be_bytes()),
    }
}

/// The header of a map of `len` entries.
#[inline]
pub fn map_header(len: u32) -> Encoded {
    match len {
        0..=15 => Encoded::new(0x80 | len as u8, []),
        16..=0xffff => Encoded::new(0xde, (len as u16).to_be_bytes()),
        _ => Encoded::new(0xdf, len.to_be_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_strs_of_every_length_match_rmp() {
        let text = "abcdefghi";
        for len in 0..=text.len() {
            let mut expected = Vec::new();
            rmp::encode::write_str(&mut expected, &text[..len]).unwrap();
            let encoded = short_str(&text[..len]).map(|e| e.as_slice().to_vec());
            assert_eq!(encoded, (len <= 8).then_some(expected), "{len} bytes");
        }
    }

    proptest! {
        #[test]
        fn ints_match_rmp(n in any::<i64>(), u in any::<u64>()) {
            let mut expected = Vec::new();
            rmp::encode::write_sint(&mut expected, n).unwrap();
            prop_assert_eq!(int(n).as_slice().to_vec(), expected.clone());
            let mut appended = vec![7u8];
            int(n).append_to(&mut appended);
            prop_assert_eq!(&appended[1..], &expected[..]);
            let mut expected = Vec::new();
            rmp::encode::write_uint(&mut expected, u).unwrap();
            prop_assert_eq!(uint(u).as_slice().to_vec(), expected);
        }

        #[test]
        fn short_strs_match_rmp(text in "\\PC{0,9}") {
            let mut expected = Vec::new();
            rmp::encode::write_str(&mut expected, &text).unwrap();
            match short_str(&text) {
                Some(encoded) => prop_assert_eq!(encoded.as_slice().to_vec(), expected),
                None => prop_assert!(text.len() > 8),
            }
        }

        #[test]
        fn headers_match_rmp(len in prop_oneof![0u32..300, 60_000u32..70_000, Just(u32::MAX)]) {
            let mut expected = Vec::new();
            rmp::encode::write_str_len(&mut expected, len).unwrap();
            prop_assert_eq!(str_header(len).as_slice().to_vec(), expected);
            let mut expected = Vec::new();
            rmp::encode::write_bin_len(&mut expected, len).unwrap();
            prop_assert_eq!(bin_header(len).as_slice().to_vec(), expected);
            let mut expected = Vec::new();
            rmp::encode::write_array_len(&mut expected, len).unwrap();
            prop_assert_eq!(array_header(len).as_slice().to_vec(), expected);
            let mut expected = Vec::new();
            rmp::encode::write_map_len(&mut expected, len).unwrap();
            prop_assert_eq!(map_header(len).as_slice().to_vec(), expected);
        }
    }
}
