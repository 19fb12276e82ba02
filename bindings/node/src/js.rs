//! A thin layer over N-API (`napi::sys`): the few operations the addon
//! needs, each one call, failures as [`Thrown`] (a JS exception is pending).

use std::ffi::c_void;
use std::ptr;

use napi::sys;

pub(crate) use sys::napi_value as Value;

/// A JS exception is pending: return to JS, which throws it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thrown;

pub(crate) type JsResult<T> = Result<T, Thrown>;

/// One N-API call on `$js`'s env.
macro_rules! napi_call {
    ($js:expr, $f:ident ( $($arg:expr),* $(,)? )) => {{
        let js: $crate::js::Js = $js;
        // SAFETY: a `Js` only exists on the JS thread of its env, inside a
        // call from that env (`Js::from_raw`); every value passed belongs to
        // that env and every out-pointer points at a live local.
        let status = unsafe { napi::sys::$f(js.env, $($arg),*) };
        js.check(status)
    }};
}
pub(crate) use napi_call;

/// The env of the JS thread we are running on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Js {
    pub(crate) env: sys::napi_env,
}

/// What `typeof` says, as N-API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Symbol,
    Object,
    Function,
    External,
    BigInt,
}

impl Js {
    /// # Safety
    ///
    /// `env` is the env N-API handed the running callback (or finalizer), and
    /// the `Js` is used only on this thread until that callback returns.
    pub(crate) unsafe fn from_raw(env: sys::napi_env) -> Js {
        Js { env }
    }

    /// Turns a status into a result; a failure without a JS exception
    /// pending throws one naming N-API's own message. Inlined at every
    /// N-API call (a comparison), the failure out of line.
    #[inline(always)]
    pub(crate) fn check(self, status: sys::napi_status) -> JsResult<()> {
        if status == sys::Status::napi_ok {
            return Ok(());
        }
        Err(self.failed(status))
    }

    #[cold]
    #[inline(never)]
    fn failed(self, status: sys::napi_status) -> Thrown {
        if !self.exception_pending() {
            let message = format!("ferryman: N-API call failed with status {status}");
            let _ = self.throw_error(&message);
        }
        Thrown
    }

    pub(crate) fn exception_pending(self) -> bool {
        let mut pending = false;
        // SAFETY: as in `napi_call!`.
        unsafe { sys::napi_is_exception_pending(self.env, &mut pending) };
        pending
    }

