//! The standard byte containers, recognised by their static type where serde
//! hands the encoder one (a struct field, an element, an `Option`'s content):
//! an *empty* `Vec<u8>` gives the encoder no element to go by, but its type
//! says it is bytes, so it is written as an empty bin like a full one.
//!
//! `std::any::type_name` is documented as best effort; if a compiler ever
//! names these types differently, empty byte vectors inside other values go
//! back to being empty arrays (which hosts read as bytes where the type
//! descriptor says so: `spec/wire.md`), and the test below says so.

/// Whether `T` is `Vec<u8>`, `VecDeque<u8>` or `[u8]` (borrowed or boxed).
/// A constant for each `T`: the comparison folds away when the code is built.
#[inline(always)]
pub(crate) fn is_byte_container<T: ?Sized>() -> bool {
    matches!(
        std::any::type_name::<T>(),
        "alloc::vec::Vec<u8>"
            | "&alloc::vec::Vec<u8>"
            | "alloc::collections::vec_deque::VecDeque<u8>"
            | "[u8]"
            | "&[u8]"
            | "alloc::boxed::Box<[u8]>"
            | "alloc::rc::Rc<[u8]>"
            | "alloc::sync::Arc<[u8]>"
            | "alloc::borrow::Cow<'_, [u8]>"
    )
}

#[cfg(test)]
mod tests {
    use super::is_byte_container;
    use std::borrow::Cow;
    use std::collections::VecDeque;
    use std::rc::Rc;
    use std::sync::Arc;

    #[test]
    fn the_compiler_names_the_byte_containers_as_expected() {
        assert!(is_byte_container::<Vec<u8>>());
        assert!(is_byte_container::<&Vec<u8>>());
        assert!(is_byte_container::<VecDeque<u8>>());
        assert!(is_byte_container::<[u8]>());
        assert!(is_byte_container::<&[u8]>());
        assert!(is_byte_container::<Box<[u8]>>());
        assert!(is_byte_container::<Rc<[u8]>>());
        assert!(is_byte_container::<Arc<[u8]>>());
        assert!(is_byte_container::<Cow<'static, [u8]>>());
    }

    #[test]
    fn nothing_else_is_one() {
        assert!(!is_byte_container::<Vec<i8>>());
        assert!(!is_byte_container::<Vec<Vec<u8>>>());
        assert!(!is_byte_container::<[u8; 4]>());
        assert!(!is_byte_container::<u8>());
        assert!(!is_byte_container::<String>());
        assert!(!is_byte_container::<Option<Vec<u8>>>());
    }
}
