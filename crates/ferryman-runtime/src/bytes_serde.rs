//! `Bytes` on the wire: bin, an array of ints or lent host bytes in; lent bytes
//! back out as extension 3 inside a result's lending scope (`lend.rs`), bin
//! everywhere else.

use crate::bytes::Bytes;
use crate::callback::ExtOut;
use crate::host;
use crate::kind::DirectOut;
use ferryman_abi::EXT_LENT_BYTES;
use ferryman_buffer::Sink;
use ferryman_wire::Direct;
use ferryman_wire::{lent_object, LentPayload, LENT_BYTES_NEWTYPE};
use serde::de::{Error, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::io::Write;

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some((lent, range)) = self.lent_range() {
            if crate::lend::lend_back(lent) {
                let payload = LentPayload {
                    host_id: lent.object.host_id,
                    handle: lent.object.handle,
                    ptr: range.as_ptr() as usize as u64,
                    len: range.len() as u64,
                };
                let payload = payload.to_bytes();
                return ExtOut((EXT_LENT_BYTES, serde_bytes::Bytes::new(&payload))).serialize(s);
            }
        }
        s.serialize_bytes(self)
    }
}

/// A bin argument (the common case, and every short one) is copied straight
/// from the argument bytes; lent bytes and arrays of ints take the serde path.
impl Direct for Bytes {
    #[inline]
    fn read(bytes: &[u8]) -> Option<(Bytes, usize)> {
        let (len, head): (usize, usize) = match *bytes {
            [0xc4, n, ..] => (usize::from(n), 2),
            [0xc5, a, b, ..] => (usize::from(u16::from_be_bytes([a, b])), 3),
            [0xc6, a, b, c, d, ..] => (usize::try_from(u32::from_be_bytes([a, b, c, d])).ok()?, 5),
            _ => return None,
        };
        let end = head.checked_add(len)?;
        Some((Bytes::copy_from_slice(bytes.get(head..end)?), end))
    }
}

/// Bytes of their own go out as bin, written straight into the output; lent
/// bytes take the serde path, which may lend them back (`lend.rs`).
impl DirectOut for Bytes {
    #[inline]
    fn write_direct(&self, sink: &mut Sink<'_>) -> bool {
        if self.is_lent() {
            return false;
        }
        let Ok(len) = u32::try_from(self.len()) else {
            return false;
        };
        let header = ferryman_wire::scalar::bin_header(len);
        let (header, header_len) = header.word();
        sink.write_word(header, header_len);
        // A sink never fails: what does not fit the host's buffer spills.
        sink.write_all(self).is_ok()
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        // The argument reader answers this name with lent bytes and their host
        // object; any other deserializer hands the visitor the bytes inside.
        d.deserialize_newtype_struct(LENT_BYTES_NEWTYPE, BytesVisitor)
    }
}

struct BytesVisitor;

/// Keeps `bytes`: without a copy when they are a host object the argument
/// reader is presenting, as a copy otherwise.
fn keep<E: Error>(bytes: &[u8]) -> Result<Bytes, E> {
    let Some(object) = lent_object(bytes) else {
        return Ok(Bytes::copy_from_slice(bytes));
    };
    let host = host::host(object.host_id).ok_or_else(|| {
        E::custom(format!(
            "lent bytes of host {}, which is not registered; call ferryman_register_host \
             before lending bytes as a host object",
            object.host_id
        ))
    })?;
    let retained = host.retain(object.host_id, object.handle);
    // SAFETY: `lent_object` answers only for the exact memory of a host object
    // that a trusting argument reader is visiting, lent under `spec/abi.md`
    // ("Lent bytes"); the reference just retained keeps it valid and unchanged
    // for as long as the `Bytes` (which owns the reference) lives.
    Ok(unsafe { Bytes::lent(retained, bytes) })
}

impl<'de> Visitor<'de> for BytesVisitor {
    type Value = Bytes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Bytes, E> {
        keep(v)
    }

    fn visit_borrowed_bytes<E: Error>(self, v: &'de [u8]) -> Result<Bytes, E> {
        keep(v)
    }

    fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
        Ok(Bytes::from(v))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Bytes, E> {
        Ok(Bytes::copy_from_slice(v.as_bytes()))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Bytes, E> {
        Ok(Bytes::from(v.into_bytes()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64 * 1024));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(Bytes::from(bytes))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Bytes, D::Error> {
        d.deserialize_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bin_and_arrays_of_ints_are_copied() {
        let bin = rmp_serde::to_vec(&serde_bytes::Bytes::new(b"abc")).unwrap();
        let bytes: Bytes = rmp_serde::from_slice(&bin).unwrap();
        assert_eq!((&*bytes, bytes.is_lent()), (&b"abc"[..], false));
        let ints = rmp_serde::to_vec(&[1u8, 2, 3]).unwrap();
        let bytes: Bytes = rmp_serde::from_slice(&ints).unwrap();
        assert_eq!(&*bytes, &[1, 2, 3]);
        let mut args = ferryman_wire::Args::new(&[0x91, 0xc4, 0x02, 0x07, 0x08], 1).unwrap();
        assert_eq!(&*args.next::<Bytes>(0).unwrap(), &[7, 8]);
    }

    #[test]
    fn the_direct_paths_read_and_write_bin() {
        let mut bin = rmp_serde::to_vec(&serde_bytes::Bytes::new(&[5u8; 300])).unwrap();
        let (bytes, len) = Bytes::read(&bin).expect("bin 16");
        assert_eq!((&*bytes, len), (&[5u8; 300][..], bin.len()));
        assert!(Bytes::read(&bin[..10]).is_none(), "truncated");
        bin.truncate(0);
        let mut sink = Sink::library();
        assert!(Bytes::from_static(b"hi").write_direct(&mut sink));
        assert_eq!(sink.written(), [0xc4, 0x02, b'h', b'i']);
    }

    #[test]
    fn outside_a_result_bytes_are_written_as_bin() {
        let bytes = Bytes::from_static(b"hi");
        let mut out = Vec::new();
        ferryman_wire::encode(&bytes, &mut out).unwrap();
        assert_eq!(out, [0xc4, 0x02, b'h', b'i']);
        assert_eq!(rmp_serde::to_vec(&bytes).unwrap(), out);
    }

    #[test]
    fn lent_bytes_outside_an_argument_array_are_refused() {
        let payload = LentPayload {
            host_id: 0,
            handle: 1,
            ptr: 0x1000,
            len: 4,
        };
        let ext = payload.to_ext();
        assert!(rmp_serde::from_slice::<Bytes>(&ext).is_err());
        let mut array = vec![0x91];
        array.extend_from_slice(&ext);
        let err = ferryman_wire::Args::new(&array, 1)
            .unwrap()
            .next::<Bytes>(0)
            .unwrap_err();
        assert!(err.detail.contains("only in the arguments"), "{err:?}");
    }
}
