//! This package as the registered host of one library (`spec/callbacks.md`):
//! the library's closure entry points, the host id it gave us, and the error
//! factory its closures raise through.
//!
//! The `FerryHost` vtable itself (what the library calls back) is the
//! callbacks layer's; it is handed down to [`HostRegistration::register`] as a
//! complete `FerryHost` whose `context` this module fills in.

use std::sync::{Mutex, OnceLock};

use ferryman_abi::{FerryBox, FerryHost};
use pyo3::prelude::*;

use crate::ffi::out_box::OutBox;
use crate::ffi::symbols::{borrowed_box, resolve, BoxFreeFn, LoadError, WriteFn};

type RegisterHostFn = unsafe extern "C" fn(*const FerryHost) -> i32;
type ClosureCallFn = unsafe extern "C" fn(u64, *const FerryBox, *mut FerryBox) -> i32;
type ClosureReleaseFn = unsafe extern "C" fn(u64) -> i32;

/// The four symbols a library needs for callables (`spec/abi.md`). A library
/// without them still loads; it just cannot take or return callables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClosureSymbols {
    register_host: RegisterHostFn,
    closure_call: ClosureCallFn,
    closure_release: ClosureReleaseFn,
    live_closures: WriteFn,
    box_free: BoxFreeFn,
}

impl ClosureSymbols {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        box_free: BoxFreeFn,
    ) -> Option<ClosureSymbols> {
        let resolved = || -> Result<ClosureSymbols, LoadError> {
            // SAFETY: (this and the next three) the caller guarantees the ABI
            // version, hence the signatures, and that the handle stays open.
            let register_host = unsafe { resolve(library, "ferryman_register_host") }?;
            // SAFETY: as above.
            let closure_call = unsafe { resolve(library, "ferryman_closure_call") }?;
            // SAFETY: as above.
            let closure_release = unsafe { resolve(library, "ferryman_closure_release") }?;
            // SAFETY: as above.
            let live_closures = unsafe { resolve(library, "ferryman_live_closures") }?;
            Ok(ClosureSymbols {
                register_host,
                closure_call,
                closure_release,
                live_closures,
                box_free,
            })
        };
        resolved().ok()
    }
}

/// One library's side of the callback protocol: its closure entry points, the
/// host id it gave this package, and the Python layer's error factory for
/// closures. Leaked on registration (libraries are never unloaded), so its
/// address is the `context` of our `FerryHost` and closures can hold a
/// `&'static` to it.
#[derive(Debug)]
pub(crate) struct HostRegistration {
    symbols: ClosureSymbols,
    host_id: OnceLock<u32>,
    on_error: OnceLock<Py<PyAny>>,
}

impl HostRegistration {
    /// Registers `vtable` (its `context` replaced by the registration) as a
    /// host of the library; `None` when refused.
    ///
    /// Once per library in the process: loading the same library again (the
    /// dynamic loader hands back the same copy) reuses the registration, so the
    /// library keeps seeing exactly one host, which is what lets it return
    /// exceptions and lent bytes by handle (`spec/callbacks.md`). Each load
    /// still gets a `HostRegistration` of its own, for its own error factory.
    pub(crate) fn register(
        symbols: ClosureSymbols,
        vtable: &FerryHost,
    ) -> Option<&'static HostRegistration> {
        type Registered = Vec<(usize, Option<u32>)>;
        static REGISTERED: Mutex<Registered> = Mutex::new(Vec::new());
        let mut registered = REGISTERED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = symbols.register_host as usize;
        if let Some((_, host_id)) = registered.iter().find(|(k, _)| *k == key) {
            let host_id = (*host_id)?;
            let registration: &'static HostRegistration = Box::leak(Box::new(HostRegistration {
                symbols,
                host_id: OnceLock::from(host_id),
                on_error: OnceLock::new(),
            }));
            return Some(registration);
        }
        let registration = HostRegistration::register_new(symbols, vtable);
        registered.push((key, registration.and_then(HostRegistration::host_id)));
        registration
    }

    fn register_new(
        symbols: ClosureSymbols,
        vtable: &FerryHost,
    ) -> Option<&'static HostRegistration> {
        let registration: &'static HostRegistration = Box::leak(Box::new(HostRegistration {
            symbols,
            host_id: OnceLock::new(),
            on_error: OnceLock::new(),
        }));
        let host = FerryHost {
            context: std::ptr::from_ref(registration).cast_mut().cast(),
            ..*vtable
        };
        // SAFETY: `host` is a complete vtable whose functions may be called from
        // any thread at any time (the caller's promise), and whose context lives
        // forever (leaked above); the library copies the struct.
        let id = unsafe { (symbols.register_host)(&host) };
        let id = u32::try_from(id).ok()?;
        let _ = registration.host_id.set(id);
        Some(registration)
    }

    /// The registration behind a `context` we registered.
    ///
    /// # Safety
    ///
    /// `context` is NULL or the pointer [`HostRegistration::register`] passed
    /// as context.
    pub(crate) unsafe fn of_context(
        context: *mut std::ffi::c_void,
    ) -> Option<&'static HostRegistration> {
        // SAFETY: per the contract, a leaked `HostRegistration`, alive forever, only read.
        unsafe { context.cast::<HostRegistration>().cast_const().as_ref() }
    }

    /// The id the library gave this host (carried by every host object we send).
    pub(crate) fn host_id(&self) -> Option<u32> {
        self.host_id.get().copied()
    }

    /// Whether `self` and `other` are the same copy of the ferryman runtime (the
    /// same library, possibly loaded twice), so closure handles mean the same.
    pub(crate) fn same_as(&self, other: &HostRegistration) -> bool {
        self.symbols.closure_call as usize == other.symbols.closure_call as usize
    }

    /// The factory building exceptions from error values, once the Python layer
    /// gave one (`Library.functions`).
    pub(crate) fn set_on_error(&self, on_error: Py<PyAny>) {
        let _ = self.on_error.set(on_error);
    }

    pub(crate) fn on_error<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.on_error.get().map(|factory| factory.bind(py).clone())
    }

    /// `ferryman_closure_call(handle, args, out)`. Runs Rust code: call it without the GIL.
    pub(crate) fn closure_call<'a>(
        &self,
        handle: u64,
        args: &[u8],
        out: &'a mut Vec<u8>,
    ) -> OutBox<'a> {
        let args_box = borrowed_box(args);
        let mut boxed = OutBox::host_box(out);
        // SAFETY: as `ferryman_call` (`LibraryHandle::call`): `args_box` borrows
        // `args` for the call, `boxed` follows the ABI's `out` rule.
        let status = unsafe { (self.symbols.closure_call)(handle, &args_box, &mut boxed) };
        OutBox::new(status, boxed, out, self.symbols.box_free)
    }

    /// `ferryman_closure_release(handle)`: the host's reference is gone.
    pub(crate) fn closure_release(&self, handle: u64) {
        // SAFETY: takes a plain integer and never unwinds; a handle that is not
        // live is reported, not undefined behaviour.
        unsafe { (self.symbols.closure_release)(handle) };
    }

    /// `ferryman_live_closures(out)`.
    pub(crate) fn live_closures<'a>(&self, out: &'a mut Vec<u8>) -> OutBox<'a> {
        let mut boxed = OutBox::host_box(out);
        // SAFETY: `boxed` follows the ABI's `out` rule.
        let status = unsafe { (self.symbols.live_closures)(&mut boxed) };
        OutBox::new(status, boxed, out, self.symbols.box_free)
    }
}
