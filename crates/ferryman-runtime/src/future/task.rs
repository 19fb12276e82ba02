//! A pending future held by the library: run by the executor, cancellable
//! from any thread, its outcome delivered exactly once to the host's
//! completion function once both the outcome and the target are known.

use super::completion::{Outcome, Target};
use super::executor;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// The work of a task: a future that writes its own outcome (panics inside
/// it are caught by the future itself, see `run.rs`).
pub(crate) type Work = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;

enum Slot {
    /// Between polls: cancel may take and drop it.
    Parked(Work),
    /// Being polled on some thread: the poller drops it after the poll if
    /// cancelled meanwhile.
    Polling,
    /// Ended, cancelled or dropped.
    Done,
}

#[derive(Default)]
struct Delivery {
    target: Option<Target>,
    outcome: Option<Outcome>,
    delivered: bool,
}

/// One pending future (of an async export, or of a stream's next).
pub(crate) struct Task {
    /// The export, for the cancelled error value.
    function: &'static str,
    slot: Mutex<Slot>,
    cancelled: AtomicBool,
    /// The driver's waker, woken by cancel so the executor lets go of it.
    waker: Mutex<Option<Waker>>,
    delivery: Mutex<Delivery>,
    /// Called once, right before delivery (the table forgets the handle).
    on_delivered: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("function", &self.function)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Drops a user future (or stream) whose `Drop` may panic: it must not
/// unwind into the executor or across C.
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(value))) {
        std::mem::forget(payload);
    }
}

impl Task {
    /// A task for `work`, parked until [`Task::spawn`].
    pub(crate) fn new(function: &'static str, work: Work) -> Arc<Task> {
        Arc::new(Task {
            function,
            slot: Mutex::new(Slot::Parked(work)),
            cancelled: AtomicBool::new(false),
            waker: Mutex::new(None),
            delivery: Mutex::new(Delivery::default()),
            on_delivered: Mutex::new(None),
        })
    }

    /// Runs `f` once, right before the outcome is delivered.
    pub(crate) fn on_delivered(&self, f: impl FnOnce() + Send + 'static) {
        *lock(&self.on_delivered) = Some(Box::new(f));
    }

    /// Hands the task to the executor.
    pub(crate) fn spawn(self: &Arc<Self>) {
        executor::spawn(Box::pin(Driver(Arc::clone(self))));
    }

    /// Sets where the outcome goes; `false` when a target was set already.
    pub(crate) fn attach(&self, target: Target) -> bool {
        let ready = {
            let mut d = lock(&self.delivery);
            if d.target.is_some() || d.delivered {
                return false;
            }
            d.target = Some(target);
            Self::take_ready(&mut d)
        };
        self.deliver(ready);
        true
    }

    /// Cancels: drops the future now when it is between polls, else right
    /// after the poll running now. `false` when it had ended already.
    pub(crate) fn cancel(&self) -> bool {
        self.cancelled.store(true, Ordering::SeqCst);
        let taken = {
            let mut slot = lock(&self.slot);
            match std::mem::replace(&mut *slot, Slot::Done) {
                Slot::Parked(work) => work,
                Slot::Polling => {
                    *slot = Slot::Polling;
                    return true;
                }
                Slot::Done => return false,
            }
        };
        drop_quietly(taken);
        self.finish(Outcome::cancelled(self.function, "was cancelled"));
        if let Some(waker) = lock(&self.waker).take() {
            waker.wake();
        }
        true
    }

    fn finish(&self, outcome: Outcome) {
        let ready = {
            let mut d = lock(&self.delivery);
            d.outcome = Some(outcome);
            Self::take_ready(&mut d)
        };
        self.deliver(ready);
    }

    fn take_ready(d: &mut Delivery) -> Option<(Target, Outcome)> {
        if d.delivered || d.target.is_none() || d.outcome.is_none() {
            return None;
        }
        d.delivered = true;
        Some((d.target.take()?, d.outcome.take()?))
    }

    fn deliver(&self, ready: Option<(Target, Outcome)>) {
        if let Some((target, outcome)) = ready {
            // First: a host that lists live futures from its completion
            // function sees this one gone.
            if let Some(f) = lock(&self.on_delivered).take() {
                f();
            }
            target.deliver(outcome);
        }
    }

