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
pub fn variant_from_debug(error: &dyn Debug, rust_type: &str, type_name: &str) -> Option<Variant> {
    if ["std::", "core::", "alloc::"]
        .iter()
        .any(|std| rust_type.starts_with(std))
    {
        return None;
    }
    let mut ident = Ident::default();
    // `Err` is how the writer stops: what it kept is the identifier and the
    // two bytes after it.
    let _ = write!(ident, "{error:?}");
    let after = &ident.after[..ident.after_len];
    let derived = matches!(after, b"" | b" {") || after.first() == Some(&b'(');
    let name = std::str::from_utf8(&ident.name[..ident.len]).ok()?;
    let variant = derived && name.starts_with(|c: char| c.is_uppercase()) && name != type_name;
    variant.then_some(Variant {
        bytes: ident.name,
        len: ident.len,
    })
}

/// A variant's name, kept on the stack (the error path makes no allocation
/// for it).
#[derive(Clone, Copy)]
pub struct Variant {
    bytes: [u8; MAX],
    len: usize,
}

impl Variant {
    pub fn as_str(&self) -> &str {
        // SAFETY: `variant_from_debug` made it from a `str` it checked.
        unsafe { std::str::from_utf8_unchecked(&self.bytes[..self.len]) }
    }
}

impl std::ops::Deref for Variant {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Variant {
    fn eq(&self, other: &Variant) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Keeps the leading identifier of what is written and the two bytes after
/// it, then refuses the rest. Bytes of non-ASCII characters count as part of
/// the identifier (the whole name is checked once at the end).
struct Ident {
    name: [u8; MAX],
    len: usize,
    after: [u8; 2],
    after_len: usize,
}

impl Default for Ident {
    fn default() -> Self {
        Ident {
            name: [0; MAX],
            len: 0,
            after: [0; 2],
            after_len: 0,
        }
    }
}

/// Longer than any sane variant name: past it, nothing is kept.
const MAX: usize = 128;

impl Write for Ident {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.after_len == 0 {
                let part = b == b'_'
                    || b >= 0x80
                    || if self.len == 0 {
                        b.is_ascii_alphabetic()
                    } else {
                        b.is_ascii_alphanumeric()
                    };
                if part {
                    if self.len == MAX {
                        self.len = 0;
                        return Err(fmt::Error);
                    }
                    self.name[self.len] = b;
                    self.len += 1;
                    continue;
                }
            }
            self.after[self.after_len] = b;
            self.after_len += 1;
            if self.after_len == 2 || self.len == 0 {
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
