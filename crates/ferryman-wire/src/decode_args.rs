//! A serde `Deserializer` over one MessagePack value in a byte slice.
//!
//! Why not rmp-serde alone: its borrowing deserializer cannot say where a value
//! ends (needed to cut the argument array apart and detect trailing bytes), and on
//! the hot path — scalars and sequences of scalars — a direct reader is about
//! three times faster. What it does not read itself (enums, MessagePack
//! extensions such as callables) it hands to rmp-serde, with the exact bytes of
//! that value, so behaviour and error messages stay rmp-serde's.
//!
//! Where it is stricter than rmp-serde (`spec/wire.md`): a str is never bytes
//! and bin never a str; a finite float beyond `f32` is out of range for `f32`.
//! Where it accepts more: bin (or lent bytes) wherever a sequence of `u8` is
//! expected, and big integers (extension 4) for every integer type.

use crate::big_int::{BigInt, BigIntError};
use crate::byte_seq::ByteElements;
use crate::direct::Int;
use crate::lent::{Lending, LentObject, LentPayload, Presenting, LENT_BYTES_NEWTYPE};
use crate::lent_items::{visit_items, Lent, LentSlice, SliceEnum};
use crate::limits::MAX_DEPTH;
use crate::reader::{Kind, Problem, ReadError, Reader};
use crate::slice_arg::LENT_SLICE_NEWTYPE;
use crate::time_forms;
use ferryman_abi::{EXT_BIG_INT, EXT_LENT_BYTES, LENT_SLICE_PAYLOAD};
use rmp_serde::decode::Error;
use serde::de::{self, DeserializeSeed, Unexpected, Visitor};
use serde::forward_to_deserialize_any;

/// Deserializes `T` from the MessagePack value at the start of `bytes`, borrowing
/// from it; returns the value and the bytes after it. Lent bytes (extension 3)
/// are read as host memory only under a trusting `lending`.
#[inline]
pub(crate) fn from_prefix<'de, T: de::Deserialize<'de>>(
    bytes: &'de [u8],
    lending: Lending,
) -> Result<(T, &'de [u8]), Error> {
    let mut decoder = Decoder {
        input: Reader::new(bytes),
        depth: 0,
        lending,
        unknown_depth: 0,
    };
    let value = T::deserialize(&mut decoder)?;
    Ok((value, decoder.input.rest()))
}

/// The shared cursor ([`Reader`]) and what serde needs around it; every
/// `deserialize_*` reads one value.
struct Decoder<'de> {
    input: Reader<'de>,
    depth: usize,
    lending: Lending,
    /// The depth of the struct whose entry's value is being read: a value
    /// read as `IgnoredAny` at that depth is the value of a key the struct
    /// does not have (`StructEntries`). 0 outside a struct's value.
    unknown_depth: usize,
}

/// `Decoder::unknown_depth` after an unknown key's value was met.
const UNKNOWN_KEY_FOUND: usize = usize::MAX;

impl Int {
    #[inline(always)]
    fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Int::U(n) => visitor.visit_u64(n),
            Int::I(n) => visitor.visit_i64(n),
        }
    }
}

/// `deserialize_<int>`: integers straight from the bytes, the rest as usual.
macro_rules! direct_ints {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.int()? {
                Some(int) => int.visit(visitor),
                None => self.not_an_int(visitor),
            }
        }
    )*};
}

impl<'de> Decoder<'de> {
    /// What `direct_ints!` does when the value is not a plain int: a big
    /// integer, or anything else for `deserialize_any` to refuse. Out of line,
    /// so the int path stays small enough to inline into a sequence's loop
    /// (sum of 10,000 ints paid 6 instructions per item when it was inline).
    #[cold]
    #[inline(never)]
    fn not_an_int<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.big_int(&visitor)? {
            // A big integer beyond 64 bits is out of range for every one of these.
            Some(big) => match big.narrow() {
                Some(int) => int.visit(visitor),
                None => Err(out_of_range(big, &visitor)),
            },
            None => de::Deserializer::deserialize_any(self, visitor),
        }
    }
}

impl<'de> Decoder<'de> {
    /// What `deserialize_identifier` does when the value is not a str. Out
    /// of line, so that reading a field name stays small enough to inline
    /// into a struct's visitor.
    #[cold]
    #[inline(never)]
    fn not_a_str<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

/// The overflow error for an integer the visitor's type cannot hold.
fn out_of_range(big: BigInt, expected: &dyn de::Expected) -> Error {
    de::Error::invalid_value(Unexpected::Other(&format!("integer `{big}`")), expected)
}

fn truncated() -> Error {
    Error::InvalidDataRead(std::io::ErrorKind::UnexpectedEof.into())
}

/// A reader's error as rmp-serde would report it: the end of the bytes as an
/// unexpected EOF (`DecodeError::from_rmp` names it a malformed value), the
/// rest as invalid data with the reader's words.
#[cold]
fn read_error(error: ReadError) -> Error {
    match error.problem {
        Problem::Truncated => truncated(),
        problem => Error::InvalidDataRead(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            problem.to_string(),
        )),
    }
}

impl<'de> Decoder<'de> {
    #[inline(always)]
    fn peek(&self) -> Result<u8, Error> {
        self.input.peek().map_err(read_error)
    }

