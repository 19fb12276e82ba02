//! The handshake map (`spec/wire.md`, "Handshake") as a Rust value.

use crate::keyed::{keep, opt_uint, read_map, string};
use crate::shape_error::{Context, ShapeError};
use crate::value::Value;
use ferryman_wire::reader::Reader;

/// Who a library is and what it speaks: the keys the handshake and describe
/// share.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// `abi`: the ABI version, when given.
    pub abi: Option<u32>,
    /// `wire`: the wire version, when given (a host refuses other versions).
    pub wire: Option<u32>,
    /// `ferryman`: the version of ferryman the library was built with.
    pub ferryman: String,
    /// `library`: the Cargo package name of the library.
    pub library: String,
    /// `library_version`: its version.
    pub library_version: String,
    /// `lent_bytes`: whether arguments may hold lent bytes (extension 3).
    pub lent_bytes: bool,
    /// `lent_slices`: whether arguments may hold lent slices (extension 3
    /// naming an item type).
    pub lent_slices: bool,
}

impl Identity {
    /// Reads `key` when it is one of the identity keys: `Ok(true)`.
    pub(crate) fn read_key(
        &mut self,
        key: &str,
        reader: &mut Reader<'_>,
        context: &dyn Fn() -> String,
    ) -> Result<bool, ShapeError> {
        let at = || format!("{} key `{key}`", context());
        match key {
            "abi" => self.abi = opt_uint(reader, at)?,
            "wire" => self.wire = opt_uint(reader, at)?,
            "ferryman" => self.ferryman = string(reader, at)?,
            "library" => self.library = string(reader, at)?,
            "library_version" => self.library_version = string(reader, at)?,
            "lent_bytes" => self.lent_bytes = !reader.try_nil() && reader.bool().context(at)?,
            "lent_slices" => self.lent_slices = !reader.try_nil() && reader.bool().context(at)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// What `ferryman_handshake` returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Handshake {
    /// The library's identity and versions.
    pub identity: Identity,
    /// `functions`: how many functions the library exports.
    pub functions: usize,
    /// Keys this crate does not know, kept as they came.
    pub extra: Vec<(String, Value)>,
}

impl Handshake {
    /// Decodes `bytes`, which must hold exactly the handshake map.
    pub fn decode(bytes: &[u8]) -> Result<Handshake, ShapeError> {
        let mut reader = Reader::new(bytes);
        let mut handshake = Handshake::default();
        let context = || "handshake".to_owned();
        read_map(&mut reader, 1, &context, |key, r| {
            if handshake.identity.read_key(key, r, &context)? {
                return Ok(());
            }
            let at = || format!("handshake key `{key}`");
            match key {
                "functions" => handshake.functions = opt_uint(r, at)?.unwrap_or(0),
                _ => keep(r, 2, key, &mut handshake.extra, at)?,
            }
            Ok(())
        })?;
        reader.finish().context(context)?;
        Ok(handshake)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example_and_keeps_new_keys() {
        // {"abi": 1, "wire": 1, "ferryman": "0.1.0", "library": "f",
        //  "library_version": "0.2", "functions": 3, "lent_bytes": true, "new": nil}
        let bytes = b"\x88\xa3abi\x01\xa4wire\x01\xa8ferryman\xa50.1.0\xa7library\xa1f\
\xafLibrary_version\xa30.2\xa9functions\x03\xaalent_bytes\xc3\xa3new\xc0";
        let mut bytes = bytes.to_vec();
        let at = bytes.iter().position(|&b| b == b'L').unwrap();
        bytes[at] = b'l';
        let handshake = Handshake::decode(&bytes).unwrap();
        assert_eq!(
            handshake.identity,
            Identity {
                abi: Some(1),
                wire: Some(1),
                ferryman: "0.1.0".into(),
                library: "f".into(),
                library_version: "0.2".into(),
                lent_bytes: true,
                lent_slices: false,
            }
        );
        assert_eq!(handshake.functions, 3);
        assert_eq!(handshake.extra, vec![("new".to_owned(), Value::Nil)]);
    }

    #[test]
    fn a_wire_that_is_not_a_number_is_named() {
        let error = Handshake::decode(b"\x81\xa4wire\xa1x").unwrap_err();
        assert_eq!(
            error.to_string(),
            "handshake key `wire`: expected an int, but found a str (at byte 6)"
        );
    }
}
