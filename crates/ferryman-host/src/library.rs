//! A loaded ferryman library: the `dlopen` handle, its entry points, the ABI
//! and wire version checks.

use std::mem::{ManuallyDrop, MaybeUninit};
use std::path::{Path, PathBuf};

use ferryman_abi::{FerryBox, ABI_VERSION, WIRE_VERSION};

use crate::closures::Closures;
use crate::describe::Describe;
use crate::futures::Futures;
use crate::handshake::Handshake;
use crate::load_error::{EntryError, HostName, LoadError, LoadErrorKind};
use crate::logs::Logs;
use crate::objects::Objects;
use crate::reply::{BoxFreeFn, Reply};

type AbiVersionFn = unsafe extern "C" fn() -> u32;
pub(crate) type WriteFn = unsafe extern "C" fn(*mut FerryBox) -> i32;
type FunctionIdFn = unsafe extern "C" fn(*const FerryBox) -> i64;
type CallFn = unsafe extern "C" fn(u32, *const FerryBox, *mut FerryBox) -> i32;

/// One ferryman library, loaded and checked.
///
/// The `dlopen` handle is never closed: a Rust `cdylib` may have installed a
/// panic hook, thread-local destructors or threads that must outlive every
/// call, so unloading it is never safe (as with `ctypes`). Dropping a
/// `Library` keeps the code mapped; only this value goes.
#[derive(Debug)]
pub struct Library {
    _library: ManuallyDrop<libloading::Library>,
    path: PathBuf,
    abi_version: u32,
    handshake_fn: WriteFn,
    describe_fn: WriteFn,
    function_id_fn: FunctionIdFn,
    call_fn: CallFn,
    box_free: BoxFreeFn,
    closures: Option<Closures>,
    objects: Option<Objects>,
    logs: Option<Logs>,
    futures: Option<Futures>,
    handshake: Handshake,
}

impl Library {
    /// Loads the library at `path`, checks its ABI and wire versions and
    /// reads its handshake. Messages name this crate as the host.
    pub fn open(path: impl AsRef<Path>) -> Result<Library, LoadError> {
        Library::open_as(path, HostName::RUST)
    }

    /// As [`Library::open`], naming `host` in messages (a host language's
    /// package: what the user would upgrade).
    pub fn open_as(path: impl AsRef<Path>, host: HostName) -> Result<Library, LoadError> {
        let path = path.as_ref();
        let fail = |kind| LoadError {
            path: path.display().to_string(),
            host,
            kind,
        };
        // SAFETY: loading a shared object runs its initialisers. A host that
        // loads a library has to trust that library; Rust cdylibs run no
        // initialisers ferryman does not know about.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|error| fail(LoadErrorKind::Open(loader_message(&error))))?;

        // SAFETY: the ABI declares `uint32_t ferryman_abi_version(void)`; the
        // pointer is copied out and the handle is never closed.
        let abi_version: AbiVersionFn =
            unsafe { library.get::<AbiVersionFn>(b"ferryman_abi_version\0") }
                .map(|symbol| *symbol)
                .map_err(|_| fail(LoadErrorKind::NotFerryman))?;
        // SAFETY: the symbol has the declared signature, takes no arguments and,
        // per the ABI, never unwinds.
        let version = unsafe { abi_version() };
        if version != ABI_VERSION {
            return Err(fail(LoadErrorKind::AbiMismatch(version)));
        }
        let missing = |(symbol, reason)| fail(LoadErrorKind::MissingSymbol { symbol, reason });
        // SAFETY: (this and the next four look-ups) the ABI version matched, so
        // each symbol has the C signature `spec/abi.md` gives it; the handle
        // is never closed, so the copied pointers stay valid.
        let handshake_fn =
            unsafe { resolve::<WriteFn>(&library, "ferryman_handshake") }.map_err(missing)?;
        // SAFETY: as above.
        let describe_fn =
            unsafe { resolve::<WriteFn>(&library, "ferryman_describe") }.map_err(missing)?;
        // SAFETY: as above.
        let function_id_fn = unsafe { resolve::<FunctionIdFn>(&library, "ferryman_function_id") }
            .map_err(missing)?;
        // SAFETY: as above.
        let call_fn = unsafe { resolve::<CallFn>(&library, "ferryman_call") }.map_err(missing)?;
        // SAFETY: as above.
        let box_free =
            unsafe { resolve::<BoxFreeFn>(&library, "ferryman_box_free") }.map_err(missing)?;
        // SAFETY: as above; a library without them still serves plain calls.
        let closures = unsafe { Closures::resolve(&library, box_free) };
        // SAFETY: as above; a library without them exports no classes.
        let objects = unsafe { Objects::resolve(&library, box_free) };
        // SAFETY: as above; a library without them sends no log records.
        let logs = unsafe { Logs::resolve(&library) };
        // SAFETY: as above; a library without them has no async functions.
        let futures = unsafe { Futures::resolve(&library, box_free) };

        let mut library = Library {
            _library: ManuallyDrop::new(library),
            path: path.to_owned(),
            abi_version: version,
            handshake_fn,
            describe_fn,
            function_id_fn,
            call_fn,
            box_free,
            closures,
            objects,
            logs,
            futures,
            handshake: Handshake::default(),
        };
        let mut out = Vec::new();
        let handshake = read_map(
            "ferryman_handshake",
            library.handshake_into(&mut out),
            Handshake::decode,
        )
        .map_err(|error| fail(LoadErrorKind::Handshake(Box::new(error))))?;
        if handshake.identity.wire != Some(WIRE_VERSION) {
            return Err(fail(LoadErrorKind::WireMismatch(handshake.identity.wire)));
        }
        library.handshake = handshake;
        Ok(library)
    }

