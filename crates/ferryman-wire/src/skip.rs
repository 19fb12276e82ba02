//! The length of one MessagePack value, for cutting values apart before they
//! are decoded: [`Reader::skip`] on its own.

use crate::reader::{ReadError, Reader};

/// The length in bytes of the MessagePack value at the start of `buf`.
///
/// Reads headers only (a 1 MiB bin costs the same as a nil), so arguments can be
/// cut apart before they are decoded and trailing bytes can be detected.
#[inline]
pub fn value_len(buf: &[u8]) -> Result<usize, ReadError> {
    let mut reader = Reader::new(buf);
    reader.skip()?;
    Ok(reader.position())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Problem;
    use crate::MAX_DEPTH;

    fn problem(buf: &[u8]) -> Problem {
        value_len(buf).unwrap_err().problem
    }

    #[test]
    fn scalars_and_containers() {
        assert_eq!(value_len(&[0x05, 0xff]), Ok(1));
        assert_eq!(value_len(&[0x92, 0x01, 0xa1, b'x']), Ok(4));
        assert_eq!(problem(&[0xcd, 0x01]), Problem::Truncated);
        assert_eq!(problem(&[0xc1]), Problem::Reserved);
        assert_eq!(problem(&[]), Problem::Truncated);
    }

    #[test]
    fn scalars_that_do_not_fit_fall_back_to_the_full_check() {
        assert_eq!(problem(&[0xa3, b'a']), Problem::Truncated);
        assert_eq!(value_len(&[0xc4, 0x02, 1, 2, 3]), Ok(4));
        assert_eq!(problem(&[0xc5, 0x00]), Problem::Truncated);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = vec![0x91; MAX_DEPTH + 10];
        assert_eq!(problem(&deep), Problem::TooDeep);
    }
}
