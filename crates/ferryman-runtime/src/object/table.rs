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
