//! The `#[ferryman::export]` attribute. Use it through the `ferryman` crate;
//! the work is done in `ferryman-macros-backend`.

use proc_macro::TokenStream;

/// Exports a function to every host language: Python, C, anything that can
/// `dlopen` the library.
///
/// ```ignore
/// #[derive(Debug, thiserror::Error)]
/// pub enum MathError {
///     #[error("division by zero")]
///     DivisionByZero,
/// }
///
/// /// Divides a by b.
/// #[ferryman::export]
/// pub fn divide(a: f64, b: f64) -> Result<f64, MathError> {
///     if b == 0.0 {
///         return Err(MathError::DivisionByZero);
///     }
///     Ok(a / b)
/// }
///
/// #[ferryman::export(name = "greet")]
/// pub fn greeting(name: &str) -> String {
///     format!("hello, {name}")
/// }
/// ```
///
/// On a struct or enum, the attribute exports a class (`#[ferryman::export(display,
/// debug, eq, hash, ord, iter)]` opts into protocols); on an `impl` block of it,
/// every `pub fn`: `new` is the constructor, other associated functions are
/// static methods, `&self` and `&mut self` functions are methods. A function or
/// method may return `impl Iterator<Item = T> + Send`, which hosts pull lazily
/// (`spec/wire.md`, "Objects" and "Iterators").
///
/// The function is kept as written. Beside it the attribute generates a shim
/// that decodes each argument from MessagePack, calls the function and encodes
/// what it returns, and registers the function (its name, doc comment,
/// parameter names and types) so that hosts can list and call it.
///
/// Misuse is a compile error that names the construct and the fix, spanned on
/// the offending token. (The examples here run as doctests of the `ferryman`
/// crate and as its UI tests; this crate does not depend on `ferryman`.)
///
/// ```ignore
/// #[ferryman::export]
/// pub fn push_one(values: &mut Vec<i64>) {
///     values.push(1);
/// }
/// // error: mutable references cannot cross the boundary; take `T` by value
/// //        and return the changed value
/// ```
///
/// # Options
///
/// - `name = "other_name"`: the name hosts call the function by (default: its
///   Rust name).
/// - `defaults(top = 10, sep = ",")`: what a call that leaves a parameter out
///   gets. Literals only (integer, float, string, char, bool, or `None` for an
///   `Option`), checked against the parameter's type; only the trailing
///   parameters may have one. Trailing `Option<T>` parameters default to `None`
///   without being named.
///
/// ```ignore
/// #[ferryman::export(defaults(top = 10, sep = ","))]
/// pub fn join_top(words: Vec<String>, top: usize, sep: String) -> String {
///     words.iter().take(top).cloned().collect::<Vec<_>>().join(&sep)
/// }
/// // Python: join_top(words, top=10, sep=",") — join_top(["a", "b"]) == "a,b"
/// ```
///
/// # Signatures
///
/// - Parameters: any `serde::Deserialize` type by value; `&str` and `&[u8]`,
///   borrowed from the call's input without copying; `&T` and `&[T]`, decoded
///   as `T` and `Vec<T>`. `Vec<u8>` and `&[u8]` travel as MessagePack bin.
/// - Return: any `serde::Serialize` type, or `Result<T, E>` where `T` is
///   `Serialize` and `E` converts into `Box<dyn Error + Send + Sync>` (any
///   `std::error::Error + Send + Sync + 'static`); an `Err` raises the host's
///   exception for `E`, with `E`'s fields when `E` is `Serialize`.
///
/// Not supported, each with a compile error saying what to do instead: generic
/// type or const parameters, `self`, `async fn`, `unsafe fn`, `extern` ABIs,
/// variadics, patterns in place of parameter names, `&mut T` and `&'static T`
/// parameters, `impl Trait`, and return types that borrow.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    ferryman_macros_backend::expand_export(attr.into(), item.clone().into())
        .unwrap_or_else(|error| ferryman_macros_backend::fallback(item.into(), &error))
        .into()
}

/// Gives an error type a base category, which hosts map to their own exception
/// class: with `base = "value"` Python raises it as a subclass of both the
/// library's error class and `ValueError`, so `except ValueError` catches it.
///
/// ```ignore
/// #[ferryman::error(base = "key")]
/// #[derive(Debug, thiserror::Error)]
/// #[error("no user {0}")]
/// pub struct NoSuchUser(pub String);
/// ```
///
/// The categories (`spec/wire.md`, "Error bases"): `value`, `type`, `key`,
/// `index`, `lookup`, `arithmetic`, `overflow`, `zero_division`,
/// `not_implemented`, `runtime`, `timeout`, `permission`, `not_found`,
/// `already_exists`, `connection`, `os`. One per type (not per variant); not
/// for generic types. `std::io::Error` is `os` already.
///
/// On an enum the attribute also registers its variants' names, which describe
/// lists, so a host refuses a misspelt variant (`lib.errors.TextError.BadPatern`
/// is an `AttributeError` listing the variants); `#[ferryman::error]` without
/// `base` does only that, and the next. On a type that derives `Serialize`
/// (the attribute written above the `#[derive]`), describe also lists its
/// variants' fields and their types as serde writes them (`rename_all` and the
/// like applied), so hosts type them (Python stubs: `e.numerator: float`).
#[proc_macro_attribute]
pub fn error(attr: TokenStream, item: TokenStream) -> TokenStream {
    ferryman_macros_backend::expand_error(attr.into(), item.clone().into())
        .unwrap_or_else(|error| ferryman_macros_backend::fallback(item.into(), &error))
        .into()
}
