//! The host side of `spec/callbacks.md`: the `FerryHost` vtable this package
//! registers with every library it loads, and the library's closure symbols.
//!
//! Every function of the vtable may be called by Rust on any thread, at any
//! time, also long after the call that passed a Python callable has returned.
//! Each one runs inside `catch_unwind` (nothing unwinds into the library) and
//! takes the GIL itself, only for as long as it touches Python objects: Rust
//! code never runs with the GIL held, so a callback from a Rust thread never
//! waits for a thread that is itself waiting for Rust. Once the interpreter
//! begins to exit they no longer take it (`shutdown.rs`).

use std::cell::Cell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ferryman_abi::{FerryBox, FerryHost, ABI_VERSION};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::decode::decode_with;
use crate::encode::{encode, EncodeError};
use crate::exceptions;
use crate::loaded::{resolve, BoxFreeFn, LoadError, WriteFn};
use crate::main_thread;
use crate::objects::{self, Held};
use crate::reply::Reply;
use crate::scope::{self, Scope, Standing};
use crate::shutdown;
use crate::sigint;
use crate::stack;

type RegisterHostFn = unsafe extern "C" fn(*const FerryHost) -> i32;
type ClosureCallFn = unsafe extern "C" fn(u64, *const FerryBox, *mut FerryBox) -> i32;
type ClosureReleaseFn = unsafe extern "C" fn(u64) -> i32;

/// `FERRY_ERROR`, `FERRY_INTERNAL`.
const STATUS_ERROR: i32 = 1;
const STATUS_INTERNAL: i32 = 5;

/// How often a Rust loop calling `ferryman::check_interrupt()` actually takes
/// the GIL to look for a pending signal.
const CHECK_EVERY: Duration = Duration::from_millis(1);

/// The four symbols a library needs for callables (`spec/abi.md`). A library
/// without them still loads; it just cannot take or return callables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Symbols {
    register_host: RegisterHostFn,
    closure_call: ClosureCallFn,
    closure_release: ClosureReleaseFn,
    live_closures: WriteFn,
    box_free: BoxFreeFn,
}

