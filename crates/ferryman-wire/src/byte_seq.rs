//! Bytes read as a sequence of `u8` (`spec/wire.md`, "Byte sequences at any
//! depth"): a `Vec<u8>`, `VecDeque<u8>` or `Box<[u8]>` inside an `Option`, a
//! list, a map or a struct field takes bin (and lent bytes) as well as an array
//! of ints. Each element is a `u8`; any other element type is a type error,
//! so bytes never become, say, a `Vec<i64>`.

use rmp_serde::decode::Error;
use serde::de::{self, DeserializeSeed, SeqAccess, Unexpected, Visitor};
use serde::forward_to_deserialize_any;

/// The bytes of one bin, handed out one `u8` element at a time.
pub(crate) struct ByteElements<'de> {
    bytes: &'de [u8],
    next: usize,
}

impl<'de> ByteElements<'de> {
    pub(crate) fn new(bytes: &'de [u8]) -> Self {
        ByteElements { bytes, next: 0 }
    }

    /// A visitor that stopped early (a fixed-size type given more bytes).
    pub(crate) fn done(&self) -> Result<(), Error> {
        let left = self.bytes.len() - self.next;
        if left == 0 {
            Ok(())
        } else {
            Err(de::Error::invalid_length(left, &"fewer elements"))
        }
    }
}

impl<'de> SeqAccess<'de> for &mut ByteElements<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(&byte) = self.bytes.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(ByteElement {
            byte,
            all: self.bytes,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.bytes.len() - self.next)
    }
}

/// One element of a [`ByteElements`]: a `u8` and nothing else.
struct ByteElement<'de> {
    byte: u8,
    /// The whole byte string, for the message when the element is not a `u8`.
    all: &'de [u8],
}

impl<'de> de::Deserializer<'de> for ByteElement<'de> {
    type Error = Error;

    /// Any other element type: the sequence was bytes, which it does not take.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::Bytes(self.all),
            &visitor,
        ))
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u8(self.byte)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct seq tuple tuple_struct map struct enum
        identifier
    }
}

#[cfg(test)]
mod tests {
    use crate::{Args, DecodeKind, Lending};
    use serde::Deserialize;
    use std::collections::{HashMap, VecDeque};

    fn pack<T: serde::Serialize>(v: &T) -> Vec<u8> {
        rmp_serde::to_vec_named(v).unwrap()
    }

    fn bin(b: &[u8]) -> serde_bytes::ByteBuf {
        serde_bytes::ByteBuf::from(b)
    }

    fn one<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, Box<crate::DecodeError>> {
        Args::new(bytes, 1)?.next(0)
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Blob {
        data: Vec<u8>,
        more: Option<Vec<u8>>,
    }

    #[test]
    fn bin_is_a_sequence_of_u8_at_any_depth() {
        let bytes = pack(&((vec![bin(b"ab"), bin(b"")]),));
        assert_eq!(
            one::<Vec<Vec<u8>>>(&bytes).unwrap(),
            [b"ab".to_vec(), vec![]]
        );
        let bytes = pack(&(Some(bin(b"x")),));
        assert_eq!(one::<Option<Vec<u8>>>(&bytes).unwrap(), Some(b"x".to_vec()));
        let bytes = pack(&(HashMap::from([("k", bin(b"xy"))]),));
        assert_eq!(one::<HashMap<String, Vec<u8>>>(&bytes).unwrap()["k"], b"xy");
        let bytes = pack(&((bin(b"ab"), 1u8),));
        assert_eq!(one::<(Vec<u8>, u8)>(&bytes).unwrap(), (b"ab".to_vec(), 1));
        let bytes = pack(&(bin(b"q"),));
        assert_eq!(one::<VecDeque<u8>>(&bytes).unwrap(), [b'q']);
        assert_eq!(&*one::<Box<[u8]>>(&bytes).unwrap(), b"q");
        #[derive(serde::Serialize)]
        struct Sent {
            data: serde_bytes::ByteBuf,
            more: Option<serde_bytes::ByteBuf>,
        }
        let bytes = pack(&(Sent {
            data: bin(b"d"),
            more: Some(bin(b"m")),
        },));
        assert_eq!(
            one::<Blob>(&bytes).unwrap(),
            Blob {
                data: b"d".to_vec(),
                more: Some(b"m".to_vec())
            }
        );
        // An array of ints still works.
        let bytes = pack(&(vec![vec![1u8, 2]],));
        assert_eq!(one::<Vec<Vec<u8>>>(&bytes).unwrap(), [vec![1, 2]]);
    }

    #[test]
    fn bin_is_not_a_sequence_of_anything_else() {
        let err = one::<Vec<Vec<i64>>>(&pack(&(vec![bin(b"ab")],))).unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Type, "sequence")
        );
        let err = one::<Vec<i64>>(&pack(&(bin(b"ab"),))).unwrap_err();
        assert_eq!(
            (err.kind, err.found.as_str()),
            (DecodeKind::Type, "byte array")
        );
        let err = one::<Vec<String>>(&pack(&(bin(b"ab"),))).unwrap_err();
        assert_eq!(err.kind, DecodeKind::Type);
    }

    #[test]
    fn lent_bytes_are_a_sequence_of_u8_too() {
        let data = b"lent".to_vec();
        let payload = crate::LentPayload {
            host_id: 1,
            handle: 0,
            ptr: data.as_ptr() as u64,
            len: data.len() as u64,
        };
        let mut bytes = vec![0x91, 0x91];
        bytes.extend_from_slice(&payload.to_ext());
        // SAFETY: `data` outlives the argument bytes and is never changed.
        let trusted = unsafe { Lending::trusted() };
        let mut args = Args::with_lending(&bytes, 1, trusted).unwrap();
        assert_eq!(args.next::<Vec<Vec<u8>>>(0).unwrap(), [data]);
        let err = Args::new(&bytes, 1).unwrap().next::<Vec<Vec<u8>>>(0);
        assert!(err.is_err(), "refused without trust");
    }
}
