//! How a generated shim decodes a parameter or writes a result whose type it
//! cannot name for sure (`Bytes` may be `ferryman::Bytes` or another crate's):
//! autoref specialisation picks the direct path when the type has one
//! ([`Direct`] in, [`DirectOut`] out) and serde otherwise. Not public API.

use crate::call::{Call, Reported};
use ferryman_buffer::Sink;
use ferryman_wire::Direct;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// A result written straight into the output, when that is how it goes out.
pub trait DirectOut {
    /// Writes `self` as one MessagePack value and returns `true`, or returns
    /// `false` having written nothing (serde then writes it).
    fn write_direct(&self, sink: &mut Sink<'_>) -> bool;
}

/// The type a parameter or result has, for method resolution to dispatch on.
#[derive(Debug)]
pub struct Kind<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> Kind<T> {
    /// The marker for `T`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Kind<T> {
        Kind(PhantomData)
    }
}

/// Parameters of a [`Direct`] type: `(&Kind::<T>::new()).arg(call, i)`.
pub trait ArgDirect<'a, T> {
    /// Decodes parameter `index`.
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<T, Reported>;
}

impl<'a, T: Direct + Deserialize<'a>> ArgDirect<'a, T> for Kind<T> {
    #[inline(always)]
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<T, Reported> {
        call.arg_direct(index)
    }
}

/// Any other parameter (one autoref further, so [`ArgDirect`] wins when it applies).
pub trait ArgSerde<'a, T> {
    /// Decodes parameter `index`.
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<T, Reported>;
}

impl<'a, T: Deserialize<'a>> ArgSerde<'a, T> for &Kind<T> {
    #[inline(always)]
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<T, Reported> {
        call.arg(index)
    }
}

/// Results of a [`DirectOut`] type: `(&Kind::<T>::new()).ok(call, &value)`.
pub trait OkDirect<T: ?Sized> {
    /// Writes the result.
    fn ok(&self, call: &mut Call<'_>, value: &T) -> Result<(), Reported>;
}

impl<T: DirectOut + Serialize + ?Sized> OkDirect<T> for Kind<T> {
    #[inline(always)]
    fn ok(&self, call: &mut Call<'_>, value: &T) -> Result<(), Reported> {
        call.ok_direct(value)
    }
}

/// Any other result.
pub trait OkSerde<T: ?Sized> {
    /// Writes the result.
    fn ok(&self, call: &mut Call<'_>, value: &T) -> Result<(), Reported>;
}

impl<T: Serialize + ?Sized> OkSerde<T> for &Kind<T> {
    #[inline(always)]
    fn ok(&self, call: &mut Call<'_>, value: &T) -> Result<(), Reported> {
        call.ok(value)
    }
}
