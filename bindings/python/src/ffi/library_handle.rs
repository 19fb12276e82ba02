//! A loaded ferryman library: the `dlopen` handle and its entry points.

use std::mem::ManuallyDrop;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use ferryman_abi::{FerryHost, ABI_VERSION};

use crate::ffi::host_registration::{ClosureSymbols, HostRegistration};
use crate::ffi::out_box::OutBox;

use crate::ffi::symbols::{
    borrowed_box, describe_libloading_error, resolve, AbiVersionFn, BoxFreeFn, CallFn,
    FunctionIdFn, LoadError, WriteFn,
};

/// The entry points of one ferryman library, resolved once.
///
/// The `dlopen` handle is never closed: like `ctypes`, ferryman does not unload
/// libraries, because a Rust `cdylib` may have installed a panic hook or
/// thread-local destructors that must outlive every call. Functions hold this
/// struct through an `Arc`, so the entry points stay valid while any of them is
/// reachable.
#[derive(Debug)]
pub(crate) struct LibraryHandle {
    _library: ManuallyDrop<libloading::Library>,
    abi_version: u32,
    handshake: WriteFn,
    describe: WriteFn,
    function_id: FunctionIdFn,
    call: CallFn,
    box_free: BoxFreeFn,
    /// The callable entry points, when the library has them.
    callables: Option<ClosureSymbols>,
    /// Set once this package registered as the library's host.
    registration: OnceLock<Option<&'static HostRegistration>>,
    /// Whether the handshake said `"lent_bytes": true`.
    lent_bytes: AtomicBool,
}

impl LibraryHandle {
    /// Loads `path` (`RTLD_LAZY | RTLD_LOCAL` on Unix), checks its ABI version
    /// and resolves its entry points.
    pub(crate) fn open(path: &Path) -> Result<LibraryHandle, LoadError> {
        // SAFETY: loading a shared object runs its initialisers. A host that loads
        // a library has to trust that library; Rust cdylibs run no initialisers
        // ferryman does not know about.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|error| LoadError::Open(describe_libloading_error(&error)))?;

        // SAFETY: the ABI declares `uint32_t ferryman_abi_version(void)`; the
        // pointer is copied out while `library` is alive and then kept alive
        // forever (the handle is never closed).
        let abi_version: AbiVersionFn =
            unsafe { library.get::<AbiVersionFn>(b"ferryman_abi_version\0") }
                .map(|symbol| *symbol)
                .map_err(|_| LoadError::NotFerryman)?;
        // SAFETY: the symbol has the declared signature, takes no arguments and,
        // per the ABI, never unwinds.
        let version = unsafe { abi_version() };
        if version != ABI_VERSION {
            return Err(LoadError::AbiMismatch(version));
        }

        // SAFETY: (this and the next four look-ups) the ABI version matched, so
        // each symbol has the C signature `spec/abi.md` gives for it; the handle
        // is never closed, so the copied function pointers stay valid.
        let handshake = unsafe { resolve::<WriteFn>(&library, "ferryman_handshake") }?;
        // SAFETY: as above.
        let describe = unsafe { resolve::<WriteFn>(&library, "ferryman_describe") }?;
        // SAFETY: as above.
        let function_id = unsafe { resolve::<FunctionIdFn>(&library, "ferryman_function_id") }?;
        // SAFETY: as above.
        let call = unsafe { resolve::<CallFn>(&library, "ferryman_call") }?;
        // SAFETY: as above.
        let box_free = unsafe { resolve::<BoxFreeFn>(&library, "ferryman_box_free") }?;
        // SAFETY: as above.
        let callables = unsafe { ClosureSymbols::resolve(&library, box_free) };

        Ok(LibraryHandle {
            _library: ManuallyDrop::new(library),
            abi_version: version,
            handshake,
            describe,
            function_id,
            call,
            box_free,
            callables,
            registration: OnceLock::new(),
            lent_bytes: AtomicBool::new(false),
        })
    }

    /// Registers `vtable` as the library's host (`spec/callbacks.md`),
    /// once; `None` when the library takes no callables.
    pub(crate) fn register_host(&self, vtable: &FerryHost) -> Option<&'static HostRegistration> {
        *self.registration.get_or_init(|| {
            self.callables
                .and_then(|symbols| HostRegistration::register(symbols, vtable))
        })
    }

    /// The library's side of the callback protocol, once registered.
    pub(crate) fn registration(&self) -> Option<&'static HostRegistration> {
        self.registration.get().copied().flatten()
    }

    /// Records what the handshake said about lent bytes (extension 3).
    pub(crate) fn set_lent_bytes(&self, accepted: bool) {
        self.lent_bytes.store(accepted, Ordering::Relaxed);
    }

    /// Whether arguments may hold lent bytes.
    pub(crate) fn lent_bytes(&self) -> bool {
        self.lent_bytes.load(Ordering::Relaxed)
    }

    /// The ABI version the library reported.
    pub(crate) fn abi_version(&self) -> u32 {
        self.abi_version
    }

    /// `ferryman_handshake` into `out`.
    pub(crate) fn handshake<'a>(&self, out: &'a mut Vec<u8>) -> OutBox<'a> {
        let mut boxed = OutBox::host_box(out);
        // SAFETY: `boxed` is a valid box the host owns (or the empty box), as
        // the ABI's `out` rule requires; the library writes at most `cap` bytes.
        let status = unsafe { (self.handshake)(&mut boxed) };
        OutBox::new(status, boxed, out, self.box_free)
    }

    /// `ferryman_describe` into `out`.
    pub(crate) fn describe<'a>(&self, out: &'a mut Vec<u8>) -> OutBox<'a> {
        let mut boxed = OutBox::host_box(out);
        // SAFETY: as in `handshake`.
        let status = unsafe { (self.describe)(&mut boxed) };
        OutBox::new(status, boxed, out, self.box_free)
    }

    /// `ferryman_function_id`: the id of `name`, if the library has it.
    pub(crate) fn function_id(&self, name: &str) -> Option<u32> {
        let name_box = borrowed_box(name.as_bytes());
        // SAFETY: `name_box` points at `name`, alive for the call; the library
        // only reads `ptr[0..len]` and keeps nothing.
        let id = unsafe { (self.function_id)(&name_box) };
        u32::try_from(id).ok()
    }

    /// `ferryman_call(id, args, out)`. Runs Rust code: call it without the GIL.
    #[inline]
    pub(crate) fn call<'a>(&self, id: u32, args: &[u8], out: &'a mut Vec<u8>) -> OutBox<'a> {
        let args_box = borrowed_box(args);
        let mut boxed = OutBox::host_box(out);
        // SAFETY: `args_box` borrows `args` for the duration of the call and the
        // library neither frees nor keeps it; lent bytes in `args` name `bytes`
        // objects the call's scope keeps alive until it returns (`values/lent_bytes.rs`);
        // `boxed` follows the `out` rule.
        let status = unsafe { (self.call)(id, &args_box, &mut boxed) };
        OutBox::new(status, boxed, out, self.box_free)
    }
}
