use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// A parameter's or result's type as `describe` reports it (`spec/wire.md`,
/// "Type descriptors"). Built by `#[export]` from the Rust type as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TypeDesc {
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
    /// `PathBuf`, `&Path`: a UTF-8 str (`spec/wire.md`, "Paths").
    Path,
    /// `std::time::Duration`, `chrono::Duration`/`TimeDelta`, `time::Duration`,
    /// `jiff::SignedDuration`:
    /// seconds and nanoseconds (`spec/wire.md`, "Times").
    Duration,
    /// `SystemTime`, `chrono::DateTime<Tz>`, `time::OffsetDateTime`,
    /// `jiff::Timestamp`: an instant, RFC 3339 text.
    Timestamp,
    /// `chrono::NaiveDate`, `time::Date`, `jiff::civil::Date`: a calendar
    /// date, `YYYY-MM-DD`.
    Date,
    /// `chrono::NaiveDateTime`, `time::PrimitiveDateTime`,
    /// `jiff::civil::DateTime`: a date and time without an offset.
    DateTime,
    List(&'static TypeDesc),
    Tuple(&'static [TypeDesc]),
    Map(&'static TypeDesc, &'static TypeDesc),
    Option(&'static TypeDesc),
    Named(&'static str),
    /// `Callback<(A, B), R>`: parameter types and result type.
    Callback(&'static [TypeDesc], &'static TypeDesc),
    /// `AsyncCallback<(A, B), R>`: parameter types and the type it resolves to.
    AsyncCallback(&'static [TypeDesc], &'static TypeDesc),
    /// An object of an exported class (`T`, `&T`, `Arc<T>`): the class name.
    Object(&'static str),
    /// `impl Iterator<Item = T>`: the item type (`T` of `Result<T, E>` items).
    Iter(&'static TypeDesc),
    /// `impl Stream<Item = T>`: the item type (`T` of `Result<T, E>` items).
    Stream(&'static TypeDesc),
}

impl TypeDesc {
    /// Every scalar descriptor, in the order `spec/wire.md` lists them.
    pub const SCALARS: &'static [TypeDesc] = &[
        TypeDesc::Unit,
        TypeDesc::Bool,
        TypeDesc::I8,
        TypeDesc::I16,
        TypeDesc::I32,
        TypeDesc::I64,
        TypeDesc::I128,
        TypeDesc::Isize,
        TypeDesc::U8,
        TypeDesc::U16,
        TypeDesc::U32,
        TypeDesc::U64,
        TypeDesc::U128,
        TypeDesc::Usize,
        TypeDesc::F32,
        TypeDesc::F64,
        TypeDesc::Char,
        TypeDesc::Str,
        TypeDesc::Bytes,
        TypeDesc::Path,
        TypeDesc::Duration,
        TypeDesc::Timestamp,
        TypeDesc::Date,
        TypeDesc::DateTime,
    ];

    /// The descriptor string of a scalar type, `None` for composite ones.
    pub const fn scalar_name(&self) -> Option<&'static str> {
        Some(match self {
            TypeDesc::Unit => "unit",
            TypeDesc::Bool => "bool",
            TypeDesc::I8 => "i8",
            TypeDesc::I16 => "i16",
            TypeDesc::I32 => "i32",
            TypeDesc::I64 => "i64",
            TypeDesc::I128 => "i128",
            TypeDesc::Isize => "isize",
            TypeDesc::U8 => "u8",
            TypeDesc::U16 => "u16",
            TypeDesc::U32 => "u32",
            TypeDesc::U64 => "u64",
            TypeDesc::U128 => "u128",
            TypeDesc::Usize => "usize",
            TypeDesc::F32 => "f32",
            TypeDesc::F64 => "f64",
            TypeDesc::Char => "char",
            TypeDesc::Str => "str",
            TypeDesc::Bytes => "bytes",
            TypeDesc::Path => "path",
            TypeDesc::Duration => "duration",
            TypeDesc::Timestamp => "timestamp",
            TypeDesc::Date => "date",
            TypeDesc::DateTime => "datetime",
            _ => return None,
        })
    }
}

impl Serialize for TypeDesc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(name) = self.scalar_name() {
            return s.serialize_str(name);
        }
        let mut map = s.serialize_map(Some(1))?;
        match self {
            TypeDesc::List(item) => map.serialize_entry("list", item)?,
            TypeDesc::Tuple(items) => map.serialize_entry("tuple", items)?,
            TypeDesc::Map(k, v) => map.serialize_entry("map", &(k, v))?,
            TypeDesc::Option(inner) => map.serialize_entry("option", inner)?,
            TypeDesc::Named(name) => map.serialize_entry("named", name)?,
            TypeDesc::Callback(params, returns) => {
                map.serialize_entry("callback", &(params, returns))?
            }
            TypeDesc::AsyncCallback(params, returns) => {
                map.serialize_entry("async_callback", &(params, returns))?
            }
            TypeDesc::Object(class) => map.serialize_entry("object", class)?,
            TypeDesc::Iter(item) => map.serialize_entry("iter", item)?,
            TypeDesc::Stream(item) => map.serialize_entry("stream", item)?,
            _ => unreachable!("scalars returned above"),
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_like(t: &TypeDesc) -> rmpv::Value {
        rmp_serde::from_slice(&rmp_serde::to_vec(t).unwrap()).unwrap()
    }

    #[test]
    fn scalars_are_strings_and_composites_single_key_maps() {
        assert_eq!(json_like(&TypeDesc::I64).as_str(), Some("i64"));
        assert_eq!(json_like(&TypeDesc::U128).as_str(), Some("u128"));
        let v = json_like(&TypeDesc::Map(
            &TypeDesc::Str,
            &TypeDesc::List(&TypeDesc::U8),
        ));
        assert_eq!(v.to_string(), r#"{"map": ["str", {"list": "u8"}]}"#);
        let v = json_like(&TypeDesc::Tuple(&[
            TypeDesc::Bool,
            TypeDesc::Named("Point"),
        ]));
        assert_eq!(v.to_string(), r#"{"tuple": ["bool", {"named": "Point"}]}"#);
    }
}
