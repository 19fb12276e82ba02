//! The handles hosts hold: a slab of slots, each pointing to an [`Entry`].
//!
//! A handle is `generation << 32 | (slot + 1)`: never 0, and a released
//! handle stays unknown until its slot has been reused 2^32 times. Look-ups
//! take the table's read lock for a moment (no allocation, no user code under
//! it); release drops the entry after the lock is released, since that may run
//! the value's `Drop`.

use crate::object::entry::Entry;
use std::sync::{Arc, RwLock};

struct Slot {
    generation: u32,
    /// Order of creation, for `ferryman_live_objects` (oldest first).
    serial: u64,
    entry: Option<Arc<Entry>>,
}

struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
    serial: u64,
}

static TABLE: RwLock<Slots> = RwLock::new(Slots {
    slots: Vec::new(),
    free: Vec::new(),
    serial: 0,
});

fn split(handle: u64) -> Option<(usize, u32)> {
    let slot = (handle & 0xffff_ffff).checked_sub(1)?;
    Some((slot as usize, (handle >> 32) as u32))
}

/// A new handle to `entry`, owned by the host it is sent to.
pub(crate) fn insert(entry: Arc<Entry>) -> u64 {
    let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
    table.serial += 1;
    let serial = table.serial;
    let index = match table.free.pop() {
        Some(index) => {
            let slot = &mut table.slots[index as usize];
            slot.generation = slot.generation.wrapping_add(1).max(1);
            slot.serial = serial;
            slot.entry = Some(entry);
            index
        }
        None => {
            let index = u32::try_from(table.slots.len()).expect("fewer than 2^32 live objects");
            table.slots.push(Slot {
                generation: 1,
                serial,
                entry: Some(entry),
            });
            index
        }
    };
    let generation = table.slots[index as usize].generation;
    u64::from(generation) << 32 | (u64::from(index) + 1)
}

/// The entry behind `handle`, if it is live.
#[inline]
pub(crate) fn get(handle: u64) -> Option<Arc<Entry>> {
    let (index, generation) = split(handle)?;
    let table = TABLE.read().unwrap_or_else(|e| e.into_inner());
    let slot = table.slots.get(index)?;
    if slot.generation != generation {
        return None;
    }
    slot.entry.clone()
}

/// Drops the table's reference; `false` when the handle was not live.
pub(crate) fn release(handle: u64) -> bool {
    let Some((index, generation)) = split(handle) else {
        return false;
    };
    let removed = {
        let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
        let removed = match table.slots.get_mut(index) {
            Some(slot) if slot.generation == generation => slot.entry.take(),
            _ => None,
        };
        if removed.is_some() {
            table.free.push(index as u32);
        }
        removed
    };
    // Dropped here, outside the lock: the value's `Drop` may call back in.
    removed.is_some()
}

/// Every live handle and its class name, oldest first.
pub(crate) fn live() -> Vec<(u64, &'static str)> {
    let table = TABLE.read().unwrap_or_else(|e| e.into_inner());
    let mut live: Vec<(u64, u64, &'static str)> = table
        .slots
        .iter()
        .enumerate()
        .filter_map(|(index, slot)| {
            let entry = slot.entry.as_ref()?;
            let handle = u64::from(slot.generation) << 32 | (index as u64 + 1);
            Some((slot.serial, handle, entry.class.name))
        })
        .collect();
    drop(table);
    live.sort_unstable_by_key(|(serial, _, _)| *serial);
    live.into_iter().map(|(_, h, c)| (h, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::class::{Class, ClassDef};
    use crate::object::registry;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DROPS: AtomicUsize = AtomicUsize::new(0);

    struct Thing(u32);

    impl Drop for Thing {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }

    static THING: ClassDef = ClassDef::new("Thing", "tests::Thing", "", "table.rs", 1, &[]);

    impl Class for Thing {
        fn class_def() -> &'static ClassDef {
            &THING
        }
    }

    fn listed(handle: u64) -> bool {
        live()
            .iter()
            .any(|(h, class)| *h == handle && *class == "Thing")
    }

    #[test]
    fn a_handle_is_live_until_released_once_and_never_0() {
        let handle = insert(Entry::of(Arc::new(Thing(1))));
        assert_ne!(handle, 0);
        assert!(get(handle).is_some());
        assert!(listed(handle));
        let before = DROPS.load(Ordering::SeqCst);
        assert!(release(handle));
        assert!(
            DROPS.load(Ordering::SeqCst) > before,
            "the last handle drops the value"
        );
        assert!(get(handle).is_none());
        assert!(!listed(handle));
        assert!(!release(handle));
        assert!(get(0).is_none());
        assert!(!release(0));
        assert!(get(u64::MAX).is_none());
    }

    #[test]
    fn a_reused_slot_does_not_revive_an_old_handle() {
        let old = insert(Entry::of(Arc::new(Thing(2))));
        assert!(release(old));
        let new = insert(Entry::of(Arc::new(Thing(3))));
        assert_ne!(old, new);
        assert!(get(old).is_none());
        assert!(get(new).is_some());
        assert!(release(new));
    }

    #[test]
    fn handles_of_one_value_share_its_entry_and_the_value_lives_until_the_last() {
        let value = Arc::new(Thing(4));
        let first = insert(Entry::of(Arc::clone(&value)));
        let second = insert(Entry::of(Arc::clone(&value)));
        assert_ne!(first, second);
        assert!(Arc::ptr_eq(&get(first).unwrap(), &get(second).unwrap()));
        drop(value);
        let before = DROPS.load(Ordering::SeqCst);
        assert!(release(first));
        assert_eq!(DROPS.load(Ordering::SeqCst), before);
        assert!(release(second));
        assert!(DROPS.load(Ordering::SeqCst) > before);
    }

    #[test]
    fn live_lists_oldest_first() {
        let a = insert(Entry::of(Arc::new(Thing(5))));
        let b = insert(Entry::of(Arc::new(Thing(6))));
        let handles: Vec<u64> = live().into_iter().map(|(h, _)| h).collect();
        let (pa, pb) = (
            handles.iter().position(|h| *h == a).unwrap(),
            handles.iter().position(|h| *h == b).unwrap(),
        );
        assert!(pa < pb);
        assert!(release(a) && release(b));
    }

    #[test]
    fn the_registry_forgets_an_entry_when_it_goes() {
        let value = Arc::new(Thing(7));
        assert_eq!(value.0, 7);
        let address = Arc::as_ptr(&value) as *const () as usize;
        let handle = insert(Entry::of(Arc::clone(&value)));
        let id = std::any::TypeId::of::<Thing>();
        assert!(registry::find(id, address).is_some());
        assert!(release(handle));
        assert!(registry::find(id, address).is_none());
        // Rust still holds the value; a new handle is a new entry.
        let again = insert(Entry::of(Arc::clone(&value)));
        assert!(registry::find(id, address).is_some());
        assert!(release(again));
    }

    #[test]
    fn many_threads_insert_and_release() {
        let threads: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    for k in 0..200 {
                        let handle = insert(Entry::of(Arc::new(Thing(i * 1000 + k))));
                        assert!(get(handle).is_some());
                        assert!(release(handle));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }
}
