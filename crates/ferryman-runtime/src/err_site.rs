//! Where a returned `Err` was made: the `?`, `return Err(..)` or tail
//! `Err(..)` of an exported function's body (`spec/wire.md`, "Error values":
//! its frame). `#[ferryman::export]` wraps each of them in [`located`], which
//! records the place in a thread-local slot only when the value is an `Err`;
//! `Call::err` takes it for the function's frame. The success path pays one
//! `is_err` test, which the compiler folds into the `?`'s own.
//!
//! An iterator of `Result` items records in the closure of its body's
//! `iter.map(|..| ..)`; the iterator's `Err` item takes the place as it is
//! written, right after the closure returned it (`object::iter`).

use std::cell::Cell;

/// One place in an exported function's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrSite {
    /// The function's `Export::rust_path`, so that a place recorded by another
    /// exported function (called as plain Rust) is never taken for this one's.
    pub function: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
}

thread_local! {
    static SITE: Cell<Option<ErrSite>> = const { Cell::new(None) };
}

/// `result` unchanged; when it is an `Err`, `site` is recorded as where it was made.
#[inline(always)]
pub fn located<T, E>(result: Result<T, E>, site: ErrSite) -> Result<T, E> {
    if result.is_err() {
        record(site);
    }
    result
}

#[cold]
#[inline(never)]
fn record(site: ErrSite) {
    SITE.with(|slot| slot.set(Some(site)));
}

/// The place recorded for the function `rust_path`, if the last one recorded
/// on this thread is its; the slot is emptied either way.
pub(crate) fn take_for(rust_path: &str) -> Option<ErrSite> {
    SITE.with(Cell::take)
        .filter(|site| same_path(site.function, rust_path))
}

/// `a == b`, first by address: both are usually the one literal of
/// `Export::rust_path`, and comparing the bytes is a `memcmp` call.
#[inline]
fn same_path(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Forgets a place recorded for `rust_path`; another function's stays.
pub(crate) fn discard_for(rust_path: &str) {
    SITE.with(|slot| {
        if slot
            .get()
            .is_some_and(|site| same_path(site.function, rust_path))
        {
            slot.set(None);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: ErrSite = ErrSite {
        function: "crate::f",
        file: "src/lib.rs",
        line: 7,
        column: 5,
    };

    #[test]
    fn only_an_err_is_recorded_and_only_for_its_function() {
        assert_eq!(located::<_, ()>(Ok(1), SITE), Ok(1));
        assert_eq!(take_for("crate::f"), None);
        assert_eq!(located::<(), _>(Err(2), SITE), Err(2));
        assert_eq!(take_for("crate::g"), None, "another function's place");
        assert_eq!(take_for("crate::f"), None, "the slot was emptied");
        let _ = located::<(), _>(Err(2), SITE);
        assert_eq!(take_for("crate::f"), Some(SITE));
    }

    #[test]
    fn discarding_forgets_only_the_functions_own_place() {
        let _ = located::<(), _>(Err(2), SITE);
        discard_for("crate::g");
        assert_eq!(
            take_for("crate::f"),
            Some(SITE),
            "another function's place stays"
        );
        let _ = located::<(), _>(Err(2), SITE);
        discard_for("crate::f");
        assert_eq!(take_for("crate::f"), None);
    }
}
