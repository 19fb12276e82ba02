//! The `extern "C"` symbols of `spec/abi.md`. None of them unwinds: each body runs
//! inside `catch_unwind`, and the user's function inside a second one that turns
//! its panic into an error value.

use crate::call::Call;
use crate::closure;
use crate::named_types::named_types;
use crate::registry::{exports, find, library_identity};
use crate::report::write_error;
use crate::FERRYMAN_VERSION;
use crate::{closures, host};
use ferryman_abi::FerryHost;
use ferryman_abi::{FerryBox, Status, ABI_VERSION, WIRE_VERSION};
use ferryman_buffer::{borrow, free_box, Sink};
use ferryman_error::{catch_panic, short_type_name, ErrorValue};
use ferryman_wire::encode;
use ferryman_wire::schema::{
    Describe, ErrorSchema, FunctionSchema, Handshake, ParamSchema, TypeSchema,
};
use ferryman_wire::Lending;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `uint32_t ferryman_abi_version(void)`: the ABI this library speaks.
#[no_mangle]
pub extern "C" fn ferryman_abi_version() -> u32 {
    ABI_VERSION
}

/// `int32_t ferryman_handshake(FerryBox *out)`: who this library is.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_handshake(out: *mut FerryBox) -> i32 {
    let (library, library_version) = library_identity();
    let handshake = Handshake {
        abi: ABI_VERSION,
        wire: WIRE_VERSION,
        ferryman: FERRYMAN_VERSION,
        library,
        library_version,
        functions: exports().len(),
        lent_bytes: true,
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { write_value(out, &handshake) }
}

/// `int32_t ferryman_describe(FerryBox *out)`: every function and its types.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_describe(out: *mut FerryBox) -> i32 {
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, |out| write_value_unguarded(out, &describe())) }
}

/// `int64_t ferryman_function_id(const FerryBox *name)`: the id of a function, or -1.
///
/// # Safety
/// `name` is NULL or points to a box whose `ptr` holds `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn ferryman_function_id(name: *const FerryBox) -> i64 {
    // SAFETY: `name` is NULL or valid, per this function's contract.
    let Some(name) = (unsafe { name.as_ref() }) else {
        return -1;
    };
    // SAFETY: the box's bytes are readable for the duration of this call.
    let bytes = unsafe { borrow(name) };
    std::str::from_utf8(bytes)
        .ok()
        .and_then(find)
        .map_or(-1, |id| id as i64)
}

/// `int32_t ferryman_call(uint32_t function_id, const FerryBox *args, FerryBox *out)`.
///
/// # Safety
/// `args` is NULL or points to a box whose `ptr` holds `len` readable bytes that
/// stay unchanged during the call, and every lent bytes value in them (extension
/// 3) keeps the promises of `spec/abi.md` ("Lent bytes"); `out` is NULL or points
/// to a box initialised as `spec/abi.md` requires, whose buffer does not overlap
/// `args`.
#[no_mangle]
pub unsafe extern "C" fn ferryman_call(
    function_id: u32,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: `args` is NULL or valid for the call, per this function's contract.
    let Some(args) = (unsafe { args.as_ref() }) else {
        return Status::NullPointer.code();
    };
    let body = |out: &mut FerryBox| {
        // SAFETY: the input box is borrowed for this call only (contract above).
        let input = unsafe { borrow(args) };
        let Some(&export) = exports().get(function_id as usize) else {
            let value = ErrorValue::bridge(
                "no_function",
                format!(
                    "no function has id {function_id}; this library has {} (see describe)",
                    exports().len()
                ),
            );
            return write_error_to(out, Status::NoFunction, &value);
        };
        // SAFETY: `out`'s buffer is the host's and not aliased (contract above).
        let sink = unsafe { Sink::over(out) };
        // SAFETY: these are the arguments of a host's call: the host promises that
        // lent bytes in them stay valid and unchanged until the call returns, which
        // outlives `input` (`spec/abi.md`, "Lent bytes").
        let lending = unsafe { Lending::trusted() };
        let mut call = Call::start(export, input, lending, sink);
        if call.ready() {
            if let Err(panicked) = catch_panic(|| (export.shim)(&mut call)) {
                call.panicked(*panicked.0);
            }
        }
        call.finish(out)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, body) }
}

/// `void ferryman_box_free(FerryBox *box)`: frees a box this library allocated.
///
/// # Safety
/// `boxed` is NULL, or points to the empty box or to a box this library returned
/// and that has not been freed yet.
#[no_mangle]
pub unsafe extern "C" fn ferryman_box_free(boxed: *mut FerryBox) {
    // SAFETY: NULL or a valid box pointer, per this function's contract.
    if let Some(boxed) = unsafe { boxed.as_mut() } {
        // SAFETY: the box came from this library (contract above).
        unsafe { free_box(boxed) };
    }
}

/// `int32_t ferryman_register_host(const FerryHost *host)`: lets Rust call back into
/// a host. Returns the host id (>= 0), or -1 for NULL, another ABI version or a
/// missing function pointer.
///
/// # Safety
/// `host` is NULL or points to a valid `FerryHost` whose functions and context stay
/// usable from any thread for as long as the library is loaded.
#[no_mangle]
pub unsafe extern "C" fn ferryman_register_host(host: *const FerryHost) -> i32 {
    // SAFETY: NULL or valid, per this function's contract.
    let Some(host) = (unsafe { host.as_ref() }) else {
        return -1;
    };
    catch_unwind(|| host::register(host))
        .ok()
        .flatten()
        .and_then(|id| i32::try_from(id).ok())
        .unwrap_or(-1)
}

