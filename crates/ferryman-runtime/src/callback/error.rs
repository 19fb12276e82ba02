//! `CallbackError`: why a callback failed, holding the host's exception object
//! it stands for (`spec/callbacks.md`, "Errors across callbacks").
//!
//! An error value that names a host exception (`host_exception`) hands its
//! reader one reference to it. A `CallbackError` made from a host's error
//! value owns that reference and releases it when its last clone is dropped, on
//! whatever thread; writing the error into an error value for a host retains
//! one more for that host. So a swallowed error frees the exception at once,
//! and a kept one (stored, sent across threads, returned much later) still
//! names it.

use crate::callback::host_registry::{self, Host, HostObject};
use ferryman_abi::Status;
use ferryman_error::{ErrorValue, Frame};
use ferryman_wire::{Args, DecodeError, DecodeKind, EncodeError};
use serde::de::value::UnitDeserializer;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// Why a callback failed: the host's exception (its type, message and frames, and a
/// handle to the original object), or a Rust closure's error or panic.
///
/// Returned from an exported function (directly with `?`, or as the `source()` of
/// your own error), the host sees the original exception again — also when the
/// callback ran on another thread, or the error is returned by a later call. The
/// host keeps the exception object for as long as a clone of this error lives.
#[derive(Debug, Clone)]
pub struct CallbackError {
    value: Box<ErrorValue>,
    exception: Option<Arc<HostException>>,
    /// The callback answered, but with a value that is not the Rust type it
    /// returns: the message gains the name of the call it came back to.
    bad_result: bool,
}

/// The one reference a `CallbackError` (and its clones) holds to the host's
/// exception object.
#[derive(Debug)]
struct HostException(Option<HostObject>);

thread_local! {
    /// The host exception of a callback error that was dropped because this
    /// thread panicked: the exception being handled when the panic began, which
    /// the panic's error value reports as its context.
    static UNWOUND: RefCell<Option<HostObject>> = const { RefCell::new(None) };
}

impl Drop for HostException {
    fn drop(&mut self) {
        let Some(object) = self.0.take() else {
            return;
        };
        if std::thread::panicking() {
            // Kept (replacing, hence releasing, an older one) until the panic is
            // reported; dropped, hence released, if the thread is going away.
            let _ = UNWOUND.try_with(move |slot| slot.replace(Some(object)));
        }
    }
}

impl PartialEq for CallbackError {
    /// Errors are equal when they describe the same failure.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl CallbackError {
    pub(crate) fn encode(e: EncodeError) -> Self {
        CallbackError::bridge(format!(
            "the callback's arguments could not be encoded: {e}"
        ))
    }

    /// An async callback's call that no host will settle: its resolver was
    /// released without being called.
    pub(crate) fn unresolved() -> Self {
        CallbackError::bridge(
            "the host released the async callback's resolver without calling it \
             (its event loop may have stopped)"
                .to_owned(),
        )
    }

    fn bridge(message: String) -> Self {
        CallbackError {
            value: Box::new(ErrorValue::bridge("internal", message)),
            exception: None,
            bad_result: false,
        }
    }

    /// An error value a callback's host (`source`, when known) or a Rust
    /// closure of this library reported; its host exception is a reference
    /// this error now owns.
    fn reported(value: ErrorValue, source: Option<(u32, Host)>) -> Self {
        let exception = match (value.host_exception, source) {
            (Some(handle), Some((host_id, host))) => {
                // A new error: the context kept for an earlier panic is stale.
                forget_unwound();
                Some(Arc::new(HostException(Some(HostObject::adopt(
                    host, host_id, handle,
                )))))
            }
            _ => None,
        };
        CallbackError {
            value: Box::new(value),
            exception,
            bad_result: false,
        }
    }

