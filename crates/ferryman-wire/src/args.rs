use crate::{DecodeError, DecodeKind, Lending};
use serde::Deserialize;

/// The argument array of one call, read parameter by parameter.
///
/// Borrowed parameters (`&str`, `&[u8]` as bytes) borrow from the input box: the
/// decoder never copies them. Under a trusting [`Lending`], bytes parameters
/// given as lent host bytes (extension 3) borrow the host's memory instead.
#[derive(Debug)]
pub struct Args<'a> {
    rest: &'a [u8],
    count: usize,
    lending: Lending,
}

impl<'a> Args<'a> {
    /// Reads the array header; the bytes must hold exactly one array of `expected`
    /// elements. Lent bytes (extension 3) are refused.
    #[inline]
    pub fn new(bytes: &'a [u8], expected: usize) -> Result<Self, Box<DecodeError>> {
        Args::with_lending(bytes, expected, Lending::REFUSED)
    }

    /// As [`Args::new`], reading lent bytes (extension 3) as `lending` says: the
    /// arguments of a host's call, under [`Lending::trusted`].
    #[inline]
    pub fn with_lending(
        bytes: &'a [u8],
        expected: usize,
        lending: Lending,
    ) -> Result<Self, Box<DecodeError>> {
        Args::with_arity(bytes, expected, || expected, lending)
    }

    /// As [`Args::with_lending`], for parameters with defaults: the array may
    /// be shorter than `expected`, down to `fewest()` elements (asked only for
    /// a shorter array, so that the common call pays nothing for it). The
    /// missing trailing arguments are the caller's to fill ([`Args::default_arg`]).
    #[inline]
    pub fn with_arity(
        bytes: &'a [u8],
        expected: usize,
        fewest: impl FnOnce() -> usize,
        lending: Lending,
    ) -> Result<Self, Box<DecodeError>> {
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
        if count != expected && (count > expected || count < fewest()) {
            return Err(Box::new(DecodeError {
                kind: DecodeKind::Arity,
                index: None,
                found: format!("{count} argument{}", if count == 1 { "" } else { "s" }),
                detail: String::new(),
            }));
        }
        Ok(Args {
            rest,
            count,
            lending,
        })
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
        if let Some(value) = crate::number_vec::take::<T>(&mut self.rest, self.lending) {
            return Ok(value);
        }
        match crate::decode_args::from_prefix::<T>(self.rest, self.lending) {
            Ok((value, rest)) => {
                self.rest = rest;
                Ok(value)
            }
            Err(e) => Err(Box::new(DecodeError::from_rmp(e, index, self.rest))),
        }
    }