    /// "map with 0 entries" when the next value is a map (or an array) whose
    /// size is not the one entry an enum with content has.
    fn wrong_enum_size(&self) -> Result<Option<String>, Error> {
        // Read the header on a copy of the cursor: the value stays unread.
        let mut ahead = self.input.clone();
        let (what, unit, n) = match self.peek()? {
            0x80..=0x8f | 0xde | 0xdf => ("map", "entries", ahead.map_len().map_err(read_error)?),
            0x90..=0x9f | 0xdc | 0xdd => (
                "sequence",
                "elements",
                ahead.array_len().map_err(read_error)?,
            ),
            _ => return Ok(None),
        };
        Ok((n != 1).then(|| {
            let unit = if n == 1 {
                &unit[..unit.len() - 1]
            } else {
                unit
            };
            format!("{what} with {n} {unit}")
        }))
    }

    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'de [u8], Error> {
        self.input.take(n).map_err(read_error)
    }

    /// The str at the cursor (marker known to be one), consumed with its header.
    #[inline(always)]
    fn str_payload(&mut self) -> Result<&'de [u8], Error> {
        self.input.str_bytes().map_err(read_error)
    }

    /// The bin at the cursor (marker known to be one), consumed with its header.
    #[inline(always)]
    fn bin_payload(&mut self) -> Result<&'de [u8], Error> {
        self.input.bin().map_err(read_error)
    }

    /// The integer at the cursor, if one is there: `Ok(Some(_))` with the cursor
    /// moved past it, `Ok(None)` (cursor unmoved) for anything else.
    #[inline(always)]
    fn int(&mut self) -> Result<Option<Int>, Error> {
        self.input.try_int().map_err(read_error)
    }

    /// The payload of the extension of type `tag` at the cursor, consumed;
    /// `None` (cursor unmoved) for anything else.
    fn ext_payload(&mut self, tag: i8) -> Result<Option<&'de [u8]>, Error> {
        match self.input.peek_ext() {
            Ok((found, ..)) if found == tag => self
                .input
                .ext()
                .map(|ext| Some(ext.payload))
                .map_err(read_error),
            _ => Ok(None),
        }
    }

    /// When the next value is extension 3 (lent bytes or a lent slice):
    /// consumes it and returns its payload. Other values are left alone.
    fn lent(&mut self) -> Result<Option<Lent>, Error> {
        let Some(payload) = self.ext_payload(EXT_LENT_BYTES)? else {
            return Ok(None);
        };
        Lent::parse(payload).map(Some).map_err(Error::Syntax)
    }

    /// When the next value is lent bytes: consumes it and returns its
    /// payload; a lent slice where bytes are expected is an error (its
    /// items are numbers, not bytes). Other values are left alone.
    fn lent_payload(&mut self) -> Result<Option<LentPayload>, Error> {
        match self.lent()? {
            None => Ok(None),
            Some(Lent::Bytes(payload)) => Ok(Some(payload)),
            Some(Lent::Slice(slice)) => Err(Error::Syntax(format!(
                "a lent slice of {} items where bytes are expected",
                slice.item.name()
            ))),
        }
    }

    /// When the next value is a big integer (extension 4): consumes it and
    /// returns its value; one beyond 128 bits is out of range for `expected`.
    fn big_int(&mut self, expected: &dyn de::Expected) -> Result<Option<BigInt>, Error> {
        let Some(payload) = self.ext_payload(EXT_BIG_INT)? else {
            return Ok(None);
        };
        match BigInt::parse(payload) {
            Ok(big) => Ok(Some(big)),
            Err(BigIntError::TooBig) => Err(de::Error::invalid_value(
                Unexpected::Other("integer beyond 128 bits"),
                expected,
            )),
            Err(e @ BigIntError::Length(_)) => Err(Error::Syntax(e.to_string())),
        }
    }

    /// A sequence given as bytes (bin, or lent bytes, one `u8` element each)
    /// or as a lent slice (its items), visited; `None` (cursor unmoved) for
    /// anything else.
    fn bytes_as_seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<Result<V::Value, V>, Error> {
        let bytes = if matches!(self.peek()?, 0xc4..=0xc6) {
            self.bin_payload()?
        } else {
            match self.lent()? {
                None => return Ok(Err(visitor)),
                Some(Lent::Bytes(payload)) => self.lent_slice(&payload)?,
                Some(Lent::Slice(slice)) => {
                    let bytes = self.lent_slice(&slice.bytes)?;
                    return visit_items(slice.item, bytes, visitor).map(Ok);
                }
            }
        };
        let mut access = ByteElements::new(bytes);
        let value = visitor.visit_seq(&mut access)?;
        access.done()?;
        Ok(Ok(value))
    }

    /// `SliceArg` asking: a lent slice as an enum (item code, its memory),
    /// anything else as the newtype's content.
    fn lent_slice_arg<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        if !matches!(
            self.input.peek_ext(),
            Ok((EXT_LENT_BYTES, _, LENT_SLICE_PAYLOAD))
        ) {
            return visitor.visit_newtype_struct(self);
        }
        let Some(Lent::Slice(LentSlice { bytes, item })) = self.lent()? else {
            // (A 29-byte extension 3 parses as a lent slice or fails.)
            return Err(Error::Syntax("not a lent slice".to_owned()));
        };
        let bytes = self.lent_slice(&bytes)?;
        visitor.visit_enum(SliceEnum {
            item,
            bytes,
            error: std::marker::PhantomData,
        })
    }

    /// The host memory a lent payload names, when this reader trusts lending.
    fn lent_slice(&self, payload: &LentPayload) -> Result<&'de [u8], Error> {
        if !self.lending.is_trusted() {
            return Err(Error::Syntax(format!(
                "lent bytes (MessagePack extension {EXT_LENT_BYTES}) are accepted only in \
                 the arguments of a call"
            )));
        }
        // SAFETY: this reader was given `Lending::trusted`, whose contract is that
        // every extension 3 in the bytes it reads names memory that is readable
        // and unchanged for as long as those bytes are borrowed, which is `'de`.
        unsafe { payload.slice() }.map_err(Error::Syntax)
    }

    /// `ferryman::Bytes` asking: lent bytes with their host object presented
    /// (`lent::lent_object`) while the visitor runs, or plain bytes.
    fn lent_bytes<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let Some(payload) = self.lent_payload()? else {
            return de::Deserializer::deserialize_bytes(self, visitor);
        };
        let bytes = self.lent_slice(&payload)?;
        if payload.handle == 0 || bytes.is_empty() {
            return visitor.visit_borrowed_bytes(bytes);
        }
        let object = LentObject {
            host_id: payload.host_id,
            handle: payload.handle,
        };
        let _presenting = Presenting::start(object, bytes);
        visitor.visit_borrowed_bytes(bytes)
    }

    /// Hands the next value, with exactly its bytes, to rmp-serde.
    fn rmp(
        &mut self,
    ) -> Result<rmp_serde::Deserializer<rmp_serde::decode::ReadRefReader<'de, [u8]>>, Error> {
        let value = self.input.value().map_err(read_error)?;
        Ok(rmp_serde::Deserializer::from_read_ref(value))
    }

    /// The array at the cursor (marker `m`), visited as a sequence.
    #[inline]
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let count = self.input.array_len().map_err(read_error)?;
        self.enter()?;
        let mut access = Elements {
            decoder: self,
            left: count,
        };
        let value = visitor.visit_seq(&mut access)?;
        access.done()?;
        self.depth -= 1;
        Ok(value)
    }

    /// The map at the cursor, visited as the struct (or struct variant)
    /// `name`, whose keys must be among `fields`.
    #[inline]
    fn struct_map<V: Visitor<'de>>(
        &mut self,
        name: &'de str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let count = self.input.map_len().map_err(read_error)?;
        self.enter()?;
        let mut access = StructEntries {
            elements: Elements {
                decoder: self,
                left: count.saturating_mul(2),
            },
            name,
            fields,
            key: &[],
        };
        let value = visitor.visit_map(&mut access)?;
        access.elements.done()?;
        self.depth -= 1;
        Ok(value)
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::DepthLimitExceeded);
        }
        Ok(())
    }
}

