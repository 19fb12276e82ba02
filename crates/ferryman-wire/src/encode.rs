use serde::Serialize;
use std::io::Write;

/// A result that would not encode (a `Serialize` impl that failed, say).
#[derive(Debug, thiserror::Error)]
#[error("the result could not be encoded as MessagePack: {0}")]
pub struct EncodeError(#[from] rmp_serde::encode::Error);

/// Writes `value` as one MessagePack value, structs as maps keyed by field name
/// (`spec/wire.md`), so every host sees the same shape.
#[inline]
pub fn encode<T: Serialize + ?Sized, W: Write>(value: &T, out: W) -> Result<(), EncodeError> {
    let mut serializer = rmp_serde::Serializer::new(out).with_struct_map();
    value.serialize(&mut serializer)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(Serialize)]
    enum Shape {
        Dot,
        Circle { r: u8 },
    }

    fn bytes<T: Serialize>(v: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out).unwrap();
        out
    }

    #[test]
    fn structs_are_maps_by_field_name() {
        assert_eq!(
            bytes(&Point { x: 1, y: 2 }),
            [0x82, 0xa1, b'x', 0x01, 0xa1, b'y', 0x02]
        );
    }

    #[test]
    fn enums_are_externally_tagged() {
        assert_eq!(bytes(&Shape::Dot), [0xa3, b'D', b'o', b't']);
        let circle = bytes(&Shape::Circle { r: 3 });
        assert_eq!(
            &circle[..8],
            [0x81, 0xa6, b'C', b'i', b'r', b'c', b'l', b'e']
        );
        assert_eq!(&circle[8..], [0x81, 0xa1, b'r', 0x03]);
    }

    #[test]
    fn unit_is_nil_and_bytes_are_bin() {
        assert_eq!(bytes(&()), [0xc0]);
        assert_eq!(
            bytes(&serde_bytes::Bytes::new(b"ab")),
            [0xc4, 0x02, b'a', b'b']
        );
    }
}
