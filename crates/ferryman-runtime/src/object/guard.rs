//! The per-object guard: `&self` calls share an object, `&mut self` calls have
//! it to themselves (ADR 0009).
//!
//! One `AtomicU32`: the count of shared holders, a bit for the exclusive
//! holder and a bit for an exclusive caller waiting (which keeps new shared
//! callers out, so a `&mut self` call is not starved). Waiting spins briefly,
//! then yields, then sleeps: contention on one object is rare, and nothing
//! else is held while waiting.
//!
//! A thread remembers the objects it is inside (`HELD`, any number: a list
//! parameter enters each of its objects), so that re-entering
//! one in a way that would deadlock or alias a `&mut` (a callback during a
//! `&mut self` call calling the same object; a `&mut self` call during a
//! `&self` call on the same thread) fails with a [`Conflict`] instead. A
//! shared call inside a shared call on the same thread takes no lock (a
//! waiting exclusive caller would otherwise deadlock them both).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const EXCLUSIVE: u32 = 1 << 31;
const WAITING: u32 = 1 << 30;
const SHARED: u32 = WAITING - 1;

/// One object's guard.
#[derive(Debug, Default)]
pub(crate) struct Guard {
    state: AtomicU32,
}

/// Why a thread cannot enter an object it is already inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// It is inside a `&mut self` call on the object.
    InsideExclusive,
    /// It wants `&mut self` while inside a `&self` call on the object.
    ExclusiveInsideShared,
}

/// How many objects a thread's records hold inline: calls nested through
/// callbacks rarely go deeper. More (a parameter holding a list of objects)
/// go to [`SPILL`].
const INLINE: usize = 32;

/// Bits of a `HELD` record besides the guard's address (aligned to 4).
const EXCLUSIVE_HOLD: usize = 1;
const LOCKED_HOLD: usize = 2;
const FLAGS: usize = EXCLUSIVE_HOLD | LOCKED_HOLD;

thread_local! {
    /// The guards this thread holds, oldest first: address | `EXCLUSIVE_HOLD`
    /// | `LOCKED_HOLD`. The first `INLINE` of the `HELD_LEN` records are
    /// here, in plain cells (no destructor, no borrow flag); the rest in `SPILL`.
    static HELD: [Cell<usize>; INLINE] = const { [const { Cell::new(0) }; INLINE] };
    static HELD_LEN: Cell<usize> = const { Cell::new(0) };
    /// Records `INLINE..HELD_LEN`, touched only by a thread holding that many.
    static SPILL: RefCell<Spill> = RefCell::new(Spill::default());
}

/// The records beyond the inline ones and, for each guard they name, how
/// many and whether one is exclusive (so that entering one of 10,000 objects,
/// or one of them again, does not scan the others).
#[derive(Default)]
struct Spill {
    records: Vec<usize>,
    guards: HashMap<usize, (u32, bool)>,
}

impl Spill {
    /// A record of the guard at `me`, if there is one (only its
    /// `EXCLUSIVE_HOLD` bit says anything: an exclusive record is the only
    /// record of its guard).
    fn find(&self, me: usize) -> Option<usize> {
        let &(_, exclusive) = self.guards.get(&me)?;
        Some(me | if exclusive { EXCLUSIVE_HOLD } else { 0 })
    }

    fn push(&mut self, record: usize) {
        self.records.push(record);
        let held = self.guards.entry(record & !FLAGS).or_default();
        held.0 += 1;
        held.1 |= record & EXCLUSIVE_HOLD != 0;
    }

    /// Removes the latest record of the guard at `me` (usually the last:
    /// guards are left in the reverse order of entering).
    fn remove_latest(&mut self, me: usize) -> Option<usize> {
        if !self.guards.contains_key(&me) {
            return None;
        }
        let at = self
            .records
            .iter()
            .rposition(|record| record & !FLAGS == me)?;
        let record = self.records.remove(at);
        self.forget(me);
        Some(record)
    }

