//! What writing a plain `Err` needs of the error's type, remembered per
//! thread by type and enum discriminant: the short type name
//! (`short_type_name`, parsed out of `type_name`), the error base (looked up
//! among the registered types) and the variant its `Debug` names
//! (`ferryman_error::variant_from_debug`, which formats the `Debug` text).
//! Finding them costs more than the rest of writing a plain `Err`; the name
//! and base never change for a type, nor the variant for a discriminant.
//!
//! Per thread, so no lock and nothing shared between threads; a thread keeps
//! at most `CAPACITY` entries and starts again past that, so the memo never
//! grows with the number of calls (nor leaks: it is dropped with its thread).

use std::any::TypeId;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use ferryman_error::{short_type_name, Variant};

use crate::error_base::error_base;

/// More distinct (type, variant) pairs than a thread meets in practice; past
/// it the memo starts again.
const CAPACITY: usize = 64;

/// What an error type (and, for the variant, its discriminant) says about
/// every value of it.
#[derive(Clone, Copy)]
pub(crate) struct Known {
    /// `short_type_name(rust_type)`.
    pub(crate) short_name: &'static str,
    /// `error_base(rust_type)`.
    pub(crate) base: Option<&'static str>,
    /// The variant `Debug` names, once asked for (for this value or an
    /// earlier one of its type and discriminant); `None` before.
    pub(crate) variant: Option<Variant>,
}

struct Entry {
    type_id: TypeId,
    discriminant: u64,
    known: Known,
    /// Whether `known.variant` was read: an error whose fields came from
    /// `Serialize` names its variant there, and its `Debug` is not run.
    variant_read: bool,
}

