//! `Callback<Args, R>`: a function Rust can call that lives on either side — a host
//! callable passed in as an argument, or a Rust closure handed out to a host.

use crate::closure::{self, Closure};
use crate::closures;
use crate::host::{self, HostObject};
use crate::into_callback::IntoCallback;
use ferryman_abi::{Status, EXT_HOST_OBJECT, EXT_LIBRARY_CLOSURE};
use ferryman_buffer::Sink;
use ferryman_error::{ErrorValue, Frame};
use ferryman_wire::{encode, EncodeError, Lending};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

/// A function taking the tuple `Args` and returning `R`, callable from Rust.
///
/// As a parameter of an exported function it receives a host callable (a Python
/// function, say); as a return value it hands a Rust closure to the host, which
/// calls it like any function and may pass it back in. It is `Send + Sync + Clone`,
/// may be stored and called after the exported function returned, from any thread;
/// the host object is released when the last clone is dropped.
///
/// (Compiled as a doctest of the `ferryman` crate, which re-exports this type.)
///
/// ```ignore
/// use ferryman::Callback;
///
/// /// Applies `f` to every value.
/// #[ferryman::export]
/// pub fn map_values(values: Vec<i64>, f: Callback<(i64,), i64>) -> Result<Vec<i64>, ferryman::CallbackError> {
///     values.into_iter().map(|v| f.call((v,))).collect()
/// }
///
/// /// A closure that adds `n`.
/// #[ferryman::export]
/// pub fn adder(n: i64) -> Callback<(i64,), i64> {
///     Callback::new(move |x: i64| x + n)
/// }
/// ```
pub struct Callback<Args, R> {
    target: Target,
    signature: PhantomData<fn(Args) -> R>,
}

#[derive(Clone)]
enum Target {
    Host(Arc<HostObject>),
    Rust(Arc<Closure>),
}

impl<Args, R> Clone for Callback<Args, R> {
    fn clone(&self) -> Self {
        Callback {
            target: self.target.clone(),
            signature: PhantomData,
        }
    }
}

impl<Args, R> fmt::Debug for Callback<Args, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Host(o) => write!(f, "Callback(host {} object {})", o.host_id, o.handle),
            Target::Rust(closure) => write!(
                f,
                "Callback(rust closure {} {})",
                closure.site.name(),
                closure.site.signature()
            ),
        }
    }
}

impl<Args: CallArgs, R: DeserializeOwned> Callback<Args, R> {
    /// Wraps a Rust closure, e.g. `Callback::new(|a: i64, b: i64| a + b)`.
    ///
    /// The closure may fail: one returning `Result<R, E>` makes a
    /// `Callback<Args, R>` whose `Err` the host sees as an exception, like an
    /// exported function's (see [`crate::ClosureOutput`]). Its frame in
    /// tracebacks is named after the closure (`adder::{{closure}}`) and placed
    /// where `new` is called.
    #[track_caller]
    pub fn new<F: IntoCallback<Args, R>>(f: F) -> Self {
        Callback {
            target: Target::Rust(f.into_closure(Location::caller())),
            signature: PhantomData,
        }
    }

    /// Calls the function. A host exception or a Rust error/panic inside it comes
    /// back as a [`CallbackError`], which `?` can propagate to the host unchanged.
    pub fn call(&self, args: Args) -> Result<R, CallbackError> {
        let mut bytes = Vec::with_capacity(64);
        args.encode_args(&mut bytes)
            .map_err(CallbackError::encode)?;
        match &self.target {
            Target::Host(object) => {
                let (status, out) = object.host().invoke(object.handle, &bytes);
                decode_outcome(status, out.bytes())
            }
            Target::Rust(function) => {
                let mut sink = Sink::library();
                // Rust encoded these arguments: extension 3 in them is no host's.
                let status = closure::run(function, &bytes, Lending::REFUSED, &mut sink);
                decode_outcome(status.code(), sink.written())
            }
        }
    }
}

fn decode_outcome<R: DeserializeOwned>(status: i32, bytes: &[u8]) -> Result<R, CallbackError> {
    if status == Status::Ok.code() {
        return rmp_serde::from_slice(bytes).map_err(|e| {
            CallbackError::bridge(format!(
                "the callback returned a value that is not a {}: {e}",
                std::any::type_name::<R>()
            ))
        });
    }
    let value = rmp_serde::from_slice::<ErrorValue>(bytes).unwrap_or_else(|e| {
        ErrorValue::bridge(
            "internal",
            format!("the callback failed with status {status} and an unreadable error value: {e}"),
        )
    });
    Err(CallbackError {
        value: Box::new(value),
    })
}

/// Why a callback failed: the host's exception (its type, message and frames, and a
/// handle to the original object), or a Rust closure's error or panic.
///
/// Returned from an exported function (directly with `?`, or as the `source()` of
/// your own error), the host sees the original exception again.
#[derive(Debug, Clone, PartialEq)]
pub struct CallbackError {
    value: Box<ErrorValue>,
}

