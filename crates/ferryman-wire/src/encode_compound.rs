//! Sequences, maps, tuples and structs for [`crate::encode`].
//!
//! A sequence decides what it is from its elements: when every element is a
//! `u8` (`Vec<u8>`, `&[u8]`, `VecDeque<u8>`, …) it is written as one bin, so a
//! byte vector is bytes at any depth (`spec/wire.md`, "Byte sequences at any
//! depth"). Until an element is something else, its elements go through
//! [`Element`], which keeps `u8`s in the encoder's scratch buffer; the first
//! other call turns them into the first ints of an array and carries on as
//! the encoder. Each element is serialized exactly once (a `Serialize` impl
//! may have effects: lent bytes note themselves when written). An empty
//! sequence gives nothing to go by and is an empty array.
//!
//! Only one sequence collects bytes at a time: its elements are `u8`s, and the
//! first one that is not ends the collecting before anything else is written.

use crate::encode::{too_long, Encoder, Error};
use crate::encode_element::Element;
use crate::out::Out;
use serde::ser::{self, Serialize};

/// A sequence being written.
pub(crate) struct Seq<'a, W> {
    encoder: &'a mut Encoder<W>,
    /// The length serde announced, if any.
    len: Option<usize>,
    state: SeqState,
}

enum SeqState {
    /// No element yet.
    Empty,
    /// Every element so far was a `u8`, collected in the encoder's scratch.
    Bytes,
    /// An array whose header (the announced length) is written.
    Array,
    /// An array of unknown length, its contents held back by the encoder:
    /// how many elements so far.
    Counting(usize),
}

impl<'a, W: Out> Seq<'a, W> {
    /// A sequence; `bytes` when its static type says it is a byte container
    /// (then it is bin even when empty).
    #[inline]
    pub(crate) fn new(encoder: &'a mut Encoder<W>, len: Option<usize>, bytes: bool) -> Self {
        let state = if bytes {
            encoder.scratch().clear();
            SeqState::Bytes
        } else {
            SeqState::Empty
        };
        Seq {
            encoder,
            len,
            state,
        }
    }

    /// Notes the static type of what the element serializes next (a newtype's
    /// content).
    #[inline(always)]
    pub(crate) fn next_is<T: ?Sized>(&mut self) {
        self.encoder.next_is::<T>();
    }

    /// One more `u8` element.
    #[inline]
    pub(crate) fn push_byte(&mut self, byte: u8) {
        if matches!(self.state, SeqState::Empty) {
            self.encoder.scratch().clear();
            self.state = SeqState::Bytes;
        }
        self.encoder.scratch().push(byte);
    }

    /// An element that is not a `u8` is about to be written: the sequence is
    /// an array, whose first ints are the bytes collected so far. Returns the
    /// encoder to write that element with.
    pub(crate) fn start_array(&mut self) -> Result<&mut Encoder<W>, Error> {
        self.encoder.enter()?;
        let collecting = matches!(self.state, SeqState::Bytes);
        match self.len {
            Some(len) => {
                self.encoder.array_header(len)?;
                self.state = SeqState::Array;
            }
            None => {
                self.encoder.begin_unknown();
                let collected = if collecting {
                    self.encoder.scratch().len()
                } else {
                    0
                };
                self.state = SeqState::Counting(collected + 1);
            }
        }
        if collecting {
            let collected = std::mem::take(self.encoder.scratch());
            for &byte in &collected {
                self.encoder
                    .put_encoded(crate::scalar::uint(u64::from(byte)))?;
            }
            // Keep the allocation for the next byte sequence.
            *self.encoder.scratch() = collected;
            self.encoder.scratch().clear();
        }
        Ok(&mut *self.encoder)
    }
}

impl<W: Out> ser::SerializeSeq for Seq<'_, W> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.encoder.next_is::<T>();
        match &mut self.state {
            SeqState::Array => value.serialize(&mut *self.encoder),
            SeqState::Counting(count) => {
                *count += 1;
                value.serialize(&mut *self.encoder)
            }
            SeqState::Empty | SeqState::Bytes => value.serialize(Element::new(self)),
        }
    }

    fn end(self) -> Result<(), Error> {
        match self.state {
            SeqState::Empty => {
                self.encoder.empty_container()?;
                self.encoder.array_header(0)
            }
            SeqState::Bytes => {
                let bytes = std::mem::take(self.encoder.scratch());
                let written = u32::try_from(bytes.len())
                    .map_err(|_| too_long("a byte string"))
                    .and_then(|len| {
                        self.encoder
                            .put_sized(crate::scalar::bin_header(len), &bytes)
                    });
                *self.encoder.scratch() = bytes;
                self.encoder.scratch().clear();
                written
            }
            SeqState::Array => {
                self.encoder.leave();
                Ok(())
            }
            SeqState::Counting(count) => {
                self.encoder.leave();
                self.encoder.end_unknown(count, Encoder::array_header)
            }
        }
    }
}