    /// Removes the oldest record (to move it inline).
    fn remove_oldest(&mut self) -> Option<usize> {
        if self.records.is_empty() {
            return None;
        }
        let record = self.records.remove(0);
        self.forget(record & !FLAGS);
        Some(record)
    }

    fn forget(&mut self, me: usize) {
        if let Some(held) = self.guards.get_mut(&me) {
            held.0 -= 1;
            if held.0 == 0 {
                self.guards.remove(&me);
            }
        }
    }
}

impl Guard {
    pub(crate) const fn new() -> Guard {
        Guard {
            state: AtomicU32::new(0),
        }
    }

    /// Enters the object, shared or exclusive, waiting for other threads as
    /// needed; [`Guard::exit`] with the same `exclusive` leaves it.
    #[inline]
    pub(crate) fn enter(&self, exclusive: bool) -> Result<(), Conflict> {
        let me = self as *const Guard as usize;
        let len = HELD_LEN.with(Cell::get);
        let mut inside = HELD.with(|held| {
            held[..len.min(INLINE)]
                .iter()
                .rev()
                .map(Cell::get)
                .find(|record| record & !FLAGS == me)
        });
        if inside.is_none() && len > INLINE {
            // (Any record of the guard tells: a `&mut` one is the only one.)
            inside = SPILL.with(|spill| spill.borrow().find(me));
        }
        let lock = match (inside, exclusive) {
            (Some(record), _) if record & EXCLUSIVE_HOLD != 0 => {
                return Err(Conflict::InsideExclusive)
            }
            (Some(_), true) => return Err(Conflict::ExclusiveInsideShared),
            (Some(_), false) => false,
            (None, _) => true,
        };
        let record =
            me | if exclusive { EXCLUSIVE_HOLD } else { 0 } | if lock { LOCKED_HOLD } else { 0 };
        if len < INLINE {
            HELD.with(|held| held[len].set(record));
        } else {
            SPILL.with(|spill| spill.borrow_mut().push(record));
        }
        HELD_LEN.with(|n| n.set(len + 1));
        match (lock, exclusive) {
            (true, true) => self.lock_exclusive(),
            (true, false) => self.lock_shared(),
            (false, _) => {}
        }
        Ok(())
    }

    /// Leaves the object entered last by this thread with [`Guard::enter`].
    #[inline]
    pub(crate) fn exit(&self) {
        let me = self as *const Guard as usize;
        let len = HELD_LEN.with(Cell::get);
        let mut record = None;
        if len > INLINE {
            record = SPILL.with(|spill| spill.borrow_mut().remove_latest(me));
        }
        if record.is_none() {
            record = HELD.with(|held| {
                let inline = len.min(INLINE);
                let at = held[..inline]
                    .iter()
                    .rposition(|record| record.get() & !FLAGS == me)?;
                let record = held[at].get();
                // Usually the last one; otherwise the later ones move down.
                for k in at..inline - 1 {
                    held[k].set(held[k + 1].get());
                }
                if len > INLINE {
                    let oldest = SPILL.with(|spill| spill.borrow_mut().remove_oldest());
                    held[INLINE - 1].set(oldest.unwrap_or(0));
                }
                Some(record)
            });
        }
        let Some(record) = record else {
            return;
        };
        HELD_LEN.with(|n| n.set(len - 1));
        if record & LOCKED_HOLD == 0 {
            return;
        }
        if record & EXCLUSIVE_HOLD != 0 {
            self.state.fetch_and(!EXCLUSIVE, Ordering::Release);
        } else {
            self.state.fetch_sub(1, Ordering::Release);
        }
    }

