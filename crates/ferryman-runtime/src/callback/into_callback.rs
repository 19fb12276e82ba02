//! Which Rust functions can become a [`crate::Callback`]: `Fn(A, B, …) -> R`
//! and `Fn(A, B, …) -> Result<R, E>`, up to 8 arguments, and how each is
//! erased into a [`Closure`].

use crate::callback::closure::{self, Closure, Site};
use crate::callback::with_fields::WithFields;
use crate::report::write_error;
use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_error::{ErrorValue, FieldsProbe, FieldsViaSerialize};
use ferryman_wire::{encode, Args, Lending};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::type_name;
use std::error::Error;
use std::panic::Location;
use std::sync::Arc;

/// Closures that can become a [`crate::Callback`]: `Fn(A, B, …) -> R` or
/// `Fn(A, B, …) -> Result<R, E>`, `Send + Sync + 'static`, up to 8 arguments.
pub trait IntoCallback<Args, R> {
    #[doc(hidden)]
    fn into_closure(self, at: &'static Location<'static>) -> Arc<Closure>;
}

/// What a closure behind a `Callback<Args, R>` may return: `R` itself, or
/// `Result<R, E>` for any error `E` an exported function may return
/// (`std::error::Error + Send + Sync + 'static`, [`crate::CallbackError`]
/// included, or a `String`).
///
/// An `Err` reaches the host as an exported function's `Err` would: the same
/// exception class, message, causes and `rust_type`, with the closure's frame;
/// a `CallbackError` propagated with `?` is the host's own exception again.
/// An exported function's `Err` also carries the error's serde fields when its
/// type implements `Serialize`. Generic code cannot ask that of a type, so a
/// closure sends them only when its error is wrapped in [`crate::WithFields`]:
/// `Result<R, WithFields<E>>`.
pub trait ClosureOutput<R> {
    #[doc(hidden)]
    fn write_into(self, sink: &mut Sink<'_>, site: &Site) -> Status;
}

impl<R: Serialize> ClosureOutput<R> for R {
    #[inline]
    fn write_into(self, sink: &mut Sink<'_>, _: &Site) -> Status {
        write_value(sink, &self)
    }
}

impl<R: Serialize, E> ClosureOutput<R> for Result<R, E>
where
    E: Into<Box<dyn Error + Send + Sync + 'static>>,
{
    #[inline]
    fn write_into(self, sink: &mut Sink<'_>, site: &Site) -> Status {
        match self {
            Ok(value) => write_value(sink, &value),
            Err(error) => closure::write_err(sink, site, error.into(), type_name::<E>(), None),
        }
    }
}

impl<R: Serialize, E> ClosureOutput<R> for Result<R, WithFields<E>>
where
    E: Error + Serialize + Send + Sync + 'static,
{
    #[inline]
    fn write_into(self, sink: &mut Sink<'_>, site: &Site) -> Status {
        match self {
            Ok(value) => write_value(sink, &value),
            Err(WithFields(error)) => {
                let fields = FieldsProbe(&error).ferryman_fields();
                closure::write_err(sink, site, Box::new(error), type_name::<E>(), fields)
            }
        }
    }
}

fn write_value<R: Serialize>(sink: &mut Sink<'_>, value: &R) -> Status {
    match encode(value, &mut *sink) {
        Ok(()) => Status::Ok,
        Err(e) => {
            sink.clear();
            write_error(sink, &ErrorValue::bridge("internal", e.to_string()));
            Status::Internal
        }
    }
}

macro_rules! arity {
    ($n:expr; $($A:ident $i:tt),*) => {
        impl<F, O, R, $($A),*> IntoCallback<($($A,)*), R> for F
        where
            F: Fn($($A),*) -> O + Send + Sync + 'static,
            O: ClosureOutput<R>,
            $($A: DeserializeOwned,)*
        {
            fn into_closure(self, at: &'static Location<'static>) -> Arc<Closure> {
                let site = Site {
                    closure: type_name::<F>(),
                    location: at,
                    args: type_name::<($($A,)*)>(),
                    arity: $n,
                    returns: type_name::<O>(),
                };
                let function = move |bytes: &[u8], lending: Lending, sink: &mut Sink<'_>, site: &Site| {
                    #[allow(unused_mut, unused_variables)]
                    let mut args = match Args::with_lending(bytes, $n, lending) {
                        Ok(args) => args,
                        Err(e) => return closure::write_bad_args(sink, site, &e, None),
                    };
                    #[allow(non_snake_case)]
                    let ($($A,)*) = ($(match args.next::<$A>($i) {
                        Ok(v) => v,
                        Err(e) => {
                            return closure::write_bad_args(sink, site, &e, Some(type_name::<$A>()))
                        }
                    },)*);
                    if let Err(e) = args.finish() {
                        return closure::write_bad_args(sink, site, &e, None);
                    }
                    self($($A),*).write_into(sink, site)
                };
                Arc::new(Closure { site, function })
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