/// A tuple, a struct or an enum variant's content, its header written.
pub(crate) struct Compound<'a, W>(pub(crate) &'a mut Encoder<W>);

impl<W: Out> ser::SerializeTuple for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.0.next_is::<T>();
        value.serialize(&mut *self.0)
    }

    fn end(self) -> Result<(), Error> {
        self.0.leave();
        Ok(())
    }
}

impl<W: Out> ser::SerializeTupleStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.0.next_is::<T>();
        value.serialize(&mut *self.0)
    }

    fn end(self) -> Result<(), Error> {
        self.0.leave();
        Ok(())
    }
}

impl<W: Out> ser::SerializeTupleVariant for Compound<'_, W> {
    // Two levels: the `{"Variant": …}` map and the array in it.
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.0.next_is::<T>();
        value.serialize(&mut *self.0)
    }

    fn end(self) -> Result<(), Error> {
        self.0.leave();
        self.0.leave();
        Ok(())
    }
}

impl<W: Out> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;

    #[inline(always)]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.str_value(key)?;
        self.0.next_is::<T>();
        value.serialize(&mut *self.0)
    }

    fn end(self) -> Result<(), Error> {
        self.0.leave();
        Ok(())
    }
}

impl<W: Out> ser::SerializeStructVariant for Compound<'_, W> {
    // Two levels: the `{"Variant": …}` map and the map in it.
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::Serializer::serialize_str(&mut *self.0, key)?;
        self.0.next_is::<T>();
        value.serialize(&mut *self.0)
    }

    fn end(self) -> Result<(), Error> {
        self.0.leave();
        self.0.leave();
        Ok(())
    }
}

/// A map: its header written when serde announced the length; otherwise its
/// entries are held back by the encoder and counted (`#[serde(flatten)]`
/// structs, say).
pub(crate) struct Map<'a, W> {
    encoder: &'a mut Encoder<W>,
    /// Entries so far, when the length is unknown.
    counted: Option<usize>,
}

impl<'a, W: Out> Map<'a, W> {
    pub(crate) fn new(encoder: &'a mut Encoder<W>, len: Option<usize>) -> Result<Self, Error> {
        encoder.enter()?;
        let counted = match len {
            Some(len) => {
                encoder.map_header(len)?;
                None
            }
            None => {
                encoder.begin_unknown();
                Some(0)
            }
        };
        Ok(Map { encoder, counted })
    }
}

