/// How deep arrays and maps may nest before a value counts as malformed.
pub const MAX_DEPTH: usize = 512;

/// Bytes that are not one well-formed MessagePack value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub &'static str);

/// The length in bytes of the MessagePack value at the start of `buf`.
///
/// Reads headers only (a 1 MiB bin costs the same as a nil), so arguments can be
/// cut apart before they are decoded and trailing bytes can be detected.
#[inline]
pub fn value_len(buf: &[u8]) -> Result<usize, Malformed> {
    if let Some(n) = scalar_len(buf) {
        return Ok(n);
    }
    let mut cursor = Cursor { buf, pos: 0 };
    cursor.skip_value(0)?;
    Ok(cursor.pos)
}

/// The length of a scalar (nil, bool, number, str, bin) at the start of `buf`,
/// when it is one and fits: the common case, without a loop.
#[inline(always)]
fn scalar_len(buf: &[u8]) -> Option<usize> {
    let be = |at: usize, width: usize| -> Option<usize> {
        let bytes = buf.get(at..at + width)?;
        Some(bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b)))
    };
    let n = match *buf.first()? {
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => 1,
        0xcc | 0xd0 => 2,
        0xcd | 0xd1 => 3,
        0xca | 0xce | 0xd2 => 5,
        0xcb | 0xcf | 0xd3 => 9,
        b @ 0xa0..=0xbf => 1 + usize::from(b & 0x1f),
        0xc4 | 0xd9 => 2 + be(1, 1)?,
        0xc5 | 0xda => 3 + be(1, 2)?,
        0xc6 | 0xdb => 5 + be(1, 4)?,
        _ => return None,
    };
    (n <= buf.len()).then_some(n)
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

const TRUNCATED: Malformed = Malformed("the MessagePack value ends early");

impl Cursor<'_> {
    fn byte(&mut self) -> Result<u8, Malformed> {
        let b = *self.buf.get(self.pos).ok_or(TRUNCATED)?;
        self.pos += 1;
        Ok(b)
    }

    fn advance(&mut self, n: usize) -> Result<(), Malformed> {
        let end = self.pos.checked_add(n).ok_or(TRUNCATED)?;
        if end > self.buf.len() {
            return Err(TRUNCATED);
        }
        self.pos = end;
        Ok(())
    }

    fn uint(&mut self, width: usize) -> Result<usize, Malformed> {
        let mut n: usize = 0;
        for _ in 0..width {
            n = (n << 8) | usize::from(self.byte()?);
        }
        Ok(n)
    }

    fn skip_value(&mut self, depth: usize) -> Result<(), Malformed> {
        if depth > MAX_DEPTH {
            return Err(Malformed("MessagePack values nest too deeply"));
        }
        let marker = self.byte()?;
        let items = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => 0,
            0x80..=0x8f => usize::from(marker & 0x0f) * 2,
            0x90..=0x9f => usize::from(marker & 0x0f),
            0xa0..=0xbf => return self.advance(usize::from(marker & 0x1f)),
            0xc1 => return Err(Malformed("0xc1 is not a MessagePack marker")),
            0xc4 | 0xd9 => return self.sized(1, 0),
            0xc5 | 0xda => return self.sized(2, 0),
            0xc6 | 0xdb => return self.sized(4, 0),
            0xc7 => return self.sized(1, 1),
            0xc8 => return self.sized(2, 1),
            0xc9 => return self.sized(4, 1),
            0xcc | 0xd0 => return self.advance(1),
            0xcd | 0xd1 => return self.advance(2),
            0xca | 0xce | 0xd2 => return self.advance(4),
            0xcb | 0xcf | 0xd3 => return self.advance(8),
            0xd4 => return self.advance(2),
            0xd5 => return self.advance(3),
            0xd6 => return self.advance(5),
            0xd7 => return self.advance(9),
            0xd8 => return self.advance(17),
            0xdc => self.uint(2)?,
            0xdd => self.uint(4)?,
            0xde => self.uint(2)?.checked_mul(2).ok_or(TRUNCATED)?,
            0xdf => self.uint(4)?.checked_mul(2).ok_or(TRUNCATED)?,
        };
        for _ in 0..items {
            match scalar_len(&self.buf[self.pos..]) {
                Some(n) => self.pos += n,
                None => self.skip_value(depth + 1)?,
            }
        }
        Ok(())
    }

    /// A length of `width` bytes, `extra` header bytes (an ext type), then the payload.
    fn sized(&mut self, width: usize, extra: usize) -> Result<(), Malformed> {
        let len = self.uint(width)?;
        self.advance(extra)?;
        self.advance(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scalars_and_containers() {
        assert_eq!(value_len(&[0x05, 0xff]), Ok(1));
        assert_eq!(value_len(&[0x92, 0x01, 0xa1, b'x']), Ok(4));
        assert_eq!(value_len(&[0xcd, 0x01]), Err(TRUNCATED));
        assert!(value_len(&[0xc1]).is_err());
        assert!(value_len(&[]).is_err());
    }

    #[test]
    fn scalars_that_do_not_fit_fall_back_to_the_full_check() {
        assert_eq!(value_len(&[0xa3, b'a']), Err(TRUNCATED));
        assert_eq!(value_len(&[0xc4, 0x02, 1, 2, 3]), Ok(4));
        assert_eq!(value_len(&[0xc5, 0x00]), Err(TRUNCATED));
    }

    #[test]
    fn a_huge_declared_length_is_truncated_not_a_hang() {
        assert_eq!(value_len(&[0xdd, 0xff, 0xff, 0xff, 0xff]), Err(TRUNCATED));
        assert_eq!(value_len(&[0xc6, 0xff, 0xff, 0xff, 0xff]), Err(TRUNCATED));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = vec![0x91; MAX_DEPTH + 10];
        assert!(value_len(&deep).is_err());
    }

    proptest! {
        #[test]
        fn agrees_with_rmp_serde_on_encoded_values(v in proptest::collection::vec((any::<i64>(), ".*", proptest::collection::vec(any::<u8>(), 0..40), any::<f64>()), 0..20)) {
            let mut bytes = rmp_serde::to_vec(&v).unwrap();
            let n = bytes.len();
            bytes.extend_from_slice(&[0xc0, 0xc0]);
            prop_assert_eq!(value_len(&bytes), Ok(n));
        }

        #[test]
        fn never_panics_on_noise(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = value_len(&bytes);
        }
    }
}
