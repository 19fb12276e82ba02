//! Registering a host (`spec/callbacks.md`): a host language implements
//! [`Host`] for its objects; this module makes the `FerryHost` vtable of
//! `extern "C"` trampolines, runs each inside `catch_unwind`, hands answers
//! over as boxes the host allocated and takes them back in `free_box`.

use std::any::{Any, TypeId};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ferryman_abi::{FerryBox, FerryHost, ABI_VERSION};
use ferryman_error::{ErrorView, Message};

use crate::closures::Closures;
use crate::completion::Completed;
use crate::reply::BoxFreeFn;
use crate::status::Status;

/// What a host language does for the library: run, count and free its own
/// objects (callables, lent bytes, exceptions), known to the library by handle
/// (numbered from 1: handle 0 means no object).
///
/// Every method may be called on any thread, at any time while the library is
/// loaded, also long after the call that passed the object returned. A panic
/// in a method never reaches the library: `invoke` and `check_interrupt` then
/// answer [`Host::failed`], the others do nothing.
pub trait Host: Sync + 'static {
    /// What must stay alive until the library frees an answer's box (the
    /// objects a result refers to, say); given back to
    /// [`Host::release_held`] then.
    type Held: Send + 'static;

    /// Calls object `handle` with the MessagePack argument array `args`
    /// (borrowed for the call): the result (status `Ok`) or an error value
    /// (status `Error`; kind `host` for an exception the object raised,
    /// `internal` when it could not run).
    ///
    /// Every callable inside `args` comes with one reference for the host: a
    /// host object's the host drops once decoded, a library closure's it
    /// releases (`ferryman_closure_release`) once, called or not
    /// (`spec/callbacks.md`, "Host objects").
    fn invoke(&self, handle: u64, args: &[u8]) -> Answer<Self::Held>;

    /// The library took a reference to object `handle`.
    fn retain(&self, handle: u64);

    /// The library dropped a reference to object `handle`.
    fn release(&self, handle: u64);

    /// Whether the user asked the running call to stop (Ctrl-C): `None` when
    /// not, otherwise the error value to report.
    fn check_interrupt(&self) -> Option<Answer<Self::Held>> {
        None
    }

    /// The box of an answer holding `held` was freed by the library.
    fn release_held(&self, held: Self::Held) {
        drop(held);
    }

    /// The answer when `invoke` or `check_interrupt` panicked (a bug in the
    /// host): kind `internal`.
    fn failed(&self) -> Answer<Self::Held> {
        Answer::bridge("the ferryman host failed (a bug; please report it)")
    }

    /// A future (or a pending stream next) the host started with `token`
    /// ended (`spec/abi.md`, "Futures"): its outcome, whose box is freed
    /// when this returns. Called once per started future, on any thread (a
    /// library executor's, or the one inside `ferryman_future_start`,
    /// `ferryman_future_cancel` or `ferryman_stream_release`): hand the
    /// outcome to the host's event loop and return quickly. Only called once
    /// the host connected ([`crate::Futures::connect`]); the default ignores it.
    fn complete(&self, token: u64, outcome: Completed<'_>) {
        let _ = (token, outcome);
    }
}

/// What `invoke` or `check_interrupt` hands the library: a status, one
/// MessagePack value (the result for `Ok`, an error value otherwise), and
/// what must stay alive until the library frees the box.
#[derive(Debug)]
pub struct Answer<H> {
    status: Status,
    bytes: Vec<u8>,
    held: Option<H>,
}

impl<H> Answer<H> {
    /// A result: `bytes` holds one MessagePack value.
    pub fn ok(bytes: Vec<u8>) -> Answer<H> {
        Answer {
            status: Status::Ok,
            bytes,
            held: None,
        }
    }

    /// A failure with status `status` (not `Ok`): `error_value` holds one
    /// error value (`spec/wire.md`).
    pub fn error(status: Status, error_value: Vec<u8>) -> Answer<H> {
        Answer {
            status,
            bytes: error_value,
            held: None,
        }
    }

    /// A failure, encoded from `view` by the one error-value encoder.
    pub fn failure(status: Status, view: &ErrorView<'_>) -> Answer<H> {
        let mut bytes = Vec::with_capacity(256);
        view.write(&mut bytes);
        Answer::error(status, bytes)
    }

    /// A failure of the bridge itself: kind `internal`, type `BridgeError`.
    pub fn bridge(message: &str) -> Answer<H> {
        let view = ErrorView::new("internal", "BridgeError", Message::Text(message));
        Answer::failure(Status::Internal, &view)
    }

