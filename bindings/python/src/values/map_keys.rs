//! Map keys repeat from call to call (struct field names, an error value's
//! keys): a small per-thread cache hands out the same `str` objects instead of
//! building new ones, which also spares dicts from hashing them again.
//!
//! Two-way set associative, keyed by the key's bytes (up to 32, stored inline:
//! a miss allocates nothing but the new `str`). A hit is neither UTF-8-checked
//! nor decoded again: the cached bytes were when the entry was made.

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::types::PyString;

/// Sets in the cache; each holds two keys.
const SETS: usize = 128;
/// Longer keys are not cached.
const LONGEST: usize = 32;

struct Entry {
    len: u8,
    bytes: [u8; LONGEST],
    text: Py<PyString>,
}

impl Entry {
    fn holds(&self, key: &[u8]) -> bool {
        usize::from(self.len) == key.len() && &self.bytes[..key.len()] == key
    }
}

/// The most recently used key of a set first.
type Set = [Option<Entry>; 2];

thread_local! {
    static KEYS: RefCell<Vec<Set>> = const { RefCell::new(Vec::new()) };
}

/// The cached `str` for the map key `bytes`, if there is one.
pub(crate) fn cached<'py>(py: Python<'py>, bytes: &[u8]) -> Option<Bound<'py, PyString>> {
    if bytes.is_empty() || bytes.len() > LONGEST {
        return None;
    }
    let set = set_of(bytes);
    KEYS.try_with(|keys| {
        let mut keys = keys.try_borrow_mut().ok()?;
        let set = keys.get_mut(set)?;
        if let Some(entry) = set[0].as_ref().filter(|entry| entry.holds(bytes)) {
            return Some(entry.text.bind(py).clone());
        }
        if set[1].as_ref().is_some_and(|entry| entry.holds(bytes)) {
            set.swap(0, 1);
            return set[0].as_ref().map(|entry| entry.text.bind(py).clone());
        }
        None
    })
    .ok()
    .flatten()
}

/// Remembers `text`, made from the map key `bytes`, for the next time.
pub(crate) fn remember(bytes: &[u8], text: &Bound<'_, PyString>) {
    if bytes.is_empty() || bytes.len() > LONGEST {
        return;
    }
    let mut inline = [0u8; LONGEST];
    inline[..bytes.len()].copy_from_slice(bytes);
    let entry = Entry {
        len: bytes.len() as u8,
        bytes: inline,
        text: text.clone().unbind(),
    };
    let set = set_of(bytes);
    let evicted = KEYS.try_with(|keys| {
        let mut keys = keys.try_borrow_mut().ok()?;
        if keys.is_empty() {
            keys.resize_with(SETS, || [None, None]);
        }
        let set = &mut keys[set];
        // The least recently used key goes; the new one comes first.
        let evicted = set[1].take();
        set.swap(0, 1);
        set[0] = Some(entry);
        evicted
    });
    // Dropped with the cache free again: freeing a `str` runs no Python code, but
    // nothing here relies on that.
    drop(evicted);
}

/// FNV-1a over the key's bytes, folded to a set.
fn set_of(bytes: &[u8]) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (hash ^ (hash >> 16)) as usize % SETS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_of_an_error_value_and_a_frame_do_not_share_sets() {
        let keys = [
            "kind",
            "type",
            "rust_type",
            "message",
            "function",
            "param",
            "index",
            "expected",
            "found",
            "variant",
            "fields",
            "causes",
            "notes",
            "frames",
            "host_exception",
            "file",
            "line",
            "column",
            "language",
        ];
        let mut counts = [0; SETS];
        for key in keys {
            counts[set_of(key.as_bytes())] += 1;
        }
        // Two ways per set: no key of these evicts another.
        assert!(counts.iter().all(|&n| n <= 2), "{counts:?}");
    }
}
