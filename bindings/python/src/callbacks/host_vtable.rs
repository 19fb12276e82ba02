//! The host side of `spec/callbacks.md`: the `FerryHost` vtable this package
//! registers with every library that takes callables.
//!
//! Every function of the vtable may be called by Rust on any thread, at any
//! time, also long after the call that passed a Python callable has returned.
//! Each one runs inside `catch_unwind` (nothing unwinds into the library) and
//! takes the GIL itself, only for as long as it touches Python objects: Rust
//! code never runs with the GIL held, so a callback from a Rust thread never
//! waits for a thread that is itself waiting for Rust. Once the interpreter
//! begins to exit they no longer take it (`state/shutdown.rs`).

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ferryman_abi::{FerryBox, FerryHost, ABI_VERSION};

use crate::callbacks::answer::{answer, Answer};
use crate::callbacks::interrupts::{interrupt_seen_by_a_worker, run_signal_handlers};
use crate::callbacks::invoke::{invoke_in, not_running, recursion_error};
use crate::ffi::host_registration::HostRegistration;
use crate::state::call_scope::{self, Standing};
use crate::state::host_objects::{self, Held};
use crate::state::{shutdown, stack};

/// The vtable this package registers with every library that takes
/// callables; `HostRegistration::register` fills in `context`.
pub(crate) const VTABLE: FerryHost = FerryHost {
    abi_version: ABI_VERSION,
    context: std::ptr::null_mut(),
    invoke: Some(invoke),
    retain: Some(retain),
    release: Some(release),
    free_box: Some(free_box),
    check_interrupt: Some(check_interrupt),
};

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
    let registration = unsafe { HostRegistration::of_context(context) };
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
                None => invoke_in(py, registration, handle, args),
            })
            .unwrap_or_else(|| Answer::bridge(not_running()))
        },
    );
    // SAFETY: `out` is NULL or the library's empty box, ours to fill.
    unsafe { answer(out, result) }
}

/// `void retain(void *context, uint64_t handle)`.
///
/// # Safety
///
/// Called by the library only.
unsafe extern "C" fn retain(_context: *mut c_void, handle: u64) {
    guarded(|| (), || host_objects::retain(handle));
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
            if let Some(object) = host_objects::release(handle) {
                host_objects::drop_with_gil(vec![Held::Object(object)]);
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
            let held = host_objects::take_from_box(ptr);
            // SAFETY: `Answer::into_box` made this box from a `Vec<u8>` of exactly
            // this pointer, length and capacity, and it is freed only here.
            drop(unsafe { Vec::from_raw_parts(ptr, len, cap) });
            host_objects::drop_with_gil(held);
        },
    );
}

/// `int32_t check_interrupt(void *context, FerryBox *out)`.
///
/// On Python's main thread inside a ferryman call it runs Python's signal
/// handlers (at most every `interrupts::CHECK_EVERY`): a `KeyboardInterrupt`, or
/// whatever a handler raised, comes back as an error value naming the
/// exception. On a thread with no call of its own — one the library started —
/// it reports Ctrl-C pressed while the main thread is inside a call
/// (`state/sigint.rs`), without the GIL: an error value of type
/// `KeyboardInterrupt` naming no exception; Python raises its own when the
/// call returns. Another Python thread's call is never interrupted.
///
/// # Safety
///
/// Called by the library only; `out` is NULL or the empty box.
unsafe extern "C" fn check_interrupt(_context: *mut c_void, out: *mut FerryBox) -> i32 {
    let result = guarded(
        || None,
        || match call_scope::standing() {
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
