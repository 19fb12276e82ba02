//! **Call Rust from Python and any other language through one generic C entry point.**
//!
//! Mark functions with [`export`] and build the crate as a `cdylib`; nothing else is
//! needed — no build script, no per-library boilerplate:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! ferryman = "0.1"
//! ```
//!
//! ```
//! #[derive(Debug, thiserror::Error)]
//! pub enum MathError {
//!     #[error("division by zero")]
//!     DivisionByZero,
//! }
//!
//! /// Divides `a` by `b`.
//! #[ferryman::export]
//! pub fn divide(a: i64, b: i64) -> Result<i64, MathError> {
//!     if b == 0 {
//!         return Err(MathError::DivisionByZero);
//!     }
//!     Ok(a / b)
//! }
//! ```
//!
//! From Python: `ferryman.load("target/release/libcalc.so").divide(7, 2)`.
//!
//! Arguments and results are any serde types and travel as MessagePack; a returned
//! `Err` or a panic reaches the host as an exception carrying the Rust message,
//! `source()` chain, fields and frames. The contract every host relies on is
//! written down in `spec/` of the repository.
//!
//! Host functions come in as [`Callback`]s, which Rust may call, store and call
//! again from any thread; a Rust closure goes out the same way:
//!
//! ```
//! use ferryman::{Callback, CallbackError};
//!
//! /// Applies `f` to every value; an exception `f` raises reaches the caller unchanged.
//! #[ferryman::export]
//! pub fn map_values(values: Vec<i64>, f: Callback<(i64,), i64>) -> Result<Vec<i64>, CallbackError> {
//!     values.into_iter().map(|v| f.call((v,))).collect()
//! }
//!
//! /// A closure that adds `n`, callable from the host.
//! #[ferryman::export]
//! pub fn adder(n: i64) -> Callback<(i64,), i64> {
//!     Callback::new(move |x: i64| x + n)
//! }
//! ```
//!
//! Long loops can stop early on Ctrl-C with [`check_interrupt`]`()?`.
//!
//! Misuse is a compile error that says what to do instead:
//!
//! ```compile_fail
//! #[ferryman::export]
//! pub fn first<T: Clone>(items: Vec<T>) -> T {
//!     items[0].clone()
//! }
//! ```

pub use ferryman_abi::{ABI_VERSION, WIRE_VERSION};
pub use ferryman_macros::export;
pub use ferryman_runtime::{check_interrupt, CallArgs, Callback, CallbackError, IntoCallback};

/// Not public API: used by code that `#[export]` generates.
#[doc(hidden)]
pub mod __private {
    pub use ::inventory;
    pub use ::serde_bytes;
    pub use ferryman_error::{ErrorFields, FieldsNone, FieldsProbe, FieldsViaSerialize};
    pub use ferryman_runtime::{Call, Export, Param, Reported};
    pub use ferryman_wire::TypeDesc;

    /// Names the `Ok` and `Err` types of a `Result`, also through an alias.
    pub trait ResultParts {
        type Ok;
        type Err;
    }

    impl<T, E> ResultParts for ::core::result::Result<T, E> {
        type Ok = T;
        type Err = E;
    }

    /// `core::any::type_name`, as a plain `fn` pointer for the registry.
    pub fn type_name_of<T: ?Sized>() -> &'static str {
        ::core::any::type_name::<T>()
    }
}