/// `bytes` as text (short ASCII checked a word at a time), or the error
/// `std::str::from_utf8` gives.
#[inline]
fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    match crate::reader::utf8(bytes) {
        Some(text) => Ok(text),
        None => std::str::from_utf8(bytes).map_err(Error::Utf8Error),
    }
}

/// A str's payload visited as `deserialize_any` visits it: as text when it is
/// UTF-8, as bytes otherwise.
#[inline(always)]
fn visit_str_payload<'de, V: Visitor<'de>>(
    payload: &'de [u8],
    visitor: V,
) -> Result<V::Value, Error> {
    match crate::reader::utf8(payload) {
        Some(text) => visitor.visit_borrowed_str(text),
        None => visitor.visit_borrowed_bytes(payload),
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let m = self.peek()?;
        match Kind::of(m) {
            Kind::Int => match self.int()? {
                Some(int) => int.visit(visitor),
                None => Err(truncated()),
            },
            Kind::Nil => {
                self.take(1)?;
                visitor.visit_unit()
            }
            Kind::Bool => {
                self.take(1)?;
                visitor.visit_bool(m == 0xc3)
            }
            Kind::Float if m == 0xca => visitor.visit_f32(self.input.f32().map_err(read_error)?),
            Kind::Float => visitor.visit_f64(self.input.f64().map_err(read_error)?),
            Kind::Str => {
                let payload = self.str_payload()?;
                visit_str_payload(payload, visitor)
            }
            Kind::Bin => visitor.visit_borrowed_bytes(self.bin_payload()?),
            Kind::Array => self.array(visitor),
            Kind::Map => {
                let count = self.input.map_len().map_err(read_error)?;
                self.enter()?;
                let mut access = Elements {
                    decoder: self,
                    left: count.saturating_mul(2),
                };
                let value = visitor.visit_map(&mut access)?;
                access.done()?;
                self.depth -= 1;
                Ok(value)
            }
            // Big integers (for visitors that take any value), other extensions
            // and the reserved marker: rmp-serde's behaviour.
            Kind::Ext
                if matches!(
                    self.input.peek_ext(),
                    Ok((EXT_LENT_BYTES, _, LENT_SLICE_PAYLOAD))
                ) =>
            {
                match self.bytes_as_seq(visitor)? {
                    Ok(value) => Ok(value),
                    // (A lent slice is always read as a sequence.)
                    Err(_) => Err(Error::Syntax("not a lent slice".to_owned())),
                }
            }
            Kind::Ext | Kind::Reserved => match self.big_int(&visitor)? {
                Some(big) => match (big.narrow(), big) {
                    (Some(int), _) => int.visit(visitor),
                    (None, BigInt::Signed(n)) => visitor.visit_i128(n),
                    (None, BigInt::Unsigned(n)) => visitor.visit_u128(n),
                },
                None => self.rmp()?.deserialize_any(visitor),
            },
        }
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.input.try_nil() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            0xa0..=0xbf | 0xd9..=0xdb => {
                let payload = self.str_payload()?;
                if time_forms::may_be_instant(payload) {
                    return zoned(utf8(payload)?, visitor);
                }
                visitor.visit_borrowed_str(utf8(payload)?)
            }
            0xc4..=0xc6 => {
                let payload = self.bin_payload()?;
                // Bytes are not text, even when they happen to be UTF-8.
                Err(de::Error::invalid_type(
                    Unexpected::Bytes(payload),
                    &visitor,
                ))
            }
            0x90..=0x9f | 0xdc | 0xdd
                if expecting(&visitor) == time_forms::JIFF_SIGNED_DURATION =>
            {
                self.iso_duration(visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let marker = self.peek()?;
        if matches!(marker, 0xc4..=0xc6) {
            return visitor.visit_borrowed_bytes(self.bin_payload()?);
        }
        if matches!(marker, 0xa0..=0xbf | 0xd9..=0xdb) {
            // Text is not bytes: say what was sent.
            let payload = self.str_payload()?;
            let found = match std::str::from_utf8(payload) {
                Ok(text) => Unexpected::Str(text),
                Err(_) => Unexpected::Other("string"),
            };
            return Err(de::Error::invalid_type(found, &visitor));
        }
        if let Some(payload) = self.lent_payload()? {
            return visitor.visit_borrowed_bytes(self.lent_slice(&payload)?);
        }
        self.deserialize_any(visitor)
    }

    /// A sequence: an array, or bytes (bin or lent) where the elements are `u8`.
    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if matches!(self.peek()?, 0x90..=0x9f | 0xdc | 0xdd) {
            // A `Vec` of numbers in one loop, where the array would not be
            // too deep (`enter`).
            if self.depth < MAX_DEPTH {
                let mut rest = self.input.rest();
                if let Some(value) = crate::vec_visitor::read::<V>(&mut rest) {
                    self.take(self.input.rest().len() - rest.len())?;
                    return Ok(value);
                }
            }
            return self.array(visitor);
        }
        match self.bytes_as_seq(visitor)? {
            Ok(value) => Ok(value),
            Err(visitor) => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.rmp()?.deserialize_unit(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.rmp()?.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == rmp_serde::MSGPACK_EXT_STRUCT_NAME {
            return self.rmp()?.deserialize_newtype_struct(name, visitor);
        }
        if name == LENT_BYTES_NEWTYPE {
            return self.lent_bytes(visitor);
        }
        if name == LENT_SLICE_NEWTYPE {
            return self.lent_slice_arg(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // rmp-serde reports a map or array of the wrong size as a bare
        // length, which reads as "an array of 0 elements" even for `{}`.
        if let Some(wrong) = self.wrong_enum_size()? {
            return Err(de::Error::invalid_type(
                Unexpected::Other(&wrong),
                &"a variant name or a map of one entry {\"Variant\": content}",
            ));
        }
        // `{"Variant": content}`: the content is read here, so that records
        // in it are checked as everywhere else; other forms go to rmp-serde.
        let mut ahead = self.input.clone();
        if ahead.map_len().is_ok() && ahead.peek_kind().ok() == Some(Kind::Str) {
            self.input.map_len().map_err(read_error)?;
            self.enter()?;
            let name = ahead.str().unwrap_or("variant");
            let value = visitor.visit_enum(VariantEntry {
                decoder: self,
                name,
            })?;
            self.depth -= 1;
            return Ok(value);
        }
        self.rmp()?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(int) = self.int()? {
            return int.visit(visitor);
        }
        match self.big_int(&visitor)? {
            Some(BigInt::Signed(n)) => visitor.visit_i128(n),
            Some(big @ BigInt::Unsigned(_)) => Err(out_of_range(big, &visitor)),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(int) = self.int()? {
            return int.visit(visitor);
        }
        match self.big_int(&visitor)? {
            Some(BigInt::Unsigned(n)) => visitor.visit_u128(n),
            Some(BigInt::Signed(n)) => match u128::try_from(n) {
                Ok(n) => visitor.visit_u128(n),
                Err(_) => Err(out_of_range(BigInt::Signed(n), &visitor)),
            },
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.unknown_depth == self.depth && self.depth != 0 {
            self.unknown_depth = UNKNOWN_KEY_FOUND;
            return Err(de::Error::custom("unknown key"));
        }
        self.input.skip().map_err(read_error)?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    direct_ints! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    #[inline]
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? == 0xcb {
            return visitor.visit_f64(self.input.f64().map_err(read_error)?);
        }
        self.deserialize_any(visitor)
    }

    /// As `f64`, but a finite value too large for `f32` is out of range (NaN
    /// and the infinities stay what they are).
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? == 0xcb {
            let value = self.input.f64().map_err(read_error)?;
            if value.is_finite() && (value as f32).is_infinite() {
                // `1e300`, not the 301 digits `Unexpected::Float` would print.
                let found = format!("floating point `{value:e}`");
                return Err(de::Error::invalid_value(
                    Unexpected::Other(&found),
                    &visitor,
                ));
            }
            return visitor.visit_f64(value);
        }
        self.deserialize_any(visitor)
    }

    #[inline]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            0xc2 | 0xc3 => visitor.visit_bool(self.input.bool().map_err(read_error)?),
            _ => self.deserialize_any(visitor),
        }
    }

    /// A struct sent as a map may hold only keys the struct has (serde's
    /// `deny_unknown_fields`, by default: a misspelt key is an error, not a
    /// silently ignored value). Types built on `deserialize_any` or
    /// `deserialize_map` (`#[serde(flatten)]`, maps) are not affected.
    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match Kind::of(self.peek()?) {
            Kind::Map => self.struct_map(name, fields, visitor),
            Kind::Str if name == "SystemTime" && fields == SYSTEM_TIME_FIELDS => {
                self.system_time(visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    /// A tuple of ints sent as text: a `time` date or time (`spec/wire.md`,
    /// "Times"), parsed into the tuple it reads; anything else as it is.
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if Kind::of(self.peek()?) == Kind::Str {
            return self.time_tuple(len, visitor);
        }
        self.deserialize_any(visitor)
    }

    /// A field name (a struct's key, an enum's variant): a str as
    /// `deserialize_any` reads it, without asking what else it could be.
    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(&marker) = self.input.rest().first() {
            if Kind::of(marker) == Kind::Str {
                let payload = self.str_payload()?;
                return visit_str_payload(payload, visitor);
            }
        }
        self.not_a_str(visitor)
    }

    forward_to_deserialize_any! {
        tuple_struct map
    }
}

/// An RFC 3339 time sent as a str: for jiff's `Zoned`, given its offset as
/// the zone it reads (`spec/wire.md`, "Times"); as it is for any other visitor.
#[cold]
fn zoned<'de, V: Visitor<'de>>(text: &'de str, visitor: V) -> Result<V::Value, Error> {
    if expecting(&visitor) == time_forms::JIFF_ZONED {
        if let Some(zoned) = time_forms::zoned_text(text) {
            return visitor.visit_string(zoned);
        }
    }
    visitor.visit_borrowed_str(text)
}

/// What a visitor says it expects, as text (asked only on cold paths).
fn expecting(visitor: &dyn de::Expected) -> String {
    visitor.to_string()
}

/// The fields `std::time::SystemTime`'s `Deserialize` asks for.
const SYSTEM_TIME_FIELDS: &[&str] = &["secs_since_epoch", "nanos_since_epoch"];

impl<'de> Decoder<'de> {
    /// A `SystemTime` sent as RFC 3339 text (`spec/wire.md`, "Times"): handed
    /// to its visitor as the `[secs, nanos]` it reads itself.
    #[cold]
    fn system_time<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let text = self.input.str().map_err(read_error)?;
        let Some((secs, nanos)) = crate::rfc3339::parse(text) else {
            return Err(de::Error::custom(format_args!(
                "{text:?} is not an RFC 3339 time with an offset, such as 2024-05-01T12:00:00Z"
            )));
        };
        let Ok(secs) = u64::try_from(secs) else {
            return Err(de::Error::custom(format_args!(
                "{text} is not after 1970-01-01T00:00:00Z, which SystemTime cannot hold here"
            )));
        };
        visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
            [secs, u64::from(nanos)].into_iter(),
        ))
    }
}

impl<'de> Decoder<'de> {
    /// Text sent for a tuple: the tuple a `time` type reads from it, or the
    /// text itself for any other visitor.
    #[cold]
    fn time_tuple<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value, Error> {
        let mut ahead = self.input.clone();
        let text = ahead.str().map_err(read_error)?;
        match time_forms::time_tuple(&expecting(&visitor), len, text) {
            None => de::Deserializer::deserialize_any(&mut *self, visitor),
            Some(Err(why)) => Err(de::Error::custom(why)),
            Some(Ok(tuple)) => {
                self.input = ahead;
                visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
                    tuple.into_iter(),
                ))
            }
        }
    }

    /// `[secs, nanos]` sent for a jiff `SignedDuration`: the ISO 8601 text it
    /// reads.
    #[cold]
    fn iso_duration<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let (secs, nanos) = <(i64, u32) as serde::Deserialize>::deserialize(&mut *self)?;
        if nanos >= 1_000_000_000 {
            return Err(de::Error::custom(format_args!(
                "[{secs}, {nanos}] is not [secs, nanos] with nanos below 1000000000"
            )));
        }
        visitor.visit_str(&time_forms::iso_duration(secs, nanos))
    }
}