    /// A callback's result that does not decode as the Rust type `R`: an
    /// argument error (kind `type`, `overflow` or `malformed`) naming both.
    #[cold]
    fn bad_result<R>(e: &DecodeError) -> Self {
        let expected = readable_type_name(std::any::type_name::<R>());
        let what = match e.kind {
            DecodeKind::Overflow => "out of range",
            DecodeKind::Malformed => "that is malformed",
            _ => "of the wrong type",
        };
        let mut message = format!("a callback returned a value {what}: expected {expected}");
        if !e.found.is_empty() {
            message.push_str(", but found ");
            message.push_str(&e.found);
        }
        if !e.detail.is_empty() && e.detail != "out of range" {
            message.push_str(": ");
            message.push_str(&e.detail);
        }
        let mut value = ErrorValue::bridge(e.kind.as_str(), message);
        value.type_name = "ArgumentError".to_owned();
        value.expected = Some(expected);
        value.found = (!e.found.is_empty()).then(|| e.found.clone());
        CallbackError {
            value: Box::new(value),
            exception: None,
            bad_result: true,
        }
    }

    /// The error's type on the side that raised it (`ValueError`, `MathError`).
    pub fn type_name(&self) -> &str {
        &self.value.type_name
    }

    /// The error's message.
    pub fn message(&self) -> &str {
        &self.value.message
    }

    /// `host` for a host exception; `error`, `panic`, … for a Rust closure.
    pub fn kind(&self) -> &str {
        &self.value.kind
    }

    /// Where it happened, outermost first, in whatever language.
    pub fn frames(&self) -> &[Frame] {
        &self.value.frames
    }

    /// The full error value, as it travels on the wire.
    pub fn value(&self) -> &ErrorValue {
        &self.value
    }

    /// The host exception's handle for an error value this library is about
    /// to write for a host, with one reference retained for that host; `None`
    /// when there is no exception, or when the host that raised it is not the
    /// only one registered (the library cannot tell which host reads the value,
    /// and a handle means something only to the host that made it).
    fn handle_for_host(&self) -> Option<u64> {
        let object = self.exception.as_ref()?.0.as_ref()?;
        let (only, _) = host_registry::only()?;
        if only != object.host_id {
            return None;
        }
        object.retain_for_host();
        Some(object.handle)
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.type_name.is_empty() {
            f.write_str(&self.value.message)
        } else {
            write!(f, "{}: {}", self.value.type_name, self.value.message)
        }
    }
}

impl std::error::Error for CallbackError {}

/// What a callback gave back: its result when `status` is 0, otherwise its
/// error value, whose host exception (a reference from host `source`, or from
/// the only registered host for a Rust closure's error) the error takes over.
pub(crate) fn decode_outcome<R: DeserializeOwned>(
    status: i32,
    bytes: &[u8],
    source: Option<(u32, Host)>,
) -> Result<R, CallbackError> {
    if status == Status::Ok.code() {
        // `spec/callbacks.md`: a callback declared to return `()` ignores what
        // the host's function returned (a Python function's stray `return 2`).
        if std::any::type_name::<R>() == "()" {
            if let Ok(unit) = R::deserialize(UnitDeserializer::<serde::de::value::Error>::new()) {
                return Ok(unit);
            }
        }
        // The argument decoder, as for an argument of this type: it accepts
        // every encoding arguments may use and refuses what arguments refuse,
        // a record's unknown key among them.
        return Args::one::<R>(bytes).map_err(|e| CallbackError::bad_result::<R>(&e));
    }
    Err(decode_error(status, bytes, source))
}

/// The error value a callback gave back with non-zero `status`, as the error
/// it stands for, which takes over its host exception (from host `source`).
pub(crate) fn decode_error(
    status: i32,
    bytes: &[u8],
    source: Option<(u32, Host)>,
) -> CallbackError {
    let mut value = rmp_serde::from_slice::<ErrorValue>(bytes).unwrap_or_else(|e| {
        ErrorValue::bridge(
            "internal",
            format!("the callback failed with status {status} and an unreadable error value: {e}"),
        )
    });
    // `spec/callbacks.md`, "Host objects": a host's error value without a
    // kind is a host exception, and handle 0 names no object.
    if value.kind.is_empty() {
        value.kind = "host".to_owned();
    }
    if value.host_exception == Some(0) {
        value.host_exception = None;
    }
    CallbackError::reported(value, source)
}

