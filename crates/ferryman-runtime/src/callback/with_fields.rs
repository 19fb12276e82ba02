//! `WithFields<E>`: a closure's error that takes its serde fields along.

use std::fmt;

/// Wraps the error a closure returns so that the host also receives the
/// error's serde fields (its variant and fields, as attributes of the Python
/// exception), as it does for an exported function's `Err` (compiled as a
/// doctest of the `ferryman` crate, which re-exports this type):
///
/// ```ignore
/// use ferryman::{Callback, WithFields};
///
/// #[derive(Debug, thiserror::Error, serde::Serialize)]
/// pub enum MathError {
///     #[error("negative input: {0}")]
///     Negative(i64),
/// }
///
/// /// A closure taking square roots; `e.variant == "Negative"` in Python.
/// #[ferryman::export]
/// pub fn sqrt() -> Callback<(i64,), i64> {
///     Callback::new(|x: i64| -> Result<i64, WithFields<MathError>> {
///         if x < 0 {
///             return Err(WithFields(MathError::Negative(x)));
///         }
///         Ok((x as f64).sqrt() as i64)
///     })
/// }
/// ```
///
/// `?` wraps an `E` by itself (`From<E>`). Only closures need it: generic code
/// cannot ask whether a type implements `Serialize`, the `#[export]` macro can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithFields<E>(pub E);

impl<E> From<E> for WithFields<E> {
    fn from(error: E) -> Self {
        WithFields(error)
    }
}

impl<E: fmt::Display> fmt::Display for WithFields<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
