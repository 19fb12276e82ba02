//! The handles hosts hold: slots, each holding one reference to an [`Entry`].
//!
//! A handle is `generation << 32 | (slot + 1)`: never 0, and a released
//! handle stays unknown until its slot has been reused 2^32 times.
//!
//! Slots live in chunks that are never freed, so a look-up needs no lock: it
//! *pins* the slot with one compare-and-swap on the slot's state word (the
//! generation, a "live" bit and the count of pins), which keeps the entry
//! there until the pin is dropped (one `fetch_sub`). A call costs those two
//! atomic operations, with no allocation and no global lock (ADR 0009).
//! Release clears the live bit; whoever leaves the slot neither live nor
//! pinned (the release, or the last pin) drops the entry — outside any lock,
//! since that may run the value's `Drop` — and recycles the slot.

use crate::object::entry::Entry;
use std::ops::Deref;
use std::sync::atomic::{fence, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// `state`: generation in the high 32 bits, [`LIVE`], then the pin count.
const LIVE: u64 = 1 << 31;
const PINS: u64 = LIVE - 1;

/// The first chunk's slots; chunk `k` has `FIRST << k`.
const FIRST: usize = 256;
const CHUNKS: usize = 24;

struct Slot {
    state: AtomicU64,
    /// `Arc::into_raw` of the table's reference while live.
    entry: AtomicPtr<Entry>,
    /// Order of creation, for `ferryman_live_objects` (oldest first).
    serial: AtomicU64,
}

impl Slot {
    const fn new() -> Slot {
        Slot {
            state: AtomicU64::new(0),
            entry: AtomicPtr::new(std::ptr::null_mut()),
            serial: AtomicU64::new(0),
        }
    }
}

static CHUNK: [AtomicPtr<Slot>; CHUNKS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS];

/// Slots never used yet start at `NEXT`; released ones wait in `FREE`.
struct Allocation {
    next: usize,
    free: Vec<usize>,
    serial: u64,
}

static ALLOCATION: Mutex<Allocation> = Mutex::new(Allocation {
    next: 0,
    free: Vec::new(),
    serial: 0,
});

/// Chunk and offset of slot `index`.
fn locate(index: usize) -> (usize, usize) {
    let chunk = (usize::BITS - (index / FIRST + 1).leading_zeros() - 1) as usize;
    (chunk, index - FIRST * ((1 << chunk) - 1))
}

/// Slot `index`, if its chunk exists.
#[inline]
fn slot(index: usize) -> Option<&'static Slot> {
    let (chunk, offset) = locate(index);
    let base = CHUNK.get(chunk)?.load(Ordering::Acquire);
    if base.is_null() {
        return None;
    }
    // SAFETY: chunk `chunk` holds `FIRST << chunk` slots (`offset` is below
    // that by `locate`), was fully initialised before its pointer was
    // published (Release in `slot_or_make`), and is never freed.
    Some(unsafe { &*base.add(offset) })
}

/// Slot `index`, making its chunk first if needed (under `ALLOCATION`'s lock).
fn slot_or_make(index: usize) -> &'static Slot {
    if let Some(slot) = slot(index) {
        return slot;
    }
    let (chunk, _) = locate(index);
    let slots: Box<[Slot]> = (0..FIRST << chunk).map(|_| Slot::new()).collect();
    let base = Box::leak(slots).as_mut_ptr();
    CHUNK[chunk].store(base, Ordering::Release);
    slot(index).expect("just made")
}

fn split(handle: u64) -> Option<(usize, u64)> {
    let index = (handle & 0xffff_ffff).checked_sub(1)?;
    Some((index as usize, handle >> 32))
}

/// A pinned slot: its entry stays until this is dropped.
pub(crate) struct Pinned {
    slot: &'static Slot,
    index: usize,
}

impl Deref for Pinned {
    type Target = Entry;
    #[inline]
    fn deref(&self) -> &Entry {
        // SAFETY: the pin keeps the table's reference in the slot (only the
        // last of release and unpin takes it out), so the pointer is live.
        unsafe { &*self.slot.entry.load(Ordering::Acquire) }
    }
}

