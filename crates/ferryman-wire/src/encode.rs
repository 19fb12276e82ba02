use crate::encode_compound::{Compound, Map, Seq};
use crate::limits::MAX_DEPTH;
use crate::out::Out;
use crate::scalar::Encoded;
use serde::ser;
use serde::Serialize;

/// A result that would not encode (a `Serialize` impl that failed, say).
#[derive(Debug, thiserror::Error)]
#[error("the result could not be encoded as MessagePack: {0}")]
pub struct EncodeError(#[from] rmp_serde::encode::Error);

/// Writes `value` as one MessagePack value, structs as maps keyed by field name
/// (`spec/wire.md`), so every host sees the same shape.
///
/// The encoding is rmp-serde's (`to_vec_named`) with three differences the
/// spec asks for: a sequence of `u8` at any depth is bin, not an array of ints
/// ("Byte sequences at any depth"); `i128`/`u128` are ints, or extension 4
/// beyond 64 bits ("Big integers"); a sequence or map of unknown length is
/// written with its real length. Scalars are written straight into `out`.
#[inline]
pub fn encode<T: Serialize + ?Sized, W: Out>(value: &T, out: W) -> Result<(), EncodeError> {
    let mut encoder = Encoder::new(out);
    encoder.next_is::<T>();
    value.serialize(&mut encoder)?;
    Ok(())
}

pub(crate) type Error = rmp_serde::encode::Error;

/// The serializer: where the bytes go, and — made on first use, so that a
/// scalar result costs nothing for them — the byte sequence being collected
/// and the contents held back for sequences and maps of unknown length.
pub(crate) struct Encoder<W> {
    out: W,
    extra: Option<Box<Extra>>,
    /// The value being serialized is a standard byte container (by its static
    /// type): the sequence it starts is bytes, even when empty.
    byte_container: bool,
    /// How many arrays and maps enclose what is written next: a writer keeps
    /// `MAX_DEPTH` too (`spec/wire.md`, "Limits"), and stopping there also
    /// bounds the recursion through a deep value's `Serialize` impls.
    depth: usize,
}

#[derive(Default)]
struct Extra {
    /// The bytes of the byte sequence being collected: at most one at a time
    /// (see [`crate::encode_compound`]).
    scratch: Vec<u8>,
    /// The contents of the sequences and maps of unknown length being
    /// written, innermost last: their header, which holds the length, goes
    /// before them once they end.
    unknown: Vec<Vec<u8>>,
}

impl<W: Out> Encoder<W> {
    #[inline]
    pub(crate) fn new(out: W) -> Self {
        Encoder {
            out,
            extra: None,
            byte_container: false,
            depth: 0,
        }
    }

    /// An array or map starts: what it holds is one level deeper.
    #[inline]
    pub(crate) fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep());
        }
        Ok(())
    }

    /// The array or map [`Encoder::enter`] started has ended.
    #[inline]
    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// An array or map that holds nothing (an empty sequence, a unit struct)
    /// is one level deeper than where it is written.
    #[inline]
    pub(crate) fn empty_container(&mut self) -> Result<(), Error> {
        self.enter()?;
        self.leave();
        Ok(())
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The buffer of the byte sequence being collected.
    #[inline]
    pub(crate) fn scratch(&mut self) -> &mut Vec<u8> {
        &mut self.extra().scratch
    }

    /// Notes the static type of the value about to be serialized (free
    /// unless it is a byte container: [`crate::byte_type`]).
    #[inline(always)]
    pub(crate) fn next_is<T: ?Sized>(&mut self) {
        if crate::byte_type::is_byte_container::<T>() {
            self.byte_container = true;
        }
    }

    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        match self
            .extra
            .as_mut()
            .and_then(|extra| extra.unknown.last_mut())
        {
            None => self.out.write_all(bytes).map_err(write_error),
            Some(contents) => {
                contents.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    /// Writes a short encoded scalar or header: one fixed-size store (see
    /// [`crate::out`]).
    #[inline(always)]
    pub(crate) fn put_encoded(&mut self, encoded: Encoded) -> Result<(), Error> {
        match self
            .extra
            .as_mut()
            .and_then(|extra| extra.unknown.last_mut())
        {
            None => {
                let (word, len) = encoded.word();
                self.out.put_word(word, len).map_err(write_error)
            }
            Some(contents) => {
                contents.extend_from_slice(encoded.as_slice());
                Ok(())
            }
        }
    }

    #[inline]
    pub(crate) fn put_sized(&mut self, header: Encoded, payload: &[u8]) -> Result<(), Error> {
        self.put_encoded(header)?;
        self.put(payload)
    }

    /// A str: short text (8 bytes at most) and its header make one word,
    /// one store and no `memcpy` call. Inlined always, so that a struct's
    /// field name, a constant where the derived `Serialize` is built, is
    /// written as one constant word.
    #[inline(always)]
    pub(crate) fn str_value(&mut self, v: &str) -> Result<(), Error> {
        if let Some(encoded) = crate::scalar::short_str(v) {
            return self.put_encoded(encoded);
        }
        let len = u32::try_from(v.len()).map_err(|_| too_long("a string"))?;
        self.put_sized(crate::scalar::str_header(len), v.as_bytes())
    }

    /// The header of an array of `len` elements.
    #[inline]
    pub(crate) fn array_header(&mut self, len: usize) -> Result<(), Error> {
        let len = u32::try_from(len).map_err(|_| too_long("a sequence"))?;
        self.put_encoded(crate::scalar::array_header(len))
    }

    /// The header of a map of `len` entries.
    #[inline]
    pub(crate) fn map_header(&mut self, len: usize) -> Result<(), Error> {
        let len = u32::try_from(len).map_err(|_| too_long("a map"))?;
        self.put_encoded(crate::scalar::map_header(len))
    }

    /// A sequence of numbers: the array (never bin: these are not `u8`s)
    /// serializing each element would write, and the same depth check.
    #[inline]
    fn numbers<N: Number>(&mut self, items: &[N]) -> Result<(), Error> {
        self.byte_container = false;
        self.enter()?;
        self.array_header(items.len())?;
        match self
            .extra
            .as_mut()
            .and_then(|extra| extra.unknown.last_mut())
        {
            None => self
                .out
                .put_all(items, |item| item.encoded())
                .map_err(write_error)?,
            Some(contents) => {
                for &item in items {
                    contents.extend_from_slice(item.encoded().as_slice());
                }
            }
        }
        self.leave();
        Ok(())
    }

    /// Starts the contents of a sequence or map of unknown length: what is
    /// written next is held back until [`Encoder::end_unknown`].
    pub(crate) fn begin_unknown(&mut self) {
        self.extra().unknown.push(Vec::new());
    }

    /// Writes the header `header(count)` and the contents held back since the
    /// matching [`Encoder::begin_unknown`].
    pub(crate) fn end_unknown(
        &mut self,
        count: usize,
        header: fn(&mut Self, usize) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let contents = self.extra().unknown.pop().unwrap_or_default();
        header(self, count)?;
        self.put(&contents)
    }

    /// A MessagePack extension value (a callable, lent bytes), as rmp-serde
    /// writes it.
    fn extension<T: ?Sized + Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        use serde::Serializer as _;
        if self
            .extra
            .as_ref()
            .is_none_or(|extra| extra.unknown.is_empty())
        {
            return rmp_serde::Serializer::new(&mut self.out).serialize_newtype_struct(name, value);
        }
        let mut bytes = Vec::new();
        rmp_serde::Serializer::new(&mut bytes).serialize_newtype_struct(name, value)?;
        self.put(&bytes)
    }
}

/// A number type whose elements [`Encoder::numbers`] writes: each as its
/// `Serialize` impl would have this encoder write it.
trait Number: Copy {
    fn encoded(self) -> Encoded;
}

macro_rules! number {
    ($($ty:ty => $encode:expr),* $(,)?) => {$(
        impl Number for $ty {
            #[inline(always)]
            fn encoded(self) -> Encoded {
                $encode(self)
            }
        }
    )*};
}

number!(
    i64 => crate::scalar::int,
    i32 => |n| crate::scalar::int(i64::from(n)),
    i16 => |n| crate::scalar::int(i64::from(n)),
    i8 => |n| crate::scalar::int(i64::from(n)),
    u64 => crate::scalar::uint,
    u32 => |n| crate::scalar::uint(u64::from(n)),
    u16 => |n| crate::scalar::uint(u64::from(n)),
    f64 => crate::scalar::f64,
    f32 => crate::scalar::f32,
);

fn write_error(e: std::io::Error) -> Error {
    Error::InvalidValueWrite(rmp::encode::ValueWriteError::InvalidDataWrite(e))
}

pub(crate) fn too_long(what: &str) -> Error {
    Error::Syntax(format!("{what} longer than 4 GiB"))
}

fn too_deep() -> Error {
    Error::Syntax(format!("values nested deeper than {MAX_DEPTH} levels"))
}

impl<'a, W: Out> serde::Serializer for &'a mut Encoder<W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Map<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    #[inline]
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.put(&[0xc2 | u8::from(v)])
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(i64::from(v))
    }
    #[inline]
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.put_encoded(crate::scalar::int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(u64::from(v))
    }
    #[inline]
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.put_encoded(crate::scalar::uint(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.put(crate::big_int::encode_i128(v).as_slice())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.put(crate::big_int::encode_u128(v).as_slice())
    }
    #[inline]
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.put_encoded(crate::scalar::f32(v))
    }
    #[inline]
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.put_encoded(crate::scalar::f64(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0u8; 4]))
    }
    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.str_value(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let len = u32::try_from(v.len()).map_err(|_| too_long("a byte string"))?;
        self.put_sized(crate::scalar::bin_header(len), v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.put(&[0xc0])
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        self.next_is::<T>();
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.put(&[0xc0])
    }
    /// An empty array, as rmp-serde writes it.
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.empty_container()?;
        self.put(&[0x90])
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name == rmp_serde::MSGPACK_EXT_STRUCT_NAME {
            return self.extension(name, value);
        }
        self.next_is::<T>();
        value.serialize(self)
    }
    /// `{"Variant": value}`.
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.enter()?;
        self.put(&[0x81])?;
        self.serialize_str(variant)?;
        self.next_is::<T>();
        value.serialize(&mut *self)?;
        self.leave();
        Ok(())
    }
    /// A `Vec` or slice of numbers (not `u8`: bytes) as one loop of
    /// scalars; anything else as serde's default does it, element by element.
    #[inline]
    fn collect_seq<I>(self, iter: I) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        macro_rules! numbers {
            ($($ty:ty),*) => {$(
                if typeid::of::<I>() == typeid::of::<&Vec<$ty>>() {
                    // SAFETY: `I` is `&Vec<$ty>`: their type ids are equal, and ids
                    // differ only in lifetimes; the reference is copied, and lives
                    // as long as `iter`, which outlives its use here.
                    let items: &Vec<$ty> = unsafe { std::mem::transmute_copy(&iter) };
                    return self.numbers(items);
                }
                if typeid::of::<I>() == typeid::of::<&[$ty]>() {
                    // SAFETY: as above, for `&[$ty]`.
                    let items: &[$ty] = unsafe { std::mem::transmute_copy(&iter) };
                    return self.numbers(items);
                }
            )*};
        }
        numbers!(i64, f64, i32, u64, u32, i16, u16, i8, f32);
        // serde's default.
        let iter = iter.into_iter();
        let len = match iter.size_hint() {
            (lo, Some(hi)) if lo == hi => Some(lo),
            _ => None,
        };
        let mut seq = self.serialize_seq(len)?;
        for item in iter {
            ser::SerializeSeq::serialize_element(&mut seq, &item)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a, W>, Error> {
        let bytes = std::mem::take(&mut self.byte_container);
        Ok(Seq::new(self, len, bytes))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, W>, Error> {
        self.enter()?;
        self.array_header(len)?;
        Ok(Compound(self))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a, W>, Error> {
        self.enter()?;
        self.array_header(len)?;
        Ok(Compound(self))
    }
    /// `{"Variant": [elements]}`.
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, W>, Error> {
        self.enter()?;
        self.put(&[0x81])?;
        self.serialize_str(variant)?;
        self.enter()?;
        self.array_header(len)?;
        Ok(Compound(self))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map<'a, W>, Error> {
        Map::new(self, len)
    }
    /// A map keyed by field name.
    #[inline]
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a, W>, Error> {
        self.enter()?;
        self.map_header(len)?;
        Ok(Compound(self))
    }
    /// `{"Variant": {fields}}`.
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, W>, Error> {
        self.enter()?;
        self.put(&[0x81])?;
        self.serialize_str(variant)?;
        self.enter()?;
        self.map_header(len)?;
        Ok(Compound(self))
    }
    fn is_human_readable(&self) -> bool {
        false
    }
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

    /// Without sequences of `u8` or integers beyond 64 bits, the bytes are
    /// rmp-serde's (`to_vec_named`).
    fn check<T: Serialize>(v: &T) {
        assert_eq!(bytes(v), rmp_serde::to_vec_named(v).unwrap());
    }

    #[test]
    fn writes_what_rmp_serde_writes() {
        check(&(
            1i8,
            -100i16,
            70_000i32,
            -5_000_000_000i64,
            200u8,
            65_535u16,
            u64::MAX,
        ));
        check(&(1.5f32, -2.25f64, 'é', "text", true, None::<u8>, Some(3u8)));
        check(&vec![Some("a".to_owned()), None]);
        check(&std::collections::BTreeMap::from([("k", vec![1u16, 2])]));
        check(&Shape::Circle { r: 3 });
        check(&"x".repeat(300));
        check(&[1u8, 2, 3]);
        check(&(1u8, 2u8));
        check(&Unit);
        check(&Newtype(5));
        check(&Variants::Tuple(1, "a".into()));
        check(&Variants::Newtype(vec![1.5]));
        check(&Variants::Struct { a: None, b: vec![] });
        check(&(0..20).map(|x| Point { x, y: -x }).collect::<Vec<_>>());
        check(&(0..70_000).collect::<Vec<u32>>());
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(i8);

    #[derive(Serialize)]
    enum Variants {
        Tuple(i32, String),
        Newtype(Vec<f64>),
        Struct { a: Option<bool>, b: Vec<String> },
    }

    #[derive(Serialize)]
    struct Flattened {
        id: u32,
        #[serde(flatten)]
        extra: std::collections::BTreeMap<String, i64>,
    }

    #[test]
    fn a_map_of_unknown_length_gets_its_real_length() {
        let value = Flattened {
            id: 1,
            extra: (0..20).map(|i| (format!("k{i}"), i)).collect(),
        };
        check(&value);
        assert_eq!(bytes(&value)[..3], [0xde, 0x00, 21]);
    }

    #[test]
    fn i128_and_u128_are_ints_or_extension_4() {
        assert_eq!(bytes(&5i128), [0x05]);
        assert_eq!(bytes(&-5i128), [0xfb]);
        assert_eq!(bytes(&u128::from(u64::MAX))[0], 0xcf);
        assert_eq!(bytes(&(1i128 << 64))[..2], [0xd8, 0x04]);
        assert_eq!(bytes(&u128::MAX)[..4], [0xc7, 0x11, 0x04, 0x00]);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_rmp_serde(
            ints in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..20),
            words in proptest::collection::vec(".{0,40}", 0..5),
            floats in proptest::collection::vec(proptest::prelude::any::<f64>(), 0..5),
            flag in proptest::prelude::any::<Option<bool>>(),
        ) {
            let map: std::collections::BTreeMap<String, Vec<i64>> =
                words.iter().map(|w| (w.clone(), ints.clone())).collect();
            check(&(ints.clone(), words.clone(), map, flag));
            check(&Variants::Struct { a: flag, b: words });
            check(&floats.iter().map(|f| f.to_bits()).collect::<Vec<_>>());
            check(&floats);
        }
    }

    /// Number sequences of every type the encoder writes in one loop, as
    /// vectors and slices, at the top, in a struct and in a map of unknown
    /// length (held back), into a `Vec` and into a sink whose host buffer
    /// is too short (spilled): what rmp-serde writes. (Not `u8`: bytes are
    /// bin here, `unit_is_nil_and_bytes_are_bin`.)
    #[test]
    fn number_sequences_are_what_rmp_serde_writes() {
        #[derive(Serialize)]
        struct Numbers<'a> {
            a: Vec<i64>,
            b: &'a [i32],
            c: Vec<i16>,
            d: Vec<i8>,
            e: Vec<u64>,
            f: Vec<u32>,
            g: Vec<u16>,
            h: Vec<f64>,
            i: Vec<f32>,
            k: Vec<i64>,
        }
        let ints: Vec<i64> = (-70_000..70_000)
            .step_by(997)
            .chain([i64::MIN, i64::MAX])
            .collect();
        let value = Numbers {
            a: ints.clone(),
            b: &[i32::MIN, -33, -32, 0, 127, 128, i32::MAX],
            c: vec![i16::MIN, -129, -128, 255, 256, i16::MAX],
            d: vec![i8::MIN, -1, 0, i8::MAX],
            e: vec![0, 127, 128, 65_536, u64::MAX],
            f: vec![0, 255, 256, u32::MAX],
            g: vec![0, u16::MAX],
            h: vec![0.0, -0.0, 1.5, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE],
            i: vec![0.5, f32::NEG_INFINITY, f32::MAX],
            k: Vec::new(),
        };
        check(&value);
        check(&ints);
        check(&ints.as_slice());
        check(&(0..40).map(i64::from).collect::<Vec<_>>());
        let flattened = Flattened {
            id: 1,
            extra: std::collections::BTreeMap::new(),
        };
        check(&flattened);
        #[derive(Serialize)]
        struct Held {
            #[serde(flatten)]
            extra: std::collections::BTreeMap<String, Vec<i32>>,
        }
        check(&Held {
            extra: std::collections::BTreeMap::from([
                ("x".to_owned(), vec![1, -300, 70_000]),
                ("y".to_owned(), Vec::new()),
            ]),
        });
        for cap in [0, 5, 30, 4096] {
            let mut storage = vec![0u8; cap];
            let out = ferryman_abi::FerryBox {
                ptr: storage.as_mut_ptr(),
                len: 0,
                cap,
            };
            // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
            let mut sink = unsafe { ferryman_buffer::Sink::over(&out) };
            encode(&value, &mut sink).unwrap();
            assert_eq!(
                sink.written(),
                rmp_serde::to_vec_named(&value).unwrap(),
                "{cap}"
            );
        }
    }

    #[test]
    fn unit_is_nil_and_bytes_are_bin() {
        assert_eq!(bytes(&()), [0xc0]);
        assert_eq!(
            bytes(&serde_bytes::Bytes::new(b"ab")),
            [0xc4, 0x02, b'a', b'b']
        );
    }

    /// A value whose containers nest `levels` deep, every level of one kind.
    #[derive(Clone, Copy)]
    enum Nest {
        Seq(usize),
        Tuple(usize),
        Map(usize),
        Struct(usize),
        /// `{"V": inner}`: one level.
        NewtypeVariant(usize),
        /// `{"V": [inner]}`: two levels.
        TupleVariant(usize),
        /// `{"V": {"f": inner}}`: two levels.
        StructVariant(usize),
        /// An empty array: one level.
        Empty,
        Leaf,
    }

    impl Nest {
        fn inner(self) -> Nest {
            use Nest::*;
            match self {
                Seq(1) | Tuple(1) | Map(1) | Struct(1) | NewtypeVariant(1) => Empty,
                TupleVariant(1) | StructVariant(1) | Empty | Leaf => Leaf,
                Seq(n) => Seq(n - 1),
                Tuple(n) => Tuple(n - 1),
                Map(n) => Map(n - 1),
                Struct(n) => Struct(n - 1),
                NewtypeVariant(n) => NewtypeVariant(n - 1),
                TupleVariant(n) => TupleVariant(n - 1),
                StructVariant(n) => StructVariant(n - 1),
            }
        }
    }

    impl Serialize for Nest {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::*;
            let inner = self.inner();
            match self {
                Nest::Seq(_) => {
                    let mut seq = s.serialize_seq(Some(1))?;
                    seq.serialize_element(&inner)?;
                    seq.end()
                }
                Nest::Tuple(_) => {
                    let mut tuple = s.serialize_tuple(1)?;
                    tuple.serialize_element(&inner)?;
                    tuple.end()
                }
                Nest::Map(_) => {
                    let mut map = s.serialize_map(None)?;
                    map.serialize_entry("k", &inner)?;
                    map.end()
                }
                Nest::Struct(_) => {
                    let mut st = s.serialize_struct("S", 1)?;
                    st.serialize_field("f", &inner)?;
                    st.end()
                }
                Nest::NewtypeVariant(_) => s.serialize_newtype_variant("E", 0, "V", &inner),
                Nest::TupleVariant(_) => {
                    let mut tv = s.serialize_tuple_variant("E", 0, "V", 1)?;
                    tv.serialize_field(&inner)?;
                    tv.end()
                }
                Nest::StructVariant(_) => {
                    let mut sv = s.serialize_struct_variant("E", 0, "V", 1)?;
                    sv.serialize_field("f", &inner)?;
                    sv.end()
                }
                Nest::Empty => s.serialize_seq(Some(0))?.end(),
                Nest::Leaf => s.serialize_u8(7),
            }
        }
    }

    /// Every kind of container counts one level (an enum variant's map one
    /// more): a value exactly `MAX_DEPTH` deep is written and reads back, one
    /// level more is refused by the writer, as `spec/wire.md` asks.
    #[test]
    fn the_writer_keeps_the_depth_limit() {
        let max = MAX_DEPTH;
        let cases = [
            (Nest::Seq(max - 1), Nest::Seq(max)),
            (Nest::Tuple(max - 1), Nest::Tuple(max)),
            (Nest::Map(max - 1), Nest::Map(max)),
            (Nest::Struct(max - 1), Nest::Struct(max)),
            (Nest::NewtypeVariant(max - 1), Nest::NewtypeVariant(max)),
            (Nest::TupleVariant(max / 2), Nest::TupleVariant(max / 2 + 1)),
            (
                Nest::StructVariant(max / 2),
                Nest::StructVariant(max / 2 + 1),
            ),
        ];
        for (within, beyond) in cases {
            let mut out = Vec::new();
            encode(&within, &mut out).unwrap();
            assert_eq!(crate::value_len(&out), Ok(out.len()));
            let e = encode(&beyond, &mut Vec::new()).unwrap_err();
            assert!(
                e.to_string().contains("nested deeper than 256 levels"),
                "{e}"
            );
        }
    }

    /// A recursive value far deeper than the limit is an error, not a stack
    /// overflow (this test runs on a 2 MiB test thread).
    #[test]
    fn a_very_deep_value_is_an_error_not_an_overflow() {
        for deep in [
            Nest::Seq(1_000_000),
            Nest::Map(1_000_000),
            Nest::Struct(1_000_000),
        ] {
            assert!(encode(&deep, &mut Vec::new()).is_err());
        }
    }
}