impl<W: Out> ser::SerializeMap for Map<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        if let Some(count) = &mut self.counted {
            *count += 1;
        }
        self.encoder.next_is::<T>();
        key.serialize(&mut *self.encoder)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.encoder.next_is::<T>();
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), Error> {
        self.encoder.leave();
        match self.counted {
            Some(count) => self.encoder.end_unknown(count, Encoder::map_header),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{encode, Lending};
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::collections::{BTreeMap, HashMap, VecDeque};

    fn bytes<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out).unwrap();
        out
    }

    /// Encodes with the result encoder, decodes with the argument reader.
    fn round_trip<T>(value: &T) -> T
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        let encoded = bytes(value);
        let (decoded, rest) =
            crate::decode_args::from_prefix::<T>(&encoded, Lending::REFUSED).unwrap();
        assert!(rest.is_empty());
        decoded
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Blob {
        name: String,
        data: Vec<u8>,
        parts: Vec<Vec<u8>>,
        maybe: Option<Vec<u8>>,
    }

    #[test]
    fn byte_vectors_are_bin_at_any_depth() {
        let bin = |b: &[u8]| {
            let mut v = vec![0xc4, b.len() as u8];
            v.extend_from_slice(b);
            v
        };
        assert_eq!(bytes(&vec![1u8, 2]), bin(&[1, 2]));
        assert_eq!(bytes(&Some(vec![7u8])), bin(&[7]));
        let mut expected = vec![0x92];
        expected.extend(bin(b"ab"));
        expected.extend(bin(b"c"));
        assert_eq!(bytes(&vec![b"ab".to_vec(), b"c".to_vec()]), expected);
        let mut expected = vec![0x81, 0xa1, b'k'];
        expected.extend(bin(b"xy"));
        assert_eq!(bytes(&HashMap::from([("k", b"xy".to_vec())])), expected);
        let mut expected = vec![0x92];
        expected.extend(bin(b"ab"));
        expected.push(0x01);
        assert_eq!(bytes(&(b"ab".to_vec(), 1u8)), expected);
        assert_eq!(bytes(&VecDeque::from(vec![3u8, 4])), bin(&[3, 4]));
        assert_eq!(bytes(&b"xyz"[..]), bin(b"xyz"));
        assert_eq!(bytes(&Box::<[u8]>::from(&b"q"[..])), bin(b"q"));
        let blob = Blob {
            name: "n".into(),
            data: vec![255; 300],
            parts: vec![],
            maybe: None,
        };
        let encoded = bytes(&blob);
        let at = encoded.windows(4).position(|w| w == b"data").unwrap();
        assert_eq!(
            encoded[at + 4..at + 7],
            [0xc5, 0x01, 0x2c],
            "300 bytes as bin 16"
        );
    }

    #[test]
    fn what_is_not_a_byte_sequence_stays_an_array() {
        assert_eq!(bytes(&Vec::<u16>::new()), [0x90]);
        assert_eq!(
            bytes(&Mixed(vec![], true)),
            [0x90],
            "no type, no element: an array"
        );
        assert_eq!(
            bytes(&[1u8, 2]),
            [0x92, 0x01, 0x02],
            "arrays are tuples in serde"
        );
        assert_eq!(bytes(&vec![1u16, 2]), [0x92, 0x01, 0x02]);
        assert_eq!(bytes(&vec![true]), [0x91, 0xc3]);
    }

    /// A sequence whose elements are not all of one type.
    struct Mixed(Vec<Result<u8, &'static str>>, bool);

    impl Serialize for Mixed {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let mut seq = s.serialize_seq(self.1.then_some(self.0.len()))?;
            for item in &self.0 {
                match item {
                    Ok(byte) => seq.serialize_element(byte)?,
                    Err(text) => seq.serialize_element(text)?,
                }
            }
            seq.end()
        }
    }

    #[test]
    fn empty_byte_vectors_are_bin_where_their_type_is_known() {
        let empty = || Vec::<u8>::new();
        assert_eq!(bytes(&empty()), [0xc4, 0x00]);
        assert_eq!(bytes(&Some(empty())), [0xc4, 0x00]);
        assert_eq!(
            bytes(&vec![empty(), empty()]),
            [0x92, 0xc4, 0x00, 0xc4, 0x00]
        );
        assert_eq!(bytes(&(empty(), 1u8)), [0x92, 0xc4, 0x00, 0x01]);
        assert_eq!(
            bytes(&BTreeMap::from([(1u8, empty())])),
            [0x81, 0x01, 0xc4, 0x00]
        );
        assert_eq!(bytes(&VecDeque::<u8>::new()), [0xc4, 0x00]);
        let blob = Blob {
            name: String::new(),
            data: empty(),
            parts: vec![empty()],
            maybe: Some(empty()),
        };
        let encoded = bytes(&blob);
        let value: rmpv::Value = rmp_serde::from_slice(&encoded).unwrap();
        assert_eq!(value["data"], rmpv::Value::Binary(vec![]));
        assert_eq!(value["parts"][0], rmpv::Value::Binary(vec![]));
        assert_eq!(value["maybe"], rmpv::Value::Binary(vec![]));
        #[derive(Serialize)]
        enum Carrier {
            One(Vec<u8>),
            Named { data: Vec<u8> },
        }
        assert_eq!(bytes(&Carrier::One(empty()))[5..], [0xc4, 0x00]);
        assert_eq!(
            bytes(&Carrier::Named { data: empty() })[7..],
            [0x81, 0xa4, b'd', b'a', b't', b'a', 0xc4, 0x00]
        );
        #[derive(Serialize)]
        struct Wrapper(Vec<u8>);
        assert_eq!(bytes(&vec![Wrapper(empty())]), [0x91, 0xc4, 0x00]);
    }

    #[test]
    fn bytes_followed_by_something_else_become_an_array() {
        for known in [true, false] {
            let mixed = Mixed(vec![Ok(1), Ok(200), Err("x"), Ok(3)], known);
            assert_eq!(
                bytes(&mixed),
                [0x94, 0x01, 0xcc, 200, 0xa1, b'x', 0x03],
                "known length: {known}"
            );
            // The scratch is not left dirty for the next byte sequence.
            assert_eq!(
                bytes(&(Mixed(vec![Ok(9), Err("y")], known), vec![5u8])),
                [0x92, 0x92, 0x09, 0xa1, b'y', 0xc4, 0x01, 0x05]
            );
        }
        assert_eq!(bytes(&Mixed(vec![Ok(1), Ok(2)], false)), [0xc4, 0x02, 1, 2]);
        assert_eq!(bytes(&Mixed(vec![Err("a")], false)), [0x91, 0xa1, b'a']);
        assert_eq!(bytes(&Mixed(vec![], false)), [0x90]);
    }

    #[test]
    fn sequences_of_unknown_length_get_their_real_length() {
        struct Words(usize);
        impl Serialize for Words {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((0..self.0).map(|i| i.to_string()).filter(|_| true))
            }
        }
        assert_eq!(bytes(&Words(2)), [0x92, 0xa1, b'0', 0xa1, b'1']);
        assert_eq!(bytes(&Words(20))[..3], [0xdc, 0x00, 20]);
    }

    /// Counts how often it is serialized.
    struct Counted<'c>(&'c std::cell::Cell<usize>, u8);

    impl Serialize for Counted<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.set(self.0.get() + 1);
            if self.1 == 0 {
                s.serialize_str("zero")
            } else {
                s.serialize_u8(self.1)
            }
        }
    }

    #[test]
    fn each_element_is_serialized_once() {
        let calls = std::cell::Cell::new(0);
        let items = [1, 2, 0, 3].map(|n| Counted(&calls, n));
        assert_eq!(
            bytes(&items[..]),
            [0x94, 0x01, 0x02, 0xa4, b'z', b'e', b'r', b'o', 0x03]
        );
        assert_eq!(calls.get(), 4);
        let calls = std::cell::Cell::new(0);
        let items = [5, 6].map(|n| Counted(&calls, n));
        assert_eq!(bytes(&items[..]), [0xc4, 0x02, 5, 6]);
        assert_eq!(calls.get(), 2);
    }

    #[derive(Serialize)]
    struct Flat {
        #[serde(flatten)]
        inner: BTreeMap<String, Vec<u8>>,
    }

    #[test]
    fn lengths_held_back_nest() {
        struct Outer;
        impl Serialize for Outer {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let flats = (0..2).map(|i| Flat {
                    inner: BTreeMap::from([(format!("k{i}"), vec![i, 9])]),
                });
                s.collect_seq(flats.filter(|_| true))
            }
        }
        assert_eq!(
            bytes(&Outer),
            [
                0x92, 0x81, 0xa2, b'k', b'0', 0xc4, 0x02, 0, 9, 0x81, 0xa2, b'k', b'1', 0xc4, 0x02,
                1, 9
            ]
        );
    }

    proptest! {
        #[test]
        fn byte_sequences_round_trip(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..5), 0..5),
            maybe in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..5)),
            keys in proptest::collection::btree_map(any::<i16>(), proptest::collection::vec(any::<u8>(), 0..4), 0..4),
        ) {
            let blob = Blob { name: "b".into(), data, parts, maybe };
            prop_assert_eq!(round_trip(&blob), blob.clone());
            prop_assert_eq!(round_trip(&vec![blob.clone(), blob]).len(), 2);
            prop_assert_eq!(round_trip(&keys), keys.clone());
            let deque: VecDeque<u8> = keys.values().flatten().copied().collect();
            prop_assert_eq!(round_trip(&deque), deque);
        }

        #[test]
        fn big_integers_round_trip(n in any::<i128>(), u in any::<u128>()) {
            prop_assert_eq!(round_trip(&(n, u)), (n, u));
            prop_assert_eq!(round_trip(&BTreeMap::from([(n, u)])), BTreeMap::from([(n, u)]));
            prop_assert_eq!(round_trip(&Some(vec![n])), Some(vec![n]));
        }
    }
}
