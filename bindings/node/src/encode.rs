//! JS values to MessagePack (`spec/wire.md`), straight from N-API values
//! into the argument buffer: numbers that are whole are ints, BigInts ints
//! or extension 4, Buffers and Uint8Arrays bin, functions callbacks
//! (extension 1) or the library's own closures (extension 2), objects of
//! exported classes extension 5, Maps and plain objects maps, `Date`s their
//! ISO string; other objects with no wire form (a `Set`, a `Promise`) are
//! refused, not sent as an empty map (`wireForm` in index.js).

use ferryman_host::reader::MAX_DEPTH;
use napi::sys::TypedarrayType as T;
use rmp::encode as mp;

use crate::closure;
use crate::handles;
use crate::js::{Js, JsResult, Kind, Thrown, Value};
use crate::library::Lib;

/// Why a value was not encoded.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// A JS exception is pending.
    Thrown,
    /// The value has no wire form: what was found (`a symbol`).
    Bad(String),
    /// An integer no Rust integer holds: what was found.
    Overflow(String),
    /// An object of an exported class that was closed: its class.
    Closed(String),
}

impl From<Thrown> for Refusal {
    fn from(_: Thrown) -> Refusal {
        Refusal::Thrown
    }
}

type Result<T> = std::result::Result<T, Refusal>;

/// Encodes JS values into one buffer.
#[derive(Debug)]
pub(crate) struct Encoder<'a> {
    js: Js,
    lib: &'static Lib,
    pub(crate) out: &'a mut Vec<u8>,
    /// Handles of host objects made for this call: the host's own reference,
    /// dropped when the call returns (`finish`).
    pub(crate) made: Vec<u64>,
    /// Whether large top-level bytes may be lent (extension 3, handle 0)
    /// rather than copied: only when no JS can run during the call, which
    /// could change them (`call.rs` decides).
    lend: bool,
    /// Whether something was lent (a JS function found later means the
    /// call may run JS after all: encode again without lending).
    pub(crate) lent: bool,
    /// What was lent: each typed array, with the address and length sent
    /// and where its extension 3 starts in `out`. JS that runs while later
    /// arguments are encoded (a getter, a Proxy trap) may detach or shrink
    /// a lent buffer, freeing the memory sent: [`Encoder::settle_lent`]
    /// looks before the call.
    lent_views: Vec<LentView>,
    /// Whether the value being encoded is of a type with `i128` or `u128`
    /// in it: a whole `number` beyond 64 bits then goes as extension 4, not
    /// as a float (which an `f64` takes and an `i128` does not).
    pub(crate) wide: bool,
    /// Whether the argument being encoded is a `ferryman::Bytes`, which
    /// keeps its bytes: a large `Buffer` then goes as a copy the library may
    /// keep (`lent_copy`).
    pub(crate) keeps: bool,
    /// Handles of the copies lent to this call (`lent_copy`): the host's own
    /// reference, dropped when the call returns (`finish_copies`).
    pub(crate) copies: Vec<u64>,
}

/// A typed array lent for the call: the address and length sent, and the
/// offset of its extension 3 in the argument bytes.
#[derive(Debug)]
struct LentView {
    value: Value,
    address: usize,
    len: usize,
    at: usize,
}

/// The length of a lent bytes value on the wire: ext 8 header + 28 bytes.
const LENT_LEN: usize = 3 + 28;

/// Bytes at least this long are lent rather than copied (as the Python host).
const LEND_AT_LEAST: usize = 64 * 1024;

const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;
const TWO_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
const TWO_128: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0;

