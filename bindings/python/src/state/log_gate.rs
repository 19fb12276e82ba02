//! Log records from Rust threads while a call keeps the GIL.
//!
//! A library sends its log records (`spec/abi.md`, "Logs") from whichever
//! thread logged, and the emitter needs the GIL. A call that keeps the GIL
//! (`gil_policy.rs`: this is the interpreter's only thread, no callable held)
//! may be waiting for that thread (a Rust function that joins the thread it
//! spawned), so a record from another thread must not wait for the GIL then:
//! it is queued, and delivered on the calling thread when the call returns.
//! Records are delivered as they happen whenever no call keeps the GIL, and
//! a call that finds a record waiting for the GIL releases it.
//!
//! The two flags follow Dekker's pattern: a call sets `KEPT` then reads
//! `WAITING`; a record's thread counts itself in `WAITING` then reads `KEPT`.
//! Either the call sees the waiter (and releases the GIL) or the waiter sees
//! the call (and queues): never both waiting. The fences between the store and
//! the load are asymmetric where the system allows it ([`Fences`]): calls are
//! the hot side and pay only a compiler fence, a record's thread the full
//! barrier (`membarrier`, a system call) — instead of two locked instructions
//! in every call.

use std::sync::atomic::{compiler_fence, fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use pyo3::prelude::*;

/// A call on some thread runs Rust code holding the GIL.
static KEPT: AtomicBool = AtomicBool::new(false);
/// Threads delivering a record that wait for (or hold) the GIL.
static WAITING: AtomicUsize = AtomicUsize::new(0);
/// Whether `QUEUE` may hold records (read without its lock on every kept call).
static QUEUED: AtomicBool = AtomicBool::new(false);
/// Records that arrived while a call kept the GIL: (emitter handle, argument bytes).
static QUEUE: Mutex<Vec<(u64, Vec<u8>)>> = Mutex::new(Vec::new());

/// Delivers one record with the GIL held: handed down by the API layer (the
/// callbacks layer knows how to call the emitter).
pub(crate) type Deliver = fn(Python<'_>, u64, &[u8]);
static DELIVER: OnceLock<Deliver> = OnceLock::new();

pub(crate) fn set_deliver(deliver: Deliver) {
    let _ = DELIVER.set(deliver);
}

// Public CPython API outside the limited API (as in `shutdown.rs`).
extern "C" {
    fn PyGILState_Check() -> std::ffi::c_int;
}

/// A call keeping the GIL; dropping it ends that and delivers what was queued.
pub(crate) struct Kept<'py> {
    py: Python<'py>,
}

impl std::fmt::Debug for Kept<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

/// Marks a call as keeping the GIL, unless a record waits for the GIL
/// (then the call releases it, and `None`).
#[inline]
pub(crate) fn keep(py: Python<'_>) -> Option<Kept<'_>> {
    KEPT.store(true, Ordering::Relaxed);
    light_fence();
    if WAITING.load(Ordering::Relaxed) != 0 {
        KEPT.store(false, Ordering::Relaxed);
        return None;
    }
    Some(Kept { py })
}

impl Drop for Kept<'_> {
    #[inline]
    fn drop(&mut self) {
        KEPT.store(false, Ordering::Relaxed);
        light_fence();
        if QUEUED.load(Ordering::Relaxed) {
            deliver_queued(self.py);
        }
    }
}

/// Whether the system gives the heavy half of an asymmetric fence (Linux's
/// `membarrier`, registered for this process), chosen once at module import,
/// before any call or record: then [`light_fence`] is a compiler fence.
static ASYMMETRIC: AtomicBool = AtomicBool::new(false);

/// Chooses the fences (module import; see [`ASYMMETRIC`]).
pub(crate) fn choose_fences() {
    ASYMMETRIC.store(membarrier::register(), Ordering::Relaxed);
}

/// The calls' side of the Dekker pairs: between a flag's store and the other
/// flag's load.
#[inline(always)]
fn light_fence() {
    if ASYMMETRIC.load(Ordering::Relaxed) {
        compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// A record's side: a full barrier on every thread of the process that runs
/// now, so a call's store before its compiler fence is seen here, or this
/// thread's store before this is seen by the call's load after it.
fn heavy_fence() {
    if !(ASYMMETRIC.load(Ordering::Relaxed) && membarrier::barrier()) {
        fence(Ordering::SeqCst);
    }
}

#[cfg(target_os = "linux")]
mod membarrier {
    // `linux/membarrier.h`.
    const QUERY: libc::c_int = 0;
    const PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
    const REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

    fn call(command: libc::c_int) -> libc::c_long {
        // SAFETY: `membarrier(cmd, flags = 0, cpu_id = 0)` reads no memory of
        // ours; an unsupported command is an error return, not undefined.
        unsafe { libc::syscall(libc::SYS_membarrier, command, 0, 0) }
    }

    /// Registers the process for expedited private barriers; false when the
    /// kernel (or a seccomp filter) does not offer them.
    pub(super) fn register() -> bool {
        let supported = call(QUERY);
        supported > 0
            && supported & libc::c_long::from(PRIVATE_EXPEDITED) != 0
            && call(REGISTER_PRIVATE_EXPEDITED) == 0
    }

    /// Runs a memory barrier on every CPU running a thread of this process.
    pub(super) fn barrier() -> bool {
        call(PRIVATE_EXPEDITED) == 0
    }
}

#[cfg(not(target_os = "linux"))]
mod membarrier {
    pub(super) fn register() -> bool {
        false
    }

    pub(super) fn barrier() -> bool {
        false
    }
}

/// Delivers the queued records, oldest first. The GIL is held.
#[cold]
#[inline(never)]
pub(crate) fn deliver_queued(py: Python<'_>) {
    let records = {
        let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
        QUEUED.store(false, Ordering::SeqCst);
        std::mem::take(&mut *queue)
    };
    if let Some(deliver) = DELIVER.get() {
        for (handle, args) in records {
            deliver(py, handle, &args);
        }
    }
}

/// What a record's thread may do now.
#[derive(Debug)]
pub(crate) enum Gate {
    /// Take the GIL and deliver (counted as waiting until dropped).
    Deliver(Waiting),
    /// This thread holds the GIL already: deliver.
    Holding,
    /// A call keeps the GIL: the record was queued for when it returns.
    Queued,
    /// The record was queued, but the call ended before it could see it:
    /// take the GIL and deliver the queue ([`deliver_queued`]).
    DeliverQueued(Waiting),
}

/// One thread waiting for (or holding) the GIL to deliver a record.
#[derive(Debug)]
pub(crate) struct Waiting(());

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Decides how the record `args` for emitter `handle` is delivered.
pub(crate) fn enter(handle: u64, args: &[u8]) -> Gate {
    // SAFETY: `PyGILState_Check` only reads this thread's state; it is
    // callable at any time, with or without the GIL.
    if unsafe { PyGILState_Check() } != 0 {
        return Gate::Holding;
    }
    WAITING.fetch_add(1, Ordering::SeqCst);
    let waiting = Waiting(());
    heavy_fence();
    if !KEPT.load(Ordering::SeqCst) {
        return Gate::Deliver(waiting);
    }
    drop(waiting);
    QUEUE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((handle, args.to_vec()));
    // Dekker again, with `Kept::drop` (clears `KEPT`, then reads `QUEUED`):
    // either that call delivers the queue, or this thread sees it ended.
    QUEUED.store(true, Ordering::SeqCst);
    WAITING.fetch_add(1, Ordering::SeqCst);
    let waiting = Waiting(());
    heavy_fence();
    if KEPT.load(Ordering::SeqCst) {
        return Gate::Queued; // `waiting` dropped: this thread does not wait
    }
    Gate::DeliverQueued(waiting)
}