/// The elements of an array (or the keys and values of a map, alternating).
struct Elements<'r, 'de> {
    decoder: &'r mut Decoder<'de>,
    left: usize,
}

impl Elements<'_, '_> {
    /// A visitor that stopped early (a fixed-size tuple given a longer array).
    fn done(&self) -> Result<(), Error> {
        if self.left == 0 {
            Ok(())
        } else {
            Err(de::Error::invalid_length(self.left, &"fewer elements"))
        }
    }
}

impl<'de> de::SeqAccess<'de> for &mut Elements<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.decoder).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        // Cap what a lying header can make a visitor preallocate.
        Some(self.left.min(self.decoder.input.rest().len()))
    }
}

impl<'de> de::MapAccess<'de> for &mut Elements<'_, 'de> {
    type Error = Error;

    #[inline(always)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.decoder).map(Some)
    }

    #[inline(always)]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        self.left = self.left.saturating_sub(1);
        seed.deserialize(&mut *self.decoder)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.left / 2).min(self.decoder.input.rest().len()))
    }
}

/// The entries of a map read as the struct `name`, whose keys must be among
/// `fields`.
///
/// A key the struct does not have is found without comparing keys twice:
/// serde's derived visitor reads every key, and reads the value of one it
/// does not know as [`de::IgnoredAny`]; that value is refused
/// (`Decoder::unknown_depth`).
struct StructEntries<'r, 'de> {
    elements: Elements<'r, 'de>,
    name: &'de str,
    fields: &'static [&'static str],
    /// The last key read, from its marker (for the message).
    key: &'de [u8],
}

