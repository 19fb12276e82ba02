//! Rust closures handed to hosts: a table of live closures, each called through
//! `ferryman_closure_call` until its host releases it.

use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_wire::Lending;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A closure with its types erased: MessagePack argument array in (with lent
/// bytes trusted as `Lending` says), one value out.
pub(crate) type ErasedFn = dyn Fn(&[u8], Lending, &mut Sink<'_>) -> Status + Send + Sync;

struct Entry {
    function: Arc<ErasedFn>,
    signature: &'static str,
}

struct Table {
    next: u64,
    live: BTreeMap<u64, Entry>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    next: 1,
    live: BTreeMap::new(),
});

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands out a new handle for `function`; the host owns it until it releases it.
pub(crate) fn register(function: Arc<ErasedFn>, signature: &'static str) -> u64 {
    let mut table = table();
    let handle = table.next;
    table.next += 1;
    table.live.insert(
        handle,
        Entry {
            function,
            signature,
        },
    );
    handle
}

/// The closure behind `handle`, if it is still live.
pub(crate) fn lookup(handle: u64) -> Option<Arc<ErasedFn>> {
    table().live.get(&handle).map(|e| Arc::clone(&e.function))
}

/// Drops the table's reference; `false` when the handle was not live.
pub(crate) fn release(handle: u64) -> bool {
    // Drop the closure outside the lock: its captures may release host objects.
    let removed = table().live.remove(&handle);
    removed.is_some()
}

/// Every live handle and the signature of its closure, oldest first.
pub(crate) fn live() -> Vec<(u64, &'static str)> {
    table()
        .live
        .iter()
        .map(|(h, e)| (*h, e.signature))
        .collect()
}
