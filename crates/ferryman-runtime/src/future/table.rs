//! The handles of pending futures and of streams handed to hosts: one
//! counter for both, never reused.

use super::task::Task;
use crate::stream::entry::StreamEntry;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// What a handle names.
#[derive(Debug, Clone)]
pub(crate) enum Handle {
    Future(Arc<Task>),
    Stream(Arc<StreamEntry>),
}

static NEXT: AtomicU64 = AtomicU64::new(1);
static TABLE: Mutex<BTreeMap<u64, (Handle, &'static str)>> = Mutex::new(BTreeMap::new());

fn table() -> MutexGuard<'static, BTreeMap<u64, (Handle, &'static str)>> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A new handle (never 0, never reused) for `entry`, made by export `function`.
pub(crate) fn insert(entry: Handle, function: &'static str) -> u64 {
    let handle = NEXT.fetch_add(1, Ordering::Relaxed);
    table().insert(handle, (entry, function));
    handle
}

pub(crate) fn get(handle: u64) -> Option<Handle> {
    table().get(&handle).map(|(entry, _)| entry.clone())
}

pub(crate) fn remove(handle: u64) -> Option<Handle> {
    table().remove(&handle).map(|(entry, _)| entry)
}

/// `(handle, "future" | "stream", function)` of every live handle, oldest first.
pub(crate) fn live() -> Vec<(u64, &'static str, &'static str)> {
    table()
        .iter()
        .map(|(&handle, (entry, function))| {
            let kind = match entry {
                Handle::Future(_) => "future",
                Handle::Stream(_) => "stream",
            };
            (handle, kind, *function)
        })
        .collect()
}
