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

use std::cell::RefCell;
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

thread_local! {
    /// The guards this thread holds: (guard address, exclusive, locked).
    static HELD: RefCell<Vec<(usize, bool, bool)>> = const { RefCell::new(Vec::new()) };
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
        let conflict = HELD.with(|held| {
            let mut held = held.borrow_mut();
            let inside = held.iter().rev().find(|(g, _, _)| *g == me).map(|e| e.1);
            let lock = match (inside, exclusive) {
                (Some(true), _) => return Err(Conflict::InsideExclusive),
                (Some(false), true) => return Err(Conflict::ExclusiveInsideShared),
                (Some(false), false) => false,
                (None, _) => true,
            };
            held.push((me, exclusive, lock));
            Ok(lock)
        });
        match conflict {
            Ok(true) if exclusive => self.lock_exclusive(),
            Ok(true) => self.lock_shared(),
            Ok(false) => {}
            Err(conflict) => return Err(conflict),
        }
        Ok(())
    }

    /// Leaves the object entered last by this thread with [`Guard::enter`].
    #[inline]
    pub(crate) fn exit(&self) {
        let me = self as *const Guard as usize;
        let entered = HELD.with(|held| {
            let mut held = held.borrow_mut();
            let at = held.iter().rposition(|(g, _, _)| *g == me)?;
            Some(held.remove(at))
        });
        match entered {
            Some((_, true, true)) => {
                self.state.fetch_and(!EXCLUSIVE, Ordering::Release);
            }
            Some((_, false, true)) => {
                self.state.fetch_sub(1, Ordering::Release);
            }
            _ => {}
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