    /// This answer, keeping `held` alive until the library frees its box.
    pub fn holding(mut self, held: H) -> Answer<H> {
        self.held = Some(held);
        self
    }

    /// Its status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Its bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What answers keep alive, by the address of their box; `HELD_COUNT` lets
/// `free_box` skip the lock when nothing is kept (the common case).
#[allow(clippy::type_complexity)]
static HELD: Mutex<Vec<(usize, Box<dyn Any + Send>)>> = Mutex::new(Vec::new());
static HELD_COUNT: AtomicUsize = AtomicUsize::new(0);

fn held_table() -> std::sync::MutexGuard<'static, Vec<(usize, Box<dyn Any + Send>)>> {
    HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<H: Send + 'static> Answer<H> {
    /// Hands the bytes over as a box only the host frees (`free_box`).
    fn into_box(self) -> FerryBox {
        let mut bytes = self.bytes;
        if bytes.capacity() == 0 {
            if self.held.is_none() {
                return FerryBox::EMPTY;
            }
            // Held objects are found by the box's address: it needs one.
            bytes.reserve(1);
        }
        let mut bytes = std::mem::ManuallyDrop::new(bytes);
        let boxed = FerryBox {
            ptr: bytes.as_mut_ptr(),
            len: bytes.len(),
            cap: bytes.capacity(),
        };
        if let Some(held) = self.held {
            held_table().push((boxed.ptr as usize, Box::new(held)));
            HELD_COUNT.fetch_add(1, Ordering::Release);
        }
        boxed
    }
}

/// What a registered host's `context` points at: the host, and the
/// `ferryman_box_free` of the library it is registered with (the completion
/// trampoline frees the library's boxes with it). Leaked at registration,
/// once per library.
pub(crate) struct Registered<H: 'static> {
    pub(crate) host: &'static H,
    pub(crate) box_free: BoxFreeFn,
}

/// The vtable that makes `registered.host` the library's host: context
/// `registered`, every function a trampoline into [`Host`].
pub(crate) fn vtable<H: Host>(registered: &'static Registered<H>) -> FerryHost {
    FerryHost {
        abi_version: ABI_VERSION,
        context: std::ptr::from_ref(registered).cast_mut().cast(),
        invoke: Some(invoke::<H>),
        retain: Some(retain::<H>),
        release: Some(release::<H>),
        free_box: Some(free_box::<H>),
        check_interrupt: Some(check_interrupt::<H>),
    }
}

impl Closures {
    /// Registers `host` with the library (`ferryman_register_host`); `None`
    /// when the library refuses. The id goes into every host object sent.
    ///
    /// Once per library in the process: registering again (the same library
    /// loaded twice, where the dynamic loader hands back the same copy)
    /// returns the first id and leaves the first host in place, so the library
    /// keeps seeing one host — which is what lets it return exceptions and
    /// lent bytes by handle (`spec/callbacks.md`).
    pub fn register_host<H: Host>(&self, host: &'static H) -> Option<u32> {
        let mut registered = registrations();
        let key = self.register_host as usize;
        if let Some(entry) = registered.iter().find(|entry| entry.library == key) {
            return entry.id;
        }
        let context: &'static Registered<H> = Box::leak(Box::new(Registered {
            host,
            box_free: self.box_free,
        }));
        let vtable = vtable(context);
        // SAFETY: `vtable` is complete; its functions may be called from any
        // thread at any time (the `Host` contract) and its context is
        // `'static`; the library copies the struct.
        let id = unsafe { (self.register_host)(&vtable) };
        let id = u32::try_from(id).ok();
        registered.push(Registration {
            library: key,
            id,
            host: std::ptr::from_ref(host) as usize,
            host_type: TypeId::of::<H>(),
        });
        id
    }

    /// The id `host` is registered with in this library, when it is the host
    /// this library's context points at (same object, same type): what makes
    /// [`crate::Futures::connect`]'s trampoline read the context as an `H`.
    pub(crate) fn registered_id<H: Host>(&self, host: &'static H) -> Option<u32> {
        let key = self.register_host as usize;
        registrations()
            .iter()
            .find(|entry| entry.library == key)
            .filter(|entry| {
                entry.host == std::ptr::from_ref(host) as usize
                    && entry.host_type == TypeId::of::<H>()
            })
            .and_then(|entry| entry.id)
    }
}

