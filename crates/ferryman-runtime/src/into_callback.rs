//! Which Rust functions can become a [`crate::Callback`]: `Fn(A, B, …) -> R`,
//! up to 8 arguments, and how each is erased into a [`Closure`].

use crate::closure::{self, Closure, Site};
use crate::report::write_error;
use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_error::ErrorValue;
use ferryman_wire::{encode, Args, Lending};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::type_name;
use std::panic::Location;
use std::sync::Arc;

/// Closures that can become a [`crate::Callback`]: `Fn(A, B, …) -> R`,
/// `Send + Sync + 'static`, up to 8 arguments.
pub trait IntoCallback<Args, R> {
    #[doc(hidden)]
    fn into_closure(self, at: &'static Location<'static>) -> Arc<Closure>;
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
        impl<F, R, $($A),*> IntoCallback<($($A,)*), R> for F
        where
            F: Fn($($A),*) -> R + Send + Sync + 'static,
            R: Serialize,
            $($A: DeserializeOwned,)*
        {
            fn into_closure(self, at: &'static Location<'static>) -> Arc<Closure> {
                let site = Site {
                    closure: type_name::<F>(),
                    location: at,
                    args: type_name::<($($A,)*)>(),
                    arity: $n,
                    returns: type_name::<R>(),
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
                    write_value(sink, &self($($A),*))
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