    /// The path the library was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ABI version the library reported (always the one this crate speaks).
    pub fn abi_version(&self) -> u32 {
        self.abi_version
    }

    /// The handshake, read when the library was loaded.
    pub fn handshake(&self) -> &Handshake {
        &self.handshake
    }

    /// Whether arguments may hold lent bytes (the handshake's `lent_bytes`).
    pub fn lent_bytes(&self) -> bool {
        self.handshake.identity.lent_bytes
    }

    /// Whether arguments may hold lent slices (the handshake's `lent_slices`).
    pub fn lent_slices(&self) -> bool {
        self.handshake.identity.lent_slices
    }

    /// `ferryman_handshake` into `out`, as bytes.
    pub fn handshake_into<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: `boxed` is a valid box the host owns (or the empty box), as
        // the ABI's `out` rule requires; the library writes at most `cap` bytes.
        let code = unsafe { (self.handshake_fn)(&mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_describe` into `out`, as bytes.
    pub fn describe_into<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: as in `handshake_into`.
        let code = unsafe { (self.describe_fn)(&mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// `ferryman_describe`, decoded.
    pub fn describe(&self) -> Result<Describe, EntryError> {
        let mut out = Vec::new();
        read_map(
            "ferryman_describe",
            self.describe_into(&mut out),
            Describe::decode,
        )
    }

    /// `ferryman_function_id`: the id of `name`, if the library has exactly
    /// one function of that name.
    pub fn function_id(&self, name: &str) -> Option<u32> {
        let name_box = borrowed_box(name.as_bytes());
        // SAFETY: `name_box` points at `name`, alive for the call; the library
        // only reads `ptr[0..len]` and keeps nothing.
        let id = unsafe { (self.function_id_fn)(&name_box) };
        u32::try_from(id).ok()
    }

    /// `ferryman_call(id, args, out)`: calls function `id` with the MessagePack
    /// argument array `args`; the result or error value lands in `out` or, when
    /// it does not fit, in a library box the [`Reply`] frees.
    ///
    /// # Safety
    ///
    /// Every lent bytes value (extension 3) in `args` must name memory that is
    /// readable and unchanged until the call returns, and, for a non-zero
    /// handle, for as long as the library holds a reference to that host
    /// object (`spec/abi.md`, "Lent bytes"). Arguments without extension 3 are
    /// always safe to pass.
    #[inline]
    pub unsafe fn call<'a>(&self, id: u32, args: &[u8], out: &'a mut Vec<u8>) -> Reply<'a> {
        let args_box = borrowed_box(args);
        let mut boxed = Reply::host_box(out);
        // SAFETY: `args_box` borrows `args` for the duration of the call and the
        // library neither frees nor keeps it; lent bytes are the caller's
        // promise; `boxed` follows the `out` rule.
        let code = unsafe { (self.call_fn)(id, &args_box, &mut boxed) };
        Reply::new(code, &boxed, out, self.box_free)
    }

    /// [`Library::call`] with `out` a slice of memory the host owns some
    /// other way (a host language's byte object the result is wanted in):
    /// the library writes the result there when it fits.
    ///
    /// # Safety
    ///
    /// As [`Library::call`].
    #[inline]
    pub unsafe fn call_in<'a>(
        &self,
        id: u32,
        args: &[u8],
        out: &'a mut [MaybeUninit<u8>],
    ) -> Reply<'a> {
        let args_box = borrowed_box(args);
        let mut boxed = Reply::slice_box(out);
        // SAFETY: as in `call`.
        let code = unsafe { (self.call_fn)(id, &args_box, &mut boxed) };
        Reply::in_slice(code, &boxed, out, self.box_free)
    }

    /// The library's closure entry points, when it has them (a library built
    /// against ferryman always does).
    pub fn closures(&self) -> Option<&Closures> {
        self.closures.as_ref()
    }

    /// The library's object entry points (`ferryman_object_release`, ...),
    /// when it has them (a library built with objects support always does).
    pub fn objects(&self) -> Option<&Objects> {
        self.objects.as_ref()
    }

    /// The library's log entry points (`ferryman_log_connect`, ...), when it
    /// has them (libraries built before logs existed do not).
    pub fn logs(&self) -> Option<&Logs> {
        self.logs.as_ref()
    }

    /// The library's future and stream entry points
    /// (`ferryman_completion_connect`, ...), when it has them (libraries
    /// built before async functions existed do not).
    pub fn futures(&self) -> Option<&Futures> {
        self.futures.as_ref()
    }
}

/// A box that lends `bytes` to the library (which only reads them).
#[inline]
pub(crate) fn borrowed_box(bytes: &[u8]) -> FerryBox {
    if bytes.is_empty() {
        return FerryBox::EMPTY;
    }
    FerryBox {
        ptr: bytes.as_ptr().cast_mut(),
        len: bytes.len(),
        cap: bytes.len(),
    }
}

/// The map an entry point wrote, decoded by `decode`.
pub(crate) fn read_map<T, E: Into<crate::shape_error::ShapeError>>(
    entry: &'static str,
    reply: Reply<'_>,
    decode: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, EntryError> {
    if !reply.is_ok() {
        return Err(EntryError::Status {
            entry,
            code: reply.code(),
        });
    }
    let bytes = reply
        .bytes()
        .map_err(|problem| EntryError::Box { entry, problem })?;
    decode(bytes).map_err(|error| EntryError::Shape {
        entry,
        error: error.into(),
    })
}

/// Looks up `name` and copies the function pointer out.
///
/// # Safety
///
/// `T` must be the function pointer type of the symbol's real signature, and the
/// pointer must not be called after `library` is closed.
pub(crate) unsafe fn resolve<T: Copy>(
    library: &libloading::Library,
    name: &'static str,
) -> Result<T, (&'static str, String)> {
    // SAFETY: the caller guarantees `T` matches the symbol's type.
    unsafe { library.get::<T>(name.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|error| (name, loader_message(&error)))
}

/// The loader's own text (`dlerror`'s), which libloading keeps as the source.
fn loader_message(error: &libloading::Error) -> String {
    use std::error::Error as _;
    match error.source() {
        Some(source) => source.to_string(),
        None => error.to_string(),
    }
}
