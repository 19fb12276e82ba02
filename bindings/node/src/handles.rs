//! The host objects the library may hold (`spec/callbacks.md`, "Host
//! objects"): JS callables, exceptions and the copies of `Buffer`s lent to
//! `ferryman::Bytes` parameters (`encode.rs`) under handles numbered from 1,
//! counted by `retain`/`release` from any thread. A reference whose count
//! reaches zero off the JS thread waits there until the JS thread sweeps it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use napi::sys::napi_ref;

use crate::js::{Js, JsResult, Kind, Value};

/// A JS reference, moved between threads but used only on the JS thread.
#[derive(Debug, Clone, Copy)]
struct Held(napi_ref);
// SAFETY: the pointer is only dereferenced (through N-API) on the JS thread;
// other threads only store and move it.
unsafe impl Send for Held {}

#[derive(Debug)]
struct Entry {
    reference: Held,
    count: u64,
    callable: bool,
    /// The value is element 0 of the referenced array (`insert_any`).
    boxed: bool,
    /// A copy made for one call (`insert_copy`): its memory's address and
    /// length, while no JS has seen it (`hand_out`).
    unseen_copy: Option<(usize, usize)>,
}

#[derive(Debug, Default)]
struct Table {
    next: u64,
    entries: HashMap<u64, Entry>,
    callables: usize,
    doomed: Vec<Held>,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);
static DOOMED: AtomicBool = AtomicBool::new(false);
/// `Table::callables`, readable without the lock on every call.
static CALLABLES: AtomicUsize = AtomicUsize::new(0);

fn with<R>(f: impl FnOnce(&mut Table) -> R) -> R {
    let mut guard = TABLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(guard.get_or_insert_with(Table::default))
}

/// Keeps `value` (an object or a function) under a new handle with one
/// reference (the caller's).
pub(crate) fn insert(js: Js, value: Value, callable: bool) -> JsResult<u64> {
    let reference = Held(js.reference(value)?);
    Ok(put(reference, callable, false))
}

/// Keeps any JS value (a thrown one) under a new handle with one reference:
/// N-API before version 10 references only objects, so a primitive is kept
/// in a one-element array, and comes back as the very value.
pub(crate) fn insert_any(js: Js, value: Value) -> JsResult<u64> {
    if matches!(js.kind(value)?, Kind::Object | Kind::Function) {
        return insert(js, value, false);
    }
    let holder = js.array(1)?;
    js.set_element(holder, 0, value)?;
    let reference = Held(js.reference(holder)?);
    Ok(put(reference, false, true))
}

/// Keeps `buffer`, a `Buffer` the host just made and no JS has seen, whose
/// `len` bytes lie at `address`, under a new handle with one reference (the
/// caller's, until the call it is lent to returns: `release_copy`).
pub(crate) fn insert_copy(js: Js, buffer: Value, address: usize, len: usize) -> JsResult<u64> {
    let reference = Held(js.reference(buffer)?);
    let handle = put(reference, false, false);
    with(|table| {
        if let Some(entry) = table.entries.get_mut(&handle) {
            entry.unseen_copy = Some((address, len));
        }
    });
    Ok(handle)
}

/// What a result's lent bytes of `handle` are to the host (`hand_out`).
pub(crate) enum LentResult {
    /// Not a live object of this host.
    Unknown,
    /// The host's copy itself: JS may have it.
    Itself(Value),
    /// Bytes the library may still read: JS gets a copy of them.
    Shared,
}

/// What to make of a result naming `len` bytes at `address` of object
/// `handle`: the `Buffer` itself when it is a copy made for the running call
/// (`insert_copy`), the bytes are all of it, and only the host holds it —
/// the call's reference and the one that came with the result, none of the
/// library's. Once handed out JS may change it, so it is handed out once and
/// only when the library can no longer read it.
pub(crate) fn hand_out(js: Js, handle: u64, address: usize, len: usize) -> JsResult<LentResult> {
    let found = with(|table| {
        let entry = table.entries.get_mut(&handle)?;
        if entry.count != 2 || entry.unseen_copy != Some((address, len)) {
            return Some(None);
        }
        entry.unseen_copy = None;
        Some(Some(entry.reference))
    });
    Ok(match found {
        None => LentResult::Unknown,
        Some(None) => LentResult::Shared,
        Some(Some(Held(reference))) => LentResult::Itself(js.deref(reference)?),
    })
}

/// Drops the reference a call held on a copy it lent (`insert_copy`): JS
/// never sees the copy after that unless a result handed it out.
pub(crate) fn release_copy(handle: u64) {
    with(|table| {
        if let Some(entry) = table.entries.get_mut(&handle) {
            entry.unseen_copy = None;
        }
        drop_reference(table, handle);
    });
}

fn put(reference: Held, callable: bool, boxed: bool) -> u64 {
    with(|table| {
        table.next += 1;
        let handle = table.next;
        table.entries.insert(
            handle,
            Entry {
                reference,
                count: 1,
                callable,
                boxed,
                unseen_copy: None,
            },
        );
        table.callables += usize::from(callable);
        CALLABLES.store(table.callables, Ordering::Release);
        handle
    })
}

/// The library took a reference.
pub(crate) fn retain(handle: u64) {
    with(|table| {
        if let Some(entry) = table.entries.get_mut(&handle) {
            entry.count += 1;
        }
    });
}

/// A reference was dropped; the last one dooms the JS reference.
pub(crate) fn release(handle: u64) {
    with(|table| drop_reference(table, handle));
}

fn drop_reference(table: &mut Table, handle: u64) {
    let Some(entry) = table.entries.get_mut(&handle) else {
        return;
    };
    entry.count -= 1;
    if entry.count == 0 {
        let entry = table.entries.remove(&handle).expect("just found");
        table.callables -= usize::from(entry.callable);
        CALLABLES.store(table.callables, Ordering::Release);
        table.doomed.push(entry.reference);
        DOOMED.store(true, Ordering::Release);
    }
}

/// The JS value under `handle`, if it is live.
pub(crate) fn get(js: Js, handle: u64) -> JsResult<Option<Value>> {
    let reference = with(|table| {
        table
            .entries
            .get(&handle)
            .map(|entry| (entry.reference, entry.boxed))
    });
    match reference {
        Some((Held(reference), false)) => js.deref(reference).map(Some),
        Some((Held(reference), true)) => js.element(js.deref(reference)?, 0).map(Some),
        None => Ok(None),
    }
}

/// How many JS callables the library holds now.
pub(crate) fn live_callables() -> usize {
    with(|table| table.callables)
}

/// Whether any JS callable is held: calls then run where callbacks can
/// reach the JS thread (`crossing.rs`).
#[inline]
pub(crate) fn any_callable() -> bool {
    CALLABLES.load(Ordering::Acquire) != 0
}

/// Deletes the references whose count reached zero (on the JS thread).
pub(crate) fn sweep(js: Js) {
    if !DOOMED.load(Ordering::Acquire) || !DOOMED.swap(false, Ordering::AcqRel) {
        return;
    }
    let doomed = with(|table| std::mem::take(&mut table.doomed));
    for Held(reference) in doomed {
        js.delete_reference(reference);
    }
}