impl CallbackError {
    fn encode(e: EncodeError) -> Self {
        CallbackError::bridge(format!(
            "the callback's arguments could not be encoded: {e}"
        ))
    }

    fn bridge(message: String) -> Self {
        CallbackError {
            value: Box::new(ErrorValue::bridge("internal", message)),
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

/// Argument tuples a callback can be called with: `()`, `(A,)`, `(A, B)`, … up to 8.
pub trait CallArgs {
    /// Writes the tuple as one MessagePack array.
    fn encode_args(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

macro_rules! arity {
    ($n:expr; $($A:ident $i:tt),*) => {
        impl<$($A: Serialize),*> CallArgs for ($($A,)*) {
            #[allow(unused_variables)]
            fn encode_args(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                let _ = rmp::encode::write_array_len(out, $n);
                $(encode(&self.$i, &mut *out)?;)*
                Ok(())
            }
        }
    };
}

arity!(0;);
arity!(1; A 0);
arity!(2; A 0, B 1);
arity!(3; A 0, B 1, C 2);
arity!(4; A 0, B 1, C 2, D 3);
arity!(5; A 0, B 1, C 2, D 3, E 4);
arity!(6; A 0, B 1, C 2, D 3, E 4, G 5);
arity!(7; A 0, B 1, C 2, D 3, E 4, G 5, H 6);
arity!(8; A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);

/// The MessagePack extension value rmp-serde maps to `(type, payload)`.
#[derive(Serialize)]
#[serde(rename = "_ExtStruct")]
pub(crate) struct ExtOut<'a>(pub(crate) (i8, &'a serde_bytes::Bytes));

#[derive(Deserialize)]
#[serde(rename = "_ExtStruct")]
struct ExtIn((i8, serde_bytes::ByteBuf));

impl<Args, R> Serialize for Callback<Args, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.target {
            Target::Host(object) => {
                // The host receives one reference of its own.
                object.retain_for_host();
                let mut payload = [0u8; 12];
                payload[..4].copy_from_slice(&object.host_id.to_be_bytes());
                payload[4..].copy_from_slice(&object.handle.to_be_bytes());
                ExtOut((EXT_HOST_OBJECT, serde_bytes::Bytes::new(&payload))).serialize(s)
            }
            Target::Rust(function) => {
                let handle = closures::register(Arc::clone(function));
                ExtOut((
                    EXT_LIBRARY_CLOSURE,
                    serde_bytes::Bytes::new(&handle.to_be_bytes()),
                ))
                .serialize(s)
            }
        }
    }
}

impl<'de, Args, R> Deserialize<'de> for Callback<Args, R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ExtIn((tag, payload)) = ExtIn::deserialize(d)?;
        let target = match (tag, payload.len()) {
            (EXT_HOST_OBJECT, 12) => {
                let host_id = u32::from_be_bytes(payload[..4].try_into().expect("4 bytes"));
                let handle = u64::from_be_bytes(payload[4..].try_into().expect("8 bytes"));
                let host = host::host(host_id).ok_or_else(|| {
                    D::Error::custom(format!(
                        "host {host_id} is not registered; call ferryman_register_host before passing callables"
                    ))
                })?;
                Target::Host(Arc::new(host.retain(host_id, handle)))
            }
            (EXT_LIBRARY_CLOSURE, 8) => {
                let handle = u64::from_be_bytes(payload[..].try_into().expect("8 bytes"));
                let function = closures::lookup(handle)
                    .ok_or_else(|| D::Error::custom(format!("closure {handle} was already released")))?;
                Target::Rust(function)
            }
            (tag, len) => {
                return Err(D::Error::custom(format!(
                    "expected a callable (MessagePack extension 1 with 12 bytes or 2 with 8), but found extension {tag} with {len} bytes"
                )))
            }
        };
        Ok(Callback {
            target,
            signature: PhantomData,
        })
    }
}

/// Asks the hosts whether the user interrupted the running call (Ctrl-C). Call it
/// now and then in long loops; `?` hands the host's `KeyboardInterrupt` back to it.
pub fn check_interrupt() -> Result<(), CallbackError> {
    for host in host::all_hosts() {
        if let Some(out) = host.check_interrupt() {
            return Err(decode_outcome::<()>(Status::Error.code(), out.bytes()).unwrap_err());
        }
    }
    Ok(())
}

/// Frames for an error value reporting `error`, whose `source()` chain may hold
/// callback errors: the value the host should see.
pub(crate) fn callback_value(error: &(dyn std::error::Error + 'static)) -> Option<ErrorValue> {
    error
        .downcast_ref::<CallbackError>()
        .map(|e| (*e.value).clone())
}

/// Marks the causes in `value` that are callback errors with their host objects.
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
            slot.host_exception = e.value.host_exception;
        }
        source = cause.source();
        i += 1;
    }
}
