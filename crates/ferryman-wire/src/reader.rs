//! The one MessagePack cursor of ferryman: what the library's argument decoder
//! and every host read values with.
//!
//! A [`Reader`] borrows the bytes and moves over them value by value. Each
//! method reads one thing at the cursor — a nil, an int, a str, an array
//! header, a whole value to skip — and either moves past it or leaves the
//! cursor where it was and says what is wrong there, at which byte
//! ([`ReadError`]). Strings, bins and extension payloads are slices of the
//! input: nothing is copied. Nesting is limited to [`MAX_DEPTH`].
//!
//! ```
//! use ferryman_wire::reader::Reader;
//!
//! // {"a": [1, "x"]}
//! let bytes = [0x81, 0xa1, b'a', 0x92, 0x01, 0xa1, b'x'];
//! let mut reader = Reader::new(&bytes);
//! assert_eq!(reader.map_len()?, 1);
//! assert_eq!(reader.str()?, "a");
//! assert_eq!(reader.array_len()?, 2);
//! assert_eq!(reader.int()?.as_i128(), 1);
//! assert_eq!(reader.str()?, "x");
//! reader.finish()?;
//!
//! let error = Reader::new(&[0xcd, 0x01]).int().unwrap_err();
//! assert_eq!(error.to_string(), "the MessagePack value ends early (at byte 0)");
//! # Ok::<(), ferryman_wire::reader::ReadError>(())
//! ```

use crate::big_int::{BigInt, BigIntError};
use crate::direct::{int_at, IntAt};
use crate::limits::MAX_DEPTH;
use ferryman_abi::EXT_BIG_INT;
use std::fmt;

pub use crate::direct::Int;

/// What is wrong with the bytes at [`ReadError::at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The bytes end inside the value.
    Truncated,
    /// The byte `0xc1`, which MessagePack reserves.
    Reserved,
    /// A str whose bytes are not UTF-8.
    NotUtf8,
    /// Arrays and maps nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Another kind of value than the one asked for; `found` is its first byte.
    Unexpected {
        /// What the reader asked for (`"a str"`).
        expected: &'static str,
        /// The marker byte that is there instead.
        found: u8,
    },
    /// An extension 4 whose payload is not a big integer.
    BigInt(BigIntError),
    /// Bytes after the one value the input should hold.
    Trailing(usize),
}

/// Bytes that are not the MessagePack the reader asked for: what and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadError {
    /// The offset of the value (or byte) at fault, from the start of the input.
    pub at: usize,
    /// What is wrong there.
    pub problem: Problem,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Truncated => f.write_str("the MessagePack value ends early"),
            Problem::Reserved => f.write_str("the reserved MessagePack byte 0xc1"),
            Problem::NotUtf8 => f.write_str("a str that is not UTF-8"),
            Problem::TooDeep => write!(f, "values nested deeper than {MAX_DEPTH} levels"),
            Problem::Unexpected { expected, found } => {
                write!(f, "expected {expected}, but found {}", marker_name(*found))
            }
            Problem::BigInt(error) => error.fmt(f),
            Problem::Trailing(count) => write!(f, "{count} bytes after the value"),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.problem, self.at)
    }
}

impl std::error::Error for ReadError {}

/// What kind of value a marker byte starts, as a reader names it in messages.
pub fn marker_name(marker: u8) -> &'static str {
    match Kind::of(marker) {
        Kind::Nil => "nil",
        Kind::Bool => "a bool",
        Kind::Int => "an int",
        Kind::Float => "a float",
        Kind::Str => "a str",
        Kind::Bin => "a bin",
        Kind::Array => "an array",
        Kind::Map => "a map",
        Kind::Ext => "an extension value",
        Kind::Reserved => "the reserved byte 0xc1",
    }
}

/// The kind of MessagePack value a marker byte starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Nil,
    Bool,
    Int,
    Float,
    Str,
    Bin,
    Array,
    Map,
    Ext,
    Reserved,
}

