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
    /// The kind of value `marker` starts: one load from a table (readers ask
    /// this of every value; a chain of range tests costs tens of instructions).
    #[inline(always)]
    pub const fn of(marker: u8) -> Kind {
        KINDS[marker as usize]
    }

    /// The kind of value `marker` starts, worked out (what [`KINDS`] holds).
    const fn classify(marker: u8) -> Kind {
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

/// [`Kind::of`] for every marker byte.
const KINDS: [Kind; 256] = {
    let mut kinds = [Kind::Reserved; 256];
    let mut marker = 0;
    while marker < 256 {
        kinds[marker] = Kind::classify(marker as u8);
        marker += 1;
    }
    kinds
};

/// An extension value: its type and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ext<'a> {
    /// The extension type (`ferryman_abi::EXT_*`).
    pub tag: i8,
    /// The payload, borrowed from the input.
    pub payload: &'a [u8],
}

/// A cursor over MessagePack bytes (see the [module docs](self)).
///
/// It keeps the bytes not read yet as a slice (the position is what was cut
/// off), so reading the next value costs no more than slicing does.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    rest: &'a [u8],
}

type Result<T> = std::result::Result<T, ReadError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    #[inline]
    pub const fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, rest: bytes }
    }

    /// The whole input.
    #[inline]
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The offset of the cursor from the start of the input.
    #[inline]
    pub fn position(&self) -> usize {
        self.bytes.len() - self.rest.len()
    }

    /// The bytes from the cursor on.
    #[inline(always)]
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Whether the cursor is at the end of the input.
    #[inline]
    pub fn is_at_end(&self) -> bool {
        self.rest.is_empty()
    }

    /// An error about the value at the cursor.
    #[cold]
    pub fn error(&self, problem: Problem) -> ReadError {
        ReadError {
            at: self.position(),
            problem,
        }
    }

    /// `Ok` when the cursor is at the end; otherwise the trailing bytes are
    /// an error.
    #[inline]
    pub fn finish(&self) -> Result<()> {
        match self.rest.len() {
            0 => Ok(()),
            left => Err(self.error(Problem::Trailing(left))),
        }
    }

    /// The marker byte at the cursor, not consumed.
    #[inline(always)]
    pub fn peek(&self) -> Result<u8> {
        match self.rest.first() {
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
        if len > self.rest.len() {
            return Err(self.error(Problem::Truncated));
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    /// `N` bytes at offset `at` of the rest, not consumed.
    #[inline(always)]
    fn fixed<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.rest.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    /// A big-endian length of `width` bytes (1, 2 or 4) after the marker at
    /// the cursor, and the header's total size.
    #[inline(always)]
    fn length(&self, width: usize) -> Result<(usize, usize)> {
        let len = match width {
            1 => self.fixed::<1>(1).map(|b| usize::from(b[0])),
            2 => self
                .fixed::<2>(1)
                .map(|b| usize::from(u16::from_be_bytes(b))),
            _ => self.fixed::<4>(1).map(|b| u32::from_be_bytes(b) as usize),
        };
        match len {
            Some(len) => Ok((len, 1 + width)),
            None => Err(self.error(Problem::Truncated)),
        }
    }

    #[cold]
    fn unexpected(&self, expected: &'static str) -> ReadError {
        match self.rest.first() {
            Some(&found) => self.error(Problem::Unexpected { expected, found }),
            None => self.error(Problem::Truncated),
        }
    }

    /// Nil.
    #[inline]
    pub fn nil(&mut self) -> Result<()> {
        match self.rest {
            [0xc0, rest @ ..] => {
                self.rest = rest;
                Ok(())
            }
            _ => Err(self.unexpected("nil")),
        }
    }

    /// Consumes a nil when there is one: `true`; anything else stays.
    #[inline(always)]
    pub fn try_nil(&mut self) -> bool {
        match self.rest {
            [0xc0, rest @ ..] => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    /// A bool.
    #[inline]
    pub fn bool(&mut self) -> Result<bool> {
        match self.rest {
            [marker @ (0xc2 | 0xc3), rest @ ..] => {
                self.rest = rest;
                Ok(*marker == 0xc3)
            }
            _ => Err(self.unexpected("a bool")),
        }
    }

    /// An int of any width (not extension 4: see [`Reader::integer`]).
    #[inline(always)]
    pub fn int(&mut self) -> Result<Int> {
        match self.try_int()? {
            Some(int) => Ok(int),
            None => Err(self.unexpected("an int")),
        }
    }

    /// An int when there is one (`Ok(None)`, nothing consumed, for another
    /// value); the end of the input or a cut-off int is an error.
    #[inline(always)]
    pub fn try_int(&mut self) -> Result<Option<Int>> {
        match int_at(self.rest) {
            IntAt::Int(value, len) => {
                // `int_at` read `len` bytes of `rest`.
                self.rest = &self.rest[len..];
                Ok(Some(value))
            }
            IntAt::Other if !self.rest.is_empty() => Ok(None),
            IntAt::Truncated | IntAt::Other => Err(self.error(Problem::Truncated)),
        }
    }

    /// An integer: an int of any width, or a big integer (extension 4).
    #[inline]
    pub fn integer(&mut self) -> Result<BigInt> {
        if let Some(int) = self.try_int()? {
            return Ok(BigInt::Signed(int.as_i128()));
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

    /// A float 32.
    #[inline]
    pub fn f32(&mut self) -> Result<f32> {
        match self.rest {
            [0xca, a, b, c, d, rest @ ..] => {
                self.rest = rest;
                Ok(f32::from_be_bytes([*a, *b, *c, *d]))
            }
            [0xca, ..] => Err(self.error(Problem::Truncated)),
            _ => Err(self.unexpected("a float 32")),
        }
    }

    /// A float 64.
    #[inline]
    pub fn f64(&mut self) -> Result<f64> {
        match self.fixed::<8>(1) {
            Some(be) if self.rest[0] == 0xcb => {
                self.rest = &self.rest[9..];
                Ok(f64::from_be_bytes(be))
            }
            None if self.rest.first() == Some(&0xcb) => Err(self.error(Problem::Truncated)),
            _ => Err(self.unexpected("a float 64")),
        }
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
        // Short strs (names, keys) first: a marker and the bytes.
        if let [marker @ 0xa0..=0xbf, rest @ ..] = self.rest {
            let len = usize::from(marker & 0x1f);
            if len <= rest.len() {
                let (payload, rest) = rest.split_at(len);
                self.rest = rest;
                return Ok(payload);
            }
            return Err(self.error(Problem::Truncated));
        }
        self.long_str_bytes()
    }

    #[inline]
    fn long_str_bytes(&mut self) -> Result<&'a [u8]> {
        let (len, header) = match self.peek()? {
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
        let start = self.rest;
        let bytes = self.str_bytes()?;
        match utf8(bytes) {
            Some(text) => Ok(text),
            None => {
                self.rest = start;
                Err(self.error(Problem::NotUtf8))
            }
        }
    }

    /// A bin's bytes.
    #[inline(always)]
    pub fn bin(&mut self) -> Result<&'a [u8]> {
        // Short bins (up to 255 bytes) first: a marker, a length byte, the bytes.
        if let [0xc4, len, rest @ ..] = self.rest {
            let len = usize::from(*len);
            if len <= rest.len() {
                let (payload, rest) = rest.split_at(len);
                self.rest = rest;
                return Ok(payload);
            }
        }
        self.long_bin()
    }

    #[inline]
    fn long_bin(&mut self) -> Result<&'a [u8]> {
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
        match header.checked_add(len) {
            Some(end) if end <= self.rest.len() => {
                let payload = &self.rest[header..end];
                self.rest = &self.rest[end..];
                Ok(payload)
            }
            _ => Err(self.error(Problem::Truncated)),
        }
    }

    /// An array header: the number of elements that follow.
    #[inline(always)]
    pub fn array_len(&mut self) -> Result<usize> {
        if let [marker @ 0x90..=0x9f, rest @ ..] = self.rest {
            self.rest = rest;
            return Ok(usize::from(marker & 0x0f));
        }
        self.long_array_len()
    }

    #[inline]
    fn long_array_len(&mut self) -> Result<usize> {
        let (len, header) = match self.peek()? {
            marker @ 0x90..=0x9f => (usize::from(marker & 0x0f), 1),
            0xdc => self.length(2)?,
            0xdd => self.length(4)?,
            _ => return Err(self.unexpected("an array")),
        };
        self.rest = &self.rest[header..];
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
        self.rest = &self.rest[header..];
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
        match self.rest.get(head - 1) {
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
        let start = self.rest;
        self.skip()?;
        Ok(&start[..start.len() - self.rest.len()])
    }

    /// [`Reader::skip`] for a value inside containers: a container it opens
    /// is at nesting `level`.
    #[inline]
    pub fn skip_at(&mut self, level: usize) -> Result<()> {
        if let Some(len) = scalar_len(self.rest) {
            self.rest = &self.rest[len..];
            return Ok(());
        }
        // On failure the cursor is left at the value at fault.
        self.skip_slow(level).map_err(|problem| self.error(problem))
    }

    /// Everything [`scalar_len`] does not take: containers, extensions, and
    /// values that do not fit. Reads bytes directly, and fails with a bare
    /// [`Problem`] and the cursor on the value at fault (a small error
    /// returns in registers: this runs for every container a value holds).
    fn skip_slow(&mut self, level: usize) -> std::result::Result<(), Problem> {
        let start = self.rest;
        // The end of a value of `$len` bytes after its header, or truncated.
        macro_rules! to_end {
            ($len:expr) => {
                return match $len {
                    Some(()) => Ok(()),
                    None => self.fail_at(start, Problem::Truncated),
                }
            };
        }
        let Some((&marker, rest)) = self.rest.split_first() else {
            return Err(Problem::Truncated);
        };
        self.rest = rest;
        let items = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => return Ok(()),
            0x80..=0x8f => Some(usize::from(marker & 0x0f) * 2),
            0x90..=0x9f => Some(usize::from(marker & 0x0f)),
            0xa0..=0xbf => to_end!(self.advance(usize::from(marker & 0x1f))),
            0xc1 => return self.fail_at(start, Problem::Reserved),
            0xc4 | 0xd9 => to_end!(self.sized(1, 0)),
            0xc5 | 0xda => to_end!(self.sized(2, 0)),
            0xc6 | 0xdb => to_end!(self.sized(4, 0)),
            0xc7 => to_end!(self.sized(1, 1)),
            0xc8 => to_end!(self.sized(2, 1)),
            0xc9 => to_end!(self.sized(4, 1)),
            0xcc | 0xd0 => to_end!(self.advance(1)),
            0xcd | 0xd1 => to_end!(self.advance(2)),
            0xca | 0xce | 0xd2 => to_end!(self.advance(4)),
            0xcb | 0xcf | 0xd3 => to_end!(self.advance(8)),
            0xd4 => to_end!(self.advance(2)),
            0xd5 => to_end!(self.advance(3)),
            0xd6 => to_end!(self.advance(5)),
            0xd7 => to_end!(self.advance(9)),
            0xd8 => to_end!(self.advance(17)),
            0xdc => self.uint(2),
            0xdd => self.uint(4),
            0xde => self.uint(2).map(|n| n * 2),
            0xdf => self.uint(4).and_then(|n| n.checked_mul(2)),
        };
        // A count beyond the bytes ends the loop at the first missing item.
        let Some(items) = items else {
            return self.fail_at(start, Problem::Truncated);
        };
        if level > MAX_DEPTH {
            return self.fail_at(start, Problem::TooDeep);
        }
        for _ in 0..items {
            match scalar_len(self.rest) {
                Some(len) => self.rest = &self.rest[len..],
                None => self.skip_slow(level + 1)?,
            }
        }
        Ok(())
    }

    /// Puts the cursor back on the value at fault.
    #[cold]
    fn fail_at(&mut self, start: &'a [u8], problem: Problem) -> std::result::Result<(), Problem> {
        self.rest = start;
        Err(problem)
    }

    /// Moves `len` bytes on, or `None` past the end.
    #[inline(always)]
    fn advance(&mut self, len: usize) -> Option<()> {
        self.rest = self.rest.get(len..)?;
        Some(())
    }

    /// A big-endian number of `width` bytes, consumed.
    #[inline(always)]
    fn uint(&mut self, width: usize) -> Option<usize> {
        let bytes = self.rest.get(..width)?;
        self.rest = &self.rest[width..];
        Some(bytes.iter().fold(0usize, |n, &b| (n << 8) | usize::from(b)))
    }

    /// A length of `width` bytes, `extra` header bytes (an ext type), then
    /// the payload.
    #[inline(always)]
    fn sized(&mut self, width: usize, extra: usize) -> Option<()> {
        let len = self.uint(width)?;
        self.advance(extra)?;
        self.advance(len)
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
/// checked a word at a time, anything else by the full check.
#[inline]
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    if is_ascii(bytes) {
        // SAFETY: every byte is below 0x80, and ASCII is UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

/// Whether every byte is below 0x80, read eight (or four) bytes at a time;
/// the last word overlaps the one before it rather than leaving a tail to
/// read byte by byte.
#[inline(always)]
fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if let Some(last) = bytes.last_chunk::<8>() {
        let mut high = u64::from_ne_bytes(*last);
        for word in bytes.chunks_exact(8) {
            if let Ok(word) = <[u8; 8]>::try_from(word) {
                high |= u64::from_ne_bytes(word);
            }
        }
        return high & HIGH == 0;
    }
    if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        return (u32::from_ne_bytes(*first) | u32::from_ne_bytes(*last)) & HIGH as u32 == 0;
    }
    bytes.iter().fold(0u8, |all, &b| all | b) < 0x80
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
        fn utf8_agrees_with_std(bytes in proptest::collection::vec(prop_oneof![0u8..0x80, any::<u8>()], 0..40)) {
            prop_assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes).ok());
        }

        #[test]
        fn bins_of_every_width_read_alike(payload in proptest::collection::vec(any::<u8>(), 0..300), cut in 0usize..4) {
            let len = payload.len();
            let mut headers = vec![[&[0xc5][..], &u16::try_from(len).unwrap().to_be_bytes()].concat()];
            if let Ok(short) = u8::try_from(len) {
                headers.push(vec![0xc4, short]);
            }
            for header in headers {
                let mut bytes = [&header[..], &payload].concat();
                bytes.truncate(bytes.len() - cut.min(bytes.len() - 1));
                let mut r = Reader::new(&bytes);
                match r.bin() {
                    Ok(read) => {
                        prop_assert_eq!(cut, 0);
                        prop_assert_eq!(read, &payload[..]);
                        prop_assert!(r.is_at_end());
                    }
                    Err(error) => {
                        prop_assert_eq!(error, ReadError { at: 0, problem: Problem::Truncated });
                        prop_assert_eq!(r.position(), 0);
                        prop_assert!(cut > 0);
                    }
                }
            }
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