    /// Takes the pending exception (so that more N-API calls can run).
    pub(crate) fn take_exception(self) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_and_clear_last_exception(&mut value))?;
        Ok(value)
    }

    pub(crate) fn throw(self, value: Value) -> Thrown {
        // SAFETY: as in `napi_call!`.
        unsafe { sys::napi_throw(self.env, value) };
        Thrown
    }

    pub(crate) fn throw_error(self, message: &str) -> Thrown {
        match self.string(message).and_then(|text| {
            let mut error = ptr::null_mut();
            napi_call!(self, napi_create_error(ptr::null_mut(), text, &mut error))?;
            Ok(error)
        }) {
            Ok(error) => self.throw(error),
            Err(thrown) => thrown,
        }
    }

    /// Throws a `TypeError` with `message` (what JS throws for its own type
    /// errors, `x is not a constructor`).
    pub(crate) fn throw_type_error(self, message: &str) -> Thrown {
        match self.string(message).and_then(|text| {
            let mut error = ptr::null_mut();
            napi_call!(
                self,
                napi_create_type_error(ptr::null_mut(), text, &mut error)
            )?;
            Ok(error)
        }) {
            Ok(error) => self.throw(error),
            Err(thrown) => thrown,
        }
    }

    /// Whether the running native function was called as a constructor
    /// (`new f()`, `Reflect.construct`, a subclass's `super()`): only then
    /// has it a `new.target`.
    ///
    /// On every call of an exported function: one N-API call and no more (a
    /// failure, which N-API reports only for a NULL argument, is no `new`).
    #[inline(always)]
    pub(crate) fn constructing(self, info: sys::napi_callback_info) -> bool {
        let mut target = ptr::null_mut();
        // SAFETY: as in `napi_call!`; `info` is the running callback's.
        let status = unsafe { sys::napi_get_new_target(self.env, info, &mut target) };
        status == sys::Status::napi_ok && !target.is_null()
    }

    #[inline]
    pub(crate) fn kind(self, value: Value) -> JsResult<Kind> {
        let mut kind = 0;
        napi_call!(self, napi_typeof(value, &mut kind))?;
        use sys::ValueType as T;
        Ok(match kind {
            T::napi_undefined => Kind::Undefined,
            T::napi_null => Kind::Null,
            T::napi_boolean => Kind::Boolean,
            T::napi_number => Kind::Number,
            T::napi_string => Kind::String,
            T::napi_symbol => Kind::Symbol,
            T::napi_object => Kind::Object,
            T::napi_function => Kind::Function,
            T::napi_external => Kind::External,
            _ => Kind::BigInt,
        })
    }

    pub(crate) fn undefined(self) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_undefined(&mut value))?;
        Ok(value)
    }

    pub(crate) fn null(self) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_null(&mut value))?;
        Ok(value)
    }

    pub(crate) fn boolean(self, b: bool) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_boolean(b, &mut value))?;
        Ok(value)
    }

    pub(crate) fn get_bool(self, value: Value) -> JsResult<bool> {
        let mut b = false;
        napi_call!(self, napi_get_value_bool(value, &mut b))?;
        Ok(b)
    }

    #[inline]
    pub(crate) fn number(self, n: f64) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_create_double(n, &mut value))?;
        Ok(value)
    }

    #[inline]
    pub(crate) fn int(self, n: i64) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_create_int64(n, &mut value))?;
        Ok(value)
    }

    #[inline]
    pub(crate) fn get_number(self, value: Value) -> JsResult<f64> {
        let mut n = 0.0;
        napi_call!(self, napi_get_value_double(value, &mut n))?;
        Ok(n)
    }

    /// A BigInt from a two's complement `i128`.
    pub(crate) fn bigint_i128(self, n: i128) -> JsResult<Value> {
        let negative = n < 0;
        let magnitude = n.unsigned_abs();
        self.bigint_u128(negative, magnitude)
    }

    /// A BigInt of sign `negative` and magnitude `magnitude`.
    pub(crate) fn bigint_u128(self, negative: bool, magnitude: u128) -> JsResult<Value> {
        let words = [magnitude as u64, (magnitude >> 64) as u64];
        let mut value = ptr::null_mut();
        napi_call!(
            self,
            napi_create_bigint_words(i32::from(negative), 2, words.as_ptr(), &mut value)
        )?;
        Ok(value)
    }

    /// A BigInt's sign and magnitude; `None` when it needs more than 128 bits.
    pub(crate) fn get_bigint(self, value: Value) -> JsResult<Option<(bool, u128)>> {
        let mut count = 0usize;
        let mut sign = 0;
        napi_call!(
            self,
            napi_get_value_bigint_words(value, ptr::null_mut(), &mut count, ptr::null_mut())
        )?;
        if count > 2 {
            return Ok(None);
        }
        let mut words = [0u64; 2];
        napi_call!(
            self,
            napi_get_value_bigint_words(value, &mut sign, &mut count, words.as_mut_ptr())
        )?;
        Ok(Some((
            sign != 0,
            u128::from(words[0]) | (u128::from(words[1]) << 64),
        )))
    }

    #[inline]
    pub(crate) fn string(self, text: &str) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(
            self,
            napi_create_string_utf8(text.as_ptr().cast(), text.len() as isize, &mut value)
        )?;
        Ok(value)
    }

    /// The length of a JS string's UTF-8.
    #[inline]
    pub(crate) fn string_len(self, value: Value) -> JsResult<usize> {
        let mut len = 0usize;
        napi_call!(
            self,
            napi_get_value_string_utf8(value, ptr::null_mut(), 0, &mut len)
        )?;
        Ok(len)
    }

    /// Appends a JS string's UTF-8 (`len` bytes, from `string_len`) to `out`.
    #[inline]
    pub(crate) fn string_write(self, value: Value, len: usize, out: &mut Vec<u8>) -> JsResult<()> {
        out.reserve(len + 1);
        let start = out.len();
        let mut written = 0usize;
        napi_call!(
            self,
            napi_get_value_string_utf8(
                value,
                out.as_mut_ptr().add(start).cast(),
                len + 1,
                &mut written
            )
        )?;
        // SAFETY: N-API wrote `written <= len` bytes (plus a NUL we drop)
        // after `start`, inside the capacity reserved above.
        unsafe { out.set_len(start + written) };
        Ok(())
    }

    /// Whether a JS string holds a lone surrogate (UTF-16 that is not
    /// Unicode), which N-API's UTF-8 turns into U+FFFD.
    pub(crate) fn has_lone_surrogate(self, value: Value) -> JsResult<bool> {
        let mut len = 0usize;
        napi_call!(
            self,
            napi_get_value_string_utf16(value, ptr::null_mut(), 0, &mut len)
        )?;
        let mut units = vec![0u16; len + 1];
        let mut written = 0usize;
        napi_call!(
            self,
            napi_get_value_string_utf16(value, units.as_mut_ptr(), len + 1, &mut written)
        )?;
        units.truncate(written);
        Ok(char::decode_utf16(units).any(|unit| unit.is_err()))
    }

    /// Appends a JS string's UTF-8 to `out`.
    pub(crate) fn string_into(self, value: Value, out: &mut Vec<u8>) -> JsResult<()> {
        let len = self.string_len(value)?;
        self.string_write(value, len, out)
    }

    pub(crate) fn get_string(self, value: Value) -> JsResult<String> {
        let mut bytes = Vec::new();
        self.string_into(value, &mut bytes)?;
        Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()))
    }

    /// `String(value)`, never failing.
    pub(crate) fn display(self, value: Value) -> String {
        let mut text = ptr::null_mut();
        if napi_call!(self, napi_coerce_to_string(value, &mut text)).is_err() {
            let _ = self.take_exception();
            return "<unprintable value>".to_owned();
        }
        self.get_string(text).unwrap_or_default()
    }

    pub(crate) fn object(self) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_create_object(&mut value))?;
        Ok(value)
    }

    pub(crate) fn array(self, len: usize) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_create_array_with_length(len, &mut value))?;
        Ok(value)
    }

    #[inline]
    pub(crate) fn is_array(self, value: Value) -> JsResult<bool> {
        let mut is = false;
        napi_call!(self, napi_is_array(value, &mut is))?;
        Ok(is)
    }

    pub(crate) fn array_len(self, value: Value) -> JsResult<u32> {
        let mut len = 0;
        napi_call!(self, napi_get_array_length(value, &mut len))?;
        Ok(len)
    }

    #[inline]
    pub(crate) fn element(self, array: Value, index: u32) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_element(array, index, &mut value))?;
        Ok(value)
    }

    #[inline]
    pub(crate) fn set_element(self, array: Value, index: u32, value: Value) -> JsResult<()> {
        napi_call!(self, napi_set_element(array, index, value))
    }

    pub(crate) fn get(self, object: Value, key: Value) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_property(object, key, &mut value))?;
        Ok(value)
    }

    pub(crate) fn get_named(self, object: Value, key: &str) -> JsResult<Value> {
        let key = self.string(key)?;
        self.get(object, key)
    }

    pub(crate) fn set(self, object: Value, key: Value, value: Value) -> JsResult<()> {
        napi_call!(self, napi_set_property(object, key, value))
    }

    pub(crate) fn set_named(self, object: Value, key: &str, value: Value) -> JsResult<()> {
        let key = self.string(key)?;
        self.set(object, key, value)
    }

    /// The object's own enumerable string keys, as an array of strings.
    pub(crate) fn own_keys(self, object: Value) -> JsResult<Value> {
        let mut keys = ptr::null_mut();
        napi_call!(
            self,
            napi_get_all_property_names(
                object,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys
            )
        )?;
        Ok(keys)
    }

    pub(crate) fn prototype(self, object: Value) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_prototype(object, &mut value))?;
        Ok(value)
    }

    /// `a === b`.
    pub(crate) fn same(self, a: Value, b: Value) -> JsResult<bool> {
        let mut is = false;
        napi_call!(self, napi_strict_equals(a, b, &mut is))?;
        Ok(is)
    }

    pub(crate) fn instance_of(self, value: Value, constructor: Value) -> JsResult<bool> {
        let mut is = false;
        napi_call!(self, napi_instanceof(value, constructor, &mut is))?;
        Ok(is)
    }

    /// A `Buffer` copy of `bytes`.
    pub(crate) fn buffer(self, bytes: &[u8]) -> JsResult<Value> {
        self.buffer_with_memory(bytes).map(|(value, _)| value)
    }

    /// A `Buffer` copy of `bytes`, and the address of its memory (which
    /// stays there as long as the `Buffer` lives: backing stores do not
    /// move).
    pub(crate) fn buffer_with_memory(self, bytes: &[u8]) -> JsResult<(Value, *const u8)> {
        let mut value = ptr::null_mut();
        let mut data = ptr::null_mut();
        napi_call!(
            self,
            napi_create_buffer_copy(bytes.len(), bytes.as_ptr().cast(), &mut data, &mut value)
        )?;
        Ok((value, data.cast_const().cast()))
    }

    /// A typed array's element type and bytes (any view: Buffer included),
    /// or `None` for anything else.
    pub(crate) fn typed_array<'v>(self, value: Value) -> JsResult<Option<(i32, &'v [u8])>> {
        let mut is = false;
        napi_call!(self, napi_is_typedarray(value, &mut is))?;
        if !is {
            let mut is_buffer = false;
            napi_call!(self, napi_is_arraybuffer(value, &mut is_buffer))?;
            if !is_buffer {
                return Ok(None);
            }
            let mut data = ptr::null_mut();
            let mut len = 0usize;
            napi_call!(self, napi_get_arraybuffer_info(value, &mut data, &mut len))?;
            return Ok(Some((
                sys::TypedarrayType::uint8_array,
                bytes_at(data, len),
            )));
        }
        let mut kind = 0;
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0usize;
        napi_call!(
            self,
            napi_get_typedarray_info(
                value,
                &mut kind,
                &mut len,
                &mut data,
                &mut buffer,
                &mut offset
            )
        )?;
        let size = match kind {
            sys::TypedarrayType::int16_array | sys::TypedarrayType::uint16_array => 2,
            sys::TypedarrayType::int32_array
            | sys::TypedarrayType::uint32_array
            | sys::TypedarrayType::float32_array => 4,
            sys::TypedarrayType::float64_array
            | sys::TypedarrayType::bigint64_array
            | sys::TypedarrayType::biguint64_array => 8,
            _ => 1,
        };
        Ok(Some((kind, bytes_at(data, len * size))))
    }

    /// Calls `function` with `this` undefined.
    pub(crate) fn call(self, function: Value, args: &[Value]) -> JsResult<Value> {
        let this = self.undefined()?;
        let mut result = ptr::null_mut();
        napi_call!(
            self,
            napi_call_function(this, function, args.len(), args.as_ptr(), &mut result)
        )?;
        Ok(result)
    }

    /// A strong reference to `value` (count 1).
    pub(crate) fn reference(self, value: Value) -> JsResult<sys::napi_ref> {
        let mut reference = ptr::null_mut();
        napi_call!(self, napi_create_reference(value, 1, &mut reference))?;
        Ok(reference)
    }

    pub(crate) fn deref(self, reference: sys::napi_ref) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(self, napi_get_reference_value(reference, &mut value))?;
        Ok(value)
    }

    pub(crate) fn delete_reference(self, reference: sys::napi_ref) {
        // SAFETY: as in `napi_call!`; `reference` was made by `reference` and
        // is deleted once (the callers own it).
        unsafe { sys::napi_delete_reference(self.env, reference) };
    }

    pub(crate) fn external(self, data: *mut c_void) -> JsResult<Value> {
        let mut value = ptr::null_mut();
        napi_call!(
            self,
            napi_create_external(data, None, ptr::null_mut(), &mut value)
        )?;
        Ok(value)
    }

    pub(crate) fn get_external(self, value: Value) -> JsResult<*mut c_void> {
        let mut data = ptr::null_mut();
        napi_call!(self, napi_get_value_external(value, &mut data))?;
        Ok(data)
    }
}

fn bytes_at<'v>(data: *mut c_void, len: usize) -> &'v [u8] {
    if data.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: N-API gave `data` as the start of `len` bytes of a live
    // (array)buffer; the caller reads them before returning to JS, which alone
    // could detach or change it.
    unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
}