/// One library's registration (`ferryman_register_host` is called once per
/// library in the process).
struct Registration {
    /// The library, by the address of its `ferryman_register_host`.
    library: usize,
    id: Option<u32>,
    /// The host registered, by address and type.
    host: usize,
    host_type: TypeId,
}

fn registrations() -> std::sync::MutexGuard<'static, Vec<Registration>> {
    static REGISTERED: Mutex<Vec<Registration>> = Mutex::new(Vec::new());
    REGISTERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `body`; a panic becomes `fallback()` (itself guarded).
#[inline]
pub(crate) fn guarded<R>(fallback: impl FnOnce() -> R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            // Dropping a panic payload can itself panic.
            std::mem::forget(payload);
            match catch_unwind(AssertUnwindSafe(fallback)) {
                Ok(value) => value,
                Err(payload) => {
                    std::mem::forget(payload);
                    std::process::abort()
                }
            }
        }
    }
}

/// The registration behind a `context` [`vtable`] made.
///
/// # Safety
///
/// `context` is the pointer `vtable::<H>` stored: a `&'static Registered<H>`.
#[inline(always)]
pub(crate) unsafe fn registered_of<'a, H: Host>(context: *mut c_void) -> &'a Registered<H> {
    // SAFETY: per the contract, a `'static` reference, only read.
    unsafe { &*context.cast::<Registered<H>>().cast_const() }
}

/// The host behind a `context` [`vtable`] made.
///
/// # Safety
///
/// As [`registered_of`].
#[inline(always)]
unsafe fn host_of<'a, H: Host>(context: *mut c_void) -> &'a H {
    // SAFETY: per the contract.
    unsafe { registered_of::<H>(context) }.host
}

/// Writes `answer` into the library's `out` box and returns its status.
///
/// # Safety
///
/// `out` is NULL or points to a box the library lets us fill.
#[inline]
unsafe fn put<H: Send + 'static>(out: *mut FerryBox, answer: Answer<H>) -> i32 {
    let code = answer.status.code();
    // SAFETY: NULL or valid, per the contract.
    match unsafe { out.as_mut() } {
        Some(out) => *out = answer.into_box(),
        None => drop(answer),
    }
    code
}

/// The bytes of a box the library lends us.
///
/// # Safety
///
/// `boxed` is NULL or holds `len` readable bytes at `ptr` (or a NULL `ptr`)
/// for `'a`.
#[inline(always)]
unsafe fn borrow<'a>(boxed: *const FerryBox) -> &'a [u8] {
    // SAFETY: NULL or valid, per the contract.
    match unsafe { boxed.as_ref() } {
        Some(b) if !b.ptr.is_null() && b.len != 0 => {
            // SAFETY: per the contract.
            unsafe { std::slice::from_raw_parts(b.ptr, b.len) }
        }
        _ => &[],
    }
}

/// `int32_t invoke(void *context, uint64_t handle, const FerryBox *args, FerryBox *out)`.
///
/// # Safety
///
/// Called by the library only: `context` is a `&'static H`, `args` NULL or a
/// box borrowed for the call, `out` NULL or the empty box.
unsafe extern "C" fn invoke<H: Host>(
    context: *mut c_void,
    handle: u64,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: `context` is the one `vtable` stored.
    let host = unsafe { host_of::<H>(context) };
    // SAFETY: NULL or a box whose `len` bytes stay readable during the call.
    let args = unsafe { borrow(args) };
    let answer = guarded(|| host.failed(), || host.invoke(handle, args));
    // SAFETY: `out` is NULL or the library's empty box, ours to fill.
    unsafe { put(out, answer) }
}

/// `void retain(void *context, uint64_t handle)`.
///
/// # Safety
///
/// Called by the library only, with the context `vtable` stored.
unsafe extern "C" fn retain<H: Host>(context: *mut c_void, handle: u64) {
    // SAFETY: `context` is the one `vtable` stored.
    let host = unsafe { host_of::<H>(context) };
    guarded(|| (), || host.retain(handle));
}

/// `void release(void *context, uint64_t handle)`.
///
/// # Safety
///
/// Called by the library only, with the context `vtable` stored.
unsafe extern "C" fn release<H: Host>(context: *mut c_void, handle: u64) {
    // SAFETY: `context` is the one `vtable` stored.
    let host = unsafe { host_of::<H>(context) };
    guarded(|| (), || host.release(handle));
}