impl Pinned {
    /// Another reference to the entry.
    pub(crate) fn arc(&self) -> Arc<Entry> {
        let entry = self.slot.entry.load(Ordering::Acquire);
        // SAFETY: `entry` came from `Arc::into_raw` and is live (see `deref`);
        // the count is raised before the new `Arc` is made from it.
        unsafe {
            Arc::increment_strong_count(entry);
            Arc::from_raw(entry)
        }
    }
}

impl Drop for Pinned {
    #[inline(always)]
    fn drop(&mut self) {
        let before = self.slot.state.fetch_sub(1, Ordering::Release);
        if before & LIVE == 0 && before & PINS == 1 {
            fence(Ordering::Acquire);
            free(self.slot, self.index, before >> 32);
        }
    }
}

/// Takes the entry out of a slot neither live nor pinned, and recycles it.
#[cold]
fn free(slot: &'static Slot, index: usize, generation: u64) {
    let entry = slot.entry.swap(std::ptr::null_mut(), Ordering::AcqRel);
    // The next generation: stale handles stay unknown (not live, another generation).
    let next = (generation + 1) & 0xffff_ffff;
    slot.state.store(next.max(1) << 32, Ordering::Release);
    ALLOCATION
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .free
        .push(index);
    if !entry.is_null() {
        // SAFETY: the table's reference, from `Arc::into_raw` in `insert`,
        // taken out of the slot once (the swap above).
        drop(unsafe { Arc::from_raw(entry) });
    }
}

/// A new handle to `entry`, owned by the host it is sent to. (`inline`: its
/// one caller is in another codegen unit, which otherwise keeps it a call,
/// depending on how the crate happens to be split.)
#[inline]
pub(crate) fn insert(entry: Arc<Entry>) -> u64 {
    let (index, serial) = {
        let mut allocation = ALLOCATION.lock().unwrap_or_else(|e| e.into_inner());
        allocation.serial += 1;
        let serial = allocation.serial;
        let index = match allocation.free.pop() {
            Some(index) => index,
            None => {
                let index = allocation.next;
                assert!(index < FIRST * ((1 << CHUNKS) - 1), "too many live objects");
                allocation.next += 1;
                slot_or_make(index);
                index
            }
        };
        (index, serial)
    };
    let slot = slot(index).expect("made on allocation");
    let generation = (slot.state.load(Ordering::Acquire) >> 32).max(1);
    slot.serial.store(serial, Ordering::Relaxed);
    slot.entry
        .store(Arc::into_raw(entry).cast_mut(), Ordering::Release);
    slot.state.store(generation << 32 | LIVE, Ordering::Release);
    generation << 32 | (index as u64 + 1)
}

/// The entry behind `handle`, pinned, if it is live.
#[inline(always)]
pub(crate) fn get(handle: u64) -> Option<Pinned> {
    let (index, generation) = split(handle)?;
    let slot = slot(index)?;
    let mut state = slot.state.load(Ordering::Relaxed);
    loop {
        if state >> 32 != generation || state & LIVE == 0 || state & PINS == PINS {
            return None;
        }
        match slot.state.compare_exchange_weak(
            state,
            state + 1,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => return Some(Pinned { slot, index }),
            Err(now) => state = now,
        }
    }
}

/// Drops the table's reference; `false` when the handle was not live.
pub(crate) fn release(handle: u64) -> bool {
    let Some((index, generation)) = split(handle) else {
        return false;
    };
    let Some(slot) = slot(index) else {
        return false;
    };
    let mut state = slot.state.load(Ordering::Relaxed);
    loop {
        if state >> 32 != generation || state & LIVE == 0 {
            return false;
        }
        match slot.state.compare_exchange_weak(
            state,
            state & !LIVE,
            Ordering::AcqRel,
            Ordering::Relaxed,
        ) {
            Ok(_) => break,
            Err(now) => state = now,
        }
    }
    if state & PINS == 0 {
        free(slot, index, generation);
    }
    true
}

