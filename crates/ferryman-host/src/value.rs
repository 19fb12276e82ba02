//! Any MessagePack value as an owned tree: what an error value's `fields`,
//! unknown describe keys and the like hold when no schema says more.

use ferryman_abi::EXT_BIG_INT;
use ferryman_wire::reader::{Int, Kind, Problem, ReadError, Reader};
use ferryman_wire::BigInt;

/// One MessagePack value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    /// Every int, and every big integer (extension 4) that fits `i128`.
    Int(i128),
    /// A big integer above `i128::MAX` (a `u128`).
    UInt(u128),
    F32(f32),
    F64(f64),
    Str(String),
    Bin(Vec<u8>),
    Array(Vec<Value>),
    /// Key-value pairs in the order they came; keys may be any value.
    Map(Vec<(Value, Value)>),
    /// An extension other than big integers: its type and payload.
    Ext(i8, Vec<u8>),
}

impl Value {
    /// Reads one whole value at the cursor, which sits at nesting `level`
    /// (1 for a value of its own; containers inside count on from there).
    pub fn read(reader: &mut Reader<'_>, level: usize) -> Result<Value, ReadError> {
        Ok(match reader.peek_kind()? {
            Kind::Nil => {
                reader.nil()?;
                Value::Nil
            }
            Kind::Bool => Value::Bool(reader.bool()?),
            Kind::Int => Value::Int(reader.int()?.as_i128()),
            Kind::Float => match reader.peek()? {
                0xca => Value::F32(reader.f32()?),
                _ => Value::F64(reader.f64()?),
            },
            Kind::Str => Value::Str(reader.str()?.to_owned()),
            Kind::Bin => Value::Bin(reader.bin()?.to_vec()),
            Kind::Array => {
                reader.check_level(level)?;
                let len = reader.array_len()?;
                let mut items = Vec::with_capacity(len.min(reader.rest().len()));
                for _ in 0..len {
                    items.push(Value::read(reader, level + 1)?);
                }
                Value::Array(items)
            }
            Kind::Map => {
                reader.check_level(level)?;
                let len = reader.map_len()?;
                let mut entries = Vec::with_capacity(len.min(reader.rest().len() / 2));
                for _ in 0..len {
                    let key = Value::read(reader, level + 1)?;
                    entries.push((key, Value::read(reader, level + 1)?));
                }
                Value::Map(entries)
            }
            Kind::Ext => {
                let (tag, ..) = reader.peek_ext()?;
                if tag == EXT_BIG_INT {
                    match reader.integer()? {
                        BigInt::Signed(n) => Value::Int(n),
                        BigInt::Unsigned(n) => Value::UInt(n),
                    }
                } else {
                    let ext = reader.ext()?;
                    Value::Ext(ext.tag, ext.payload.to_vec())
                }
            }
            Kind::Reserved => return Err(reader.error(Problem::Reserved)),
        })
    }

    /// `bytes`, which must hold exactly one value.
    pub fn decode(bytes: &[u8]) -> Result<Value, ReadError> {
        let mut reader = Reader::new(bytes);
        let value = Value::read(&mut reader, 1)?;
        reader.finish()?;
        Ok(value)
    }