/// `void free_box(void *context, FerryBox *box)`: frees a box `invoke` or
/// `check_interrupt` made, then what was kept alive with it.
///
/// # Safety
///
/// Called by the library only; `boxed` is NULL, the empty box, or a box this
/// host made and has not freed.
unsafe extern "C" fn free_box<H: Host>(context: *mut c_void, boxed: *mut FerryBox) {
    // SAFETY: `context` is the one `vtable` stored.
    let host = unsafe { host_of::<H>(context) };
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
            let held = if HELD_COUNT.load(Ordering::Acquire) == 0 {
                None
            } else {
                let mut table = held_table();
                let found = table.iter().position(|(at, _)| *at == ptr as usize);
                found.map(|index| {
                    HELD_COUNT.fetch_sub(1, Ordering::Release);
                    table.swap_remove(index).1
                })
            };
            // SAFETY: `Answer::into_box` made this box from a `Vec<u8>` of
            // exactly this pointer, length and capacity; it is freed only here.
            drop(unsafe { Vec::from_raw_parts(ptr, len, cap) });
            if let Some(held) = held.and_then(|held| held.downcast::<H::Held>().ok()) {
                host.release_held(*held);
            }
        },
    );
}

/// `int32_t check_interrupt(void *context, FerryBox *out)`.
///
/// # Safety
///
/// Called by the library only; `out` is NULL or the empty box.
unsafe extern "C" fn check_interrupt<H: Host>(context: *mut c_void, out: *mut FerryBox) -> i32 {
    // SAFETY: `context` is the one `vtable` stored.
    let host = unsafe { host_of::<H>(context) };
    match guarded(|| Some(host.failed()), || host.check_interrupt()) {
        // SAFETY: `out` is NULL or the library's empty box, ours to fill.
        Some(answer) => unsafe { put(out, answer) },
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    /// A host whose objects are counters; `invoke` echoes its arguments.
    #[derive(Default)]
    struct Counting {
        retained: AtomicU64,
        held_freed: AtomicU64,
    }

    impl Host for Counting {
        type Held = u64;

        fn invoke(&self, handle: u64, args: &[u8]) -> Answer<u64> {
            match handle {
                0 => panic!("a bug"),
                1 => Answer::ok(args.to_vec()),
                _ => Answer::ok(vec![0xc0]).holding(handle),
            }
        }

        fn retain(&self, _: u64) {
            self.retained.fetch_add(1, Ordering::Relaxed);
        }

        fn release(&self, _: u64) {
            panic!("must not unwind into the library");
        }

        fn release_held(&self, held: u64) {
            self.held_freed.fetch_add(held, Ordering::Relaxed);
        }
    }

    fn call(table: &FerryHost, handle: u64, args: &[u8]) -> (i32, Vec<u8>) {
        let args_box = crate::library::borrowed_box(args);
        let mut out = FerryBox::EMPTY;
        // SAFETY: the vtable's own contract: context from `vtable`, a borrowed
        // args box, the empty out box.
        let status = unsafe { table.invoke.unwrap()(table.context, handle, &args_box, &mut out) };
        // SAFETY: the host filled `out` with `len` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        // SAFETY: a box this host made, freed once.
        unsafe { table.free_box.unwrap()(table.context, &mut out) };
        (status, bytes)
    }

    #[test]
    fn trampolines_answer_free_and_survive_panics() {
        extern "C" fn no_free(_: *mut FerryBox) {}
        let host: &'static Counting = Box::leak(Box::default());
        let table = vtable(Box::leak(Box::new(Registered {
            host,
            box_free: no_free,
        })));
        assert_eq!(call(&table, 1, &[0x91, 0x05]), (0, vec![0x91, 0x05]));
        assert_eq!(call(&table, 40, &[0x90]), (0, vec![0xc0]));
        assert_eq!(host.held_freed.load(Ordering::Relaxed), 40);
        let (status, bytes) = call(&table, 0, &[0x90]);
        assert_eq!(status, Status::Internal.code());
        let value = crate::ErrorValue::decode(&bytes).unwrap();
        assert_eq!(value.kind, crate::ErrorKind::Internal);
        assert!(value.message.contains("a bug"), "{}", value.message);
        // SAFETY: the vtable's contract.
        unsafe {
            table.retain.unwrap()(table.context, 3);
            table.release.unwrap()(table.context, 3);
        }
        assert_eq!(host.retained.load(Ordering::Relaxed), 1);
        let check = table.check_interrupt.unwrap();
        // SAFETY: NULL out (an answer would be dropped); the default says None.
        let status = unsafe { check(table.context, std::ptr::null_mut()) };
        assert_eq!(status, 0);
    }
}
