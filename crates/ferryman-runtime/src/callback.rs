//! `Callback<Args, R>`: a function Rust can call that lives on either side — a host
//! callable passed in as an argument, or a Rust closure handed out to a host.

pub(crate) use crate::callback_error::{callback_value, mark_callback_causes, CallbackError};
use crate::callback_error::{decode_outcome, unwound_exception_for_host};
use crate::closures::{self, ErasedFn};
use crate::host::{self, HostObject};
use crate::report::write_error;
use ferryman_abi::{Status, EXT_HOST_OBJECT, EXT_LIBRARY_CLOSURE};
use ferryman_buffer::Sink;
use ferryman_error::{catch_panic, ErrorValue};
use ferryman_wire::{encode, Args, EncodeError, Lending};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
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
    Rust(Arc<ErasedFn>, &'static str),
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
            Target::Rust(_, signature) => write!(f, "Callback(rust closure {signature})"),
        }
    }
}

impl<Args: CallArgs, R: DeserializeOwned> Callback<Args, R> {
    /// Wraps a Rust closure, e.g. `Callback::new(|a: i64, b: i64| a + b)`.
    pub fn new<F: IntoCallback<Args, R>>(f: F) -> Self {
        Callback {
            target: Target::Rust(f.into_erased(), signature::<Args, R>()),
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
                decode_outcome(status, out.bytes(), Some((object.host_id, object.host())))
            }
            Target::Rust(function, _) => {
                let mut sink = Sink::library();
                // Rust encoded these arguments: extension 3 in them is no host's.
                let status = run_erased(&**function, &bytes, Lending::REFUSED, &mut sink);
                // Host exceptions in a closure's error value belong to the only
                // registered host (`CallbackError`).
                decode_outcome(status.code(), sink.written(), host::only())
            }
        }
    }
}

/// Runs an erased closure, turning a panic into an error value in `sink`.
pub(crate) fn run_erased(
    function: &ErasedFn,
    args: &[u8],
    lending: Lending,
    sink: &mut Sink<'_>,
) -> Status {
    match catch_panic(|| function(args, lending, sink)) {
        Ok(status) => status,
        Err(mut panicked) => {
            panicked.0.host_exception = unwound_exception_for_host();
            sink.clear();
            write_error(sink, &panicked.0);
            Status::Panic
        }
    }
}

fn signature<Args, R>() -> &'static str {
    use std::collections::HashMap;
    use std::sync::Mutex;
    // One leaked string per distinct signature, not per closure.
    static NAMES: Mutex<Option<HashMap<(&'static str, &'static str), &'static str>>> =
        Mutex::new(None);
    let key = (std::any::type_name::<Args>(), std::any::type_name::<R>());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    names
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| Box::leak(format!("{} -> {}", key.0, key.1).into_boxed_str()))
}

/// Argument tuples a callback can be called with: `()`, `(A,)`, `(A, B)`, … up to 8.
pub trait CallArgs {
    /// Writes the tuple as one MessagePack array.
    fn encode_args(&self, out: &mut Vec<u8>) -> Result<(), EncodeError>;
}

/// Closures that can become a [`Callback`]: `Fn(A, B, …) -> R`, up to 8 arguments.
pub trait IntoCallback<Args, R> {
    #[doc(hidden)]
    fn into_erased(self) -> Arc<ErasedFn>;
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

        impl<F, R, $($A),*> IntoCallback<($($A,)*), R> for F
        where
            F: Fn($($A),*) -> R + Send + Sync + 'static,
            R: Serialize,
            $($A: DeserializeOwned,)*
        {
            fn into_erased(self) -> Arc<ErasedFn> {
                Arc::new(move |bytes: &[u8], lending: Lending, sink: &mut Sink<'_>| {
                    #[allow(unused_mut, unused_variables)]
                    let mut args = match Args::with_lending(bytes, $n, lending) {
                        Ok(args) => args,
                        Err(e) => return closure_bad_args(sink, &e),
                    };
                    #[allow(non_snake_case)]
                    let ($($A,)*) = ($(match args.next::<$A>($i) {
                        Ok(v) => v,
                        Err(e) => return closure_bad_args(sink, &e),
                    },)*);
                    if let Err(e) = args.finish() {
                        return closure_bad_args(sink, &e);
                    }
                    let result = self($($A),*);
                    match encode(&result, &mut *sink) {
                        Ok(()) => Status::Ok,
                        Err(e) => {
                            sink.clear();
                            write_error(sink, &ErrorValue::bridge("internal", e.to_string()));
                            Status::Internal
                        }
                    }
                })
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

#[cold]
fn closure_bad_args(sink: &mut Sink<'_>, e: &ferryman_wire::DecodeError) -> Status {
    let mut value = ErrorValue::bridge(e.kind.as_str(), String::new());
    value.type_name = "ArgumentError".to_owned();
    value.index = e.index;
    value.found = (!e.found.is_empty()).then(|| e.found.clone());
    value.message = match e.index {
        Some(i) => format!(
            "closure argument {i}: found {}{}{}",
            e.found,
            if e.detail.is_empty() { "" } else { ": " },
            e.detail
        ),
        None => format!("closure arguments: {}{}", e.found, e.detail),
    };
    sink.clear();
    write_error(sink, &value);
    Status::BadArgs
}

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
            Target::Rust(function, signature) => {
                let handle = closures::register(Arc::clone(function), signature);
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
                Target::Rust(function, signature::<Args, R>())
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