impl StructEntries<'_, '_> {
    /// A key that is not a str: a struct is a map of field names
    /// (`spec/wire.md`), so neither serde's field indexes (`{0: 1.5}`) nor nil
    /// are taken.
    #[cold]
    fn not_a_name(&self) -> Error {
        let found = self
            .key
            .first()
            .map_or("nothing", |&m| crate::reader::marker_name(m));
        de::Error::custom(format_args!(
            "a key that is {found}, not a field name, in {} (expected one of: {})",
            self.name,
            self.fields.join(", ")
        ))
    }

    #[cold]
    fn unknown_key(&self) -> Error {
        let mut reader = Reader::new(self.key);
        let key = match reader.str_bytes() {
            Ok(key) => String::from_utf8_lossy(key).into_owned(),
            Err(_) => "(not a string)".to_owned(),
        };
        de::Error::custom(format_args!(
            "unknown key `{key}` in {} (expected one of: {})",
            self.name,
            self.fields.join(", ")
        ))
    }
}

impl<'de> de::MapAccess<'de> for &mut StructEntries<'_, 'de> {
    type Error = Error;

    #[inline(always)]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        self.key = self.elements.decoder.input.rest();
        if self.elements.left != 0 && !matches!(self.key.first(), Some(0xa0..=0xbf | 0xd9..=0xdb)) {
            return Err(self.not_a_name());
        }
        (&mut self.elements).next_key_seed(seed)
    }

    #[inline(always)]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let decoder = &mut *self.elements.decoder;
        let outer = std::mem::replace(&mut decoder.unknown_depth, decoder.depth);
        let value = (&mut self.elements).next_value_seed(seed);
        let decoder = &mut *self.elements.decoder;
        let unknown = decoder.unknown_depth == UNKNOWN_KEY_FOUND;
        decoder.unknown_depth = outer;
        if unknown {
            return Err(self.unknown_key());
        }
        value
    }

    fn size_hint(&self) -> Option<usize> {
        let elements = &self.elements;
        Some((elements.left / 2).min(elements.decoder.input.rest().len()))
    }
}

/// The one entry of a map holding an enum's variant and its content.
struct VariantEntry<'r, 'de> {
    decoder: &'r mut Decoder<'de>,
    name: &'de str,
}