impl Kind {
    /// The kind of value `marker` starts.
    #[inline]
    pub const fn of(marker: u8) -> Kind {
        match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 => Kind::Int,
            0x80..=0x8f | 0xde | 0xdf => Kind::Map,
            0x90..=0x9f | 0xdc | 0xdd => Kind::Array,
            0xa0..=0xbf | 0xd9..=0xdb => Kind::Str,
            0xc0 => Kind::Nil,
            0xc1 => Kind::Reserved,
            0xc2 | 0xc3 => Kind::Bool,
            0xc4..=0xc6 => Kind::Bin,
            0xc7..=0xc9 | 0xd4..=0xd8 => Kind::Ext,
            0xca | 0xcb => Kind::Float,
        }
    }
}

/// An extension value: its type and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ext<'a> {
    /// The extension type (`ferryman_abi::EXT_*`).
    pub tag: i8,
    /// The payload, borrowed from the input.
    pub payload: &'a [u8],
}

/// A cursor over MessagePack bytes (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type Result<T> = std::result::Result<T, ReadError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    #[inline]
    pub const fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    /// The whole input.
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The offset of the cursor from the start of the input.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes from the cursor on.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        // `pos` never passes the end.
        &self.bytes[self.pos..]
    }

    /// Whether the cursor is at the end of the input.
    #[inline]
    pub fn is_at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// An error about the value at the cursor.
    #[inline]
    pub fn error(&self, problem: Problem) -> ReadError {
        ReadError {
            at: self.pos,
            problem,
        }
    }

    /// `Ok` when the cursor is at the end; otherwise the trailing bytes are
    /// an error.
    #[inline]
    pub fn finish(&self) -> Result<()> {
        match self.bytes.len() - self.pos {
            0 => Ok(()),
            left => Err(self.error(Problem::Trailing(left))),
        }
    }

    /// The marker byte at the cursor, not consumed.
    #[inline(always)]
    pub fn peek(&self) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&marker) => Ok(marker),
            None => Err(self.error(Problem::Truncated)),
        }
    }

    /// The kind of value at the cursor, not consumed.
    #[inline]
    pub fn peek_kind(&self) -> Result<Kind> {
        self.peek().map(Kind::of)
    }

    /// The next `len` bytes, consumed.
    #[inline(always)]
    pub fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        match self.pos.checked_add(len) {
            Some(end) if end <= self.bytes.len() => {
                let taken = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(taken)
            }
            _ => Err(self.error(Problem::Truncated)),
        }
    }

    #[inline(always)]
    fn fixed<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    /// A big-endian length of `width` bytes (1, 2 or 4) after the marker at
    /// the cursor, and the header's total size.
    #[inline(always)]
    fn length(&self, width: usize) -> Result<(usize, usize)> {
        let at = self.pos + 1;
        let len = match width {
            1 => self.fixed::<1>(at).map(|b| usize::from(b[0])),
            2 => self
                .fixed::<2>(at)
                .map(|b| usize::from(u16::from_be_bytes(b))),
            _ => self.fixed::<4>(at).map(|b| u32::from_be_bytes(b) as usize),
        };
        match len {
            Some(len) => Ok((len, 1 + width)),
            None => Err(self.error(Problem::Truncated)),
        }
    }

    #[inline(always)]
    fn unexpected(&self, expected: &'static str) -> ReadError {
        match self.bytes.get(self.pos) {
            Some(&found) => self.error(Problem::Unexpected { expected, found }),
            None => self.error(Problem::Truncated),
        }
    }

    /// Nil.
    #[inline]
    pub fn nil(&mut self) -> Result<()> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected("nil"))
        }
    }

    /// Consumes a nil when there is one: `true`; anything else stays.
    #[inline]
    pub fn try_nil(&mut self) -> bool {
        if self.bytes.get(self.pos) == Some(&0xc0) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A bool.
    #[inline]
    pub fn bool(&mut self) -> Result<bool> {
        match self.peek()? {
            marker @ (0xc2 | 0xc3) => {
                self.pos += 1;
                Ok(marker == 0xc3)
            }
            _ => Err(self.unexpected("a bool")),
        }
    }

    /// An int of any width (not extension 4: see [`Reader::integer`]).
    #[inline(always)]
    pub fn int(&mut self) -> Result<Int> {
        match int_at(self.rest()) {
            IntAt::Int(value, len) => {
                self.pos += len;
                Ok(value)
            }
            IntAt::Truncated => Err(self.error(Problem::Truncated)),
            IntAt::Other => Err(self.unexpected("an int")),
        }
    }

    /// An integer: an int of any width, or a big integer (extension 4).
    #[inline]
    pub fn integer(&mut self) -> Result<BigInt> {
        match int_at(self.rest()) {
            IntAt::Int(value, len) => {
                self.pos += len;
                return Ok(match value {
                    Int::I(n) => BigInt::Signed(i128::from(n)),
                    Int::U(n) => BigInt::Signed(i128::from(n)),
                });
            }
            IntAt::Truncated => return Err(self.error(Problem::Truncated)),
            IntAt::Other => {}
        }
        let start = self.clone();
        match self.ext() {
            Ok(Ext { tag, payload }) if tag == EXT_BIG_INT => {
                BigInt::parse(payload).map_err(|e| start.error(Problem::BigInt(e)))
            }
            Ok(_) | Err(_) => {
                *self = start;
                Err(self.unexpected("an integer"))
            }
        }
    }

    /// A float 32, widened.
    #[inline]
    pub fn f32(&mut self) -> Result<f32> {
        if self.peek()? != 0xca {
            return Err(self.unexpected("a float 32"));
        }
        let bytes = self.fixed::<4>(self.pos + 1);
        let bytes = bytes.ok_or_else(|| self.error(Problem::Truncated))?;
        self.pos += 5;
        Ok(f32::from_be_bytes(bytes))
    }

    /// A float 64.
    #[inline]
    pub fn f64(&mut self) -> Result<f64> {
        if self.peek()? != 0xcb {
            return Err(self.unexpected("a float 64"));
        }
        let bytes = self.fixed::<8>(self.pos + 1);
        let bytes = bytes.ok_or_else(|| self.error(Problem::Truncated))?;
        self.pos += 9;
        Ok(f64::from_be_bytes(bytes))
    }

    /// A float of either width, as `f64`.
    #[inline]
    pub fn float(&mut self) -> Result<f64> {
        match self.peek()? {
            0xca => self.f32().map(f64::from),
            0xcb => self.f64(),
            _ => Err(self.unexpected("a float")),
        }
    }

    /// A str's bytes, not checked for UTF-8.
    #[inline(always)]
    pub fn str_bytes(&mut self) -> Result<&'a [u8]> {
        let (len, header) = match self.peek()? {
            marker @ 0xa0..=0xbf => (usize::from(marker & 0x1f), 1),
            0xd9 => self.length(1)?,
            0xda => self.length(2)?,
            0xdb => self.length(4)?,
            _ => return Err(self.unexpected("a str")),
        };
        self.payload(header, len)
    }

    /// A str.
    #[inline]
    pub fn str(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let bytes = self.str_bytes()?;
        match utf8(bytes) {
            Some(text) => Ok(text),
            None => {
                self.pos = start;
                Err(self.error(Problem::NotUtf8))
            }
        }
    }

    /// A bin's bytes.
    #[inline]
    pub fn bin(&mut self) -> Result<&'a [u8]> {
        let (len, header) = match self.peek()? {
            0xc4 => self.length(1)?,
            0xc5 => self.length(2)?,
            0xc6 => self.length(4)?,
            _ => return Err(self.unexpected("a bin")),
        };
        self.payload(header, len)
    }

    /// Header and payload consumed together, or nothing.
    #[inline(always)]
    fn payload(&mut self, header: usize, len: usize) -> Result<&'a [u8]> {
        let start = self.pos + header;
        match start.checked_add(len) {
            Some(end) if end <= self.bytes.len() => {
                self.pos = end;
                Ok(&self.bytes[start..end])
            }
            _ => Err(self.error(Problem::Truncated)),
        }
    }

    /// An array header: the number of elements that follow.
    #[inline]
    pub fn array_len(&mut self) -> Result<usize> {
        let (len, header) = match self.peek()? {
            marker @ 0x90..=0x9f => (usize::from(marker & 0x0f), 1),
            0xdc => self.length(2)?,
            0xdd => self.length(4)?,
            _ => return Err(self.unexpected("an array")),
        };
        self.pos += header;
        Ok(len)
    }

    /// A map header: the number of key-value pairs that follow.
    #[inline]
    pub fn map_len(&mut self) -> Result<usize> {
        let (len, header) = match self.peek()? {
            marker @ 0x80..=0x8f => (usize::from(marker & 0x0f), 1),
            0xde => self.length(2)?,
            0xdf => self.length(4)?,
            _ => return Err(self.unexpected("a map")),
        };
        self.pos += header;
        Ok(len)
    }

    /// An extension value's header, not consumed: its type, the header's
    /// length (marker, length and type bytes) and the payload's length.
    #[inline]
    pub fn peek_ext(&self) -> Result<(i8, usize, usize)> {
        let (len, head) = match self.peek()? {
            0xd4 => (1, 2),
            0xd5 => (2, 2),
            0xd6 => (4, 2),
            0xd7 => (8, 2),
            0xd8 => (16, 2),
            0xc7 => self.length(1).map(|(len, h)| (len, h + 1))?,
            0xc8 => self.length(2).map(|(len, h)| (len, h + 1))?,
            0xc9 => self.length(4).map(|(len, h)| (len, h + 1))?,
            _ => return Err(self.unexpected("an extension value")),
        };
        match self.bytes.get(self.pos + head - 1) {
            Some(&tag) => Ok((tag as i8, head, len)),
            None => Err(self.error(Problem::Truncated)),
        }
    }

    /// An extension value.
    #[inline]
    pub fn ext(&mut self) -> Result<Ext<'a>> {
        let (tag, head, len) = self.peek_ext()?;
        let payload = self.payload(head, len)?;
        Ok(Ext { tag, payload })
    }

    /// Checks that a container opened at nesting `level` (1 for the
    /// outermost) is within [`MAX_DEPTH`]; the error points at the cursor.
    #[inline]
    pub fn check_level(&self, level: usize) -> Result<()> {
        if level > MAX_DEPTH {
            Err(self.error(Problem::TooDeep))
        } else {
            Ok(())
        }
    }

    /// Skips one whole value, checking only its structure (headers, lengths,
    /// nesting, no reserved byte): a 1 MiB bin costs what a nil does.
    #[inline]
    pub fn skip(&mut self) -> Result<()> {
        self.skip_at(1)
    }

    /// One whole value, skipped and returned as its bytes.
    #[inline]
    pub fn value(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        self.skip()?;
        Ok(&self.bytes[start..self.pos])
    }

    /// [`Reader::skip`] for a value inside containers: a container it opens
    /// is at nesting `level`.
    #[inline]
    pub fn skip_at(&mut self, level: usize) -> Result<()> {
        match scalar_len(self.rest()) {
            Some(len) => {
                self.pos += len;
                Ok(())
            }
            None => self.skip_slow(level),
        }
    }

    fn skip_slow(&mut self, level: usize) -> Result<()> {
        let start = self.pos;
        let marker = self.peek()?;
        let items = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {
                self.pos += 1;
                return Ok(());
            }
            0x80..=0x8f | 0xde | 0xdf => self.map_len()?.checked_mul(2),
            0x90..=0x9f | 0xdc | 0xdd => Some(self.array_len()?),
            0xa0..=0xbf | 0xd9..=0xdb => return self.str_bytes().map(drop),
            0xc1 => return Err(self.error(Problem::Reserved)),
            0xc4..=0xc6 => return self.bin().map(drop),
            0xc7..=0xc9 | 0xd4..=0xd8 => return self.ext().map(drop),
            0xcc | 0xd0 => return self.take(2).map(drop),
            0xcd | 0xd1 => return self.take(3).map(drop),
            0xca | 0xce | 0xd2 => return self.take(5).map(drop),
            0xcb | 0xcf | 0xd3 => return self.take(9).map(drop),
        };
        if level > MAX_DEPTH {
            self.pos = start;
            return Err(self.error(Problem::TooDeep));
        }
        // Every item takes at least one byte: a count the rest cannot hold
        // is truncated, found before looping over it.
        let items = match items {
            Some(items) if items <= self.bytes.len() - self.pos => items,
            _ => return Err(self.error(Problem::Truncated)),
        };
        for _ in 0..items {
            match scalar_len(self.rest()) {
                Some(len) => self.pos += len,
                None => self.skip_slow(level + 1)?,
            }
        }
        Ok(())
    }
}