    /// The next argument's bytes, undecoded: one whole MessagePack value, for
    /// a reader that decides later what type it is (an async callback's
    /// resolver reads its status first).
    pub fn next_value(&mut self, index: usize) -> Result<&'a [u8], Box<DecodeError>> {
        let mut reader = crate::reader::Reader::new(self.rest);
        match reader.value() {
            Ok(value) => {
                self.rest = reader.rest();
                Ok(value)
            }
            Err(e) => {
                let mut error = DecodeError::malformed(e.to_string());
                error.index = Some(index);
                Err(Box::new(error))
            }
        }
    }

    /// Decodes `bytes`, which must hold exactly one value, as `T` with the
    /// argument decoder (lent bytes refused): a callback's result, read as an
    /// argument of its type is (`spec/callbacks.md`), unknown struct keys
    /// included. Errors name index 0.
    #[inline]
    pub fn one<T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Box<DecodeError>> {
        match crate::decode_args::from_prefix::<T>(bytes, Lending::REFUSED) {
            Ok((value, [])) => Ok(value),
            Ok((_, rest)) => Err(Box::new(DecodeError::malformed(format!(
                "{} unexpected bytes after the value",
                rest.len()
            )))),
            Err(e) => Err(Box::new(DecodeError::from_rmp(e, 0, bytes))),
        }
    }

    /// Decodes the default of the parameter at `index` (one MessagePack
    /// value, made when the function was compiled) with the same decoder as
    /// an argument, so that a default and a sent value mean the same.
    #[cold]
    pub fn default_arg<T: Deserialize<'a>>(
        default: &'a [u8],
        index: usize,
    ) -> Result<T, Box<DecodeError>> {
        match crate::decode_args::from_prefix::<T>(default, Lending::REFUSED) {
            Ok((value, [])) => Ok(value),
            Ok((_, rest)) => Err(Box::new(DecodeError::malformed(format!(
                "{} unexpected bytes after the default of argument {index}",
                rest.len()
            )))),
            Err(e) => Err(Box::new(DecodeError::from_rmp(e, index, default))),
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

    /// An enum is a variant name or a map of one entry: a map of another size
    /// is reported as the map it is, not as "an array of 0 elements".
    #[test]
    fn an_enum_sent_a_map_of_the_wrong_size_says_map() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Shape {
            Empty,
            Square(f64),
        }
        for (bytes, found) in [
            (vec![0x91, 0x80], "map with 0 entries"),
            (
                vec![0x91, 0x82, 0xa1, b'a', 1, 0xa1, b'b', 2],
                "map with 2 entries",
            ),
        ] {
            let mut args = Args::new(&bytes, 1).unwrap();
            let err = args.next::<Shape>(0).unwrap_err();
            assert_eq!((err.kind, err.found.as_str()), (DecodeKind::Type, found));
        }
        // Inside a list, the message says what the element was.
        let bytes = [0x91, 0x91, 0x80];
        let err = Args::new(&bytes, 1)
            .unwrap()
            .next::<Vec<Shape>>(0)
            .unwrap_err();
        assert!(err.detail.contains("map with 0 entries"), "{}", err.detail);
        assert!(!err.detail.contains("array of"), "{}", err.detail);
        // One entry still decodes.
        let bytes = [0x91, 0x81, 0xa6, b'S', b'q', b'u', b'a', b'r', b'e', 0x02];
        let shape = Args::new(&bytes, 1).unwrap().next::<Shape>(0).unwrap();
        assert!(matches!(shape, Shape::Square(side) if side == 2.0));
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
    fn a_shorter_array_is_accepted_down_to_the_fewest() {
        let bytes = pack(&(1,));
        let args = Args::with_arity(&bytes, 3, || 1, Lending::REFUSED).unwrap();
        assert_eq!(args.len(), 1);
        let err = Args::with_arity(&bytes, 3, || 2, Lending::REFUSED).unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Arity, "1 argument")
        );
        // Longer is never fine, and a full array never asks for `fewest`.
        let err = Args::with_arity(&pack(&(1, 2, 3, 4)), 3, || 0, Lending::REFUSED).unwrap_err();
        assert_eq!(err.kind, DecodeKind::Arity);
        Args::with_arity(&pack(&(1, 2, 3)), 3, || unreachable!(), Lending::REFUSED).unwrap();
    }

    #[test]
    fn defaults_decode_like_arguments() {
        assert_eq!(Args::default_arg::<usize>(&[0x0a], 1).unwrap(), 10);
        assert_eq!(Args::default_arg::<&str>(&[0xa1, b','], 2).unwrap(), ",");
        assert_eq!(
            Args::default_arg::<Option<String>>(&[0xc0], 1).unwrap(),
            None
        );
        assert_eq!(Args::default_arg::<f32>(&pack(&1.5f64), 0).unwrap(), 1.5);
        let err = Args::default_arg::<u8>(&[0xcd, 0x01, 0x00], 4).unwrap_err();
        assert_eq!((err.kind, err.index), (DecodeKind::Overflow, Some(4)));
        let err = Args::default_arg::<u8>(&[0x01, 0x02], 0).unwrap_err();
        assert_eq!(err.kind, DecodeKind::Malformed);
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

    #[test]
    fn str_is_not_bytes_and_bytes_are_not_str() {
        let text = pack(&("abc",));
        for err in [
            Args::new(&text, 1).unwrap().next::<serde_bytes::ByteBuf>(0),
            Args::new(&text, 1)
                .unwrap()
                .next::<&serde_bytes::Bytes>(0)
                .map(|b| serde_bytes::ByteBuf::from(&b[..])),
        ] {
            let err = err.unwrap_err();
            assert_eq!(
                (err.kind, err.index, err.found.as_str()),
                (DecodeKind::Type, Some(0), "string \"abc\"")
            );
        }
        let bin = pack(&(serde_bytes::Bytes::new(b"abc"),));
        let err = Args::new(&bin, 1).unwrap().next::<String>(0).unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Type, "byte array")
        );
        assert!(Args::new(&bin, 1).unwrap().next::<&str>(0).is_err());
        assert!(Args::new(&pack(&(serde_bytes::Bytes::new(b"a"),)), 1)
            .unwrap()
            .next::<char>(0)
            .is_err());
    }

    #[test]
    fn an_f64_beyond_f32_is_out_of_range_for_f32() {
        for too_big in [1e300, -1e39, f64::MAX] {
            let bytes = pack(&(too_big,));
            let err = Args::new(&bytes, 1).unwrap().next::<f32>(0).unwrap_err();
            assert_eq!(err.kind, DecodeKind::Overflow, "{too_big}");
            assert_eq!(err.found, format!("floating point {too_big:e}"));
        }
        for fine in [
            f64::from(f32::MAX),
            1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.1,
        ] {
            let bytes = pack(&(fine,));
            let got = Args::new(&bytes, 1).unwrap().next::<f32>(0).unwrap();
            assert_eq!(got, fine as f32);
        }
        let bytes = pack(&(f64::NAN,));
        assert!(Args::new(&bytes, 1)
            .unwrap()
            .next::<f32>(0)
            .unwrap()
            .is_nan());
        assert_eq!(
            Args::new(&pack(&(1e300,)), 1)
                .unwrap()
                .next::<f64>(0)
                .unwrap(),
            1e300
        );
    }

    /// `[n]` with `n` written as extension 4 of `payload`.
    fn big(payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0x91, 0xc7, payload.len() as u8, 0x04];
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn big_integers_fill_every_integer_type_they_fit() {
        let two_64 = (1i128 << 64).to_be_bytes();
        assert_eq!(
            Args::new(&big(&two_64), 1)
                .unwrap()
                .next::<i128>(0)
                .unwrap(),
            1 << 64
        );
        assert_eq!(
            Args::new(&big(&two_64), 1)
                .unwrap()
                .next::<u128>(0)
                .unwrap(),
            1 << 64
        );
        // Not minimal, still fine.
        assert_eq!(
            Args::new(&big(&[0x05]), 1).unwrap().next::<u8>(0).unwrap(),
            5
        );
        assert_eq!(
            Args::new(&big(&[0xff]), 1).unwrap().next::<i64>(0).unwrap(),
            -1
        );
        let mut max = vec![0u8];
        max.extend_from_slice(&[0xff; 16]);
        assert_eq!(
            Args::new(&big(&max), 1).unwrap().next::<u128>(0).unwrap(),
            u128::MAX
        );
        let mut nested = vec![0x91, 0x91, 0xd8, 0x04, 0x80];
        nested.resize(20, 0);
        let value: Option<Vec<i128>> = Args::new(&nested, 1).unwrap().next(0).unwrap();
        assert_eq!(value, Some(vec![i128::MIN]));
    }

    #[test]
    fn big_integers_out_of_range_are_overflow() {
        let two_64 = (1i128 << 64).to_be_bytes();
        let err = Args::new(&big(&two_64), 1)
            .unwrap()
            .next::<i64>(0)
            .unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Overflow, "integer 18446744073709551616")
        );
        let err = Args::new(&big(&[0x01, 0x00]), 1)
            .unwrap()
            .next::<u8>(0)
            .unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
        let mut max = vec![0u8];
        max.extend_from_slice(&[0xff; 16]);
        let err = Args::new(&big(&max), 1)
            .unwrap()
            .next::<i128>(0)
            .unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
        let err = Args::new(&big(&[0xff]), 1)
            .unwrap()
            .next::<u128>(0)
            .unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
        let err = Args::new(&pack(&(-1,)), 1)
            .unwrap()
            .next::<u128>(0)
            .unwrap_err();
        assert_eq!(err.kind, DecodeKind::Overflow);
        let mut beyond = vec![0x01];
        beyond.extend_from_slice(&[0; 16]);
        let err = Args::new(&big(&beyond), 1)
            .unwrap()
            .next::<u128>(0)
            .unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Overflow, "integer beyond 128 bits")
        );
        let err = Args::new(&big(&[0; 18]), 1)
            .unwrap()
            .next::<i128>(0)
            .unwrap_err();
        assert_eq!(err.kind, DecodeKind::Type, "not a big integer at all");
    }

    /// `[ext 3 naming data]`, with `handle`, a payload of `payload_len` bytes.
    fn lent_array(data: &[u8], handle: u64, payload_len: usize) -> Vec<u8> {
        let payload = crate::LentPayload {
            host_id: 4,
            handle,
            ptr: data.as_ptr() as u64,
            len: data.len() as u64,
        };
        let mut bytes = vec![0x91, 0xc7, payload_len as u8, 0x03];
        bytes.extend_from_slice(&payload.to_bytes()[..payload_len.min(28)]);
        bytes.resize(4 + payload_len, 0);
        bytes
    }

    fn trusted() -> Lending {
        // SAFETY: every test below lends memory (`data`) that outlives the
        // argument bytes it is used with, and never changes it.
        unsafe { Lending::trusted() }
    }

    #[test]
    fn lent_bytes_are_borrowed_in_place_or_copied_once() {
        let data: Vec<u8> = (0..=255).collect();
        let bytes = lent_array(&data, 0, 28);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let slice: &serde_bytes::Bytes = args.next(0).unwrap();
        assert_eq!(
            slice.as_ptr(),
            data.as_ptr(),
            "&[u8] must borrow the lent memory"
        );
        assert_eq!(&slice[..], &data[..]);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let copy: serde_bytes::ByteBuf = args.next(0).unwrap();
        assert_eq!(copy.into_vec(), data);
        let empty = lent_array(&[], 0, 28);
        let mut args = Args::with_lending(&empty, 1, trusted()).unwrap();
        assert!(args.next::<&serde_bytes::Bytes>(0).unwrap().is_empty());
    }

    #[test]
    fn lent_bytes_are_refused_without_trust_and_when_malformed() {
        let data = vec![1u8, 2, 3];
        let bytes = lent_array(&data, 0, 28);
        let err = Args::new(&bytes, 1)
            .unwrap()
            .next::<serde_bytes::ByteBuf>(0)
            .unwrap_err();
        assert_eq!((err.kind, err.index), (DecodeKind::Type, Some(0)));
        assert!(
            err.detail.contains("only in the arguments of a call"),
            "{err:?}"
        );

        for len in [0, 27] {
            let bytes = lent_array(&data, 0, len);
            let err = Args::with_lending(&bytes, 1, trusted())
                .unwrap()
                .next::<&serde_bytes::Bytes>(0)
                .unwrap_err();
            assert_eq!((err.kind, err.index), (DecodeKind::Type, Some(0)));
            assert!(err.detail.contains(&format!("has {len} bytes")), "{err:?}");
        }

        let mut null = lent_array(&data, 0, 28);
        null[4 + 12..4 + 20].fill(0);
        let err = Args::with_lending(&null, 1, trusted())
            .unwrap()
            .next::<serde_bytes::ByteBuf>(0)
            .unwrap_err();
        assert!(err.detail.contains("NULL"), "{err:?}");
    }

    /// `[ext 3 naming data as items of item]`.
    fn lent_slice_array(data: &[u8], item: crate::ItemType) -> Vec<u8> {
        let slice = crate::LentSlice {
            bytes: crate::LentPayload {
                host_id: 4,
                handle: 0,
                ptr: data.as_ptr() as u64,
                len: data.len() as u64,
            },
            item,
        };
        let mut bytes = vec![0x91];
        bytes.extend_from_slice(&slice.to_ext());
        bytes
    }

    #[test]
    fn lent_slices_are_borrowed_by_slice_args_and_read_as_items_elsewhere() {
        use crate::{ItemType, SliceArg};
        let data: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.5).collect();
        // SAFETY: `data`'s 800 bytes, readable while `data` lives.
        let raw = unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), 800) };
        let bytes = lent_slice_array(raw, ItemType::F64);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let slice: SliceArg<f64> = args.next(0).unwrap();
        assert!(slice.is_borrowed());
        assert_eq!(
            slice.as_ptr(),
            data.as_ptr(),
            "&[f64] must borrow the lent memory"
        );
        // Where a sequence is expected, the items are read one by one.
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        assert_eq!(args.next::<Vec<f64>>(0).unwrap(), data);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let err = args.next::<Vec<i64>>(0).unwrap_err();
        assert_eq!((err.kind, err.index), (DecodeKind::Type, Some(0)));
        // A fixed-size type given more items.
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        assert!(args.next::<(f64, f64)>(0).is_err());
        // Not bytes.
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let err = args.next::<&serde_bytes::Bytes>(0).unwrap_err();
        assert!(
            err.detail.contains("lent slice of f64 items where bytes"),
            "{err:?}"
        );
        // Unaligned: copied, same values.
        let bytes = lent_slice_array(&raw[4..], ItemType::F32);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let slice: SliceArg<f32> = args.next(0).unwrap();
        assert_eq!(slice.len(), 199);
        // An array is decoded as before.
        let array = [0x91, 0x92, 0x01, 0xcb, 0x40, 0x00, 0, 0, 0, 0, 0, 0];
        let mut args = Args::with_lending(&array, 1, trusted()).unwrap();
        let slice: SliceArg<f64> = args.next(0).unwrap();
        assert_eq!((&*slice, slice.is_borrowed()), (&[1.0, 2.0][..], false));
        // Untrusted: refused like lent bytes.
        let bytes = lent_slice_array(raw, ItemType::F64);
        let err = Args::new(&bytes, 1)
            .unwrap()
            .next::<SliceArg<f64>>(0)
            .unwrap_err();
        assert!(
            err.detail.contains("only in the arguments of a call"),
            "{err:?}"
        );
        // Not a whole number of items.
        let bytes = lent_slice_array(&raw[..13], ItemType::F64);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        let err = args.next::<SliceArg<f64>>(0).unwrap_err();
        assert!(
            err.detail.contains("not a whole number of 8-byte items"),
            "{err:?}"
        );
        // Empty.
        let bytes = lent_slice_array(&[], ItemType::F64);
        let mut args = Args::with_lending(&bytes, 1, trusted()).unwrap();
        assert!(args.next::<SliceArg<f64>>(0).unwrap().is_empty());
    }

    #[test]
    fn a_lent_object_is_presented_only_while_its_bytes_are_visited() {
        /// Records what `lent_object` says about the bytes it is given.
        struct Probe(Option<crate::LentObject>, usize);
        impl<'de> serde::Deserialize<'de> for Probe {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Probe, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = Probe;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Probe, E> {
                        Ok(Probe(crate::lent_object(v), v.len()))
                    }
                    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                        self,
                        d: D,
                    ) -> Result<Probe, D::Error> {
                        d.deserialize_bytes(V)
                    }
                }
                d.deserialize_newtype_struct(crate::LENT_BYTES_NEWTYPE, V)
            }
        }
        let data = vec![9u8; 40];
        let bytes = lent_array(&data, 77, 28);
        let probe: Probe = Args::with_lending(&bytes, 1, trusted())
            .unwrap()
            .next(0)
            .unwrap();
        let object = crate::LentObject {
            host_id: 4,
            handle: 77,
        };
        assert_eq!((probe.0, probe.1), (Some(object), 40));
        assert_eq!(crate::lent_object(&data), None, "only during the visit");
        // Handle 0 is no object, and plain bin is never one.
        let bytes = lent_array(&data, 0, 28);
        let probe: Probe = Args::with_lending(&bytes, 1, trusted())
            .unwrap()
            .next(0)
            .unwrap();
        assert_eq!(probe.0, None);
        let bin = pack(&(serde_bytes::Bytes::new(&data),));
        let probe: Probe = Args::new(&bin, 1).unwrap().next(0).unwrap();
        assert_eq!((probe.0, probe.1), (None, 40));
        // Through rmp-serde (not the argument reader) the newtype is transparent.
        let probe: Probe = rmp_serde::from_slice(&bin[1..]).unwrap();
        assert_eq!((probe.0, probe.1), (None, 40));
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
