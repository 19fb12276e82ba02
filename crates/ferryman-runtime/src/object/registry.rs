//! Every live [`Entry`] by its value's type and address, so that an `Arc<T>`
//! Rust hands back (a result, a struct field, a callback's argument) becomes a
//! handle to the object it came from, sharing its guard.

use crate::object::entry::Entry;
use std::any::TypeId;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};

type Key = (TypeId, usize);

// A `BTreeMap`: its nodes are reachable by plain pointers (leak checkers
// see a `HashMap`'s table only through an interior pointer).
static REGISTRY: Mutex<BTreeMap<Key, Weak<Entry>>> = Mutex::new(BTreeMap::new());

fn with<R>(f: impl FnOnce(&mut BTreeMap<Key, Weak<Entry>>) -> R) -> R {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut registry)
}

/// The live entry of the value at `address`, or the one `make` makes, registered.
pub(crate) fn find_or_insert(
    type_id: TypeId,
    address: usize,
    make: impl FnOnce() -> Entry,
) -> Arc<Entry> {
    with(|map| {
        if let Some(entry) = map.get(&(type_id, address)).and_then(Weak::upgrade) {
            return entry;
        }
        let entry = Arc::new(make());
        map.insert((type_id, address), Arc::downgrade(&entry));
        entry
    })
}

/// Registers `entry` as the live entry of the value at `address`.
pub(crate) fn insert(type_id: TypeId, address: usize, entry: &Arc<Entry>) {
    with(|map| {
        map.insert((type_id, address), Arc::downgrade(entry));
    });
}

/// The live entry of the value at `address`, if hosts hold one.
pub(crate) fn find(type_id: TypeId, address: usize) -> Option<Arc<Entry>> {
    with(|map| map.get(&(type_id, address)).and_then(Weak::upgrade))
}

/// Forgets `entry` (being dropped), unless another entry took its key.
pub(crate) fn remove(type_id: TypeId, address: usize, entry: &Entry) {
    with(|map| {
        let key = (type_id, address);
        let mine = map
            .get(&key)
            .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), entry) || weak.strong_count() == 0);
        if mine {
            map.remove(&key);
        }
    });
}