/// Every live handle and its class name, oldest first.
pub(crate) fn live() -> Vec<(u64, &'static str)> {
    let used = ALLOCATION.lock().unwrap_or_else(|e| e.into_inner()).next;
    let mut live: Vec<(u64, u64, &'static str)> = (0..used)
        .filter_map(|index| {
            let slot = slot(index)?;
            let generation = slot.state.load(Ordering::Acquire) >> 32;
            let handle = generation << 32 | (index as u64 + 1);
            let pinned = get(handle)?;
            Some((
                slot.serial.load(Ordering::Relaxed),
                handle,
                pinned.class.name,
            ))
        })
        .collect();
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
        assert!(Arc::ptr_eq(
            &get(first).unwrap().arc(),
            &get(second).unwrap().arc()
        ));
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
        // The entry goes with its last pin: a test listing the live handles
        // at this moment (`live` pins each while it reads it) holds it until
        // it moves on.
        let gone = (0..1000).any(|_| {
            registry::find(id, address).is_none() || {
                std::thread::sleep(std::time::Duration::from_millis(1));
                false
            }
        });
        assert!(
            gone,
            "the registry still finds the released entry after 1 s"
        );
        // Rust still holds the value; a new handle is a new entry.
        let again = insert(Entry::of(Arc::clone(&value)));
        assert!(registry::find(id, address).is_some());
        assert!(release(again));
    }

    #[test]
    fn slots_are_found_in_their_chunks() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(FIRST - 1), (0, FIRST - 1));
        assert_eq!(locate(FIRST), (1, 0));
        assert_eq!(locate(3 * FIRST - 1), (1, 2 * FIRST - 1));
        assert_eq!(locate(3 * FIRST), (2, 0));
    }

    #[test]
    fn a_pinned_entry_outlives_its_release() {
        let handle = insert(Entry::of(Arc::new(Thing(8))));
        let pinned = get(handle).unwrap();
        let before = DROPS.load(Ordering::SeqCst);
        assert!(release(handle));
        assert!(get(handle).is_none(), "released: no new pins");
        assert_eq!(pinned.class.name, "Thing");
        assert_eq!(DROPS.load(Ordering::SeqCst), before, "still pinned");
        drop(pinned);
        assert!(
            DROPS.load(Ordering::SeqCst) > before,
            "the last pin drops it"
        );
    }

    #[test]
    fn a_new_value_is_registered_only_once_an_arc_of_it_escapes() {
        let id = std::any::TypeId::of::<Thing>();
        let entry = Entry::unique(Thing(9));
        let address = entry.address();
        assert!(registry::find(id, address).is_none());
        Entry::escape(&entry);
        assert!(Arc::ptr_eq(&registry::find(id, address).unwrap(), &entry));
        // An `Arc` of the value handed back finds the same entry.
        let handle = insert(entry);
        assert!(registry::find(id, address).is_some());
        assert!(release(handle));
        assert!(registry::find(id, address).is_none());
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

#[cfg(test)]
mod lifetimes {
    //! Random sequences of what hosts and Rust do with objects: every value is
    //! dropped exactly once, when its last handle, pin and `Arc` are gone.

    use super::*;
    use crate::object::class::{Class, ClassDef};
    use proptest::prelude::*;
    use std::collections::HashMap;

    static DROPS: Mutex<Option<HashMap<u64, u32>>> = Mutex::new(None);

    struct Counted(u64);

    impl Drop for Counted {
        fn drop(&mut self) {
            let mut drops = DROPS.lock().unwrap();
            *drops
                .get_or_insert_with(HashMap::new)
                .entry(self.0)
                .or_default() += 1;
        }
    }

    static COUNTED: ClassDef = ClassDef::new("Counted", "tests::Counted", "", "table.rs", 1, &[]);

    impl Class for Counted {
        fn class_def() -> &'static ClassDef {
            &COUNTED
        }
    }

    fn drops(id: u64) -> u32 {
        DROPS
            .lock()
            .unwrap()
            .as_ref()
            .and_then(|d| d.get(&id).copied())
            .unwrap_or(0)
    }

    #[derive(Debug, Clone)]
    enum Op {
        New,
        Clone(usize),
        Release(usize),
        /// Pin and unpin, as a call does.
        Call(usize),
        /// Pin, release that handle, then unpin (a release during a call).
        ReleaseWhilePinned(usize),
        /// Rust keeps an `Arc` of the value (an `Arc<T>` parameter).
        Keep(usize),
        /// Rust hands a kept `Arc` back (a result): a new handle.
        HandBack(usize),
        DropKept(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            2 => Just(Op::New),
            1 => any::<usize>().prop_map(Op::Clone),
            2 => any::<usize>().prop_map(Op::Release),
            1 => any::<usize>().prop_map(Op::Call),
            1 => any::<usize>().prop_map(Op::ReleaseWhilePinned),
            1 => any::<usize>().prop_map(Op::Keep),
            1 => any::<usize>().prop_map(Op::HandBack),
            1 => any::<usize>().prop_map(Op::DropKept),
        ]
    }

    static NEXT_ID: AtomicU64 = AtomicU64::new(1_000_000);

    proptest! {
        #[test]
        fn every_value_is_dropped_once_after_its_last_reference(ops in prop::collection::vec(op(), 1..60)) {
            let mut handles: Vec<(u64, u64)> = Vec::new(); // (handle, id)
            let mut kept: Vec<(Arc<dyn std::any::Any + Send + Sync>, u64)> = Vec::new();
            let mut ids = Vec::new();
            for op in ops {
                match op {
                    Op::New => {
                        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
                        ids.push(id);
                        handles.push((insert(Entry::unique(Counted(id))), id));
                    }
                    Op::Clone(k) if !handles.is_empty() => {
                        let (h, id) = handles[k % handles.len()];
                        let pinned = get(h).expect("live");
                        handles.push((insert(pinned.arc()), id));
                    }
                    Op::Release(k) if !handles.is_empty() => {
                        let (h, _) = handles.swap_remove(k % handles.len());
                        prop_assert!(release(h));
                        prop_assert!(!release(h));
                    }
                    Op::Call(k) if !handles.is_empty() => {
                        let (h, _) = handles[k % handles.len()];
                        let pinned = get(h).expect("live");
                        prop_assert_eq!(pinned.class.name, "Counted");
                    }
                    Op::ReleaseWhilePinned(k) if !handles.is_empty() => {
                        let (h, id) = handles.swap_remove(k % handles.len());
                        let pinned = get(h).expect("live");
                        let before = drops(id);
                        prop_assert!(release(h));
                        prop_assert_eq!(drops(id), before, "dropped under a pin");
                        drop(pinned);
                    }
                    Op::Keep(k) if !handles.is_empty() => {
                        let (h, id) = handles[k % handles.len()];
                        let pinned = get(h).expect("live");
                        Entry::escape(&pinned.arc());
                        // SAFETY: no `&mut` to the value exists (no guard in this test).
                        let value = Arc::clone(unsafe { pinned.value() });
                        kept.push((value, id));
                    }
                    Op::HandBack(k) if !kept.is_empty() => {
                        let (value, id) = &kept[k % kept.len()];
                        let value = Arc::downcast::<Counted>(Arc::clone(value))
                            .unwrap_or_else(|_| panic!("a Counted"));
                        handles.push((insert(Entry::of(value)), *id));
                    }
                    Op::DropKept(k) if !kept.is_empty() => {
                        kept.swap_remove(k % kept.len());
                    }
                    _ => {}
                }
                // Nothing still referenced has been dropped.
                let referenced = handles.iter().map(|(_, id)| *id).chain(kept.iter().map(|(_, id)| *id));
                for id in referenced {
                    prop_assert_eq!(drops(id), 0);
                }
            }
            let ours: Vec<u64> = handles.iter().map(|(h, _)| *h).collect();
            for (h, _) in handles.drain(..) {
                prop_assert!(release(h));
            }
            kept.clear();
            for id in ids {
                prop_assert_eq!(drops(id), 1, "value {} dropped once", id);
            }
            prop_assert!(!live().iter().any(|(h, _)| ours.contains(h)));
        }
    }
}