impl<'a> Encoder<'a> {
    pub(crate) fn new(js: Js, lib: &'static Lib, out: &'a mut Vec<u8>) -> Encoder<'a> {
        Encoder {
            js,
            lib,
            out,
            made: Vec::new(),
            lend: false,
            lent: false,
            lent_views: Vec::new(),
            wide: false,
            keeps: false,
            copies: Vec::new(),
        }
    }

    /// Lets top-level bytes of this call be lent (`lend`).
    pub(crate) fn lending(mut self, lend: bool) -> Encoder<'a> {
        self.lend = lend && self.lib.library.lent_bytes();
        self
    }

    pub(crate) fn array_header(&mut self, len: u32) {
        let _ = mp::write_array_len(self.out, len);
    }

    /// Drops the host's own references to what this call sent.
    pub(crate) fn finish(made: Vec<u64>) {
        for handle in made {
            handles::release(handle);
        }
    }

    /// Drops the host's own references to the copies lent to this call.
    pub(crate) fn finish_copies(copies: Vec<u64>) {
        for handle in copies {
            handles::release_copy(handle);
        }
    }

    /// Drops every reference the host took for a call that will not be made.
    pub(crate) fn abandon(&mut self) {
        Encoder::finish(std::mem::take(&mut self.made));
        Encoder::finish_copies(std::mem::take(&mut self.copies));
    }

    /// One value at nesting `level` (1: an argument of its own).
    pub(crate) fn value(&mut self, value: Value, level: usize) -> Result<()> {
        let js = self.js;
        match js.kind(value)? {
            Kind::Undefined | Kind::Null => self.out.push(0xc0),
            Kind::Boolean => {
                let b = js.get_bool(value)?;
                self.out.push(if b { 0xc3 } else { 0xc2 });
            }
            Kind::Number => self.number(js.get_number(value)?),
            Kind::String => {
                let len = js.string_len(value)?;
                let _ = mp::write_str_len(self.out, len as u32);
                let start = self.out.len();
                js.string_write(value, len, self.out)?;
                // N-API writes a lone surrogate as U+FFFD: such a string is
                // refused (it is not Unicode; Python refuses it too), a real
                // U+FFFD is not. Looked at only when the UTF-8 holds one.
                if holds_replacement(&self.out[start..]) && js.has_lone_surrogate(value)? {
                    return Err(Refusal::Bad(
                        "a string that is not valid Unicode (it holds a lone surrogate)".into(),
                    ));
                }
            }
            Kind::BigInt => self.bigint(value)?,
            Kind::Symbol => return Err(Refusal::Bad("a symbol".into())),
            Kind::External => return Err(Refusal::Bad("an external".into())),
            Kind::Function => self.function(value)?,
            Kind::Object => self.object(value, level)?,
        }
        Ok(())
    }

    #[inline]
    fn number(&mut self, n: f64) {
        if n.trunc() == n && (-TWO_63..TWO_64).contains(&n) {
            if n < 0.0 {
                let _ = mp::write_sint(self.out, n as i64);
            } else {
                let _ = mp::write_uint(self.out, n as u64);
            }
        } else if self.wide && n.trunc() == n && (-TWO_127..TWO_128).contains(&n) {
            // Whole but beyond 64 bits: an int still, in extension 4.
            if n < TWO_127 {
                self.big(&(n as i128).to_be_bytes(), false);
            } else {
                self.big(&(n as u128).to_be_bytes(), true);
            }
        } else {
            let _ = mp::write_f64(self.out, n);
        }
    }

    fn bigint(&mut self, value: Value) -> Result<()> {
        let Some((negative, magnitude)) = self.js.get_bigint(value)? else {
            return Err(Refusal::Overflow("a BigInt beyond 128 bits".into()));
        };
        if !negative {
            if let Ok(n) = u64::try_from(magnitude) {
                let _ = mp::write_uint(self.out, n);
                return Ok(());
            }
            if let Ok(n) = i128::try_from(magnitude) {
                self.big(&n.to_be_bytes(), false);
            } else {
                self.big(&magnitude.to_be_bytes(), true);
            }
            return Ok(());
        }
        if magnitude <= 1 << 63 {
            let _ = mp::write_sint(self.out, (magnitude as i128).wrapping_neg() as i64);
            return Ok(());
        }
        if magnitude > 1 << 127 {
            return Err(Refusal::Overflow("a BigInt beyond 128 bits".into()));
        }
        let n = (magnitude as i128).wrapping_neg();
        self.big(&n.to_be_bytes(), false);
        Ok(())
    }

    /// Extension 4: 16 bytes, or 17 (a leading 0) for a `u128` above
    /// `i128::MAX`.
    fn big(&mut self, bytes: &[u8; 16], unsigned_high: bool) {
        if unsigned_high {
            self.out.extend_from_slice(&[0xc7, 17, 4, 0]);
        } else {
            self.out.extend_from_slice(&[0xd8, 4]);
        }
        self.out.extend_from_slice(bytes);
    }

    fn function(&mut self, value: Value) -> Result<()> {
        // A closure of this library goes back as itself; one of another
        // library is a JS function like any other (its handle means
        // nothing here), which calls that library when this one calls it.
        if let Some(handle) = closure::handle_of(self.js, value, self.lib)? {
            self.out.extend_from_slice(&[0xd7, 2]);
            self.out.extend_from_slice(&handle.to_be_bytes());
            return Ok(());
        }
        let Some(host_id) = self.lib.host_id() else {
            return Err(Refusal::Bad(
                "a function, but the library takes no callbacks".into(),
            ));
        };
        let handle = handles::insert(self.js, value, true)?;
        self.made.push(handle);
        self.host_object(1, host_id, handle);
        Ok(())
    }

    fn host_object(&mut self, ext: u8, host_id: u32, handle: u64) {
        self.out.extend_from_slice(&[0xc7, 12, ext]);
        self.out.extend_from_slice(&host_id.to_be_bytes());
        self.out.extend_from_slice(&handle.to_be_bytes());
    }

    fn object(&mut self, value: Value, level: usize) -> Result<()> {
        let js = self.js;
        if level > MAX_DEPTH {
            return Err(Refusal::Bad(format!(
                "a value nested deeper than {MAX_DEPTH} levels"
            )));
        }
        if js.is_array(value)? {
            let len = js.array_len(value)?;
            let _ = mp::write_array_len(self.out, len);
            for index in 0..len {
                let item = js.element(value, index)?;
                self.value(item, level + 1)?;
            }
            return Ok(());
        }
        if let Some((kind, bytes)) = js.typed_array(value)? {
            let is_bytes = kind == T::uint8_array || kind == T::uint8_clamped_array;
            let large = is_bytes && level == 1 && bytes.len() >= LEND_AT_LEAST;
            if large && self.keeps && self.lib.library.lent_bytes() {
                if let Some(host_id) = self.lib.host_id() {
                    return self.lent_copy(host_id, bytes);
                }
            }
            if large && self.lend {
                self.lent_views.push(LentView {
                    value,
                    address: bytes.as_ptr() as usize,
                    len: bytes.len(),
                    at: self.out.len(),
                });
                self.lent_bytes(bytes);
            } else {
                self.typed(kind, bytes);
            }
            return Ok(());
        }
        let hooks = &self.lib.hooks;
        let prototype = js.prototype(value)?;
        let plain = js.kind(prototype)? == Kind::Null
            || js.same(prototype, js.deref(hooks.object_prototype)?)?;
        if !plain {
            return self.other_object(value, level);
        }
        self.own_keys(value, level)
    }

    /// An object that is not plain: an object of an exported class, a
    /// `Map`, or whatever `wireForm` says.
    #[cold]
    fn other_object(&mut self, value: Value, level: usize) -> Result<()> {
        let js = self.js;
        let hooks = &self.lib.hooks;
        let rust_object = js.deref(hooks.rust_object)?;
        if js.instance_of(value, rust_object)? {
            return self.rust_object(value);
        }
        let map = js.deref(hooks.map)?;
        if js.instance_of(value, map)? {
            let entries_of = js.deref(hooks.map_entries)?;
            let entries = js.call(entries_of, &[value])?;
            let len = js.array_len(entries)?;
            let _ = mp::write_map_len(self.out, len);
            for index in 0..len {
                let entry = js.element(entries, index)?;
                let key = js.element(entry, 0)?;
                let item = js.element(entry, 1)?;
                self.value(key, level + 1)?;
                self.value(item, level + 1)?;
            }
            return Ok(());
        }
        let wire_form = js.deref(hooks.wire_form)?;
        let form = js.call(wire_form, &[value])?;
        match js.kind(form)? {
            Kind::Undefined => self.own_keys(value, level),
            Kind::String => Err(Refusal::Bad(js.get_string(form)?)),
            _ => {
                let instead = js.element(form, 0)?;
                self.value(instead, level)
            }
        }
    }

    /// A map of the object's own enumerable string keys.
    fn own_keys(&mut self, value: Value, level: usize) -> Result<()> {
        let js = self.js;
        let keys = js.own_keys(value)?;
        let len = js.array_len(keys)?;
        let _ = mp::write_map_len(self.out, len);
        for index in 0..len {
            let key = js.element(keys, index)?;
            self.value(key, level + 1)?;
            let item = js.get(value, key)?;
            self.value(item, level + 1)?;
        }
        Ok(())
    }

    fn rust_object(&mut self, value: Value) -> Result<()> {
        let js = self.js;
        // Handles and class ids mean something only to the library that
        // made them: another library's object would be taken for this
        // one's object with the same numbers.
        let library_key = js.deref(self.lib.hooks.library_key)?;
        let owner = js.get(value, library_key)?;
        if !js.same(owner, js.deref(self.lib.hooks.library)?)? {
            let class = js.get_named(value, "constructor")?;
            let name = match js.kind(class)? {
                Kind::Function => js.get_string(js.get_named(class, "name")?)?,
                _ => String::new(),
            };
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            return Err(Refusal::Bad(format!(
                "{article} {name} object of another library"
            )));
        }
        let handle_key = js.deref(self.lib.hooks.handle_key)?;
        let class_key = js.deref(self.lib.hooks.class_key)?;
        let handle = js.get(value, handle_key)?;
        let handle = match js.kind(handle)? {
            Kind::Number => js.get_number(handle)?,
            _ => 0.0,
        };
        let class = js.get(value, class_key)?;
        let class = match js.kind(class)? {
            Kind::Number => js.get_number(class)? as u32,
            _ => 0,
        };
        if handle <= 0.0 {
            let name = self
                .lib
                .describe
                .classes
                .get(class as usize)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            return Err(Refusal::Closed(name));
        }
        self.out.extend_from_slice(&[0xc7, 12, 5]);
        self.out.extend_from_slice(&class.to_be_bytes());
        self.out.extend_from_slice(&(handle as u64).to_be_bytes());
        Ok(())
    }

    /// After the last argument: when the call may run JS (it holds a JS
    /// function, `made`), or JS that ran meanwhile detached or shrank a lent
    /// typed array, every lent value is copied in place as `bin`, from the
    /// array as it is now (no argument is encoded twice, so no getter runs
    /// twice). Lent memory then reaches the library only unchanged, during
    /// a call that runs no JS.
    pub(crate) fn settle_lent(&mut self) -> JsResult<()> {
        if self.lent_views.is_empty() {
            return Ok(());
        }
        let mut keep = self.made.is_empty();
        if keep {
            for view in &self.lent_views {
                match self.js.typed_array(view.value)? {
                    Some((_, bytes))
                        if bytes.as_ptr() as usize == view.address && bytes.len() == view.len => {}
                    _ => keep = false,
                }
            }
        }
        if keep {
            return Ok(());
        }
        // From the last, so that earlier offsets stay right.
        for view in std::mem::take(&mut self.lent_views).into_iter().rev() {
            let bytes = match self.js.typed_array(view.value)? {
                Some((_, bytes)) => bytes,
                None => &[],
            };
            let mut bin = Vec::with_capacity(bytes.len() + 5);
            let _ = mp::write_bin(&mut bin, bytes);
            self.out.splice(view.at..view.at + LENT_LEN, bin);
        }
        self.lent = false;
        Ok(())
    }

    /// Extension 3 naming a new `Buffer` copy of `bytes` as a host object:
    /// a `ferryman::Bytes` keeps it without copying it again (the copy a
    /// JS `Buffer` needs, since JS may change it after the call), and a
    /// result that is that `Bytes` comes back as the copy itself
    /// (`handles::hand_out`): one copy for an echo, as a hand-written addon
    /// makes, where lending for the call only (handle 0) makes the library
    /// copy in and the host copy out. No JS holds the copy, so it needs no
    /// settling and may go to a call during which JS runs.
    fn lent_copy(&mut self, host_id: u32, bytes: &[u8]) -> Result<()> {
        let (buffer, memory) = self.js.buffer_with_memory(bytes)?;
        let (address, len) = (memory as usize, bytes.len());
        let handle = handles::insert_copy(self.js, buffer, address, len)?;
        self.copies.push(handle);
        self.extension_3(host_id, handle, address, len);
        Ok(())
    }

    /// Extension 3 with handle 0: the library reads `bytes` in place during
    /// the call (`spec/wire.md`, "Lent bytes"); nothing can change them
    /// meanwhile, because no JS runs (`lend`).
    fn lent_bytes(&mut self, bytes: &[u8]) {
        self.lent = true;
        let host_id = self.lib.host_id().unwrap_or(0);
        self.extension_3(host_id, 0, bytes.as_ptr() as usize, bytes.len());
    }

    /// Lent bytes on the wire: extension 3, host id, handle, address, length.
    fn extension_3(&mut self, host_id: u32, handle: u64, address: usize, len: usize) {
        self.out.extend_from_slice(&[0xc7, 28, 3]);
        self.out.extend_from_slice(&host_id.to_be_bytes());
        self.out.extend_from_slice(&handle.to_be_bytes());
        self.out.extend_from_slice(&(address as u64).to_be_bytes());
        self.out.extend_from_slice(&(len as u64).to_be_bytes());
    }

    /// A typed array: bytes as bin, numbers as an array of them.
    fn typed(&mut self, kind: i32, bytes: &[u8]) {
        fn each<const N: usize>(bytes: &[u8], mut f: impl FnMut([u8; N])) {
            for chunk in bytes.chunks_exact(N) {
                f(chunk.try_into().expect("chunks of N"));
            }
        }
        let out = &mut *self.out;
        if kind == T::uint8_array || kind == T::uint8_clamped_array {
            let _ = mp::write_bin(out, bytes);
            return;
        }
        let size = match kind {
            T::int8_array => 1,
            T::int16_array | T::uint16_array => 2,
            T::int32_array | T::uint32_array | T::float32_array => 4,
            _ => 8,
        };
        let _ = mp::write_array_len(out, (bytes.len() / size) as u32);
        match kind {
            T::int8_array => each::<1>(bytes, |b| {
                drop(mp::write_sint(out, i8::from_ne_bytes(b).into()))
            }),
            T::int16_array => each::<2>(bytes, |b| {
                drop(mp::write_sint(out, i16::from_ne_bytes(b).into()))
            }),
            T::uint16_array => each::<2>(bytes, |b| {
                drop(mp::write_uint(out, u16::from_ne_bytes(b).into()))
            }),
            T::int32_array => each::<4>(bytes, |b| {
                drop(mp::write_sint(out, i32::from_ne_bytes(b).into()))
            }),
            T::uint32_array => each::<4>(bytes, |b| {
                drop(mp::write_uint(out, u32::from_ne_bytes(b).into()))
            }),
            T::float32_array => {
                each::<4>(bytes, |b| drop(mp::write_f32(out, f32::from_ne_bytes(b))))
            }
            T::float64_array => {
                each::<8>(bytes, |b| drop(mp::write_f64(out, f64::from_ne_bytes(b))))
            }
            T::bigint64_array => {
                each::<8>(bytes, |b| drop(mp::write_sint(out, i64::from_ne_bytes(b))))
            }
            _ => each::<8>(bytes, |b| drop(mp::write_uint(out, u64::from_ne_bytes(b)))),
        }
    }
}

/// Whether UTF-8 `bytes` hold U+FFFD (EF BF BD).
fn holds_replacement(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(0xef, rest) {
        if rest[at..].starts_with(&[0xef, 0xbf, 0xbd]) {
            return true;
        }
        rest = &rest[at + 1..];
    }
    false
}
