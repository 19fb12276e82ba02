//! Log records from threads that do not hold the GIL.
//!
//! A library sends its log records (`spec/abi.md`, "Logs") from whichever
//! thread logged, and the emitter needs the GIL. Such a thread must never wait
//! for the GIL: a call that keeps it (`gil_policy.rs`) may be waiting for that
//! very thread (a Rust function that joins the thread it spawned). So a record
//! from a thread without the GIL is queued, and delivered
//! - when any call returns, on the calling thread ([`after_call`]: one relaxed
//!   load on every call, no store, so calls need not announce that they keep
//!   the GIL), which gives a function that joins its logging threads their
//!   records before it returns to Python;
//! - otherwise by the delivery thread (`ferryman-logs`), which takes the GIL
//!   for as long as it delivers, and never while it waits.
//!
//! One thread delivers at a time, oldest record first; a thread that finds
//! another one delivering waits for it without the GIL (that thread may need
//! it), so records from one Rust thread arrive in order, and a call returns
//! only once every record queued before it ended has been delivered. A
//! record from the thread holding the GIL is delivered at once, behind the
//! queued ones.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, Once, OnceLock};

use pyo3::prelude::*;

use crate::state::shutdown;

/// Records queued or being delivered: read (relaxed) when every call ends.
/// Written only with [`QUEUE`] locked.
static PENDING: AtomicBool = AtomicBool::new(false);

/// The records waiting for the GIL, and whether a thread is delivering.
static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    records: VecDeque::new(),
    delivering: false,
});
/// Signalled when records arrive or a delivery ends.
static CHANGED: Condvar = Condvar::new();

struct Queue {
    /// (emitter handle, argument bytes), oldest first.
    records: VecDeque<(u64, Vec<u8>)>,
    delivering: bool,
}

thread_local! {
    /// This thread is delivering (a handler that calls the library again
    /// must not wait for itself).
    static DELIVERING_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Delivers one record with the GIL held: handed down by the API layer (the
/// callbacks layer knows how to call the emitter).
pub(crate) type Deliver = fn(Python<'_>, u64, &[u8]);
static DELIVER: OnceLock<Deliver> = OnceLock::new();

pub(crate) fn set_deliver(deliver: Deliver) {
    let _ = DELIVER.set(deliver);
}

fn lock() -> MutexGuard<'static, Queue> {
    // Nothing panics while holding it; a poisoned queue is still consistent.
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Queues a record from a thread that does not hold the GIL.
pub(crate) fn push(handle: u64, args: &[u8]) {
    let mut queue = lock();
    queue.records.push_back((handle, args.to_vec()));
    PENDING.store(true, Ordering::Relaxed);
    drop(queue);
    CHANGED.notify_all();
    start_delivery_thread();
}

/// Delivers a record from the thread holding the GIL: at once, after the
/// records queued before it.
pub(crate) fn deliver_here(py: Python<'_>, handle: u64, args: &[u8]) {
    if PENDING.load(Ordering::Relaxed) {
        push(handle, args);
        settle(py);
    } else if let Some(deliver) = DELIVER.get() {
        deliver(py, handle, args);
    }
}

/// Called when a call into a library returns, with the GIL held: delivers
/// what its threads (or any other) logged meanwhile.
#[inline(always)]
pub(crate) fn after_call(py: Python<'_>) {
    if PENDING.load(Ordering::Relaxed) {
        settle(py);
    }
}

/// Delivers the queue until it is empty and no other thread delivers. The
/// GIL is held; it is released only to wait for another delivering thread.
#[cold]
#[inline(never)]
pub(crate) fn settle(py: Python<'_>) {
    if DELIVERING_HERE.with(Cell::get) {
        return; // the loop below, further up this thread's stack, goes on
    }
    loop {
        let mut queue = lock();
        if queue.delivering {
            drop(queue);
            py.detach(|| {
                let mut queue = lock();
                while queue.delivering {
                    queue = CHANGED.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
            });
            continue;
        }
        if queue.records.is_empty() {
            PENDING.store(false, Ordering::Relaxed);
            return;
        }
        queue.delivering = true;
        let records = std::mem::take(&mut queue.records);
        drop(queue);
        DELIVERING_HERE.with(|here| here.set(true));
        if let Some(deliver) = DELIVER.get() {
            for (handle, args) in records {
                deliver(py, handle, &args);
            }
        }
        DELIVERING_HERE.with(|here| here.set(false));
        lock().delivering = false;
        CHANGED.notify_all();
        // The next turn clears `PENDING` if nothing arrived meanwhile.
    }
}

/// Starts the thread that delivers records no call returns to deliver, once.
fn start_delivery_thread() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        // Without it, records wait for the next call's end instead.
        let _ = std::thread::Builder::new()
            .name("ferryman-logs".into())
            .spawn(deliver_forever);
    });
}

/// The delivery thread: waits (without the GIL) for records, then takes the
/// GIL and delivers them; stops when the interpreter shuts down.
fn deliver_forever() {
    loop {
        {
            let mut queue = lock();
            while queue.records.is_empty() {
                queue = CHANGED.wait(queue).unwrap_or_else(|e| e.into_inner());
            }
        }
        if shutdown::attach(settle).is_none() {
            return; // finalizing: records left are dropped with the process
        }
    }
}
