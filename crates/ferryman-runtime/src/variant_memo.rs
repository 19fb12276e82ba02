//! The variant an error's `Debug` names (`ferryman_error::variant_from_debug`),
//! remembered per thread by error type and enum discriminant: formatting the
//! `Debug` text costs more than the rest of writing a plain `Err`, and a
//! type's variant never changes with its data.

use std::any::TypeId;
use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use ferryman_error::Variant;

/// More distinct (type, variant) pairs than a thread meets in practice; past
/// it the memo starts again.
const CAPACITY: usize = 64;

thread_local! {
    static MEMO: RefCell<Vec<(TypeId, u64, Option<Variant>)>> = const { RefCell::new(Vec::new()) };
}

/// The variant of `error` (of type `E`), from the memo or from `read`.
pub(crate) fn variant<E: 'static>(
    error: &E,
    read: impl FnOnce() -> Option<Variant>,
) -> Option<Variant> {
    let key = (TypeId::of::<E>(), discriminant_key(error));
    let found = MEMO
        .try_with(|memo| {
            let memo = memo.borrow();
            memo.iter()
                .find(|(type_id, discriminant, _)| (*type_id, *discriminant) == key)
                .map(|(_, _, variant)| *variant)
        })
        .ok()
        .flatten();
    if let Some(variant) = found {
        return variant;
    }
    let variant = read();
    let _ = MEMO.try_with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() == CAPACITY {
            memo.clear();
        }
        memo.push((key.0, key.1, variant));
    });
    variant
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

    #[derive(Debug)]
    enum E {
        A(#[allow(dead_code)] u8),
        B,
    }

    #[test]
    fn each_variant_is_read_once_per_thread() {
        let reads = std::cell::Cell::new(0);
        let read = |e: &E| {
            variant(e, || {
                reads.set(reads.get() + 1);
                ferryman_error::variant_from_debug(e, "my::E", "E")
            })
        };
        assert_eq!(read(&E::A(1)).as_deref(), Some("A"));
        assert_eq!(read(&E::A(2)).as_deref(), Some("A"));
        assert_eq!(read(&E::B).as_deref(), Some("B"));
        assert_eq!(read(&E::B).as_deref(), Some("B"));
        assert_eq!(reads.get(), 2);
    }
}