impl Symbols {
    /// Looks the symbols up, or `None` when the library lacks one of them.
    ///
    /// # Safety
    ///
    /// The library speaks ABI version 1 (so each symbol has the signature
    /// `spec/abi.md` gives it) and is never closed.
    pub(crate) unsafe fn resolve(
        library: &libloading::Library,
        box_free: BoxFreeFn,
    ) -> Option<Symbols> {
        let resolved = || -> Result<Symbols, LoadError> {
            // SAFETY: (this and the next three) the caller guarantees the ABI
            // version, hence the signatures, and that the handle stays open.
            let register_host = unsafe { resolve(library, "ferryman_register_host") }?;
            // SAFETY: as above.
            let closure_call = unsafe { resolve(library, "ferryman_closure_call") }?;
            // SAFETY: as above.
            let closure_release = unsafe { resolve(library, "ferryman_closure_release") }?;
            // SAFETY: as above.
            let live_closures = unsafe { resolve(library, "ferryman_live_closures") }?;
            Ok(Symbols {
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
/// address is the `context` of our `FerryHost` and `RustFunction`s can hold a
/// `&'static` to it.
#[derive(Debug)]
pub(crate) struct Runtime {
    symbols: Symbols,
    host_id: OnceLock<u32>,
    on_error: OnceLock<Py<PyAny>>,
}

impl Runtime {
    /// Registers this package as a host of the library; `None` when refused.
    ///
    /// Once per library in the process: loading the same library again (the
    /// dynamic loader hands back the same copy) reuses the registration, so the
    /// library keeps seeing exactly one host, which is what lets it return
    /// exceptions and lent bytes by handle (`spec/callbacks.md`). Each load
    /// still gets a `Runtime` of its own, for its own error factory.
    pub(crate) fn register(symbols: Symbols) -> Option<&'static Runtime> {
        type Registered = Vec<(usize, Option<u32>)>;
        static REGISTERED: Mutex<Registered> = Mutex::new(Vec::new());
        let mut registered = REGISTERED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = symbols.register_host as usize;
        if let Some((_, host_id)) = registered.iter().find(|(k, _)| *k == key) {
            let host_id = (*host_id)?;
            let runtime: &'static Runtime = Box::leak(Box::new(Runtime {
                symbols,
                host_id: OnceLock::from(host_id),
                on_error: OnceLock::new(),
            }));
            return Some(runtime);
        }
        let runtime = Runtime::register_new(symbols);
        registered.push((key, runtime.and_then(Runtime::host_id)));
        runtime
    }

    fn register_new(symbols: Symbols) -> Option<&'static Runtime> {
        let runtime: &'static Runtime = Box::leak(Box::new(Runtime {
            symbols,
            host_id: OnceLock::new(),
            on_error: OnceLock::new(),
        }));
        let host = FerryHost {
            abi_version: ABI_VERSION,
            context: std::ptr::from_ref(runtime).cast_mut().cast(),
            invoke: Some(invoke),
            retain: Some(retain),
            release: Some(release),
            free_box: Some(free_box),
            check_interrupt: Some(check_interrupt),
        };
        // SAFETY: `host` is a complete vtable whose functions may be called from
        // any thread at any time, and whose context lives forever (leaked above);
        // the library copies the struct.
        let id = unsafe { (symbols.register_host)(&host) };
        let id = u32::try_from(id).ok()?;
        let _ = runtime.host_id.set(id);
        Some(runtime)
    }

    /// The id the library gave this host (carried by every host object we send).
    pub(crate) fn host_id(&self) -> Option<u32> {
        self.host_id.get().copied()
    }

    /// Whether `self` and `other` are the same copy of the ferryman runtime (the
    /// same library, possibly loaded twice), so closure handles mean the same.
    pub(crate) fn same_as(&self, other: &Runtime) -> bool {
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
    ) -> Reply<'a> {
        let args_box = crate::loaded::borrowed_box(args);
        let mut boxed = Reply::host_box(out);
        // SAFETY: as `ferryman_call` (`Loaded::call`): `args_box` borrows `args`
        // for the call, `boxed` follows the ABI's `out` rule.
        let status = unsafe { (self.symbols.closure_call)(handle, &args_box, &mut boxed) };
        Reply::new(status, boxed, out, self.symbols.box_free)
    }

    /// `ferryman_closure_release(handle)`: the host's reference is gone.
    pub(crate) fn closure_release(&self, handle: u64) {
        // SAFETY: takes a plain integer and never unwinds; a handle that is not
        // live is reported, not undefined behaviour.
        unsafe { (self.symbols.closure_release)(handle) };
    }

    /// `ferryman_live_closures(out)`.
    pub(crate) fn live_closures<'a>(&self, out: &'a mut Vec<u8>) -> Reply<'a> {
        let mut boxed = Reply::host_box(out);
        // SAFETY: `boxed` follows the ABI's `out` rule.
        let status = unsafe { (self.symbols.live_closures)(&mut boxed) };
        Reply::new(status, boxed, out, self.symbols.box_free)
    }
}

/// What `invoke` and `check_interrupt` hand the library: a status, one
/// MessagePack value, and what must stay alive until the library frees the box.
struct Answer {
    status: i32,
    bytes: Vec<u8>,
    held: Vec<Held>,
}