impl<'r, 'de> de::EnumAccess<'de> for VariantEntry<'r, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self), Error> {
        let variant = seed.deserialize(&mut *self.decoder)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantEntry<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(&mut *self.decoder)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.decoder)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_tuple(&mut *self.decoder, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if Kind::of(self.decoder.peek()?) != Kind::Map {
            return de::Deserializer::deserialize_any(self.decoder, visitor);
        }
        self.decoder.struct_map(self.name, fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use std::collections::{BTreeMap, HashMap};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Record {
        name: String,
        id: i64,
        score: f64,
        tags: Vec<i64>,
        nested: Option<Box<Record>>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Empty,
        Circle { r: f64 },
        Square(f64),
        Pair(i8, u8),
    }

    /// Decodes with both deserializers: results and failures must agree.
    fn both<T>(bytes: &[u8]) -> (Result<T, String>, Result<T, String>)
    where
        T: for<'de> Deserialize<'de>,
    {
        let ours = from_prefix::<T>(bytes, Lending::REFUSED)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string());
        let theirs = rmp_serde::from_slice::<T>(bytes).map_err(|e| e.to_string());
        (ours, theirs)
    }

    fn ours<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
        from_prefix::<T>(bytes, Lending::REFUSED)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn system_time_reads_rfc_3339_text_and_its_own_forms() {
        use std::time::{Duration, SystemTime, UNIX_EPOCH};
        let text = rmp_serde::to_vec("2024-05-01T14:00:00.25+02:00").unwrap();
        let at = UNIX_EPOCH + Duration::new(1_714_564_800, 250_000_000);
        assert_eq!(ours::<SystemTime>(&text), Ok(at));
        // serde's own form, and the array a host may send, still read.
        assert_eq!(
            ours::<SystemTime>(&rmp_serde::to_vec_named(&at).unwrap()),
            Ok(at)
        );
        assert_eq!(
            ours::<SystemTime>(&rmp_serde::to_vec(&(1_714_564_800u64, 250_000_000u32)).unwrap()),
            Ok(at)
        );
        let early = rmp_serde::to_vec("1969-12-31T23:59:59Z").unwrap();
        assert!(ours::<SystemTime>(&early)
            .unwrap_err()
            .contains("after 1970"));
        let bad = rmp_serde::to_vec("yesterday").unwrap();
        assert!(ours::<SystemTime>(&bad).unwrap_err().contains("RFC 3339"));
        // Only `SystemTime` reads text: a struct of another name does not.
        assert!(ours::<Duration>(&text).is_err());
        // Durations as `[secs, nanos]`.
        let pair = rmp_serde::to_vec(&(90u64, 5u32)).unwrap();
        assert_eq!(ours::<Duration>(&pair), Ok(Duration::new(90, 5)));
    }

    #[test]
    fn time_and_jiff_types_read_the_wire_forms() {
        let text = |t: &str| rmp_serde::to_vec(t).unwrap();
        let date = time::Date::from_calendar_date(2024, time::Month::May, 1).unwrap();
        assert_eq!(ours::<time::Date>(&text("2024-05-01")), Ok(date));
        let civil = date.with_hms_nano(12, 0, 0, 500_000_000).unwrap();
        assert_eq!(
            ours::<time::PrimitiveDateTime>(&text("2024-05-01T12:00:00.5")),
            Ok(civil)
        );
        assert_eq!(
            ours::<time::OffsetDateTime>(&text("2024-05-01T14:00:00.5+02:00")),
            Ok(civil.assume_utc())
        );
        // Their own forms still read.
        assert_eq!(
            ours::<time::Date>(&rmp_serde::to_vec(&date).unwrap()),
            Ok(date)
        );
        let pair = rmp_serde::to_vec(&(-2i64, 500_000_000u32)).unwrap();
        assert_eq!(
            ours::<time::Duration>(&pair),
            Ok(time::Duration::milliseconds(-1500))
        );
        assert_eq!(
            ours::<jiff::SignedDuration>(&pair),
            Ok(jiff::SignedDuration::from_millis(-1500))
        );
        assert_eq!(
            ours::<jiff::SignedDuration>(&text("PT1.5S")),
            Ok(jiff::SignedDuration::from_millis(1500))
        );
        let bad = ours::<time::Date>(&text("May 1st")).unwrap_err();
        assert!(bad.contains("a date such as 2024-05-01"), "{bad}");
        // A tuple that is no time type still refuses text as before.
        assert!(ours::<(i32, u16)>(&text("2024-05-01")).is_err());
        // A str that is no jiff duration still refuses an array.
        assert!(ours::<String>(&pair).is_err());
    }

    #[test]
    fn a_jiff_zoned_reads_rfc_3339_in_its_offset() {
        let text = |t: &str| rmp_serde::to_vec(t).unwrap();
        let zoned = ours::<jiff::Zoned>(&text("2024-05-01T12:00:00-04:00")).unwrap();
        assert_eq!(zoned.offset(), jiff::tz::Offset::constant(-4));
        assert_eq!(zoned.timestamp().as_second(), 1_714_579_200);
        let utc = ours::<jiff::Zoned>(&text("2024-05-01T16:00:00.5Z")).unwrap();
        assert_eq!(
            utc.timestamp(),
            zoned.timestamp() + jiff::SignedDuration::from_millis(500)
        );
        // Its own form still reads; a str that only looks like a time stays itself.
        let own = ours::<jiff::Zoned>(&text("2024-05-01T12:00:00-04:00[-04:00]")).unwrap();
        assert_eq!(own, zoned);
        assert_eq!(
            ours::<String>(&text("2024-05-01T12:00:00Z")).as_deref(),
            Ok("2024-05-01T12:00:00Z")
        );
        assert!(ours::<jiff::Zoned>(&text("2024-05-01T12:00:00")).is_err());
    }

    fn agree<T>(value: &impl Serialize)
    where
        T: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let bytes = rmp_serde::to_vec_named(value).unwrap();
        let (ours, theirs) = both::<T>(&bytes);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "ours {ours:?} theirs {theirs:?}"
        );
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            assert_eq!(a, b);
        }
    }

    #[test]
    fn borrowed_str_and_bytes_point_into_the_input() {
        let bytes = rmp_serde::to_vec(&("hé", serde_bytes::Bytes::new(b"raw"))).unwrap();
        let ((s, b), rest): ((&str, &serde_bytes::Bytes), _) =
            from_prefix(&bytes, Lending::REFUSED).unwrap();
        assert!(rest.is_empty());
        assert_eq!((s, &b[..]), ("hé", &b"raw"[..]));
        assert!(bytes.as_ptr_range().contains(&s.as_ptr()));
    }

    #[test]
    fn out_of_range_and_wrong_types_fail_like_rmp_serde() {
        let (ours, _) = both::<u8>(&rmp_serde::to_vec(&300).unwrap());
        assert!(ours
            .unwrap_err()
            .starts_with("invalid value: integer `300`"));
        let (ours, _) = both::<i64>(&rmp_serde::to_vec("x").unwrap());
        assert!(ours.unwrap_err().starts_with("invalid type: string \"x\""));
        let (ours, _) = both::<(i32, i32)>(&rmp_serde::to_vec(&(1, 2, 3)).unwrap());
        assert!(ours.is_err());
    }

    /// A `Vec` of numbers is read in one loop (`vec_visitor`); a `VecDeque`
    /// of the same numbers goes element by element: every array reads the
    /// same, or fails with the same message.
    #[test]
    fn number_vectors_read_as_element_by_element() {
        use rmpv::Value as V;
        use std::collections::VecDeque;
        fn same<N>(bytes: &[u8])
        where
            N: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
        {
            let looped = ours::<Vec<N>>(bytes);
            let each = ours::<VecDeque<N>>(bytes).map(Vec::from);
            assert_eq!(looped, each, "{bytes:02x?}");
            // Inside a struct, one level down.
            let mut wrapped = vec![0x81, 0xa1, b'v'];
            wrapped.extend_from_slice(bytes);
            #[derive(Debug, PartialEq, Deserialize)]
            struct Loop<N> {
                v: Vec<N>,
            }
            #[derive(Debug, PartialEq, Deserialize)]
            struct Each<N> {
                v: VecDeque<N>,
            }
            let looped = ours::<Loop<N>>(&wrapped).map(|l| l.v);
            let each = ours::<Each<N>>(&wrapped).map(|e| Vec::from(e.v));
            assert_eq!(looped, each, "{wrapped:02x?}");
        }
        let big = {
            let mut bytes = Vec::new();
            crate::encode(&(1i128 << 70), &mut bytes).unwrap();
            bytes
        };
        let small_big = {
            let mut bytes = vec![0xc7, 0x11, 0x04, 0x00];
            bytes.extend_from_slice(&5u128.to_be_bytes());
            bytes
        };
        let items = [
            V::from(0),
            V::from(-1),
            V::from(127),
            V::from(-129),
            V::from(300),
            V::from(70_000),
            V::from(-70_000),
            V::from(1i64 << 40),
            V::from(i64::MIN),
            V::from(u64::MAX),
            V::from(1.5f64),
            V::F32(2.5),
            V::from("x"),
            V::Nil,
        ];
        let mut arrays: Vec<Vec<u8>> = vec![
            vec![0x90],
            vec![0x93, 0x01],
            vec![0x91],
            vec![0xdc, 0x00, 0x01, 0x05],
        ];
        for item in &items {
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &V::Array(vec![V::from(1), item.clone()]))
                .unwrap();
            arrays.push(bytes);
        }
        arrays.push([&[0x92, 0x01][..], &big].concat());
        arrays.push([&[0x92, 0x01][..], &small_big].concat());
        arrays.push(rmp_serde::to_vec(&(0..40).collect::<Vec<i64>>()).unwrap());
        arrays.push(rmp_serde::to_vec(&vec![1.5f64; 20]).unwrap());
        for bytes in &arrays {
            same::<i64>(bytes);
            same::<i32>(bytes);
            same::<i16>(bytes);
            same::<i8>(bytes);
            same::<u64>(bytes);
            same::<u32>(bytes);
            same::<u16>(bytes);
            same::<f64>(bytes);
        }
    }

    /// The array of numbers one level deeper than `MAX_DEPTH` is refused,
    /// read in one loop or element by element.
    #[test]
    fn number_vectors_keep_the_depth_limit() {
        #[derive(Deserialize)]
        struct Level<C> {
            v: C,
            i: Option<Box<Level<C>>>,
        }
        /// `levels` maps nested in one another, each with `v: [1]`.
        fn nested(levels: usize) -> Vec<u8> {
            let mut bytes = Vec::new();
            for _ in 0..levels {
                bytes.extend_from_slice(&[0x82, 0xa1, b'v', 0x91, 0x01, 0xa1, b'i']);
            }
            bytes.push(0xc0);
            bytes
        }
        // (Deep recursion through serde's derived code: a larger stack.)
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(|| {
                for (levels, fits) in [(MAX_DEPTH - 1, true), (MAX_DEPTH, false)] {
                    let bytes = nested(levels);
                    let looped =
                        ours::<Level<Vec<i64>>>(&bytes).map(|l| (l.v.len(), l.i.is_some()));
                    let each = ours::<Level<std::collections::VecDeque<i64>>>(&bytes)
                        .map(|l| (l.v.len(), l.i.is_some()));
                    assert_eq!(looped, each);
                    assert_eq!(looped.is_ok(), fits, "{levels}: {looped:?}");
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn enums_structs_maps_and_options() {
        agree::<Shape>(&Shape::Empty);
        agree::<Shape>(&Shape::Circle { r: 1.5 });
        agree::<Shape>(&Shape::Square(2.0));
        agree::<Shape>(&Shape::Pair(-1, 255));
        agree::<Vec<Shape>>(&vec![Shape::Empty, Shape::Square(1.0)]);
        let record = Record {
            name: "a".into(),
            id: -7,
            score: 0.5,
            tags: vec![1, 2],
            nested: None,
        };
        let outer = Record {
            nested: Some(Box::new(record.clone())),
            ..record.clone()
        };
        agree::<Record>(&outer);
        agree::<Option<Record>>(&None::<Record>);
        agree::<HashMap<String, Vec<Option<i32>>>>(&HashMap::from([(
            "k".to_owned(),
            vec![Some(1), None],
        )]));
        agree::<BTreeMap<u32, String>>(&BTreeMap::from([(1, "x".to_owned())]));
        agree::<char>(&'é');
        agree::<()>(&());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let deep = vec![0x91u8; 100_000];
        assert!(from_prefix::<serde::de::IgnoredAny>(&deep, Lending::REFUSED).is_err());
        assert!(from_prefix::<Vec<Vec<Vec<i64>>>>(&deep, Lending::REFUSED).is_err());
    }

    #[test]
    fn reports_what_follows_the_value() {
        let (v, rest): (Vec<u8>, _) =
            from_prefix(&[0x92, 0x01, 0x02, 0xc0], Lending::REFUSED).unwrap();
        assert_eq!((v, rest), (vec![1, 2], &[0xc0][..]));
    }

    #[test]
    fn a_struct_may_come_as_an_array() {
        let bytes = rmp_serde::to_vec(&("n", 1i64, 2.0f64, vec![3i64], None::<()>)).unwrap();
        let (r, _): (Record, _) = from_prefix(&bytes, Lending::REFUSED).unwrap();
        assert_eq!((r.name.as_str(), r.id, r.tags), ("n", 1, vec![3]));
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Config {
        lowercase: bool,
        #[serde(default, alias = "limit")]
        top: u32,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Flattened {
        lowercase: bool,
        #[serde(flatten)]
        rest: HashMap<String, i64>,
    }

    fn named<T: for<'de> Deserialize<'de>>(value: &impl Serialize) -> Result<T, String> {
        let bytes = rmp_serde::to_vec_named(value).unwrap();
        from_prefix::<T>(&bytes, Lending::REFUSED)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string())
    }

    #[derive(Serialize)]
    struct Sent<'a> {
        lowercase: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<&'a str>,
    }

    #[test]
    fn a_struct_refuses_a_key_it_does_not_have() {
        let misspelt = BTreeMap::from([("lowercse", true)]);
        assert_eq!(
            named::<Config>(&misspelt).unwrap_err(),
            "unknown key `lowercse` in Config (expected one of: lowercase, limit, top)"
        );
        let extra = Sent {
            lowercase: true,
            limit: Some(3),
            extra: Some("x"),
        };
        assert!(named::<Config>(&extra).unwrap_err().contains("`extra`"));
        // rmp-serde ignores it: this is where ferryman is stricter.
        let bytes = rmp_serde::to_vec_named(&extra).unwrap();
        assert!(rmp_serde::from_slice::<Config>(&bytes).is_ok());
        // Known keys, aliases and defaults still work.
        let aliased = Sent {
            lowercase: true,
            limit: Some(3),
            extra: None,
        };
        let expected = Config {
            lowercase: true,
            top: 3,
        };
        assert_eq!(named::<Config>(&aliased), Ok(expected));
    }

    #[test]
    fn records_inside_enum_variants_are_checked_too() {
        #[derive(Serialize)]
        enum SentShape<'a> {
            Circle { r: f64, extra: u8 },
            Square(BTreeMap<&'a str, f64>),
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Shape2 {
            Circle { r: f64 },
            Square(Point2),
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Point2 {
            x: f64,
        }
        let circle = SentShape::Circle { r: 1.0, extra: 0 };
        assert_eq!(
            named::<Shape2>(&circle).unwrap_err(),
            "unknown key `extra` in Circle (expected one of: r)"
        );
        let square = SentShape::Square(BTreeMap::from([("x", 1.0), ("y", 2.0)]));
        assert!(named::<Shape2>(&square)
            .unwrap_err()
            .contains("`y` in Point2"));
    }

    #[test]
    fn values_read_as_ignored_any_inside_a_known_field_are_not_unknown_keys() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Loose {
            anything: Vec<de::IgnoredAny>,
            inner: Option<Point2>,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Point2 {
            x: f64,
        }
        let bytes = rmp_serde::to_vec_named(&BTreeMap::from([("anything", vec![1, 2])])).unwrap();
        assert!(from_prefix::<Loose>(&bytes, Lending::REFUSED).is_ok());
        #[derive(Serialize)]
        struct Nested<'a> {
            anything: Vec<u8>,
            inner: BTreeMap<&'a str, f64>,
        }
        let nested = Nested {
            anything: vec![],
            inner: BTreeMap::from([("x", 1.0), ("z", 2.0)]),
        };
        assert_eq!(
            named::<Loose>(&nested).unwrap_err(),
            "unknown key `z` in Point2 (expected one of: x)"
        );
    }

    #[test]
    fn flatten_and_plain_maps_keep_every_key() {
        let sent = BTreeMap::from([("lowercase", 1i64), ("other", 2)]);
        let bytes = rmp_serde::to_vec_named(&sent).unwrap();
        let (_, _): (HashMap<String, i64>, _) = from_prefix(&bytes, Lending::REFUSED).unwrap();
        let sent = Sent {
            lowercase: true,
            limit: Some(7),
            extra: None,
        };
        let flat = named::<Flattened>(&sent).unwrap();
        assert_eq!(flat.rest, HashMap::from([("limit".to_owned(), 7)]));
    }

    proptest! {
        #[test]
        fn agrees_with_rmp_serde_on_values(
            ints in proptest::collection::vec(any::<i64>(), 0..30),
            text in ".*",
            floats in proptest::collection::vec(any::<f64>(), 0..5),
            map in proptest::collection::hash_map(".{0,4}", any::<u32>(), 0..5),
        ) {
            let value = (ints, text, map, floats.iter().map(|f| f.to_bits()).collect::<Vec<_>>());
            agree::<(Vec<i64>, String, HashMap<String, u32>, Vec<u64>)>(&value);
            agree::<Vec<i32>>(&value.0);
            agree::<Vec<u8>>(&value.0);
        }

        #[test]
        fn noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            let _ = from_prefix::<Vec<Record>>(&bytes, Lending::REFUSED);
            let _ = from_prefix::<(String, Option<Shape>, HashMap<String, f64>)>(&bytes, Lending::REFUSED);
            let _ = from_prefix::<serde_bytes::ByteBuf>(&bytes, Lending::REFUSED);
        }
    }
}
