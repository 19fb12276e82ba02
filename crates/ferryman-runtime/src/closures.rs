//! Rust closures handed to hosts: a table of live closures, each called through
//! `ferryman_closure_call` until its host releases it.

use crate::closure::Closure;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

struct Table {
    next: u64,
    live: BTreeMap<u64, Arc<Closure>>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    next: 1,
    live: BTreeMap::new(),
});

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands out a new handle for `function`; the host owns it until it releases it.
pub(crate) fn register(closure: Arc<Closure>) -> u64 {
    let mut table = table();
    let handle = table.next;
    table.next += 1;
    table.live.insert(handle, closure);
    handle
}

/// The closure behind `handle`, if it is still live.
pub(crate) fn lookup(handle: u64) -> Option<Arc<Closure>> {
    table().live.get(&handle).map(Arc::clone)
}

/// Drops the table's reference; `false` when the handle was not live.
pub(crate) fn release(handle: u64) -> bool {
    // Drop the closure outside the lock: its captures may release host objects.
    let removed = table().live.remove(&handle);
    removed.is_some()
}

/// Every live handle and the signature of its closure, oldest first.
pub(crate) fn live() -> Vec<(u64, String)> {
    let live: Vec<(u64, Arc<Closure>)> = table()
        .live
        .iter()
        .map(|(h, c)| (*h, Arc::clone(c)))
        .collect();
    // Text is made outside the lock; the clones are dropped outside it too.
    live.into_iter()
        .map(|(h, c)| (h, c.site.signature()))
        .collect()
}
