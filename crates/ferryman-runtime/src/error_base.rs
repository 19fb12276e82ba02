//! The base category of an error type (`spec/wire.md`, "Error bases"), for
//! an enum its variants, and its shape when it derives `Serialize`: registered by `#[ferryman::error(base = "…")]`
//! on the type, found by the type's `type_name` when one of its values is
//! returned and when describe lists the functions that return it.
//! `std::io::Error` is `os` without being registered.

/// One error type's base, as `#[ferryman::error]` registers it.
#[derive(Debug)]
pub struct ErrorBase {
    /// `type_name` of the error type.
    pub rust_type: fn() -> &'static str,
    /// One of [`ferryman_abi::ERROR_BASES`] (the attribute checks it), if given.
    pub base: Option<&'static str>,
    /// The variants' names (as error values carry them), for an enum; empty
    /// for a struct.
    pub variants: &'static [&'static str],
    /// What its values look like on the wire, when the attribute could tell.
    pub shape: Option<&'static ErrorShape>,
}

inventory::collect!(ErrorBase);

use crate::ErrorShape;

/// `std::io::Error`'s `type_name`.
const IO_ERROR: &str = "std::io::error::Error";

/// The base of the error type named `rust_type`, if it has one.
///
/// Runs on the error path only (and for describe): a walk over the few
/// registered types.
pub fn error_base(rust_type: &str) -> Option<&'static str> {
    if rust_type == IO_ERROR || rust_type == std::any::type_name::<std::io::Error>() {
        return Some("os");
    }
    registered(rust_type).and_then(|entry| entry.base)
}

/// The variants of the registered enum error type named `rust_type`.
pub fn error_variants(rust_type: &str) -> Option<&'static [&'static str]> {
    registered(rust_type)
        .map(|entry| entry.variants)
        .filter(|variants| !variants.is_empty())
}

/// The shape of the registered error type named `rust_type`, if known.
pub(crate) fn error_shape(rust_type: &str) -> Option<&'static ErrorShape> {
    registered(rust_type).and_then(|entry| entry.shape)
}

fn registered(rust_type: &str) -> Option<&'static ErrorBase> {
    inventory::iter::<ErrorBase>
        .into_iter()
        .find(|entry| (entry.rust_type)() == rust_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Registered;

    inventory::submit! {
        ErrorBase {
            rust_type: std::any::type_name::<Registered>,
            base: Some("key"),
            variants: &["A", "B"],
            shape: None,
        }
    }

    #[test]
    fn registered_types_and_io_errors_have_a_base() {
        assert_eq!(error_base(std::any::type_name::<Registered>()), Some("key"));
        assert_eq!(
            error_base(std::any::type_name::<std::io::Error>()),
            Some("os")
        );
        assert_eq!(error_base("a::b::Unregistered"), None);
        assert_eq!(
            error_variants(std::any::type_name::<Registered>()),
            Some(&["A", "B"][..])
        );
        assert_eq!(
            error_variants(std::any::type_name::<std::io::Error>()),
            None
        );
    }
}
