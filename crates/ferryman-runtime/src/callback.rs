//! `Callback<Args, R>`: a function Rust can call that lives on either side — a host
//! callable passed in as an argument, or a Rust closure handed out to a host
//! (`spec/callbacks.md`). This file holds `Callback` itself; its parts are:
//!
//! - `host_registry`: the hosts registered with `ferryman_register_host`, and
//!   `HostObject`, one reference to an object of theirs;
//! - `async_callback`: `AsyncCallback`, a host callable Rust awaits, and
//!   `resolver`, the one-shot closure the host settles it with;
//! - `closure`: one Rust closure with its types erased, its `Site`, and how it
//!   runs (behind `__ferryman_closure_shim`);
//! - `closure_table`: the closures handed to hosts, by handle;
//! - `into_callback`: which Rust functions can become a `Callback`;
//! - `error`: `CallbackError` (a host exception or a closure's failure) and
//!   `check_interrupt`;
//! - `with_fields`: `WithFields`, a closure's error sent with its serde fields;
//! - `in_process`: the references in a closure's arguments and result that no
//!   host reads when it runs in-process, released.

pub(crate) mod async_callback;
pub(crate) mod closure;
pub(crate) mod closure_table;
pub(crate) mod error;
pub(crate) mod host_registry;
pub(crate) mod in_process;
pub(crate) mod into_callback;
pub(crate) mod resolver;
pub(crate) mod with_fields;

pub use async_callback::{AsyncCallback, CallbackFuture};
use closure::Closure;
use error::decode_outcome;
pub(crate) use error::{callback_value, mark_callback_causes, CallbackError};
use ferryman_abi::{Status, EXT_HOST_OBJECT, EXT_LIBRARY_CLOSURE};
use ferryman_buffer::Sink;
use ferryman_wire::{encode, EncodeError, Lending};
use host_registry::HostObject;
use into_callback::IntoCallback;
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
        if let Err(e) = args.encode_args(&mut bytes) {
            // What was written before the failure is sent nowhere.
            in_process::release_references(&bytes);
            return Err(CallbackError::encode(e));
        }
        match &self.target {
            Target::Host(object) => {
                let (status, out) = object.host().invoke(object.handle, &bytes);
                decode_outcome(status, out.bytes(), Some((object.host_id, object.host())))
            }
            Target::Rust(function) => {
                let mut sink = Sink::library();
                // Rust encoded these arguments: extension 3 in them is no host's.
                let status = closure::run(function, &bytes, Lending::REFUSED, &mut sink);
                // The closure decoded its arguments with references of its own;
                // those encoding made for a host are nobody's now.
                in_process::release_references(&bytes);
                // Host exceptions in a closure's error value belong to the only
                // registered host (`CallbackError`).
                let outcome = decode_outcome(status.code(), sink.written(), host_registry::only());
                if status == Status::Ok {
                    // Likewise the result's, once decoded (or refused).
                    in_process::release_references(sink.written());
                }
                outcome
            }
        }
    }
}

/// Argument tuples a callback can be called with: `()`, `(A,)`, `(A, B)`, … up to 8.
pub trait CallArgs {
    /// How many arguments the tuple holds.
    #[doc(hidden)]
    const ARITY: u32;

    /// Writes the tuple's elements one after the other, with no array header
    /// (an [`AsyncCallback`] appends its resolver to them).
    #[doc(hidden)]
    fn encode_items(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;

    /// Writes the tuple as one MessagePack array.
    fn encode_args(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let _ = rmp::encode::write_array_len(out, Self::ARITY);
        self.encode_items(out)
    }
}

macro_rules! arity {
    ($n:expr; $($A:ident $i:tt),*) => {
        impl<$($A: Serialize),*> CallArgs for ($($A,)*) {
            const ARITY: u32 = $n;

            #[allow(unused_variables)]
            fn encode_items(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
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
pub(crate) struct ExtIn(pub(crate) (i8, serde_bytes::ByteBuf));

impl<Args, R> Serialize for Callback<Args, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.target {
            Target::Host(object) => serialize_host_object(object, s),
            Target::Rust(function) => {
                let handle = closure_table::register(Arc::clone(function));
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
            (EXT_HOST_OBJECT, 12) => Target::Host(Arc::new(host_object(&payload)?)),
            (EXT_LIBRARY_CLOSURE, 8) => {
                let handle = u64::from_be_bytes(payload[..].try_into().expect("8 bytes"));
                let function = closure_table::lookup(handle)
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

/// Writes host object `object` as extension 1, with one reference retained
/// for the host that reads it.
pub(crate) fn serialize_host_object<S: Serializer>(
    object: &HostObject,
    s: S,
) -> Result<S::Ok, S::Error> {
    // The host receives one reference of its own.
    object.retain_for_host();
    let mut payload = [0u8; 12];
    payload[..4].copy_from_slice(&object.host_id.to_be_bytes());
    payload[4..].copy_from_slice(&object.handle.to_be_bytes());
    ExtOut((EXT_HOST_OBJECT, serde_bytes::Bytes::new(&payload))).serialize(s)
}

/// The host object of extension 1's 12-byte `payload`, retained.
pub(crate) fn host_object<E: serde::de::Error>(payload: &[u8]) -> Result<HostObject, E> {
    let host_id = u32::from_be_bytes(payload[..4].try_into().expect("4 bytes"));
    let handle = u64::from_be_bytes(payload[4..12].try_into().expect("8 bytes"));
    if handle == 0 {
        return Err(E::custom(
            "handle 0 is not a host object (handles start at 1)",
        ));
    }
    let host = host_registry::host(host_id).ok_or_else(|| {
        E::custom(format!(
            "host {host_id} is not registered; call ferryman_register_host before passing callables"
        ))
    })?;
    Ok(host.retain(host_id, handle))
}
