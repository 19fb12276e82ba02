//! A parameter's default as describe reports it (`spec/wire.md`, "Describe").

use crate::reader::{Int, Kind, Reader};
use serde::ser::{Error, Serialize, Serializer};

/// The MessagePack bytes of a parameter's default (one scalar: nil, bool, int,
/// float or str, as `#[ferryman::export(defaults(...))]` writes them when the
/// function is compiled), written into describe as the value they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultValue<'a>(pub &'a [u8]);

impl Serialize for DefaultValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut reader = Reader::new(self.0);
        let bad = |e: crate::reader::ReadError| S::Error::custom(format!("a default: {e}"));
        let kind = reader.peek_kind().map_err(bad)?;
        let done = |reader: &Reader<'_>| reader.finish().map_err(bad);
        match kind {
            Kind::Nil => {
                reader.nil().map_err(bad)?;
                done(&reader)?;
                s.serialize_none()
            }
            Kind::Bool => {
                let value = reader.bool().map_err(bad)?;
                done(&reader)?;
                s.serialize_bool(value)
            }
            Kind::Int => {
                let value = reader.int().map_err(bad)?;
                done(&reader)?;
                match value {
                    Int::U(n) => s.serialize_u64(n),
                    Int::I(n) => s.serialize_i64(n),
                }
            }
            Kind::Float => {
                let value = reader.float().map_err(bad)?;
                done(&reader)?;
                s.serialize_f64(value)
            }
            Kind::Str => {
                let value = reader.str().map_err(bad)?;
                done(&reader)?;
                s.serialize_str(value)
            }
            _ => Err(S::Error::custom(
                "a default must be nil, a bool, an int, a float or a str",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crate::encode(&DefaultValue(bytes), &mut out).unwrap();
        out
    }

    #[test]
    fn each_scalar_is_written_as_itself() {
        for bytes in [
            &[0xc0][..],
            &[0xc3],
            &[0x0a],
            &[0xff],
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
            &[0xa1, b','],
        ] {
            let out = written(bytes);
            let back: rmpv::Value = rmp_serde::from_slice(&out).unwrap();
            let expected: rmpv::Value = rmp_serde::from_slice(bytes).unwrap();
            assert_eq!(back, expected, "{bytes:x?} -> {out:x?}");
        }
    }

    #[test]
    fn anything_else_fails_to_encode() {
        let mut out = Vec::new();
        assert!(crate::encode(&DefaultValue(&[0x90]), &mut out).is_err());
        assert!(crate::encode(&DefaultValue(&[0x01, 0x02]), &mut out).is_err());
        assert!(crate::encode(&DefaultValue(&[]), &mut out).is_err());
    }
}
