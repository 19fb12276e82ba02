//! MessagePack to JS values: results, callbacks' arguments, describe and
//! error fields. Ints within ±(2^53 − 1) are numbers, others BigInts; bin is
//! a Buffer; a map whose keys are all strings is a plain object, any other a
//! `Map`; extension 1 is the host's own object back, 2 a closure (a JS
//! function), 4 a BigInt, 5 an object of an exported class, 7 a stream (an
//! async iterator).

use ferryman_host::reader::{BigInt, Kind as Mp, ReadError, Reader};
use ferryman_host::Value as Tree;

use crate::closure;
use crate::handles::{self, LentResult};
use crate::js::{Js, JsResult, Value};
use crate::library::Lib;
use crate::streams;

const MAX_SAFE: i128 = (1 << 53) - 1;

/// Decodes one whole value; bad bytes throw.
pub(crate) fn decode(js: Js, lib: Option<&'static Lib>, bytes: &[u8]) -> JsResult<Value> {
    let mut reader = Reader::new(bytes);
    let result = Decoder { js, lib }
        .value(&mut reader, 1)
        .and_then(|value| reader.finish().map(|()| value).map_err(Fail::Read));
    match result {
        Ok(value) => Ok(value),
        Err(Fail::Thrown) => Err(crate::js::Thrown),
        Err(Fail::Read(error)) => Err(js.throw_error(&format!(
            "ferryman: the library sent a value this host cannot read: {error}"
        ))),
    }
}

enum Fail {
    Thrown,
    Read(ReadError),
}

impl From<crate::js::Thrown> for Fail {
    fn from(_: crate::js::Thrown) -> Fail {
        Fail::Thrown
    }
}

impl From<ReadError> for Fail {
    fn from(error: ReadError) -> Fail {
        Fail::Read(error)
    }
}

struct Decoder {
    js: Js,
    lib: Option<&'static Lib>,
}

/// A JS number or BigInt for an integer.
#[inline]
pub(crate) fn integer(js: Js, n: i128) -> JsResult<Value> {
    if (-MAX_SAFE..=MAX_SAFE).contains(&n) {
        js.int(n as i64)
    } else {
        js.bigint_i128(n)
    }
}

impl Decoder {
    fn value(&self, r: &mut Reader<'_>, level: usize) -> Result<Value, Fail> {
        let js = self.js;
        Ok(match r.peek_kind()? {
            Mp::Nil => {
                r.nil()?;
                js.null()?
            }
            Mp::Bool => js.boolean(r.bool()?)?,
            Mp::Int => integer(js, r.int()?.as_i128())?,
            Mp::Float => js.number(r.float()?)?,
            Mp::Str => js.string(r.str()?)?,
            Mp::Bin => js.buffer(r.bin()?)?,
            Mp::Array => {
                r.check_level(level)?;
                let len = r.array_len()?;
                let array = js.array(len.min(r.rest().len()))?;
                for index in 0..len {
                    let item = self.value(r, level + 1)?;
                    js.set_element(array, index as u32, item)?;
                }
                array
            }
            Mp::Map => {
                r.check_level(level)?;
                let len = r.map_len()?;
                let mut entries = Vec::with_capacity(len.min(r.rest().len()));
                let mut all_strings = true;
                for _ in 0..len {
                    all_strings &= r.peek_kind()? == Mp::Str;
                    let key = self.value(r, level + 1)?;
                    let value = self.value(r, level + 1)?;
                    entries.push((key, value));
                }
                self.map(entries, all_strings)?
            }
            Mp::Ext => self.ext(r)?,
            Mp::Reserved => {
                return Err(Fail::Read(
                    r.error(ferryman_host::reader::Problem::Reserved),
                ))
            }
        })
    }

    fn map(&self, entries: Vec<(Value, Value)>, all_strings: bool) -> JsResult<Value> {
        let js = self.js;
        if all_strings {
            let object = js.object()?;
            for (key, value) in entries {
                js.set(object, key, value)?;
            }
            return Ok(object);
        }
        let pairs = js.array(entries.len())?;
        for (index, (key, value)) in entries.into_iter().enumerate() {
            let pair = js.array(2)?;
            js.set_element(pair, 0, key)?;
            js.set_element(pair, 1, value)?;
            js.set_element(pairs, index as u32, pair)?;
        }
        match self.lib {
            Some(lib) => {
                let make_map = js.deref(lib.hooks.make_map)?;
                js.call(make_map, &[pairs])
            }
            None => Ok(pairs),
        }
    }

