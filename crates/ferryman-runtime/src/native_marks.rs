//! Paths and times inside named types (`spec/wire.md`, "Paths", "Times"),
//! recognised while tracing by what their serde visitors ask for.
//!
//! serde-reflection records a `PathBuf` as a str and std's `Duration` as a
//! struct, and its made-up values (`""`, zeros) are refused by chrono's,
//! time's and jiff's types, which left a record holding one undescribed.
//! [`Marking`] wraps the tracer's deserializer: a visitor of a [`KNOWN`]
//! type is recorded as a unit struct of a reserved name (its mark) and given
//! a valid sample instead; `named_types` turns marks into the descriptors.

use serde::de::value::SeqDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use ferryman_wire::TypeDesc;

/// What a visitor asks the deserializer for.
#[derive(Debug, Clone, Copy)]
enum Asks {
    /// `deserialize_str`/`deserialize_string`, with what the visitor expects.
    Str(&'static str),
    /// `deserialize_tuple` of a length, with what the visitor expects.
    Tuple(&'static str, usize),
    /// `deserialize_struct` of a name and fields (std's, whose visitors
    /// say only `struct Name`).
    Struct(&'static str, &'static [&'static str]),
}

/// A valid value of the type, for its visitor.
#[derive(Debug, Clone, Copy)]
enum Sample {
    Str(&'static str),
    Ints(&'static [i64]),
}

/// One recognised type.
#[derive(Debug)]
pub(crate) struct Known {
    asks: Asks,
    /// The unit struct it is recorded as (never a serde name of a user type).
    mark: &'static str,
    sample: Sample,
    /// Its descriptor inside a named type (and for a signature's `named`).
    pub(crate) desc: TypeDesc,
}

/// The types with a descriptor of their own, and the ones whose made-up
/// value would fail the trace (jiff's `Span`, the times of day), kept `"str"`.
const KNOWN: &[Known] = &[
    Known {
        asks: Asks::Str("path string"),
        mark: "ferryman::native::PathBuf",
        sample: Sample::Str("/"),
        desc: TypeDesc::Path,
    },
    Known {
        asks: Asks::Struct("Duration", &["secs", "nanos"]),
        mark: "ferryman::native::std::Duration",
        sample: Sample::Ints(&[0, 0]),
        desc: TypeDesc::Duration,
    },
    Known {
        asks: Asks::Struct("SystemTime", &["secs_since_epoch", "nanos_since_epoch"]),
        mark: "ferryman::native::SystemTime",
        sample: Sample::Ints(&[0, 0]),
        desc: TypeDesc::Timestamp,
    },
    // chrono
    Known {
        asks: Asks::Str("an RFC 3339 formatted date and time string"),
        mark: "ferryman::native::chrono::DateTime",
        sample: Sample::Str("1970-01-01T00:00:00Z"),
        desc: TypeDesc::Timestamp,
    },
    Known {
        asks: Asks::Str("a formatted date string"),
        mark: "ferryman::native::chrono::NaiveDate",
        sample: Sample::Str("1970-01-01"),
        desc: TypeDesc::Date,
    },
    Known {
        asks: Asks::Str("a formatted date and time string"),
        mark: "ferryman::native::chrono::NaiveDateTime",
        sample: Sample::Str("1970-01-01T00:00:00"),
        desc: TypeDesc::DateTime,
    },
    Known {
        asks: Asks::Str("a formatted time string"),
        mark: "ferryman::native::chrono::NaiveTime",
        sample: Sample::Str("00:00:00"),
        desc: TypeDesc::Str,
    },
    // time
    Known {
        asks: Asks::Tuple("a `Duration`", 2),
        mark: "ferryman::native::time::Duration",
        sample: Sample::Ints(&[0, 0]),
        desc: TypeDesc::Duration,
    },
    Known {
        asks: Asks::Tuple("an `OffsetDateTime`", 9),
        mark: "ferryman::native::time::OffsetDateTime",
        sample: Sample::Ints(&[1970, 1, 0, 0, 0, 0, 0, 0, 0]),
        desc: TypeDesc::Timestamp,
    },
    Known {
        asks: Asks::Tuple("a `Date`", 2),
        mark: "ferryman::native::time::Date",
        sample: Sample::Ints(&[1970, 1]),
        desc: TypeDesc::Date,
    },
    Known {
        asks: Asks::Tuple("a `PrimitiveDateTime`", 6),
        mark: "ferryman::native::time::PrimitiveDateTime",
        sample: Sample::Ints(&[1970, 1, 0, 0, 0, 0]),
        desc: TypeDesc::DateTime,
    },
    // jiff
    Known {
        asks: Asks::Str("a signed duration string"),
        mark: "ferryman::native::jiff::SignedDuration",
        sample: Sample::Str("PT0S"),
        desc: TypeDesc::Duration,
    },
    Known {
        asks: Asks::Str("a timestamp string"),
        mark: "ferryman::native::jiff::Timestamp",
        sample: Sample::Str("1970-01-01T00:00:00Z"),
        desc: TypeDesc::Timestamp,
    },
    Known {
        asks: Asks::Str("a zoned datetime string"),
        mark: "ferryman::native::jiff::Zoned",
        sample: Sample::Str("1970-01-01T00:00:00+00:00[+00:00]"),
        desc: TypeDesc::Timestamp,
    },
    Known {
        asks: Asks::Str("a date string"),
        mark: "ferryman::native::jiff::civil::Date",
        sample: Sample::Str("1970-01-01"),
        desc: TypeDesc::Date,
    },
    Known {
        asks: Asks::Str("a datetime string"),
        mark: "ferryman::native::jiff::civil::DateTime",
        sample: Sample::Str("1970-01-01T00:00:00"),
        desc: TypeDesc::DateTime,
    },
    Known {
        asks: Asks::Str("a time string"),
        mark: "ferryman::native::jiff::civil::Time",
        sample: Sample::Str("00:00:00"),
        desc: TypeDesc::Str,
    },
    Known {
        asks: Asks::Str("a span duration string"),
        mark: "ferryman::native::jiff::Span",
        sample: Sample::Str("PT0S"),
        desc: TypeDesc::Str,
    },
];

/// The recognised type a mark stands for.
pub(crate) fn by_mark(name: &str) -> Option<&'static Known> {
    KNOWN.iter().find(|known| known.mark == name)
}

fn by_str(expecting: &str) -> Option<&'static Known> {
    KNOWN
        .iter()
        .find(|known| matches!(known.asks, Asks::Str(asks) if asks == expecting))
}

fn by_tuple(expecting: &str, len: usize) -> Option<&'static Known> {
    KNOWN
        .iter()
        .find(|known| matches!(known.asks, Asks::Tuple(asks, n) if asks == expecting && n == len))
}

fn by_struct(name: &str, fields: &[&str]) -> Option<&'static Known> {
    KNOWN.iter().find(
        |known| matches!(known.asks, Asks::Struct(asks, names) if asks == name && names == fields),
    )
}

impl Known {
    /// `visitor`'s value from the sample.
    pub(crate) fn feed<'de, V: Visitor<'de>, E: de::Error>(
        &self,
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.sample {
            Sample::Str(text) => visitor.visit_str(text),
            Sample::Ints(ints) => {
                visitor.visit_seq(SeqDeserializer::<_, E>::new(ints.iter().copied()))
            }
        }
    }

    /// Records the mark where the value is, and gives `visitor` the sample.
    fn mark<'de, D: Deserializer<'de>, V: Visitor<'de>>(
        &'static self,
        inner: D,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        inner.deserialize_unit_struct(
            self.mark,
            Marked {
                known: self,
                visitor,
            },
        )
    }
}

fn expecting(visitor: &dyn de::Expected) -> String {
    visitor.to_string()
}

/// The unit struct's visitor: gives the real visitor the sample.
struct Marked<V> {
    known: &'static Known,
    visitor: V,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Marked<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.known.feed(self.visitor)
    }
}

