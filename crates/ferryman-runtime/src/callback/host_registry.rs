//! The hosts that registered with this library, so Rust can call back into them.

use ferryman_abi::{FerryBox, FerryHost, ABI_VERSION};
use std::sync::RwLock;

/// Registered hosts; the index is the host id carried by host objects on the wire.
static HOSTS: RwLock<Vec<FerryHost>> = RwLock::new(Vec::new());

/// A registered host whose function pointers were all checked to be present.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Host(FerryHost);

/// A host object owned by this library: one `retain`ed reference, released on drop.
#[derive(Debug)]
pub(crate) struct HostObject {
    pub(crate) host_id: u32,
    pub(crate) handle: u64,
    host: Host,
}

pub(crate) fn register(host: &FerryHost) -> Option<u32> {
    let complete = host.abi_version == ABI_VERSION
        && host.invoke.is_some()
        && host.retain.is_some()
        && host.release.is_some()
        && host.free_box.is_some()
        && host.check_interrupt.is_some();
    if !complete {
        return None;
    }
    let mut hosts = HOSTS.write().unwrap_or_else(|e| e.into_inner());
    let id = u32::try_from(hosts.len()).ok()?;
    hosts.push(*host);
    Some(id)
}

pub(crate) fn host(id: u32) -> Option<Host> {
    let hosts = HOSTS.read().unwrap_or_else(|e| e.into_inner());
    hosts.get(id as usize).copied().map(Host)
}

/// How many hosts registered.
pub(crate) fn count() -> usize {
    HOSTS.read().unwrap_or_else(|e| e.into_inner()).len()
}

/// The host and its id, when exactly one host registered.
pub(crate) fn only() -> Option<(u32, Host)> {
    let hosts = HOSTS.read().unwrap_or_else(|e| e.into_inner());
    match hosts.as_slice() {
        [host] => Some((0, Host(*host))),
        _ => None,
    }
}

/// Every registered host with its id.
pub(crate) fn all_hosts() -> Vec<(u32, Host)> {
    let hosts = HOSTS.read().unwrap_or_else(|e| e.into_inner());
    (0..).zip(hosts.iter().copied().map(Host)).collect()
}

/// A value the host put in a box of its own; given back with `free_box` on drop.
pub(crate) struct HostBox {
    host: Host,
    boxed: FerryBox,
}

impl HostBox {
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the host filled this box with `len` initialised bytes, which stay
        // valid until we hand it back in `drop`.
        unsafe { ferryman_buffer::borrow(&self.boxed) }
    }
}

impl Drop for HostBox {
    fn drop(&mut self) {
        if self.boxed.is_empty() {
            return;
        }
        if let Some(free) = self.host.0.free_box {
            // SAFETY: the box was allocated by this host, is handed back exactly once.
            unsafe { free(self.host.0.context, &mut self.boxed) };
        }
    }
}

impl Host {
    /// The host's `context`, the first argument of each of its functions.
    pub(crate) fn context(&self) -> *mut std::ffi::c_void {
        self.0.context
    }

    /// Calls host object `handle` with encoded arguments.
    pub(crate) fn invoke(&self, handle: u64, args: &[u8]) -> (i32, HostBox) {
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: args.len(),
            cap: args.len(),
        };
        let mut out = FerryBox::EMPTY;
        let invoke = self.0.invoke.expect("checked at registration");
        // SAFETY: `input` borrows `args` for the call; `out` is the empty box, which
        // the host fills with a box of its own (contract of `FerryHost`).
        let status = unsafe { invoke(self.0.context, handle, &input, &mut out) };
        (
            status,
            HostBox {
                host: *self,
                boxed: out,
            },
        )
    }

    /// Asks whether the user interrupted; `Some` holds the host's error value.
    pub(crate) fn check_interrupt(&self) -> Option<HostBox> {
        let check = self.0.check_interrupt.expect("checked at registration");
        let mut out = FerryBox::EMPTY;
        // SAFETY: `out` is the empty box, filled by the host only when it says so.
        let status = unsafe { check(self.0.context, &mut out) };
        (status != 0).then(|| HostBox {
            host: *self,
            boxed: out,
        })
    }

    /// Takes one more reference to host object `handle`.
    pub(crate) fn retain(&self, host_id: u32, handle: u64) -> HostObject {
        let retain = self.0.retain.expect("checked at registration");
        // SAFETY: the host accepts any handle it gave out; see `FerryHost`.
        unsafe { retain(self.0.context, handle) };
        HostObject {
            host_id,
            handle,
            host: *self,
        }
    }
}

impl HostObject {
    /// Takes over a reference the host handed over (with a host exception in
    /// an error value): no `retain`, one `release` on drop.
    pub(crate) fn adopt(host: Host, host_id: u32, handle: u64) -> HostObject {
        HostObject {
            host_id,
            handle,
            host,
        }
    }

    pub(crate) fn host(&self) -> Host {
        self.host
    }

    /// Takes one more reference and hands it to the host: for a value written
    /// into a result, which the host drops after decoding it.
    pub(crate) fn retain_for_host(&self) {
        std::mem::forget(self.host.retain(self.host_id, self.handle));
    }
}

impl Drop for HostObject {
    fn drop(&mut self) {
        let release = self.host.0.release.expect("checked at registration");
        // SAFETY: releases the one reference this object retained.
        unsafe { release(self.host.0.context, self.handle) };
    }
}