    /// Appends this value's MessagePack to `out` (an int beyond 64 bits as
    /// extension 4): how a host sends a describe `default` back.
    pub fn encode(&self, out: &mut Vec<u8>) {
        use rmp::encode as mp;
        // Writing into a Vec cannot fail.
        let _ = match self {
            Value::Nil => mp::write_nil(out).map_err(drop),
            Value::Bool(b) => mp::write_bool(out, *b).map_err(drop),
            Value::Int(n) => match (i64::try_from(*n), u64::try_from(*n)) {
                (_, Ok(n)) => mp::write_uint(out, n).map(drop).map_err(drop),
                (Ok(n), _) => mp::write_sint(out, n).map(drop).map_err(drop),
                _ => {
                    out.extend_from_slice(&[0xd8, EXT_BIG_INT as u8]);
                    out.extend_from_slice(&n.to_be_bytes());
                    Ok(())
                }
            },
            Value::UInt(n) => {
                out.extend_from_slice(&[0xc7, 17, EXT_BIG_INT as u8, 0]);
                out.extend_from_slice(&n.to_be_bytes());
                Ok(())
            }
            Value::F32(x) => mp::write_f32(out, *x).map_err(drop),
            Value::F64(x) => mp::write_f64(out, *x).map_err(drop),
            Value::Str(text) => mp::write_str(out, text).map_err(drop),
            Value::Bin(bytes) => mp::write_bin(out, bytes).map_err(drop),
            Value::Array(items) => {
                let _ = mp::write_array_len(out, items.len() as u32);
                items.iter().for_each(|item| item.encode(out));
                Ok(())
            }
            Value::Map(entries) => {
                let _ = mp::write_map_len(out, entries.len() as u32);
                for (key, value) in entries {
                    key.encode(out);
                    value.encode(out);
                }
                Ok(())
            }
            Value::Ext(tag, payload) => mp::write_ext_meta(out, payload.len() as u32, *tag)
                .map(|_| out.extend_from_slice(payload))
                .map_err(drop),
        };
    }

    /// The text of a str.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value of an int that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(n) => i64::try_from(*n).ok(),
            _ => None,
        }
    }

    /// The value under the str key `key` of a map (the last one, if the key
    /// is given twice).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl From<Int> for Value {
    fn from(int: Int) -> Value {
        Value::Int(int.as_i128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_kind() {
        // {"a": [nil, true, -1, 1.5f32, b"x", ext 9 [1]], 2**64 (ext 4): "k"}
        let mut bytes = vec![0x82, 0xa1, b'a', 0x96, 0xc0, 0xc3, 0xff];
        bytes.extend_from_slice(&[0xca, 0x3f, 0xc0, 0, 0, 0xc4, 0x01, b'x', 0xd4, 0x09, 0x01]);
        bytes.extend_from_slice(&[0xd8, 0x04]);
        bytes.extend_from_slice(&(1i128 << 64).to_be_bytes());
        bytes.extend_from_slice(&[0xa1, b'k']);
        let value = Value::decode(&bytes).unwrap();
        assert_eq!(
            value.get("a"),
            Some(&Value::Array(vec![
                Value::Nil,
                Value::Bool(true),
                Value::Int(-1),
                Value::F32(1.5),
                Value::Bin(b"x".to_vec()),
                Value::Ext(9, vec![1]),
            ]))
        );
        let Value::Map(entries) = &value else {
            panic!("a map")
        };
        assert_eq!(entries[1].0, Value::Int(1 << 64));
        let mut max = vec![0xc7, 0x11, 0x04, 0x00];
        max.extend_from_slice(&[0xff; 16]);
        assert_eq!(Value::decode(&max).unwrap(), Value::UInt(u128::MAX));
        // Every kind encodes back to a value that decodes the same.
        let mut again = Vec::new();
        value.encode(&mut again);
        assert_eq!(Value::decode(&again).unwrap(), value);
        for value in [
            Value::UInt(u128::MAX),
            Value::Int(i128::MIN),
            Value::Int(-5),
            Value::Int(i64::MIN.into()),
            Value::Int(u64::MAX.into()),
            Value::F64(0.25),
            Value::Str("text".to_owned()),
        ] {
            let mut bytes = Vec::new();
            value.encode(&mut bytes);
            assert_eq!(Value::decode(&bytes).unwrap(), value);
        }
    }

    #[test]
    fn refuses_what_is_not_one_value() {
        let error = Value::decode(&[0x91, 0xa2, b'x']).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the MessagePack value ends early (at byte 1)"
        );
        assert!(Value::decode(&[0xc0, 0xc0]).is_err());
        let deep = [vec![0x91; ferryman_wire::MAX_DEPTH + 1], vec![0xc0]].concat();
        assert_eq!(Value::decode(&deep).unwrap_err().problem, Problem::TooDeep);
    }
}