/// A deserializer (or seed, visitor, access) whose nested deserializers are
/// wrapped too, so that a known type is marked at any depth.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marking<T>(pub(crate) T);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Marking<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Marking(deserializer))
    }
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(Marking(visitor))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Marking<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        match by_str(&expecting(&visitor)) {
            Some(known) => known.mark(self.0, visitor),
            None => self.0.deserialize_str(Marking(visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        match by_str(&expecting(&visitor)) {
            Some(known) => known.mark(self.0, visitor),
            None => self.0.deserialize_string(Marking(visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        match by_tuple(&expecting(&visitor), len) {
            Some(known) => known.mark(self.0, visitor),
            None => self.0.deserialize_tuple(len, Marking(visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        match by_struct(name, fields) {
            Some(known) => known.mark(self.0, visitor),
            None => self.0.deserialize_struct(name, fields, Marking(visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, Marking(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Marking(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Marking(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Marking(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(self, value: $ty) -> Result<V::Value, E> {
                self.0.$method(value)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Marking<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }

    visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Marking(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Marking(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Marking(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Marking(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Marking(data))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Marking<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(Marking(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Marking<A> {
    type Error = A::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_key_seed(Marking(seed))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(Marking(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Marking<A> {
    type Error = A::Error;
    type Variant = Marking<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Marking<A::Variant>), A::Error> {
        let (value, variant) = self.0.variant_seed(Marking(seed))?;
        Ok((value, Marking(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Marking<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(Marking(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Marking(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Marking(visitor))
    }
}

/// Deserializes `T` through [`Marking`]: the seed `named_types` traces with.
pub(crate) struct MarkedType<T>(std::marker::PhantomData<T>);

impl<T> MarkedType<T> {
    pub(crate) fn new() -> Self {
        MarkedType(std::marker::PhantomData)
    }
}

impl<T> Clone for MarkedType<T> {
    fn clone(&self) -> Self {
        MarkedType::new()
    }
}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for MarkedType<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(Marking(deserializer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_reflection::{ContainerFormat, Format, Samples, Tracer, TracerConfig};
    use std::path::PathBuf;
    use std::time::{Duration, SystemTime};

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Entry {
        path: PathBuf,
        age: Option<Duration>,
        at: Vec<SystemTime>,
        name: String,
    }

    /// Each field's format, as `named_types` sees it.
    fn fields() -> Vec<(String, Format)> {
        let samples = Samples::new();
        let mut tracer = Tracer::new(TracerConfig::default());
        tracer
            .trace_type_with_seed(&samples, MarkedType::<Entry>::new())
            .unwrap();
        let registry = tracer.registry().unwrap();
        let Some(ContainerFormat::Struct(fields)) = registry.get("Entry") else {
            panic!("Entry not traced as a struct: {registry:?}");
        };
        fields
            .iter()
            .map(|field| (field.name.clone(), field.value.clone()))
            .collect()
    }

    #[test]
    fn std_paths_and_times_are_marked_at_depth() {
        let mark = |name: &str| Format::TypeName(name.to_owned());
        assert_eq!(
            fields(),
            vec![
                ("path".to_owned(), mark("ferryman::native::PathBuf")),
                (
                    "age".to_owned(),
                    Format::Option(Box::new(mark("ferryman::native::std::Duration")))
                ),
                (
                    "at".to_owned(),
                    Format::Seq(Box::new(mark("ferryman::native::SystemTime")))
                ),
                ("name".to_owned(), Format::Str),
            ]
        );
        assert_eq!(
            by_mark("ferryman::native::SystemTime").map(|known| known.desc),
            Some(TypeDesc::Timestamp)
        );
    }

    #[test]
    fn a_struct_only_named_like_std_duration_is_not_marked() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Duration {
            seconds: u64,
        }
        let samples = Samples::new();
        let mut tracer = Tracer::new(TracerConfig::default());
        let (format, _) = tracer
            .trace_type_with_seed(&samples, MarkedType::<Duration>::new())
            .unwrap();
        assert_eq!(format, Format::TypeName("Duration".to_owned()));
    }

    /// Every recognised type is named in `spec/wire.md`'s "Times" (drift).
    #[test]
    fn the_spec_names_every_recognised_type() {
        let spec = include_str!("../../../spec/wire.md");
        let times =
            &spec[spec.find("## Times").unwrap()..spec.find("## Arrays from buffers").unwrap()];
        for known in KNOWN {
            let path = known.mark.strip_prefix("ferryman::native::").unwrap();
            let name = ["std::", "chrono::", "time::", "jiff::"]
                .iter()
                .find_map(|krate| path.strip_prefix(krate))
                .unwrap_or(path);
            assert!(
                times.contains(&format!("`{name}`")),
                "spec/wire.md, \"Times\", does not name `{name}`"
            );
        }
    }
}
