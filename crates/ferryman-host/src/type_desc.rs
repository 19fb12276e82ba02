//! Type descriptors (`spec/wire.md`, "Type descriptors") read back from their
//! MessagePack form.

use crate::shape_error::{Context, ShapeError};
use crate::value::Value;
use ferryman_wire::reader::{Kind, Reader};

/// A parameter's or result's type as describe reports it.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Type {
    Unit,
    Bool,
    I8,
    I16,
    I32,
    I64,
    I128,
    Isize,
    U8,
    U16,
    U32,
    U64,
    U128,
    Usize,
    F32,
    F64,
    Char,
    Str,
    Bytes,
    /// `"path"`: a UTF-8 str naming a file system path.
    Path,
    /// `"duration"`: `[secs, nanos]` (or `{"secs", "nanos"}` or ISO 8601
    /// `PT…S` text in results).
    Duration,
    /// `"timestamp"`: an instant, RFC 3339 text (or `SystemTime`'s
    /// `{"secs_since_epoch", "nanos_since_epoch"}` or `time`'s 9 ints in
    /// results).
    Timestamp,
    /// `"date"`: `YYYY-MM-DD` (or `time`'s `[year, day of year]` in results).
    Date,
    /// `"datetime"`: `YYYY-MM-DDTHH:MM:SS[.fffffffff]`, no offset (or
    /// `time`'s 6 ints in results).
    DateTime,
    List(Box<Type>),
    Tuple(Vec<Type>),
    Map(Box<Type>, Box<Type>),
    Option(Box<Type>),
    /// A user struct or enum: its entry in describe's `types`, when listed.
    Named(String),
    /// `Callback<(A, B), R>`: the parameter types and the result type.
    Callback(Vec<Type>, Box<Type>),
    /// An exported class's object (`T`, `&T`, `Arc<T>`): extension 5.
    Object(String),
    /// A lazy iterator of `T`: a library closure that yields batches.
    Iter(Box<Type>),
    /// A descriptor this crate does not know: "any value" (`spec/wire.md`).
    Unknown(Value),
}

impl Type {
    /// The type of a scalar descriptor string.
    pub fn scalar(name: &str) -> Option<Type> {
        Some(match name {
            "unit" => Type::Unit,
            "bool" => Type::Bool,
            "i8" => Type::I8,
            "i16" => Type::I16,
            "i32" => Type::I32,
            "i64" => Type::I64,
            "i128" => Type::I128,
            "isize" => Type::Isize,
            "u8" => Type::U8,
            "u16" => Type::U16,
            "u32" => Type::U32,
            "u64" => Type::U64,
            "u128" => Type::U128,
            "usize" => Type::Usize,
            "f32" => Type::F32,
            "f64" => Type::F64,
            "char" => Type::Char,
            "str" => Type::Str,
            "bytes" => Type::Bytes,
            "path" => Type::Path,
            "duration" => Type::Duration,
            "timestamp" => Type::Timestamp,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            _ => return None,
        })
    }

    /// Reads the descriptor at the cursor (at nesting `level`). Well-formed
    /// MessagePack that is no descriptor this crate knows is [`Type::Unknown`].
    pub fn read(
        reader: &mut Reader<'_>,
        level: usize,
        context: &dyn Fn() -> String,
    ) -> Result<Type, ShapeError> {
        let start = reader.clone();
        let known = Type::read_known(reader, level, context)?;
        if let Some(known) = known {
            return Ok(known);
        }
        *reader = start;
        Ok(Type::Unknown(Value::read(reader, level).context(context)?))
    }

