//! Host objects (`spec/callbacks.md`, extensions 1 and 3): Python callables a
//! library may call, `bytes` it may keep (`values/lent_bytes.rs`) and exceptions
//! callbacks raised (`errors/callback_exceptions.rs`), each under a handle, counted with the references
//! the library holds.
//!
//! The table is process-wide and guarded by a plain mutex, never held while the
//! GIL is being acquired or Python code runs: `retain` and `release` come from
//! any Rust thread, and an object is dropped (with the GIL) only after it has
//! left the table. A `bytes` object's last release never waits for the GIL:
//! dropping it runs no Python code, so without the GIL PyO3 defers the
//! decrement to the next time any thread attaches. That is why lent `bytes`
//! do not make calls release the GIL (`gil_policy.rs`): only callables do.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;

/// What a handle names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A callable (extension 1).
    Callable,
    /// Lent `bytes` (extension 3).
    Bytes,
    /// A callback's exception, named by an error value's `host_exception`.
    Exception,
    /// The function a library sends its log records to (`ferryman._logs`),
    /// held by the library for as long as it is loaded: not counted as a
    /// leak, nor as a callable by the GIL policy (records never wait for the
    /// GIL: `state/log_queue.rs`).
    LogEmitter,
}

struct Entry {
    object: Py<PyAny>,
    /// References: the host's own while the passing call runs, plus one per
    /// `retain` the library has not released yet (for an exception: the one
    /// its error value handed over, plus one per `retain`).
    count: usize,
    kind: Kind,
}

struct Table {
    next: u64,
    live: BTreeMap<u64, Entry>,
    /// How many of `live` are callables.
    callables: usize,
    /// How many of `live` are exceptions.
    exceptions: usize,
    /// How many of `live` are log emitters.
    emitters: usize,
}

/// How many callables are in the table, readable without its lock.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether any library may call a Python object (so another thread may need the GIL).
#[inline]
pub(crate) fn any_live() -> bool {
    LIVE.load(Ordering::Acquire) != 0
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    next: 1,
    live: BTreeMap::new(),
    callables: 0,
    exceptions: 0,
    emitters: 0,
});

fn table() -> MutexGuard<'static, Table> {
    TABLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Something kept alive on behalf of the library until a call returns or a box
/// is freed: a reference the host holds in the table, or a Python object.
#[derive(Debug)]
pub(crate) enum Held {
    Reference(u64),
    Object(Py<PyAny>),
}

impl Table {
    /// Takes `entry` out of the table, keeping the counts right.
    fn remove(&mut self, handle: u64) -> Option<Entry> {
        let entry = self.live.remove(&handle)?;
        match entry.kind {
            Kind::Callable => {
                self.callables -= 1;
                LIVE.store(self.callables, Ordering::Release);
            }
            Kind::LogEmitter => self.emitters -= 1,
            Kind::Exception => self.exceptions -= 1,
            Kind::Bytes => {}
        }
        Some(entry)
    }
}

/// Puts `object` in the table with one reference (the host's own, or for an
/// exception the one its error value hands to the library).
pub(crate) fn insert(object: Py<PyAny>, kind: Kind) -> u64 {
    let mut table = table();
    let handle = table.next;
    table.next += 1;
    table.live.insert(
        handle,
        Entry {
            object,
            count: 1,
            kind,
        },
    );
    match kind {
        Kind::Callable => {
            table.callables += 1;
            LIVE.store(table.callables, Ordering::Release);
        }
        Kind::LogEmitter => table.emitters += 1,
        Kind::Exception => table.exceptions += 1,
        Kind::Bytes => {}
    }
    handle
}

/// The library takes one more reference.
pub(crate) fn retain(handle: u64) {
    if let Some(entry) = table().live.get_mut(&handle) {
        entry.count += 1;
    }
}

/// Drops one reference; returns the object when that was the last one, for the
/// caller to drop with the GIL. The last reference to lent `bytes` or to an
/// exception drops the object here instead: at once when this thread is
/// attached, otherwise when any thread next attaches (PyO3's deferred
/// decrements), never waiting for the GIL.
pub(crate) fn release(handle: u64) -> Option<Py<PyAny>> {
    let mut table = table();
    let entry = table.live.get_mut(&handle)?;
    entry.count = entry.count.saturating_sub(1);
    if entry.count > 0 {
        return None;
    }
    let entry = table.remove(handle)?;
    drop(table);
    if matches!(entry.kind, Kind::Callable | Kind::LogEmitter) {
        return Some(entry.object);
    }
    drop(entry.object);
    None
}

/// Drops one reference to `handle` if it names an object of `kind`.
pub(crate) fn release_if(handle: u64, kind: Kind) {
    let is_kind = table()
        .live
        .get(&handle)
        .is_some_and(|entry| entry.kind == kind);
    if is_kind {
        drop(release(handle));
    }
}

/// The object behind `handle`, after dropping one reference (the one a result
/// handed over with it): one look-up for [`get`] and [`release`] together.
pub(crate) fn take(py: Python<'_>, handle: u64) -> Option<Bound<'_, PyAny>> {
    let mut table = table();
    let entry = table.live.get_mut(&handle)?;
    entry.count = entry.count.saturating_sub(1);
    if entry.count > 0 {
        return Some(entry.object.clone_ref(py).into_bound(py));
    }
    let entry = table.remove(handle)?;
    drop(table);
    Some(entry.object.into_bound(py))
}

/// The object behind `handle`, if it is live.
pub(crate) fn get(py: Python<'_>, handle: u64) -> Option<Py<PyAny>> {
    get_kind(py, handle).map(|(object, _)| object)
}

/// The object behind `handle` and what it is, if it is live.
pub(crate) fn get_kind(py: Python<'_>, handle: u64) -> Option<(Py<PyAny>, Kind)> {
    table()
        .live
        .get(&handle)
        .map(|entry| (entry.object.clone_ref(py), entry.kind))
}

/// Whether `handle` names a log emitter (a record to deliver, not a call).
pub(crate) fn is_log_emitter(handle: u64) -> bool {
    table()
        .live
        .get(&handle)
        .is_some_and(|entry| entry.kind == Kind::LogEmitter)
}

/// How many callables and `bytes` the libraries may still call or read (a
/// leak check): log emitters, which loaded libraries keep, left out.
pub(crate) fn live_count() -> usize {
    let table = table();
    table.live.len() - table.exceptions - table.emitters
}

/// How many exceptions libraries hold (a leak check).
pub(crate) fn exception_count() -> usize {
    table().exceptions
}

/// A host object the library returned (ext 1 in a result): the object, after
/// dropping the reference the library handed over with it.
pub(crate) fn take_returned(py: Python<'_>, handle: u64) -> Option<Bound<'_, PyAny>> {
    take(py, handle)
}

/// Releases what was held. Dropping Python objects runs Python code, so this
/// takes the GIL (it is usually held already) and must not be called with the
/// table locked.
pub(crate) fn drop_with_gil(held: Vec<Held>) {
    if held.is_empty() {
        return;
    }
    // Without an interpreter, or when this thread may no longer take the GIL
    // because the interpreter is exiting, there is nothing left to free: leak.
    let mut held = Some(held);
    let _ = crate::state::shutdown::attach(|_py| {
        for item in held.take().into_iter().flatten() {
            match item {
                Held::Reference(handle) => drop(release(handle)),
                Held::Object(object) => drop(object),
            }
        }
    });
    std::mem::forget(held);
}