    /// One poll by the executor; `Ready` once the task has nothing left to do.
    fn poll_once(&self, cx: &mut Context<'_>) -> Poll<()> {
        *lock(&self.waker) = Some(cx.waker().clone());
        let mut work = {
            let mut slot = lock(&self.slot);
            match std::mem::replace(&mut *slot, Slot::Polling) {
                Slot::Parked(work) => work,
                other => {
                    *slot = other;
                    return Poll::Ready(());
                }
            }
        };
        let polled = catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx)));
        let outcome = match polled {
            Ok(Poll::Ready(outcome)) => outcome,
            Ok(Poll::Pending) => {
                let mut slot = lock(&self.slot);
                if !self.cancelled.load(Ordering::SeqCst) {
                    *slot = Slot::Parked(work);
                    return Poll::Pending;
                }
                *slot = Slot::Done;
                drop(slot);
                drop_quietly(work);
                self.finish(Outcome::cancelled(self.function, "was cancelled"));
                return Poll::Ready(());
            }
            // The work catches the user's panics; this is the bridge's own.
            Err(payload) => {
                std::mem::forget(payload);
                Outcome::cancelled(self.function, "stopped: ferryman itself panicked")
            }
        };
        *lock(&self.slot) = Slot::Done;
        drop_quietly(work);
        self.finish(outcome);
        Poll::Ready(())
    }
}

/// What the executor runs: polls the task until it is done.
struct Driver(Arc<Task>);

impl Future for Driver {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_once(cx)
    }
}

#[cfg(test)]
mod tests {
    //! The task's promises: one delivery per task, once both the outcome and
    //! the target are known; cancel drops the future at once when it is
    //! between polls, and says so only once.

    use super::*;
    use crate::future::completion::Outcome;
    use ferryman_abi::{FerryBox, Status};
    use ferryman_buffer::Sink;
    use std::collections::HashMap;
    use std::ffi::c_void;
    use std::sync::atomic::AtomicU64;
    use std::sync::Condvar;

    /// Completions by token: (count, last status).
    static SEEN: Mutex<Option<HashMap<u64, (u32, i32)>>> = Mutex::new(None);
    static ARRIVED: Condvar = Condvar::new();
    static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1000);

    unsafe extern "C" fn complete(_: *mut c_void, token: u64, status: i32, out: *mut FerryBox) {
        // SAFETY: the library hands over a box of its own.
        unsafe { ferryman_buffer::free_box(&mut *out) };
        let mut seen = lock(&SEEN);
        let entry = seen
            .get_or_insert_with(HashMap::new)
            .entry(token)
            .or_default();
        entry.0 += 1;
        entry.1 = status;
        ARRIVED.notify_all();
    }

    fn wait_for(token: u64) -> (u32, i32) {
        let mut seen = lock(&SEEN);
        for _ in 0..500 {
            if let Some(&found) = seen.as_ref().and_then(|s| s.get(&token)) {
                return found;
            }
            seen = ARRIVED
                .wait_timeout(seen, std::time::Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        (0, 0)
    }

    fn token() -> u64 {
        NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
    }

    struct CountsDrop(Arc<AtomicU64>);

    impl Drop for CountsDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn ok_outcome() -> Outcome {
        let mut sink = Sink::library();
        let _ = std::io::Write::write_all(&mut sink, &[0x2a]);
        Outcome::of(Status::Ok, sink)
    }

    #[test]
    fn a_spawned_task_delivers_once_to_its_target() {
        let task = Task::new("t", Box::pin(async { ok_outcome() }));
        let token = token();
        task.spawn();
        assert!(task.attach(Target::for_test(complete, token)));
        assert!(!task.attach(Target::for_test(complete, token)));
        assert_eq!(wait_for(token), (1, Status::Ok.code()));
        assert!(!task.cancel(), "a finished task cannot be cancelled");
        assert_eq!(wait_for(token), (1, Status::Ok.code()));
    }

    #[test]
    fn cancel_drops_a_parked_future_at_once_and_delivers_cancelled_on_attach() {
        let drops = Arc::new(AtomicU64::new(0));
        let guard = CountsDrop(Arc::clone(&drops));
        let task = Task::new(
            "t",
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                ok_outcome()
            }),
        );
        assert!(task.cancel());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped inside cancel");
        assert!(!task.cancel(), "a second cancel finds it ended");
        let token = token();
        assert!(task.attach(Target::for_test(complete, token)));
        assert_eq!(wait_for(token), (1, Status::Cancelled.code()));
    }

    #[test]
    fn cancel_of_a_running_task_drops_it_and_lets_the_executor_go() {
        let drops = Arc::new(AtomicU64::new(0));
        let guard = CountsDrop(Arc::clone(&drops));
        let task = Task::new(
            "t",
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                ok_outcome()
            }),
        );
        let token = token();
        assert!(task.attach(Target::for_test(complete, token)));
        task.spawn();
        assert!(task.cancel());
        assert_eq!(wait_for(token), (1, Status::Cancelled.code()));
        for _ in 0..500 {
            if Arc::strong_count(&task) == 1 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(
            Arc::strong_count(&task),
            1,
            "the executor let go of the task"
        );
    }
}