    #[inline]
    fn lock_shared(&self) {
        let s = self.state.load(Ordering::Relaxed);
        if s & (EXCLUSIVE | WAITING) == 0
            && self
                .state
                .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            return;
        }
        self.lock_shared_slow();
    }

    #[cold]
    fn lock_shared_slow(&self) {
        let mut backoff = Backoff::default();
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & (EXCLUSIVE | WAITING) == 0 && s & SHARED < SHARED {
                if self
                    .state
                    .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            backoff.wait();
        }
    }

    fn lock_exclusive(&self) {
        let mut backoff = Backoff::default();
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & (EXCLUSIVE | SHARED) == 0 {
                if self
                    .state
                    .compare_exchange_weak(s, EXCLUSIVE, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            if s & WAITING == 0 {
                self.state.fetch_or(WAITING, Ordering::Relaxed);
            }
            backoff.wait();
        }
    }
}

/// Spin, then yield, then sleep.
#[derive(Default)]
struct Backoff(u32);

impl Backoff {
    fn wait(&mut self) {
        self.0 = self.0.saturating_add(1);
        match self.0 {
            0..=64 => std::hint::spin_loop(),
            65..=128 => std::thread::yield_now(),
            _ => std::thread::sleep(Duration::from_micros(50)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    fn shared_holders_share_and_exclusive_waits_for_them() {
        let guard = Arc::new(Guard::new());
        guard.enter(false).unwrap();
        let other = Arc::clone(&guard);
        let done = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&done);
        let writer = std::thread::spawn(move || {
            other.enter(true).unwrap();
            seen.store(true, Ordering::SeqCst);
            other.exit();
        });
        // A second shared holder on another thread gets in at once... unless
        // the writer already waits, which keeps new shared holders out.
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            !done.load(Ordering::SeqCst),
            "exclusive entered while shared held"
        );
        guard.exit();
        writer.join().unwrap();
        assert!(done.load(Ordering::SeqCst));
        assert_eq!(guard.state.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn re_entrance_on_one_thread_is_a_conflict_not_a_deadlock() {
        let guard = Guard::new();
        guard.enter(true).unwrap();
        assert_eq!(guard.enter(false), Err(Conflict::InsideExclusive));
        assert_eq!(guard.enter(true), Err(Conflict::InsideExclusive));
        guard.exit();
        guard.enter(false).unwrap();
        assert_eq!(guard.enter(true), Err(Conflict::ExclusiveInsideShared));
        // Shared inside shared: allowed, without a second lock.
        guard.enter(false).unwrap();
        assert_eq!(guard.state.load(Ordering::SeqCst), 1);
        guard.exit();
        guard.exit();
        assert_eq!(guard.state.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_thread_may_be_inside_any_number_of_objects() {
        // 33+ objects (a list parameter), some entered twice, left in any order.
        let guards: Vec<Guard> = (0..100).map(|_| Guard::new()).collect();
        for guard in &guards {
            guard.enter(false).unwrap();
        }
        for guard in guards.iter().step_by(7) {
            guard.enter(false).unwrap(); // shared again: no second lock
            assert_eq!(guard.enter(true), Err(Conflict::ExclusiveInsideShared));
        }
        assert!(guards.iter().all(|g| g.state.load(Ordering::SeqCst) == 1));
        let exclusive = Guard::new();
        exclusive.enter(true).unwrap();
        assert_eq!(exclusive.enter(false), Err(Conflict::InsideExclusive));
        // Out of order: the first ones first (inline records move down).
        for guard in guards.iter().take(40) {
            guard.exit();
        }
        exclusive.exit();
        for guard in guards.iter().step_by(7) {
            guard.exit();
        }
        for guard in guards.iter().skip(40).rev() {
            guard.exit();
        }
        assert!(guards.iter().all(|g| g.state.load(Ordering::SeqCst) == 0));
        assert_eq!(exclusive.state.load(Ordering::SeqCst), 0);
        assert_eq!(HELD_LEN.with(Cell::get), 0);
        assert!(SPILL.with(|s| s.borrow().records.is_empty() && s.borrow().guards.is_empty()));
    }

    #[test]
    fn exclusive_holders_exclude_each_other() {
        let guard = Arc::new(Guard::new());
        let inside = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (guard, inside) = (Arc::clone(&guard), Arc::clone(&inside));
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        guard.enter(true).unwrap();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        guard.exit();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