    fn ext(&self, r: &mut Reader<'_>) -> Result<Value, Fail> {
        let js = self.js;
        let (tag, ..) = r.peek_ext()?;
        if tag == 4 {
            return Ok(match r.integer()? {
                BigInt::Signed(n) => integer(js, n)?,
                BigInt::Unsigned(n) => js.bigint_u128(false, n)?,
            });
        }
        let ext = r.ext()?;
        let payload = ext.payload;
        match (ext.tag, self.lib) {
            (1, _) if payload.len() == 12 => {
                let handle = u64::from_be_bytes(payload[4..].try_into().expect("8 bytes"));
                let value = handles::get(js, handle)?;
                // The reference that came with it is ours to drop.
                handles::release(handle);
                match value {
                    Some(value) => Ok(value),
                    None => Ok(js.undefined()?),
                }
            }
            (3, Some(lib)) if payload.len() == 28 => lent_result(js, lib, payload),
            (2, Some(lib)) if payload.len() == 8 => {
                let handle = u64::from_be_bytes(payload.try_into().expect("8 bytes"));
                Ok(closure::make(js, lib, handle)?)
            }
            (5, Some(lib)) if payload.len() == 12 => {
                let class = u32::from_be_bytes(payload[..4].try_into().expect("4 bytes"));
                let handle = u64::from_be_bytes(payload[4..].try_into().expect("8 bytes"));
                let make_object = js.deref(lib.hooks.make_object)?;
                let args = [js.int(i64::from(class))?, js.number(handle as f64)?];
                Ok(js.call(make_object, &args)?)
            }
            (7, Some(lib)) if payload.len() == 8 => {
                let handle = u64::from_be_bytes(payload.try_into().expect("8 bytes"));
                Ok(streams::make(js, lib, handle)?)
            }
            (tag, _) => {
                js.throw_error(&format!(
                    "ferryman: the library sent extension type {tag} ({} bytes), \
                     which this host does not read here",
                    payload.len()
                ));
                Err(Fail::Thrown)
            }
        }
    }
}

/// Bytes of a host object in a result (`spec/abi.md`, "Lent bytes": this
/// host's copy of a `Buffer`, which a `ferryman::Bytes` kept): the copy
/// itself when the library holds it no more (`handles::hand_out`), else a new
/// `Buffer` of the bytes named. Either way the reference that came with them
/// is dropped.
fn lent_result(js: Js, lib: &'static Lib, payload: &[u8]) -> Result<Value, Fail> {
    let word = |at: usize| u64::from_be_bytes(payload[at..at + 8].try_into().expect("8 bytes"));
    let host_id = u32::from_be_bytes(payload[..4].try_into().expect("4 bytes"));
    let (handle, address, len) = (word(4), word(12) as usize, word(20) as usize);
    let found = if lib.host_id() == Some(host_id) {
        handles::hand_out(js, handle, address, len)?
    } else {
        LentResult::Unknown
    };
    let value = match found {
        LentResult::Itself(buffer) => buffer,
        LentResult::Shared if len == 0 => js.buffer(&[])?,
        LentResult::Shared => {
            // SAFETY: the library took a reference to object `handle` for this
            // result (`spec/abi.md`, "Lent bytes"), dropped only below: its
            // `len` bytes at `address` stay valid and unchanged until then.
            let bytes = unsafe { std::slice::from_raw_parts(address as *const u8, len) };
            js.buffer(bytes)?
        }
        LentResult::Unknown => {
            js.throw_error(&format!(
                "ferryman: the library sent bytes of host {host_id}'s object {handle}, \
                 which is not one of this host's"
            ));
            return Err(Fail::Thrown);
        }
    };
    handles::release(handle);
    Ok(value)
}

/// A decoded tree (error fields) as a JS value.
pub(crate) fn tree(js: Js, lib: &'static Lib, value: &Tree) -> JsResult<Value> {
    Ok(match value {
        Tree::Nil => js.null()?,
        Tree::Bool(b) => js.boolean(*b)?,
        Tree::Int(n) => integer(js, *n)?,
        Tree::UInt(n) => js.bigint_u128(false, *n)?,
        Tree::F32(n) => js.number(f64::from(*n))?,
        Tree::F64(n) => js.number(*n)?,
        Tree::Str(text) => js.string(text)?,
        Tree::Bin(bytes) => js.buffer(bytes)?,
        Tree::Array(items) => {
            let array = js.array(items.len())?;
            for (index, item) in items.iter().enumerate() {
                let item = tree(js, lib, item)?;
                js.set_element(array, index as u32, item)?;
            }
            array
        }
        Tree::Map(entries) => {
            let decoder = Decoder { js, lib: Some(lib) };
            let all_strings = entries.iter().all(|(key, _)| matches!(key, Tree::Str(_)));
            let mut pairs = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                pairs.push((tree(js, lib, key)?, tree(js, lib, value)?));
            }
            decoder.map(pairs, all_strings)?
        }
        Tree::Ext(..) => js.undefined()?,
    })
}
