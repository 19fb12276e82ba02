//! Lent bytes going back to their host in a result (`spec/wire.md`, "Lent
//! bytes"): while a result is encoded, each `Bytes` holding the memory of the
//! only registered host is written as extension 3 and noted here; once the
//! whole value is written, each one gets a reference retained for the host.

use crate::bytes::{any_lent, Lent};
use crate::callback::host_registry;
use ferryman_wire::{encode, EncodeError, Out};
use serde::Serialize;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The lent bytes written into the result being encoded on this thread,
    /// while a lending scope is open.
    static LENT_BACK: RefCell<Option<Vec<Arc<Lent>>>> = const { RefCell::new(None) };
}

/// Encodes a function's result into `out`. Only when some `Bytes` holds host
/// memory and exactly one host is registered (so the caller is that host) may
/// the result carry extension 3.
#[inline]
pub(crate) fn encode_result<T: Serialize + ?Sized, W: Out>(
    value: &T,
    out: W,
) -> Result<(), EncodeError> {
    if !any_lent() || host_registry::count() != 1 {
        return encode(value, out);
    }
    let scope = Scope::open();
    let result = encode(value, out);
    let lent = scope.close();
    if result.is_ok() {
        for lent in lent {
            lent.object.retain_for_host();
        }
    }
    result
}

/// Called while `Bytes` holding `lent` serialize: whether they go out as
/// extension 3 (a lending scope is open), in which case they are noted.
pub(crate) fn lend_back(lent: &Arc<Lent>) -> bool {
    LENT_BACK
        .try_with(|noted| match noted.borrow_mut().as_mut() {
            Some(noted) => {
                noted.push(Arc::clone(lent));
                true
            }
            None => false,
        })
        .unwrap_or(false)
}

/// An open lending scope; dropping it (also on unwinding) restores the outer one.
struct Scope {
    outer: Option<Option<Vec<Arc<Lent>>>>,
}

impl Scope {
    fn open() -> Scope {
        let outer = LENT_BACK.try_with(|noted| noted.replace(Some(Vec::new())));
        Scope { outer: outer.ok() }
    }

    /// What was noted, after restoring the outer scope.
    fn close(mut self) -> Vec<Arc<Lent>> {
        self.restore().unwrap_or_default()
    }

    fn restore(&mut self) -> Option<Vec<Arc<Lent>>> {
        let outer = self.outer.take()?;
        LENT_BACK
            .try_with(|noted| noted.replace(outer))
            .ok()
            .flatten()
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        drop(self.restore());
    }
}
