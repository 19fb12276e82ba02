//! The per-object guard: `&self` calls share an object, `&mut self` calls have
//! it to themselves (ADR 0009).
//!
//! One `AtomicU32`: the count of shared holders, a bit for the exclusive
//! holder and a bit for an exclusive caller waiting (which keeps new shared
//! callers out, so a `&mut self` call is not starved). Waiting spins briefly,
//! then yields, then sleeps: contention on one object is rare, and nothing
//! else is held while waiting.
//!
//! A thread remembers the objects it is inside (`HELD`), so that re-entering
//! one in a way that would deadlock or alias a `&mut` (a callback during a
//! `&mut self` call calling the same object; a `&mut self` call during a
//! `&self` call on the same thread) fails with a [`Conflict`] instead. A
//! shared call inside a shared call on the same thread takes no lock (a
//! waiting exclusive caller would otherwise deadlock them both).

use std::cell::Cell;
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
    /// It is inside too many objects at once (calls nested through callbacks).
    TooDeep,
}

/// How many objects one thread can be inside at once (nested calls through
/// callbacks); deeper nesting is refused as a conflict.
const MAX_HELD: usize = 32;

/// Bits of a `HELD` record besides the guard's address (aligned to 4).
const EXCLUSIVE_HOLD: usize = 1;
const LOCKED_HOLD: usize = 2;

thread_local! {
    /// The guards this thread holds: address | `EXCLUSIVE_HOLD` | `LOCKED_HOLD`,
    /// the first `HELD_LEN` of them. Plain cells: no destructor, no borrow flag.
    static HELD: [Cell<usize>; MAX_HELD] = const { [const { Cell::new(0) }; MAX_HELD] };
    static HELD_LEN: Cell<usize> = const { Cell::new(0) };
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
        let inside = HELD.with(|held| {
            held[..len]
                .iter()
                .rev()
                .map(Cell::get)
                .find(|record| record & !(EXCLUSIVE_HOLD | LOCKED_HOLD) == me)
        });
        let lock = match (inside, exclusive) {
            (Some(record), _) if record & EXCLUSIVE_HOLD != 0 => {
                return Err(Conflict::InsideExclusive)
            }
            (Some(_), true) => return Err(Conflict::ExclusiveInsideShared),
            (Some(_), false) => false,
            (None, _) => true,
        };
        if len == MAX_HELD {
            return Err(Conflict::TooDeep);
        }
        let record =
            me | if exclusive { EXCLUSIVE_HOLD } else { 0 } | if lock { LOCKED_HOLD } else { 0 };
        HELD.with(|held| held[len].set(record));
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
        let record = HELD.with(|held| {
            let at = held[..len]
                .iter()
                .rposition(|record| record.get() & !(EXCLUSIVE_HOLD | LOCKED_HOLD) == me)?;
            let record = held[at].get();
            // Usually the last one; otherwise the later ones move down.
            for k in at..len - 1 {
                held[k].set(held[k + 1].get());
            }
            Some(record)
        });
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
