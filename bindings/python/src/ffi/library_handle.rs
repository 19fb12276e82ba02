//! A loaded ferryman library (`ferryman_host::Library`: loading, symbol
//! look-up, the ABI and wire checks, the handshake), and this package's
//! registration as its host.

use std::path::Path;
use std::sync::OnceLock;

use ferryman_host::{Host, HostName, Library, LoadError, Logs, Reply};

use crate::ffi::host_registration::HostRegistration;

/// This package, as load errors name it ("this ferryman Python package
/// (0.1.0) speaks ABI version 1").
const PYTHON_PACKAGE: HostName = HostName {
    name: "ferryman Python package",
    version: env!("CARGO_PKG_VERSION"),
};

/// One library, loaded and checked, and the host registration made for it.
///
/// Functions hold this through an `Arc`; the library is never unloaded, so
/// its entry points stay valid while any of them is reachable.
#[derive(Debug)]
pub(crate) struct LibraryHandle {
    library: Library,
    /// Set once this package registered as the library's host.
    registration: OnceLock<Option<&'static HostRegistration>>,
}

impl LibraryHandle {
    /// Loads `path`, checks its ABI and wire versions and reads its handshake.
    pub(crate) fn open(path: &Path) -> Result<LibraryHandle, LoadError> {
        Ok(LibraryHandle {
            library: Library::open_as(path, PYTHON_PACKAGE)?,
            registration: OnceLock::new(),
        })
    }

    /// Registers this package as the library's host (`spec/callbacks.md`),
    /// once, with the host `make_host` builds for the registration; `None`
    /// when the library takes no callables or refuses.
    pub(crate) fn register_host<H: Host>(
        &self,
        make_host: impl FnOnce(&'static HostRegistration) -> &'static H,
    ) -> Option<&'static HostRegistration> {
        *self.registration.get_or_init(|| {
            let closures = *self.library.closures()?;
            let objects = self.library.objects().copied();
            let futures = self.library.futures().copied();
            HostRegistration::register(closures, objects, futures, make_host)
        })
    }

    /// The library's side of the callback protocol, once registered.
    pub(crate) fn registration(&self) -> Option<&'static HostRegistration> {
        self.registration.get().copied().flatten()
    }

    /// Whether arguments may hold lent bytes (the handshake's `lent_bytes`).
    pub(crate) fn lent_bytes(&self) -> bool {
        self.library.lent_bytes()
    }

    /// Whether arguments may hold lent slices (the handshake's `lent_slices`).
    pub(crate) fn lent_slices(&self) -> bool {
        self.library.lent_slices()
    }

    /// The log entry points, when the library has them.
    pub(crate) fn logs(&self) -> Option<Logs> {
        self.library.logs().copied()
    }

    /// The ABI version the library reported.
    pub(crate) fn abi_version(&self) -> u32 {
        self.library.abi_version()
    }

    /// `ferryman_handshake` into `out`.
    pub(crate) fn handshake<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        self.library.handshake_into(out)
    }

    /// `ferryman_describe` into `out`.
    pub(crate) fn describe<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        self.library.describe_into(out)
    }

    /// `ferryman_function_id`: the id of `name`, if the library has it.
    pub(crate) fn function_id(&self, name: &str) -> Option<u32> {
        self.library.function_id(name)
    }

    /// `ferryman_call(id, args, out)`. Runs Rust code: call it without the GIL.
    ///
    /// # Safety
    ///
    /// Lent bytes in `args` name `bytes` objects the call's scope keeps alive
    /// (and, for a host object, the table keeps while the library holds it):
    /// `values/lent_bytes.rs`.
    #[inline]
    pub(crate) unsafe fn call<'a>(&self, id: u32, args: &[u8], out: &'a mut Vec<u8>) -> Reply<'a> {
        // SAFETY: the caller's promise is `Library::call`'s.
        unsafe { self.library.call(id, args, out) }
    }
}