/// `alloc::vec::Vec<alloc::string::String>` → `Vec<String>`.
fn readable_type_name(rust_type: &str) -> String {
    let mut out = String::with_capacity(rust_type.len());
    let mut segment_start = 0;
    for (i, c) in rust_type.char_indices() {
        if c.is_alphanumeric() || c == '_' {
            continue;
        }
        if c == ':' {
            // Drop the path so far: `a::b::C` keeps `C`.
            segment_start = i + 1;
            continue;
        }
        out.push_str(&rust_type[segment_start..i]);
        out.push(c);
        segment_start = i + c.len_utf8();
    }
    out.push_str(&rust_type[segment_start..]);
    out
}

/// Asks the hosts whether the user interrupted the running call (Ctrl-C). Call it
/// now and then in long loops; `?` hands the host's `KeyboardInterrupt` back to it.
///
/// It may be called on any thread: a Python host also answers worker threads
/// of a call made from Python's main thread.
pub fn check_interrupt() -> Result<(), CallbackError> {
    for (host_id, host) in host_registry::all_hosts() {
        if let Some(out) = host.check_interrupt() {
            return Err(decode_outcome::<()>(
                Status::Error.code(),
                out.bytes(),
                Some((host_id, host)),
            )
            .unwrap_err());
        }
    }
    Ok(())
}