/// `int32_t ferryman_closure_call(uint64_t closure, const FerryBox *args, FerryBox *out)`:
/// calls a closure this library handed out, exactly like `ferryman_call`.
///
/// # Safety
/// As [`ferryman_call`].
#[no_mangle]
pub unsafe extern "C" fn ferryman_closure_call(
    closure: u64,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: `args` is NULL or valid for the call, per this function's contract.
    let Some(args) = (unsafe { args.as_ref() }) else {
        return Status::NullPointer.code();
    };
    let body = |out: &mut FerryBox| {
        let Some(function) = closures::lookup(closure) else {
            let value = ErrorValue::bridge(
                "no_function",
                format!("closure {closure} was already released"),
            );
            return write_error_to(out, Status::NoFunction, &value);
        };
        // SAFETY: the input box is borrowed for this call only (contract above).
        let input = unsafe { borrow(args) };
        // SAFETY: `out`'s buffer is the host's and not aliased (contract above).
        let mut sink = unsafe { Sink::over(out) };
        // SAFETY: as in `ferryman_call`: a host's arguments, lent bytes valid
        // until the call returns (`spec/abi.md`, "Lent bytes").
        let lending = unsafe { Lending::trusted() };
        let status = closure::run(&function, input, lending, &mut sink);
        sink.finish(out);
        status
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, body) }
}

/// `int32_t ferryman_closure_release(uint64_t closure)`: the host drops its
/// reference. Returns 0, or 4 (`FERRY_NO_FUNCTION`) when it was not live.
#[no_mangle]
pub extern "C" fn ferryman_closure_release(closure: u64) -> i32 {
    match catch_unwind(|| closures::release(closure)) {
        Ok(true) => Status::Ok.code(),
        Ok(false) => Status::NoFunction.code(),
        Err(payload) => {
            std::mem::forget(payload);
            Status::Internal.code()
        }
    }
}

/// `int32_t ferryman_live_closures(FerryBox *out)`: every closure a host still
/// holds, as an array of `{"handle": u64, "signature": str}`.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_live_closures(out: *mut FerryBox) -> i32 {
    #[derive(Serialize)]
    struct Live {
        handle: u64,
        signature: String,
    }
    let body = |out: &mut FerryBox| {
        let live: Vec<Live> = closures::live()
            .into_iter()
            .map(|(handle, signature)| Live { handle, signature })
            .collect();
        write_value_unguarded(out, &live)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, body) }
}

fn describe() -> Describe<'static> {
    let (library, library_version) = library_identity();
    let exports = exports();
    let named = named_types(exports);
    let functions = exports
        .iter()
        .zip(&named.signatures)
        .enumerate()
        .map(|(id, (e, (params, returns)))| FunctionSchema {
            id: id as u32,
            name: e.name,
            doc: e.doc,
            params: e
                .params
                .iter()
                .zip(params)
                .map(|(p, ty)| ParamSchema {
                    name: p.name,
                    ty,
                    rust: p.rust,
                })
                .collect(),
            returns: TypeSchema {
                ty: returns,
                rust: e.returns_rust,
            },
            error: e.error.map(|type_name| {
                let rust = type_name();
                ErrorSchema {
                    name: short_type_name(rust),
                    rust,
                }
            }),
            file: e.file,
            line: e.line,
        })
        .collect();
    Describe {
        abi: ABI_VERSION,
        wire: WIRE_VERSION,
        ferryman: FERRYMAN_VERSION,
        library,
        library_version,
        functions,
        lent_bytes: true,
        types: &named.types,
    }
}

/// Runs `body` with `out` as a `&mut FerryBox`; NULL gives status -1 and a panic
/// anywhere in the bridge itself gives status 5 with a fresh library box.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
unsafe fn guarded(out: *mut FerryBox, body: impl FnOnce(&mut FerryBox) -> Status) -> i32 {
    // SAFETY: NULL or valid and exclusively ours for the call, per the contract.
    let Some(out) = (unsafe { out.as_mut() }) else {
        return Status::NullPointer.code();
    };
    let host_buffer = *out;
    match catch_unwind(AssertUnwindSafe(|| body(out))) {
        Ok(status) => status.code(),
        Err(payload) => {
            std::mem::forget(payload);
            *out = host_buffer;
            let value =
                ErrorValue::bridge("internal", "ferryman itself panicked; please report this");
            let mut fresh = FerryBox::EMPTY;
            write_error_to(&mut fresh, Status::Internal, &value);
            *out = fresh;
            Status::Internal.code()
        }
    }
}

/// # Safety
/// As [`guarded`].
unsafe fn write_value<T: Serialize>(out: *mut FerryBox, value: &T) -> i32 {
    // SAFETY: forwarded.
    unsafe { guarded(out, |out| write_value_unguarded(out, value)) }
}

fn write_value_unguarded<T: Serialize>(out: &mut FerryBox, value: &T) -> Status {
    // SAFETY: `out` came through `guarded`, so it is initialised per the spec.
    let mut sink = unsafe { Sink::over(out) };
    let status = match encode(value, &mut sink) {
        Ok(()) => Status::Ok,
        Err(e) => {
            sink.clear();
            write_error(&mut sink, &ErrorValue::bridge("internal", e.to_string()));
            Status::Internal
        }
    };
    sink.finish(out);
    status
}

fn write_error_to(out: &mut FerryBox, status: Status, value: &ErrorValue) -> Status {
    // SAFETY: `out` came through `guarded`, so it is initialised per the spec.
    let mut sink = unsafe { Sink::over(out) };
    write_error(&mut sink, value);
    sink.finish(out);
    status
}

#[cfg(test)]
#[path = "entry_tests.rs"]
mod tests;