    /// The descriptor, or `None` (cursor anywhere) when it is not one known.
    fn read_known(
        reader: &mut Reader<'_>,
        level: usize,
        context: &dyn Fn() -> String,
    ) -> Result<Option<Type>, ShapeError> {
        match reader.peek_kind().context(context)? {
            Kind::Str => return Ok(Type::scalar(reader.str().context(context)?)),
            Kind::Map => {}
            _ => return Ok(None),
        }
        reader.check_level(level).context(context)?;
        if reader.map_len().context(context)? != 1 || reader.peek_kind().ok() != Some(Kind::Str) {
            return Ok(None);
        }
        let inner = level + 1;
        let ty = match reader.str().context(context)? {
            "list" => Type::List(Box::new(Type::read(reader, inner, context)?)),
            "option" => Type::Option(Box::new(Type::read(reader, inner, context)?)),
            "named" => match reader.str() {
                Ok(name) => Type::Named(name.to_owned()),
                Err(_) => return Ok(None),
            },
            "object" => match reader.str() {
                Ok(name) => Type::Object(name.to_owned()),
                Err(_) => return Ok(None),
            },
            "iter" => Type::Iter(Box::new(Type::read(reader, inner, context)?)),
            "tuple" => Type::Tuple(Type::read_list(reader, inner, context)?),
            "map" => match <[Type; 2]>::try_from(Type::read_list(reader, inner, context)?) {
                Ok([key, value]) => Type::Map(Box::new(key), Box::new(value)),
                Err(_) => return Ok(None),
            },
            "callback" => {
                if reader.array_len().ok() != Some(2) {
                    return Ok(None);
                }
                let params = Type::read_list(reader, inner + 1, context)?;
                Type::Callback(params, Box::new(Type::read(reader, inner + 1, context)?))
            }
            _ => return Ok(None),
        };
        Ok(Some(ty))
    }

    /// An array of descriptors (at nesting `level`).
    pub(crate) fn read_list(
        reader: &mut Reader<'_>,
        level: usize,
        context: &dyn Fn() -> String,
    ) -> Result<Vec<Type>, ShapeError> {
        reader.check_level(level).context(context)?;
        let len = reader.array_len().context(context)?;
        let mut items = Vec::with_capacity(len.min(reader.rest().len()));
        for _ in 0..len {
            items.push(Type::read(reader, level + 1, context)?);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Type {
        let mut reader = Reader::new(bytes);
        let ty = Type::read(&mut reader, 1, &|| "test".to_owned()).unwrap();
        reader.finish().unwrap();
        ty
    }

    #[test]
    fn scalars_and_composites() {
        assert_eq!(read(b"\xa3i64"), Type::I64);
        assert_eq!(read(b"\xa4path"), Type::Path);
        assert_eq!(read(b"\xa8duration"), Type::Duration);
        assert_eq!(read(b"\xa9timestamp"), Type::Timestamp);
        assert_eq!(read(b"\xa4date"), Type::Date);
        assert_eq!(read(b"\xa8datetime"), Type::DateTime);
        // {"map": ["str", {"list": "u8"}]}
        let map = b"\x81\xa3map\x92\xa3str\x81\xa4list\xa2u8";
        assert_eq!(
            read(map),
            Type::Map(
                Box::new(Type::Str),
                Box::new(Type::List(Box::new(Type::U8)))
            )
        );
        // {"callback": [["i64"], {"named": "Point"}]}
        let callback = b"\x81\xa8callback\x92\x91\xa3i64\x81\xa5named\xa5Point";
        assert_eq!(
            read(callback),
            Type::Callback(vec![Type::I64], Box::new(Type::Named("Point".into())))
        );
    }

    #[test]
    fn objects_and_iterators() {
        assert_eq!(
            read(b"\x81\xa6object\xa9Tokenizer"),
            Type::Object("Tokenizer".into())
        );
        assert_eq!(
            read(b"\x81\xa4iter\xa3str"),
            Type::Iter(Box::new(Type::Str))
        );
    }

    #[test]
    fn unknown_descriptors_are_kept_whole() {
        assert_eq!(read(b"\xa4f128"), Type::Unknown(Value::Str("f128".into())));
        let odd = b"\x81\xa3set\xa3i64";
        assert_eq!(
            read(odd),
            Type::Unknown(Value::Map(vec![(
                Value::Str("set".into()),
                Value::Str("i64".into())
            )]))
        );
        assert_eq!(read(b"\x07"), Type::Unknown(Value::Int(7)));
    }
}
