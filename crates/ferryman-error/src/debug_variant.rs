//! The enum variant of an error that is not `Serialize`, read from the start
//! of its `Debug` text: a derived `Debug` of an enum starts with the variant's
//! name (`DivisionByZero`, `BadPattern { .. }`, `Io(..)`), one of a struct
//! with the type's own name.
//!
//! Only the leading identifier is formatted (the writer stops there), on the
//! error path only. It counts only when followed by what a derived `Debug`
//! writes next — nothing, ` {` or `(` — so a `Debug` that shows the message
//! ("Division by zero") names none. std's error types (and boxed trait
//! objects) are skipped: their hand-written `Debug` (`Os { code: 2, .. }` for
//! an `io::Error`) names no variant. A user type whose hand-written `Debug`
//! looks derived and starts with another capitalised word is read as that
//! variant: derive `Serialize` (or `Debug`) to be exact.

use std::fmt::{self, Debug, Write};

/// The variant `error`'s `Debug` names, when it names one other than the
/// type's short name `type_name` (`rust_type` is the full type).
pub fn variant_from_debug(error: &dyn Debug, rust_type: &str, type_name: &str) -> Option<String> {
    if ["std::", "core::", "alloc::"]
        .iter()
        .any(|std| rust_type.starts_with(std))
    {
        return None;
    }
    let mut ident = Ident::default();
    // `Err` is how the writer stops: what it kept is the identifier and the
    // two characters after it.
    let _ = write!(ident, "{error:?}");
    let derived = matches!(ident.after.as_str(), "" | " {") || ident.after.starts_with('(');
    let name = ident.name;
    let variant = derived && name.starts_with(|c: char| c.is_uppercase()) && name != type_name;
    variant.then_some(name)
}

/// Keeps the leading identifier of what is written and the two characters
/// after it, then refuses the rest.
#[derive(Default)]
struct Ident {
    name: String,
    after: String,
}

/// Longer than any sane variant name: past it, nothing is kept.
const MAX: usize = 128;

impl Write for Ident {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let part = self.after.is_empty()
                && if self.name.is_empty() {
                    c.is_alphabetic() || c == '_'
                } else {
                    c.is_alphanumeric() || c == '_'
                };
            if part {
                if self.name.len() >= MAX {
                    self.name.clear();
                    return Err(fmt::Error);
                }
                self.name.push(c);
                continue;
            }
            self.after.push(c);
            if self.after.len() >= 2 || self.name.is_empty() {
                return Err(fmt::Error);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code)]
    #[derive(Debug)]
    enum TextError {
        BadPattern { at: usize },
        Empty,
        Io(String),
    }

    #[allow(dead_code)]
    #[derive(Debug)]
    struct Plain {
        reason: String,
    }

    const TEXT: &str = "my_crate::TextError";

    #[test]
    fn each_shape_of_variant_is_named() {
        let v = |e: &TextError| variant_from_debug(e, TEXT, "TextError");
        assert_eq!(
            v(&TextError::BadPattern { at: 3 }).as_deref(),
            Some("BadPattern")
        );
        assert_eq!(v(&TextError::Empty).as_deref(), Some("Empty"));
        assert_eq!(v(&TextError::Io("x".into())).as_deref(), Some("Io"));
    }

    #[test]
    fn structs_std_errors_and_odd_debug_text_name_none() {
        let plain = Plain { reason: "r".into() };
        assert_eq!(variant_from_debug(&plain, "my_crate::Plain", "Plain"), None);
        let io = std::io::Error::from_raw_os_error(2);
        assert_eq!(
            variant_from_debug(&io, "std::io::error::Error", "Error"),
            None
        );
        assert_eq!(variant_from_debug(&"text", "my::E", "E"), None);
        // A `Debug` that shows the message.
        let shown = Raw("Division by zero");
        assert_eq!(variant_from_debug(&shown, "my::E", "E"), None);
        assert_eq!(
            variant_from_debug(&Raw("Looks { derived: 1 }"), "my::E", "E").as_deref(),
            Some("Looks")
        );
        assert_eq!(variant_from_debug(&7, "my::E", "E"), None);
        let long = "A".repeat(MAX + 1);
        assert_eq!(variant_from_debug(&Raw(&long), "my::E", "E"), None);
    }

    /// A `Debug` that writes its text as is.
    struct Raw<'a>(&'a str);

    impl Debug for Raw<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
}