/// The length of a scalar (nil, bool, number, str, bin) at the start of `buf`,
/// when it is one and fits: the common case, without a loop.
#[inline(always)]
fn scalar_len(buf: &[u8]) -> Option<usize> {
    let be = |at: usize, width: usize| -> Option<usize> {
        let bytes = buf.get(at..at + width)?;
        Some(bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b)))
    };
    let n = match *buf.first()? {
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => 1,
        0xcc | 0xd0 => 2,
        0xcd | 0xd1 => 3,
        0xca | 0xce | 0xd2 => 5,
        0xcb | 0xcf | 0xd3 => 9,
        b @ 0xa0..=0xbf => 1 + usize::from(b & 0x1f),
        0xc4 | 0xd9 => 2 + be(1, 1)?,
        0xc5 | 0xda => 3 + be(1, 2)?,
        0xc6 | 0xdb => 5 + be(1, 4)?,
        _ => return None,
    };
    (n <= buf.len()).then_some(n)
}

/// `bytes` as text, if they are UTF-8: short ASCII strings (keys, names) are
/// checked eight bytes at a time, anything else by the full check.
#[inline]
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    let mut words = bytes.chunks_exact(8);
    let mut high = 0u64;
    for word in &mut words {
        high |= u64::from_ne_bytes(word.try_into().ok()?);
    }
    let tail = words.remainder().iter().fold(0u8, |all, &b| all | b);
    if high & 0x8080_8080_8080_8080 == 0 && tail < 0x80 {
        // SAFETY: every byte is below 0x80, and ASCII is UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn problem<T: fmt::Debug>(result: Result<T>) -> (usize, Problem) {
        let error = result.unwrap_err();
        (error.at, error.problem)
    }

    #[test]
    fn scalars_of_every_width() {
        let mut r = Reader::new(&[0xc0, 0xc3, 0x05, 0xff, 0xd1, 0xff, 0x00, 0xcb]);
        r.nil().unwrap();
        assert!(r.bool().unwrap());
        assert_eq!(r.int().unwrap(), Int::U(5));
        assert_eq!(r.int().unwrap(), Int::I(-1));
        assert_eq!(r.int().unwrap(), Int::I(-256));
        assert_eq!(problem(r.f64()), (7, Problem::Truncated));
        let bytes = [0xca, 0x3f, 0xc0, 0, 0, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
        let mut r = Reader::new(&bytes);
        assert_eq!(r.float().unwrap(), 1.5);
        assert_eq!(r.float().unwrap(), 1.5);
        r.finish().unwrap();
    }

    #[test]
    fn strings_and_bins_borrow_the_input() {
        let bytes = [0xa2, b'h', b'i', 0xc4, 0x01, 0x07, 0xd9, 0x01, b'x'];
        let mut r = Reader::new(&bytes);
        let text = r.str().unwrap();
        assert_eq!(text, "hi");
        assert!(bytes.as_ptr_range().contains(&text.as_ptr()));
        assert_eq!(r.bin().unwrap(), &[7]);
        assert_eq!(r.str().unwrap(), "x");
        assert_eq!(
            problem(Reader::new(&[0xa2, 0xff, 0xfe]).str()),
            (0, Problem::NotUtf8)
        );
        assert_eq!(
            problem(Reader::new(&[0xc5, 0x00]).bin()),
            (0, Problem::Truncated)
        );
    }

    #[test]
    fn a_mismatch_names_both_and_leaves_the_cursor() {
        let mut r = Reader::new(&[0x01, 0xa1, b'x']);
        r.int().unwrap();
        let error = r.int().unwrap_err();
        assert_eq!(
            error.to_string(),
            "expected an int, but found a str (at byte 1)"
        );
        assert_eq!(r.position(), 1);
        assert_eq!(r.str().unwrap(), "x");
    }

    #[test]
    fn big_integers_and_extensions() {
        let mut bytes = vec![0xd8, 0x04];
        bytes.extend_from_slice(&(1i128 << 64).to_be_bytes());
        bytes.extend_from_slice(&[0x07, 0xd4, 0x09, 0x01]);
        let mut r = Reader::new(&bytes);
        assert_eq!(r.integer().unwrap(), BigInt::Signed(1 << 64));
        assert_eq!(r.integer().unwrap(), BigInt::Signed(7));
        assert!(r.integer().is_err());
        assert_eq!(r.position(), 19, "a failed integer() moves nothing");
        assert_eq!(
            r.ext().unwrap(),
            Ext {
                tag: 9,
                payload: &[1]
            }
        );
        let bad = [0xc7, 0x00, 0x04];
        assert_eq!(
            problem(Reader::new(&bad).integer()),
            (0, Problem::BigInt(BigIntError::Length(0)))
        );
    }

    #[test]
    fn containers_and_skipping() {
        let bytes = [0x82, 0xa1, b'a', 0x92, 0x01, 0xc0, 0xa1, b'b', 0x80, 0xc3];
        let mut r = Reader::new(&bytes);
        assert_eq!(r.value().unwrap(), &bytes[..9]);
        assert!(r.bool().unwrap());
        r.finish().unwrap();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.map_len().unwrap(), 2);
        assert_eq!(problem(r.finish()), (1, Problem::Trailing(9)));
    }

    #[test]
    fn nesting_is_limited_to_max_depth() {
        let within = [vec![0x91; MAX_DEPTH - 1], vec![0x90]].concat();
        Reader::new(&within).skip().unwrap();
        let deeper = [vec![0x91; MAX_DEPTH], vec![0x90]].concat();
        assert_eq!(
            problem(Reader::new(&deeper).skip()),
            (MAX_DEPTH, Problem::TooDeep)
        );
        assert!(Reader::new(&vec![0x91; 100_000]).skip().is_err());
    }

    #[test]
    fn lengths_beyond_the_input_are_truncated_not_a_hang() {
        for bytes in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0xc6, 0xff, 0xff, 0xff, 0xff],
            &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x01],
        ] {
            assert_eq!(problem(Reader::new(bytes).skip()).1, Problem::Truncated);
        }
        assert_eq!(problem(Reader::new(&[0xc1]).skip()), (0, Problem::Reserved));
    }

    proptest! {
        #[test]
        fn skips_what_rmp_serde_writes(v in proptest::collection::vec((any::<i64>(), ".*", proptest::collection::vec(any::<u8>(), 0..40), any::<f64>()), 0..20)) {
            let mut bytes = rmp_serde::to_vec(&v).unwrap();
            let n = bytes.len();
            bytes.extend_from_slice(&[0xc0, 0xc0]);
            let mut r = Reader::new(&bytes);
            prop_assert_eq!(r.value().map(<[u8]>::len), Ok(n));
        }

        #[test]
        fn noise_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut r = Reader::new(&bytes);
            while r.skip().is_ok() && !r.is_at_end() {}
            let mut r = Reader::new(&bytes);
            let _ = (r.integer(), r.str(), r.bin(), r.ext(), r.map_len(), r.array_len(), r.float());
        }
    }
}