impl Answer {
    /// A failure of the bridge itself (kind `internal`).
    fn bridge(message: &str) -> Answer {
        let failure = HostFailure {
            kind: "internal",
            type_name: "BridgeError".to_owned(),
            message: message.to_owned(),
            frames: Vec::new(),
            notes: Vec::new(),
            host_exception: None,
        };
        Answer {
            status: STATUS_INTERNAL,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// Ctrl-C, reported where no Python exception can be made (the GIL may be
    /// held by the thread waiting for this one): type `KeyboardInterrupt`, no
    /// handle.
    fn interrupt_without_exception() -> Answer {
        let failure = HostFailure {
            kind: "host",
            type_name: "KeyboardInterrupt".to_owned(),
            message: String::new(),
            frames: Vec::new(),
            notes: Vec::new(),
            host_exception: None,
        };
        Answer {
            status: STATUS_ERROR,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// A Python exception, kept under a handle the library holds one reference to.
    fn exception(py: Python<'_>, error: PyErr) -> Answer {
        let traceback = error.traceback(py).map(Bound::into_any);
        let exception = error.into_value(py).into_bound(py).into_any();
        let frames = python_frames(&traceback);
        let type_name = exception
            .get_type()
            .name()
            .map(|name| name.to_string())
            .unwrap_or_else(|_| "Exception".to_owned());
        let message = exception
            .str()
            .map(|text| text.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("<unprintable {type_name} object>"));
        if exception.is_instance_of::<PyKeyboardInterrupt>() {
            // Ctrl-C reaches Python even if Rust swallows this error.
            scope::record_interrupt(exception.clone().unbind());
        }
        let notes = exception
            .getattr(pyo3::intern!(py, "__notes__"))
            .ok()
            .and_then(|notes| notes.extract::<Vec<String>>().ok())
            .unwrap_or_default();
        let host_exception = exceptions::keep(
            py,
            exception.unbind(),
            traceback.map(Bound::unbind),
            frames.len(),
        );
        let failure = HostFailure {
            kind: "host",
            type_name,
            message,
            frames,
            notes,
            host_exception,
        };
        Answer {
            status: STATUS_ERROR,
            bytes: failure.encode(),
            held: Vec::new(),
        }
    }

    /// Hands the bytes over as a box only the host frees (`free_box`).
    fn into_box(self) -> FerryBox {
        let mut bytes = std::mem::ManuallyDrop::new(self.bytes);
        if bytes.capacity() == 0 {
            return FerryBox::EMPTY;
        }
        let boxed = FerryBox {
            ptr: bytes.as_mut_ptr(),
            len: bytes.len(),
            cap: bytes.capacity(),
        };
        objects::keep_with_box(boxed.ptr, self.held);
        boxed
    }
}

/// One frame of a wire error value.
struct WireFrame {
    function: String,
    file: String,
    line: u32,
    language: &'static str,
}

/// An error value (`spec/wire.md`) the host reports to Rust.
struct HostFailure {
    kind: &'static str,
    type_name: String,
    message: String,
    frames: Vec<WireFrame>,
    notes: Vec<String>,
    host_exception: Option<u64>,
}

impl HostFailure {
    /// The error value with all its keys; writing into a `Vec` cannot fail.
    fn encode(&self) -> Vec<u8> {
        use rmp::encode::{write_array_len, write_map_len, write_nil, write_str, write_uint};
        let mut out = Vec::with_capacity(128 + 64 * self.frames.len());
        let out = &mut out;
        let nil_keys = [
            "rust_type",
            "function",
            "param",
            "index",
            "expected",
            "found",
            "variant",
            "fields",
        ];
        let _ = write_map_len(out, 7 + nil_keys.len() as u32);
        let _ = write_str(out, "kind");
        let _ = write_str(out, self.kind);
        let _ = write_str(out, "type");
        let _ = write_str(out, &self.type_name);
        let _ = write_str(out, "message");
        let _ = write_str(out, &self.message);
        for key in nil_keys {
            let _ = write_str(out, key);
            let _ = write_nil(out);
        }
        let _ = write_str(out, "causes");
        let _ = write_array_len(out, 0);
        let _ = write_str(out, "notes");
        let _ = write_array_len(out, len_u32(self.notes.len()));
        for note in &self.notes {
            let _ = write_str(out, note);
        }
        let _ = write_str(out, "frames");
        let _ = write_array_len(out, len_u32(self.frames.len()));
        for frame in &self.frames {
            let _ = write_map_len(out, 5);
            let _ = write_str(out, "function");
            let _ = write_str(out, &frame.function);
            let _ = write_str(out, "file");
            let _ = write_str(out, &frame.file);
            let _ = write_str(out, "line");
            let _ = write_uint(out, u64::from(frame.line));
            let _ = write_str(out, "column");
            let _ = write_uint(out, 0);
            let _ = write_str(out, "language");
            let _ = write_str(out, frame.language);
        }
        let _ = write_str(out, "host_exception");
        match self.host_exception {
            Some(id) => {
                let _ = write_uint(out, id);
            }
            None => {
                let _ = write_nil(out);
            }
        }
        std::mem::take(out)
    }
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The frames of a Python traceback, outermost first. Frames `_traceback.py`
/// made for Rust code (module name `rust`) keep language `rust`.
fn python_frames(traceback: &Option<Bound<'_, PyAny>>) -> Vec<WireFrame> {
    const MOST: usize = 1000;
    let mut frames = Vec::new();
    let Some(first) = traceback else {
        return frames;
    };
    let py = first.py();
    let mut next = Some(first.clone());
    while let Some(entry) = next.take() {
        if frames.len() == MOST {
            break;
        }
        let read = || -> PyResult<WireFrame> {
            let frame = entry.getattr(pyo3::intern!(py, "tb_frame"))?;
            let code = frame.getattr(pyo3::intern!(py, "f_code"))?;
            let module = frame
                .getattr(pyo3::intern!(py, "f_globals"))?
                .get_item(pyo3::intern!(py, "__name__"))
                .ok()
                .and_then(|name| name.extract::<String>().ok());
            Ok(WireFrame {
                function: code.getattr(pyo3::intern!(py, "co_name"))?.extract()?,
                file: code.getattr(pyo3::intern!(py, "co_filename"))?.extract()?,
                line: entry
                    .getattr(pyo3::intern!(py, "tb_lineno"))?
                    .extract::<Option<u32>>()?
                    .unwrap_or(0),
                language: if module.as_deref() == Some("rust") {
                    "rust"
                } else {
                    "python"
                },
            })
        };
        if let Ok(frame) = read() {
            frames.push(frame);
        }
        next = entry
            .getattr(pyo3::intern!(py, "tb_next"))
            .ok()
            .filter(|next| !next.is_none());
    }
    frames
}

/// The runtime behind a `context` we registered.
///
/// # Safety
///
/// `context` is NULL or the pointer `Runtime::register` passed as context.
unsafe fn runtime_of(context: *mut c_void) -> Option<&'static Runtime> {
    // SAFETY: per the contract, a leaked `Runtime`, alive forever, only read.
    unsafe { context.cast::<Runtime>().cast_const().as_ref() }
}

/// Calls `object(*args)` and encodes what it returns or raises.
fn invoke_in(
    py: Python<'_>,
    runtime: Option<&'static Runtime>,
    handle: u64,
    args: &[u8],
) -> Answer {
    let Some(object) = objects::get(py, handle) else {
        return Answer::bridge(&format!("host object {handle} is not live"));
    };
    let args = match decode_with(py, args, None, runtime) {
        Ok(args) => args,
        Err(error) => {
            return Answer::bridge(&format!(
                "the arguments of a callback do not decode: {}",
                error.describe(py)
            ))
        }
    };
    let Ok(args) = args.cast::<PyList>().map(|list| list.to_tuple()) else {
        return Answer::bridge("the arguments of a callback are not an array");
    };
    let result = match object.bind(py).call1(args) {
        Ok(result) => result,
        Err(error) => return Answer::exception(py, error),
    };
    let scope = Scope::encoding(runtime);
    let mut bytes = Vec::new();
    match encode(&mut bytes, &result) {
        Ok(()) => Answer {
            status: 0,
            bytes,
            held: scope.take_held(),
        },
        Err(located) => {
            drop(scope);
            let place = located.path_text();
            let name = callable_name(object.bind(py));
            let (kind, found, message) = match located.error {
                EncodeError::Python(error) => return Answer::exception(py, error),
                EncodeError::Unsupported(found) => (
                    "type",
                    Some(found.clone()),
                    format!("{name} returned a value ferryman cannot send{place}: a value of type '{found}'"),
                ),
                EncodeError::Overflow(what) => (
                    "overflow",
                    Some("int".to_owned()),
                    format!("{name} returned a value ferryman cannot send{place}: {what} does not fit in 64 bits"),
                ),
                EncodeError::Invalid(what) => (
                    "type",
                    None,
                    format!("{name} returned a value ferryman cannot send{place}: {what}"),
                ),
                EncodeError::TooDeep => (
                    "type",
                    None,
                    format!(
                        "{name} returned a value nested deeper than {} levels",
                        crate::encode::MAX_DEPTH
                    ),
                ),
            };
            Answer::exception(py, unsendable_result(py, kind, found, message))
        }
    }
}

/// The exception for a callback result ferryman cannot send: a
/// `ferryman.ArgumentError` (a `TypeError`), or for a `kind` of `overflow` an
/// `ArgumentOverflowError` (also an `OverflowError`).
fn unsendable_result(py: Python<'_>, kind: &str, found: Option<String>, message: String) -> PyErr {
    let class = if kind == "overflow" {
        "ArgumentOverflowError"
    } else {
        "ArgumentError"
    };
    let build = || -> PyResult<PyErr> {
        let exception = py
            .import(pyo3::intern!(py, "ferryman._errors"))?
            .getattr(class)?
            .call1((&message,))?;
        exception.setattr("kind", kind)?;
        exception.setattr("found", found.as_deref())?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|error| error)
}

/// `callback 'double'` (its `__qualname__`) for messages.
fn callable_name(object: &Bound<'_, PyAny>) -> String {
    object
        .getattr(pyo3::intern!(object.py(), "__qualname__"))
        .and_then(|name| name.extract::<String>())
        .map(|name| format!("callback '{name}'"))
        .unwrap_or_else(|_| "a callback".to_owned())
}

/// Writes `answer` into the library's `out` box and returns its status.
///
/// # Safety
///
/// `out` is NULL or points to a box the library lets us fill.
unsafe fn answer(out: *mut FerryBox, answer: Answer) -> i32 {
    let status = answer.status;
    // SAFETY: NULL or valid, per the contract.
    match unsafe { out.as_mut() } {
        Some(out) => *out = answer.into_box(),
        None => drop(answer),
    }
    status
}

/// Runs `body`; a panic (which would be a bug in this package) becomes `fallback`.
fn guarded<R>(fallback: impl FnOnce() -> R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            // Dropping a panic payload can itself panic.
            std::mem::forget(payload);
            fallback()
        }
    }
}

/// `int32_t invoke(void *context, uint64_t handle, const FerryBox *args, FerryBox *out)`.
///
/// # Safety
///
/// Called by the library only: `context` is ours, `args` is NULL or a box
/// borrowed for the call, `out` is NULL or the empty box.
unsafe extern "C" fn invoke(
    context: *mut c_void,
    handle: u64,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: `context` is the one we registered.
    let runtime = unsafe { runtime_of(context) };
    // SAFETY: NULL or a box whose `len` bytes stay readable during the call.
    let args = unsafe { args.as_ref() }
        // SAFETY: as above.
        .map(|args| unsafe { borrow(args) })
        .unwrap_or(&[]);
    let result = guarded(
        || Answer::bridge("ferryman's Python host failed (a bug; please report it)"),
        || {
            let low_on_stack = stack::too_little_left();
            shutdown::attach(|py| match low_on_stack {
                Some((left, size)) => Answer::exception(py, recursion_error(left, size)),
                None => invoke_in(py, runtime, handle, args),
            })
            .unwrap_or_else(|| Answer::bridge(not_running()))
        },
    );
    // SAFETY: `out` is NULL or the library's empty box, ours to fill.
    unsafe { answer(out, result) }
}

/// The error of a callback refused because its thread's stack is almost used up
/// (Python ↔ Rust recursion).
fn recursion_error(left: usize, size: usize) -> PyErr {
    pyo3::exceptions::PyRecursionError::new_err(format!(
        "maximum recursion depth exceeded while calling a Python callback from Rust \
         ({} KiB of this thread's {} KiB stack left)",
        left / 1024,
        size / 1024
    ))
}

/// Why a callback cannot run: the interpreter is gone or going.
fn not_running() -> &'static str {
    if shutdown::shutting_down() {
        "the Python interpreter is shutting down"
    } else {
        "the Python interpreter is not running"
    }
}

/// `void retain(void *context, uint64_t handle)`.
///
/// # Safety
///
/// Called by the library only.
unsafe extern "C" fn retain(_context: *mut c_void, handle: u64) {
    guarded(|| (), || objects::retain(handle));
}

/// `void release(void *context, uint64_t handle)`.
///
/// # Safety
///
/// Called by the library only.
unsafe extern "C" fn release(_context: *mut c_void, handle: u64) {
    guarded(
        || (),
        || {
            if let Some(object) = objects::release(handle) {
                objects::drop_with_gil(vec![Held::Object(object)]);
            }
        },
    );
}

/// `void free_box(void *context, FerryBox *box)`: frees a box `invoke` or
/// `check_interrupt` made, and what was kept alive with it.
///
/// # Safety
///
/// `boxed` is NULL, the empty box, or a box this host made and has not freed.
unsafe extern "C" fn free_box(_context: *mut c_void, boxed: *mut FerryBox) {
    // SAFETY: NULL or valid, per the contract.
    let Some(boxed) = (unsafe { boxed.as_mut() }) else {
        return;
    };
    let FerryBox { ptr, len, cap } = std::mem::replace(boxed, FerryBox::EMPTY);
    if ptr.is_null() {
        return;
    }
    guarded(
        || (),
        || {
            let held = objects::take_from_box(ptr);
            // SAFETY: `Answer::into_box` made this box from a `Vec<u8>` of exactly
            // this pointer, length and capacity, and it is freed only here.
            drop(unsafe { Vec::from_raw_parts(ptr, len, cap) });
            objects::drop_with_gil(held);
        },
    );
}

thread_local! {
    /// When this thread last looked for a pending signal.
    static LAST_CHECK: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// `int32_t check_interrupt(void *context, FerryBox *out)`.
///
/// On Python's main thread inside a ferryman call it runs Python's signal
/// handlers (at most every [`CHECK_EVERY`]): a `KeyboardInterrupt`, or
/// whatever a handler raised, comes back as an error value naming the
/// exception. On a thread with no call of its own — one the library started —
/// it reports Ctrl-C pressed while the main thread is inside a call
/// (`sigint.rs`), without the GIL: an error value of type
/// `KeyboardInterrupt` naming no exception; Python raises its own when the
/// call returns. Another Python thread's call is never interrupted.
///
/// # Safety
///
/// Called by the library only; `out` is NULL or the empty box.
unsafe extern "C" fn check_interrupt(_context: *mut c_void, out: *mut FerryBox) -> i32 {
    let result = guarded(
        || None,
        || match scope::standing() {
            Standing::MainCall => run_signal_handlers(),
            Standing::Outside => interrupt_seen_by_a_worker(),
            Standing::OtherCall => None,
        },
    );
    match result {
        // SAFETY: `out` is NULL or the library's empty box, ours to fill.
        Some(result) => unsafe { answer(out, result) },
        None => 0,
    }
}

/// The main thread's check: Python's own signal handlers, rate-limited.
fn run_signal_handlers() -> Option<Answer> {
    let now = Instant::now();
    let due = LAST_CHECK
        .with(Cell::get)
        .is_none_or(|last| now.duration_since(last) >= CHECK_EVERY);
    if !due {
        return None;
    }
    LAST_CHECK.with(|last| last.set(Some(now)));
    shutdown::attach(|py| {
        py.check_signals()
            .err()
            .map(|error| Answer::exception(py, error))
    })
    .flatten()
}

/// A worker thread's check: Ctrl-C while the main thread is in a call.
fn interrupt_seen_by_a_worker() -> Option<Answer> {
    if !main_thread::in_call() || shutdown::shutting_down() {
        return None;
    }
    if sigint::seen() {
        return Some(Answer::interrupt_without_exception());
    }
    sigint::notice_if_unwatched();
    None
}

/// The bytes of a box the library lends us.
///
/// # Safety
///
/// `boxed.ptr` holds `boxed.len` readable bytes (or is NULL) for `'a`.
unsafe fn borrow<'a>(boxed: &FerryBox) -> &'a [u8] {
    if boxed.ptr.is_null() || boxed.len == 0 {
        return &[];
    }
    // SAFETY: per the contract.
    unsafe { std::slice::from_raw_parts(boxed.ptr, boxed.len) }
}