thread_local! {
    static MEMO: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Runs `then` with what is known of `error`, of type `E` named `rust_type`
/// (`type_name::<E>()`); `read_variant` runs when the variant is wanted and
/// not remembered yet (given the short name).
///
/// What is remembered is lent to `then` in place, not copied out (a
/// [`Variant`] is a buffer of its own): the memo stays borrowed, shared,
/// while `then` runs, and a call back into the library from the user's code
/// it runs (a `Display`) still finds what it needs here, only it stores
/// nothing new. Nothing of the user's runs while the memo is borrowed to
/// change it (a `Debug` may call back too); a thread whose memo is gone
/// (being torn down) or busy works everything out afresh.
pub(crate) fn with_known<E: 'static>(
    error: &E,
    rust_type: &'static str,
    read_variant: Option<impl FnOnce(&'static str) -> Option<Variant>>,
    then: impl FnOnce(&Known),
) {
    let type_id = TypeId::of::<E>();
    let discriminant = discriminant_key(error);
    let want_variant = read_variant.is_some();
    let mut then = Some(then);
    // On a hit, `then` runs here and is gone; the type's name and base are
    // kept when only its variant is missing.
    let found = MEMO
        .try_with(|memo| {
            let memo = memo.try_borrow().ok()?;
            let entry = memo
                .iter()
                .find(|entry| entry.type_id == type_id && entry.discriminant == discriminant)?;
            if entry.variant_read || !want_variant {
                if let Some(then) = then.take() {
                    then(&entry.known);
                }
                return None;
            }
            Some((entry.known.short_name, entry.known.base))
        })
        .ok()
        .flatten();
    let Some(then) = then else {
        return;
    };
    let (short_name, base) =
        found.unwrap_or_else(|| (short_type_name(rust_type), error_base(rust_type)));
    let known = Known {
        short_name,
        base,
        variant: read_variant.and_then(|read| read(short_name)),
    };
    let _ = MEMO.try_with(|memo| {
        let Ok(mut memo) = memo.try_borrow_mut() else {
            return;
        };
        let entry = Entry {
            type_id,
            discriminant,
            known,
            variant_read: want_variant,
        };
        match memo
            .iter_mut()
            .find(|entry| entry.type_id == type_id && entry.discriminant == discriminant)
        {
            Some(old) => *old = entry,
            None => {
                if memo.len() == CAPACITY {
                    memo.clear();
                }
                memo.push(entry);
            }
        }
    });
    then(&known);
}

/// `std::mem::discriminant(error)` as a number (any type has one: a struct's
/// is the same for every value).
fn discriminant_key<E>(error: &E) -> u64 {
    let mut key = Key(0);
    std::mem::discriminant(error).hash(&mut key);
    key.0
}

/// Keeps what a discriminant hashes as (one small integer), without hashing it.
struct Key(u64);

impl Hasher for Key {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_isize(&mut self, value: isize) {
        self.0 = self.0.rotate_left(17) ^ value as u64;
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = self.0.rotate_left(17) ^ value;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[derive(Debug)]
    enum E {
        A(#[allow(dead_code)] u8),
        B,
    }

    /// What `with_known` lends, copied out.
    fn known<E: std::fmt::Debug + 'static>(e: &E, reads: &Cell<u32>, want_variant: bool) -> Known {
        let rust_type = std::any::type_name::<E>();
        let mut out = None;
        with_known(
            e,
            rust_type,
            want_variant.then_some(|short_name| {
                reads.set(reads.get() + 1);
                ferryman_error::variant_from_debug(e, rust_type, short_name)
            }),
            |known| out = Some(*known),
        );
        out.expect("`then` runs once")
    }

    fn read(e: &E, reads: &Cell<u32>, want_variant: bool) -> Known {
        known(e, reads, want_variant)
    }

    #[test]
    fn each_variant_is_read_once_per_thread() {
        let reads = Cell::new(0);
        assert_eq!(read(&E::A(1), &reads, true).variant.as_deref(), Some("A"));
        assert_eq!(read(&E::A(2), &reads, true).variant.as_deref(), Some("A"));
        assert_eq!(read(&E::B, &reads, true).variant.as_deref(), Some("B"));
        assert_eq!(read(&E::B, &reads, true).variant.as_deref(), Some("B"));
        assert_eq!(reads.get(), 2);
        let known = read(&E::B, &reads, true);
        assert_eq!(known.short_name, "E");
        assert_eq!(known.base, None);
    }

    #[test]
    fn a_variant_is_read_only_when_asked_for() {
        #[derive(Debug)]
        enum F {
            C,
        }
        let reads = Cell::new(0);
        let ask = |want: bool| known(&F::C, &reads, want);
        let known = ask(false);
        assert_eq!((known.short_name, known.variant.as_deref()), ("F", None));
        assert_eq!(reads.get(), 0);
        assert_eq!(ask(true).variant.as_deref(), Some("C"));
        assert_eq!(ask(true).variant.as_deref(), Some("C"));
        assert_eq!(ask(false).short_name, "F");
        assert_eq!(reads.get(), 1);
    }

    /// A call back into the library from inside `then` (a `Display` that
    /// returns another error) finds what is remembered, and what is not is
    /// worked out without being stored; afterwards the memo works as before.
    #[test]
    fn a_nested_lookup_while_then_runs_is_answered() {
        #[derive(Debug)]
        enum Outer {
            O,
        }
        #[derive(Debug)]
        enum Inner {
            I,
        }
        let reads = Cell::new(0);
        let _ = known(&Outer::O, &reads, true);
        let mut nested = Vec::new();
        with_known(
            &Outer::O,
            std::any::type_name::<Outer>(),
            None::<fn(&'static str) -> Option<Variant>>,
            |outer| {
                nested.push(
                    known(&Outer::O, &reads, true)
                        .variant
                        .map(|v| v.to_string()),
                );
                nested.push(
                    known(&Inner::I, &reads, true)
                        .variant
                        .map(|v| v.to_string()),
                );
                nested.push(outer.variant.map(|v| v.to_string()));
            },
        );
        let names = |n: &[&str]| n.iter().map(|n| Some(n.to_string())).collect::<Vec<_>>();
        assert_eq!(nested, names(&["O", "I", "O"]));
        // `Inner` was not stored while the memo was lent: it is read again.
        assert_eq!(reads.get(), 2);
        assert_eq!(known(&Inner::I, &reads, true).variant.as_deref(), Some("I"));
        assert_eq!(known(&Inner::I, &reads, true).variant.as_deref(), Some("I"));
        assert_eq!(reads.get(), 3);
    }
}
