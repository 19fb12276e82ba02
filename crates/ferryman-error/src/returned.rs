//! What an exported function may return as the `E` of `Result<T, E>`: any
//! `E: std::error::Error + 'static`, and the boxed trait objects
//! `Box<dyn Error>` (with any of `+ Send`, `+ Sync`), which do not implement
//! `Error` themselves.
//!
//! The error is encoded as soon as the function returns, on the thread that
//! called it, so neither `Send` nor `Sync` is needed.
//!
//! One blanket impl for `E: Error` and impls for the boxes would overlap in
//! the eyes of coherence (std may one day implement `Error` for
//! `Box<dyn Error>`), so the impls are told apart by a marker type parameter
//! ([`ViaError`], [`ViaBox`]) that the compiler infers at the call site.

use std::any::TypeId;
use std::error::Error;

/// Marker: `E` itself implements `std::error::Error`.
#[derive(Debug)]
pub enum ViaError {}

/// Marker: `E` is a `Box<dyn std::error::Error …>`.
#[derive(Debug)]
pub enum ViaBox {}

/// An error type an exported function may return; `Marker` is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an error type an exported function can return",
    label = "not a `std::error::Error`",
    note = "`#[ferryman::export]` functions return `Result<T, E>` where `E` implements `std::error::Error` (derive it with `thiserror::Error`, or implement `Debug`, `Display` and `std::error::Error`), or where `E` is `Box<dyn std::error::Error>` (`+ Send + Sync` optional)"
)]
pub trait ReturnedError<Marker> {
    /// The error as a trait object: its `Display`, `source()` chain and type.
    fn as_error(&self) -> &(dyn Error + 'static);

    /// Whether [`as_error`](Self::as_error) may be a `T` (for `downcast_ref`
    /// or `is`): `true` for a box, whose content only shows at run time; for
    /// an error that is its own trait object, whether it is a `T`, decided as
    /// it compiles. The error path skips the dynamic test when it cannot
    /// succeed.
    #[inline]
    fn may_be<T: 'static>() -> bool
    where
        Self: Sized,
    {
        true
    }
}

impl<E: Error + 'static> ReturnedError<ViaError> for E {
    #[inline]
    fn as_error(&self) -> &(dyn Error + 'static) {
        self
    }

    /// `as_error` is `self`, so its type is `E`.
    #[inline]
    fn may_be<T: 'static>() -> bool {
        TypeId::of::<E>() == TypeId::of::<T>()
    }
}

impl ReturnedError<ViaBox> for Box<dyn Error> {
    #[inline]
    fn as_error(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

impl ReturnedError<ViaBox> for Box<dyn Error + Send> {
    #[inline]
    fn as_error(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

impl ReturnedError<ViaBox> for Box<dyn Error + Sync> {
    #[inline]
    fn as_error(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

impl ReturnedError<ViaBox> for Box<dyn Error + Send + Sync> {
    #[inline]
    fn as_error(&self) -> &(dyn Error + 'static) {
        &**self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;
    use std::rc::Rc;

    /// What `Call::err` sees of `error`: its type name and message.
    fn seen<M, E: ReturnedError<M>>(error: E) -> (&'static str, String) {
        (std::any::type_name::<E>(), error.as_error().to_string())
    }

    /// An error that is neither `Send` nor `Sync`.
    #[derive(Debug)]
    struct Local(Rc<str>);

    impl fmt::Display for Local {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "local: {}", self.0)
        }
    }

    impl Error for Local {}

    #[test]
    fn every_error_type_and_every_boxed_error_is_accepted() {
        let plain: Box<dyn Error> = "plain".into();
        let send: Box<dyn Error + Send> = Box::new(std::io::Error::other("send"));
        let sync: Box<dyn Error + Sync> = Box::new(std::io::Error::other("sync"));
        let both: Box<dyn Error + Send + Sync> = "both".into();
        assert_eq!(seen(plain).1, "plain");
        assert_eq!(seen(send).1, "send");
        assert_eq!(seen(sync).1, "sync");
        assert_eq!(seen(both).1, "both");
        assert_eq!(
            seen(Local("rc".into())),
            (std::any::type_name::<Local>(), "local: rc".to_owned())
        );
        assert_eq!(seen(std::io::Error::other("io")).0, "std::io::error::Error");
        // A box of a concrete error is itself an `Error`.
        assert_eq!(seen(Box::new(Local("boxed".into()))).1, "local: boxed");
    }

    fn may_be<M, E: ReturnedError<M>, T: 'static>(_: &E) -> bool {
        E::may_be::<T>()
    }

    #[test]
    fn only_a_box_may_be_another_type_than_its_own() {
        use std::io;
        let boxed: Box<dyn Error + Send + Sync> = Box::new(io::Error::other("inner"));
        assert!(may_be::<_, _, io::Error>(&boxed));
        assert!(may_be::<_, _, Local>(&boxed));
        assert!(may_be::<_, _, io::Error>(&io::Error::other("io")));
        assert!(!may_be::<_, _, io::Error>(&Local("rc".into())));
        // A box of a concrete error is an `Error` itself: never its content.
        assert!(!may_be::<_, _, io::Error>(&Box::new(io::Error::other("b"))));
    }

    #[test]
    fn a_boxed_error_is_seen_through_so_it_can_be_downcast() {
        let boxed: Box<dyn Error + Send + Sync> = Box::new(std::io::Error::other("inner"));
        assert!(boxed.as_error().is::<std::io::Error>());
    }
}
