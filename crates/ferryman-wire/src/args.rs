use crate::{DecodeError, DecodeKind};
use serde::Deserialize;

/// The argument array of one call, read parameter by parameter.
///
/// Borrowed parameters (`&str`, `&[u8]` as bytes) borrow from the input box: the
/// decoder never copies them.
#[derive(Debug)]
pub struct Args<'a> {
    rest: &'a [u8],
    count: usize,
}

impl<'a> Args<'a> {
    /// Reads the array header; the bytes must hold exactly one array of `expected`
    /// elements.
    #[inline]
    pub fn new(bytes: &'a [u8], expected: usize) -> Result<Self, Box<DecodeError>> {
        let (count, header) = match bytes {
            [b @ 0x90..=0x9f, ..] => (usize::from(b & 0x0f), 1),
            [0xdc, a, b, ..] => (usize::from(u16::from_be_bytes([*a, *b])), 3),
            [0xdd, a, b, c, d, ..] => (u32::from_be_bytes([*a, *b, *c, *d]) as usize, 5),
            _ => {
                return Err(Box::new(DecodeError::malformed(
                    "the arguments must be one MessagePack array",
                )))
            }
        };
        let rest = &bytes[header..];
        if count != expected {
            return Err(Box::new(DecodeError {
                kind: DecodeKind::Arity,
                index: None,
                found: format!("{count} argument{}", if count == 1 { "" } else { "s" }),
                detail: String::new(),
            }));
        }
        Ok(Args { rest, count })
    }

    /// How many arguments the array holds.
    #[inline]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the call has no arguments.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Decodes the next argument, the parameter at `index`, as `T`.
    #[inline]
    pub fn next<T: Deserialize<'a>>(&mut self, index: usize) -> Result<T, Box<DecodeError>> {
        match crate::de::from_prefix::<T>(self.rest) {
            Ok((value, rest)) => {
                self.rest = rest;
                Ok(value)
            }
            Err(e) => Err(Box::new(DecodeError::from_rmp(e, index, self.rest))),
        }
    }

    /// Decodes the next argument directly when it is in one of `T`'s usual
    /// encodings (and, for the last one, nothing follows it); `None` leaves the
    /// cursor where it was, for [`Args::next`] to decode or explain.
    #[inline(always)]
    pub fn next_direct<T: crate::Direct>(&mut self, last: bool) -> Option<T> {
        let (value, len) = T::read(self.rest)?;
        let rest = &self.rest[len..];
        if last && !rest.is_empty() {
            return None;
        }
        self.rest = rest;
        Some(value)
    }

    /// Checks that nothing follows the last argument.
    #[inline]
    pub fn finish(&self) -> Result<(), Box<DecodeError>> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Box::new(DecodeError::malformed(format!(
                "{} unexpected bytes after the argument array",
                self.rest.len()
            ))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pack<T: serde::Serialize>(v: &T) -> Vec<u8> {
        rmp_serde::to_vec_named(v).unwrap()
    }

    #[test]
    fn decodes_each_parameter_in_order_and_borrows_strings() {
        let bytes = pack(&(7i64, "hé", serde_bytes::Bytes::new(b"raw")));
        let mut args = Args::new(&bytes, 3).unwrap();
        assert_eq!(args.next::<i64>(0).unwrap(), 7);
        let s: &str = args.next(1).unwrap();
        assert_eq!(s, "hé");
        assert!(
            bytes.as_ptr_range().contains(&s.as_ptr()),
            "&str must borrow from the input"
        );
        let raw: &serde_bytes::Bytes = args.next(2).unwrap();
        assert_eq!(&raw[..], b"raw");
        args.finish().unwrap();
    }

    #[test]
    fn zero_parameters_need_an_empty_array() {
        Args::new(&[0x90], 0).unwrap().finish().unwrap();
        assert_eq!(
            Args::new(&[0xc0], 0).unwrap_err().kind,
            DecodeKind::Malformed
        );
    }

    #[test]
    fn wrong_count_is_an_arity_error() {
        let err = Args::new(&pack(&(1, 2, 3)), 2).unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Arity, "3 arguments")
        );
    }

    #[test]
    fn wrong_type_names_the_index_and_what_was_sent() {
        let bytes = pack(&(1, "x"));
        let mut args = Args::new(&bytes, 2).unwrap();
        args.next::<i64>(0).unwrap();
        let err = args.next::<i64>(1).unwrap_err();
        assert_eq!((err.kind, err.index), (DecodeKind::Type, Some(1)));
        assert!(err.found.starts_with("string"), "{}", err.found);
    }

    #[test]
    fn out_of_range_is_overflow() {
        let bytes = pack(&(300,));
        let err = Args::new(&bytes, 1).unwrap().next::<u8>(0).unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
        let bytes = pack(&(-1,));
        let err = Args::new(&bytes, 1).unwrap().next::<u64>(0).unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
    }

    #[test]
    fn truncated_and_trailing_bytes_are_malformed() {
        let mut args = Args::new(&[0x91, 0xcd, 0x01], 1).unwrap();
        assert_eq!(args.next::<u16>(0).unwrap_err().kind, DecodeKind::Malformed);
        let args = Args::new(&[0x90, 0x01], 0).unwrap();
        assert_eq!(args.finish().unwrap_err().kind, DecodeKind::Malformed);
    }

    proptest! {
        #[test]
        fn noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(mut args) = Args::new(&bytes, 2) {
                let _ = args.next::<Vec<String>>(0);
                let _ = args.next::<std::collections::HashMap<String, f64>>(1);
                let _ = args.finish();
            }
        }

        #[test]
        fn round_trips_typed_values(a in any::<i64>(), b in ".*", c in proptest::collection::vec(any::<u32>(), 0..50)) {
            let bytes = pack(&(a, &b, &c));
            let mut args = Args::new(&bytes, 3).unwrap();
            prop_assert_eq!(args.next::<i64>(0).unwrap(), a);
            prop_assert_eq!(args.next::<String>(1).unwrap(), b);
            prop_assert_eq!(args.next::<Vec<u32>>(2).unwrap(), c);
            prop_assert!(args.finish().is_ok());
        }
    }
}