/// The value the host should see for `error`, when it is a callback's error
/// returned as is, its host exception retained for the host. A result of the
/// wrong type is named as the library's argument errors name their call
/// (`shown()`: "`apply()`", "`adder()`'s closure"): "`apply()`: a callback
/// returned …".
pub(crate) fn callback_value(
    error: &(dyn std::error::Error + 'static),
    shown: impl FnOnce() -> String,
) -> Option<ErrorValue> {
    let error = error.downcast_ref::<CallbackError>()?;
    let mut value = (*error.value).clone();
    value.host_exception = error.handle_for_host();
    if error.bad_result {
        value.message = format!("{}: {}", shown(), value.message);
    }
    Some(value)
}

/// Marks the causes in `value` that are callback errors with their host
/// exceptions (each retained for the host).
pub(crate) fn mark_callback_causes(
    error: &(dyn std::error::Error + 'static),
    value: &mut ErrorValue,
) {
    let mut source = error.source();
    let mut i = 0;
    while let Some(cause) = source {
        if let (Some(e), Some(slot)) = (
            cause.downcast_ref::<CallbackError>(),
            value.causes.get_mut(i),
        ) {
            slot.type_name = Some(e.value.type_name.clone());
            slot.message = e.value.message.clone();
            slot.host_exception = e.handle_for_host();
        }
        source = cause.source();
        i += 1;
    }
}

/// For the error value of a panic caught on this thread: the handle of the
/// host exception of a callback error that the panic dropped (it was being
/// handled when the panic began), whose reference goes to the host.
pub(crate) fn unwound_exception_for_host() -> Option<u64> {
    let object = UNWOUND.try_with(|slot| slot.take()).ok()??;
    let (only, _) = host_registry::only()?;
    if only != object.host_id {
        return None;
    }
    let handle = object.handle;
    // The reference this thread kept is the one the host receives.
    std::mem::forget(object);
    Some(handle)
}

/// Drops (releases) the context kept for a panic that nobody reported.
fn forget_unwound() {
    let stale = UNWOUND.try_with(|slot| slot.take()).ok().flatten();
    drop(stale);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_their_paths_but_keep_their_shape() {
        assert_eq!(readable_type_name("i64"), "i64");
        assert_eq!(
            readable_type_name("alloc::vec::Vec<alloc::string::String>"),
            "Vec<String>"
        );
        assert_eq!(
            readable_type_name("core::option::Option<(i64, alloc::string::String)>"),
            "Option<(i64, String)>"
        );
        assert_eq!(readable_type_name("[u8; 4]"), "[u8; 4]");
    }

    #[test]
    fn a_result_of_the_wrong_type_names_both_types_in_plain_words() {
        let error = decode_outcome::<i64>(0, &[0xa3, b'a', b'b', b'c'], None).unwrap_err();
        assert_eq!(error.kind(), "type");
        assert_eq!(error.type_name(), "ArgumentError");
        assert_eq!(
            error.message(),
            "a callback returned a value of the wrong type: expected i64, but found string \"abc\""
        );
        assert_eq!(error.value().expected.as_deref(), Some("i64"));
    }

    #[test]
    fn a_result_of_the_wrong_type_names_the_call_it_came_back_to() {
        let error = decode_outcome::<i64>(0, &[0xa2, b'n', b'o'], None).unwrap_err();
        let value = callback_value(&error, || "`apply()`".to_owned()).unwrap();
        assert_eq!(
            value.message,
            "`apply()`: a callback returned a value of the wrong type: expected i64, but found string \"no\""
        );
        // A host's own exception keeps its words.
        let host = CallbackError::reported(ErrorValue::bridge("host", "boom".to_owned()), None);
        let value = callback_value(&host, || unreachable!("not a result")).unwrap();
        assert_eq!(value.message, "boom");
    }

    #[test]
    fn a_unit_result_ignores_what_the_host_returned() {
        // 2, [1, "a"], nil, and bytes that are not even one value.
        for sent in [&[0x02][..], &[0x92, 0x01, 0xa1, b'a'], &[0xc0], &[0xc1]] {
            assert_eq!(decode_outcome::<()>(0, sent, None), Ok(()));
        }
        // Only `()`: an `Option<()>` or a unit struct still reads the value.
        assert!(decode_outcome::<Option<()>>(0, &[0x02], None).is_err());
        assert!(decode_outcome::<((),)>(0, &[0x02], None).is_err());
    }

    #[test]
    fn a_result_out_of_range_is_an_overflow() {
        // 300 as a u16.
        let error = decode_outcome::<u8>(0, &[0xcd, 0x01, 0x2c], None).unwrap_err();
        assert_eq!(error.kind(), "overflow");
        assert_eq!(
            error.message(),
            "a callback returned a value out of range: expected u8, but found integer 300"
        );
    }

    #[test]
    fn a_result_in_an_encoding_arguments_accept_still_decodes() {
        // An integer for an f64.
        assert_eq!(decode_outcome::<f64>(0, &[0x05], None), Ok(5.0));
    }

    /// `spec/callbacks.md`, `invoke`: only `kind`, `type` and `message` are
    /// required; a missing `kind` is a host exception, a handle 0 no object,
    /// frames without columns are column 0.
    #[test]
    fn a_host_error_value_with_only_the_required_keys_reads() {
        let frame = rmpv::Value::Map(vec![
            ("function".into(), "main.handler".into()),
            ("file".into(), "main.go".into()),
            ("line".into(), 12.into()),
            ("language".into(), "go".into()),
        ]);
        let value = rmpv::Value::Map(vec![
            ("type".into(), "GoError".into()),
            ("message".into(), "no".into()),
            ("frames".into(), rmpv::Value::Array(vec![frame])),
            ("host_exception".into(), 0.into()),
        ]);
        let bytes = rmp_serde::to_vec(&value).unwrap();
        let error = decode_outcome::<i64>(1, &bytes, None).unwrap_err();
        assert_eq!(
            (error.kind(), error.type_name(), error.message()),
            ("host", "GoError", "no")
        );
        assert_eq!(error.value().host_exception, None);
        assert_eq!((error.frames()[0].line, error.frames()[0].column), (12, 0));
        assert_eq!(error.value().causes, []);
    }

    #[test]
    fn an_unreadable_host_error_value_is_internal() {
        let error = decode_outcome::<i64>(7, &[0xc1], None).unwrap_err();
        assert_eq!(error.kind(), "internal");
        assert!(error
            .message()
            .starts_with("the callback failed with status 7 and an unreadable error value"));
    }
}
