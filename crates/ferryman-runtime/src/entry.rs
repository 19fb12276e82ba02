//! The `extern "C"` symbols of `spec/abi.md`. None of them unwinds: each body runs
//! inside `catch_unwind`, and the user's function inside a second one that turns
//! its panic into an error value.

use crate::call::Call;
use crate::callback::closure;
use crate::callback::{closure_table, host_registry};
use crate::export::Flavor;
use crate::logs;
use crate::named_types::named_types;
use crate::object::class::{classes, objectify};
use crate::object::table as object_table;
use crate::object::value::ObjectHandle;
use crate::registry::{exports, find, library_identity};
use crate::report::write_error;
use crate::FERRYMAN_VERSION;
use ferryman_abi::FerryHost;
use ferryman_abi::{FerryBox, Status, ABI_VERSION, WIRE_VERSION};
use ferryman_buffer::{borrow, free_box, Sink};
use ferryman_error::{catch_panic, short_type_name, ErrorValue};
use ferryman_wire::encode;
use ferryman_wire::schema::{
    ClassSchema, Describe, ErrorSchema, FunctionSchema, Handshake, ParamSchema, TypeSchema,
};
use ferryman_wire::{DefaultValue, Lending};
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
        lent_slices: true,
        objects: true,
        futures: true,
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
        // (Made where the call is built, not moved into it: see `Call::start`.)
        // SAFETY: `out`'s buffer is the host's and not aliased (contract above).
        let sink = || unsafe { Sink::over(out) };
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

pub use crate::entry_async::{
    ferryman_call_blocking, ferryman_completion_connect, ferryman_future_cancel,
    ferryman_future_start, ferryman_live_futures, ferryman_stream_next, ferryman_stream_release,
};

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
    catch_unwind(|| host_registry::register(host))
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
        let Some(function) = closure_table::lookup(closure) else {
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
    match catch_unwind(|| closure_table::release(closure)) {
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
        let live: Vec<Live> = closure_table::live()
            .into_iter()
            .map(|(handle, signature)| Live { handle, signature })
            .collect();
        write_value_unguarded(out, &live)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, body) }
}

/// `int32_t ferryman_object_release(uint64_t handle)`: the host drops its
/// handle (the object's `Drop` may run, on this thread). Returns 0, or 4
/// (`FERRY_NO_FUNCTION`) when it was not live.
#[no_mangle]
pub extern "C" fn ferryman_object_release(handle: u64) -> i32 {
    match catch_unwind(|| object_table::release(handle)) {
        Ok(true) => Status::Ok.code(),
        Ok(false) => Status::NoFunction.code(),
        Err(payload) => {
            // A `Drop` that panicked: the object is gone either way.
            std::mem::forget(payload);
            Status::Ok.code()
        }
    }
}

/// `uint64_t ferryman_object_clone(uint64_t handle)`: a new handle to the same
/// object, owned by the caller; 0 when `handle` is not live.
#[no_mangle]
pub extern "C" fn ferryman_object_clone(handle: u64) -> u64 {
    catch_unwind(|| object_table::get(handle).map(|pinned| ObjectHandle::new(pinned.arc()).handle))
        .ok()
        .flatten()
        .unwrap_or(0)
}

/// `int32_t ferryman_live_objects(FerryBox *out)`: every object handle hosts
/// hold, as an array of `{"handle": u64, "class": str}`, oldest first.
///
/// # Safety
/// `out` is NULL or points to a box initialised as `spec/abi.md` requires.
#[no_mangle]
pub unsafe extern "C" fn ferryman_live_objects(out: *mut FerryBox) -> i32 {
    #[derive(Serialize)]
    struct Live {
        handle: u64,
        class: &'static str,
    }
    let body = |out: &mut FerryBox| {
        let live: Vec<Live> = object_table::live()
            .into_iter()
            .map(|(handle, class)| Live { handle, class })
            .collect();
        write_value_unguarded(out, &live)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { guarded(out, body) }
}

/// `int32_t ferryman_log_connect(uint32_t host_id, uint64_t handle, uint32_t max_level)`:
/// sends the library's `log` records at levels up to `max_level` to host object
/// `handle` of host `host_id` (`spec/abi.md`, "Logs"); handle 0 disconnects.
/// Returns 0, 1 when the library sends no records, or -1 for an unknown host
/// or a level above 5.
#[no_mangle]
pub extern "C" fn ferryman_log_connect(host_id: u32, handle: u64, max_level: u32) -> i32 {
    catch_unwind(|| logs::connect(host_id, handle, max_level)).map_or(-1, logs::Connect::code)
}

/// `int32_t ferryman_log_level(uint32_t max_level)`: the most verbose level
/// the connected host wants now. Returns 0, 1 when the library sends no
/// records, or -1 for a level above 5.
#[no_mangle]
pub extern "C" fn ferryman_log_level(max_level: u32) -> i32 {
    catch_unwind(|| logs::set_level(max_level)).map_or(-1, logs::Connect::code)
}

fn describe() -> Describe<'static> {
    let (library, library_version) = library_identity();
    let exports = exports();
    let named = named_types(exports);
    let signatures = objectify(&named.signatures);
    let functions = exports
        .iter()
        .zip(signatures)
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
                    default: p.default.map(DefaultValue),
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
                    base: crate::error_base::error_base(rust),
                    variants: crate::error_base::error_variants(rust),
                    ty: named.errors.get(rust).copied(),
                }
            }),
            file: e.file,
            line: e.line,
            class: e.member.class,
            kind: e.member.kind,
            is_async: e.flavor == Flavor::Async,
            stream: e.flavor == Flavor::Stream,
        })
        .collect();
    let classes = classes()
        .iter()
        .enumerate()
        .map(|(id, class)| {
            let members = |kind: &str| -> Vec<u32> {
                exports
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.member.class == Some(class.name) && e.member.kind == kind)
                    .map(|(id, _)| id as u32)
                    .collect()
            };
            ClassSchema {
                id: id as u32,
                name: class.name,
                doc: class.doc,
                rust: class.rust_path,
                file: class.file,
                line: class.line,
                constructor: members("constructor").first().copied(),
                methods: members("method"),
                statics: members("static"),
                protocols: class.protocols,
            }
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
        lent_slices: true,
        types: &named.types,
        objects: true,
        classes,
        futures: true,
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
    // The host's buffer, to give back if the body panics: its `ptr` and `cap`
    // only (`len` is ignored on entry). Read field by field: the host has just
    // written them, and one wide load of stores that narrow stalls the CPU
    // (store forwarding fails), ~4 ns a call.
    let (host_ptr, host_cap) = (out.ptr, out.cap);
    match catch_unwind(AssertUnwindSafe(|| body(out))) {
        Ok(status) => status.code(),
        Err(payload) => {
            std::mem::forget(payload);
            *out = FerryBox {
                ptr: host_ptr,
                len: 0,
                cap: host_cap,
            };
            let value =
                ErrorValue::bridge("internal", "ferryman itself panicked; please report this");
            let mut fresh = FerryBox::EMPTY;
            write_error_to(&mut fresh, Status::Internal, &value);
            *out = fresh;
            Status::Internal.code()
        }
    }
}

/// Writes the list `live` makes to `out` (the `ferryman_live_*` symbols).
///
/// # Safety
/// As [`guarded`].
pub(crate) unsafe fn write_live<T: Serialize>(out: *mut FerryBox, live: impl FnOnce() -> T) -> i32 {
    // SAFETY: forwarded.
    unsafe { guarded(out, |out| write_value_unguarded(out, &live())) }
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
mod tests {
    //! The `extern "C"` entry points driven as a host drives them, against the
    //! functions of `test_exports`: NULL pointers, the `out` rule, unknown ids
    //! and closures, bridge failures.

    use super::*;
    use crate::test_exports::{call, call_id, get, take};
    use ferryman_abi::FerryHost;

    fn kind(value: &rmpv::Value) -> &str {
        get(value, "kind").as_str().unwrap_or_default()
    }

    #[test]
    fn the_abi_version_is_the_constant() {
        assert_eq!(ferryman_abi_version(), ABI_VERSION);
    }

    #[test]
    fn null_pointers_are_refused_and_out_is_untouched() {
        let args = [0x92, 0x01, 0x02];
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: 3,
            cap: 3,
        };
        let mut buffer = [0xeeu8; 8];
        let host = FerryBox {
            ptr: buffer.as_mut_ptr(),
            len: 5,
            cap: buffer.len(),
        };
        let mut out = host;
        let null_out = std::ptr::null_mut();
        // SAFETY: NULL is allowed everywhere and must be refused; the other
        // pointers are valid for the calls.
        unsafe {
            assert_eq!(ferryman_call(0, std::ptr::null(), &mut out), -1);
            assert_eq!(ferryman_call(0, &input, null_out), -1);
            assert_eq!(ferryman_closure_call(1, std::ptr::null(), &mut out), -1);
            assert_eq!(ferryman_closure_call(1, &input, null_out), -1);
            assert_eq!(ferryman_handshake(null_out), -1);
            assert_eq!(ferryman_describe(null_out), -1);
            assert_eq!(ferryman_live_closures(null_out), -1);
            assert_eq!(ferryman_function_id(std::ptr::null()), -1);
            assert_eq!(ferryman_register_host(std::ptr::null()), -1);
            ferryman_box_free(null_out);
        }
        assert_eq!(out, host);
        assert_eq!(buffer, [0xee; 8]);
    }

    #[test]
    fn the_empty_box_gets_a_library_box_which_frees_to_empty() {
        let (status, value) = call("t_add", &[0x92, 0x02, 0x03]);
        assert_eq!((status, value.as_i64()), (0, Some(5)));
        let mut empty = FerryBox::EMPTY;
        // SAFETY: freeing the empty box does nothing.
        unsafe { ferryman_box_free(&mut empty) };
        assert_eq!(empty, FerryBox::EMPTY);
    }

    #[test]
    fn a_value_that_fits_stays_in_the_host_buffer() {
        let mut buffer = [0u8; 64];
        let mut out = FerryBox {
            ptr: buffer.as_mut_ptr(),
            len: 999, // ignored on input
            cap: buffer.len(),
        };
        let args = [0x92, 0x02, 0x03];
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: 3,
            cap: 3,
        };
        let id = find("t_add").unwrap() as u32;
        // SAFETY: valid boxes; `out` is the host's buffer, not overlapping `args`.
        let status = unsafe { ferryman_call(id, &input, &mut out) };
        assert_eq!(status, 0);
        assert_eq!((out.ptr, out.len, out.cap), (buffer.as_mut_ptr(), 1, 64));
        assert_eq!(buffer[0], 0x05);

        let mut out = FerryBox {
            ptr: buffer.as_mut_ptr(),
            len: 0,
            cap: buffer.len(),
        };
        // SAFETY: as above.
        assert_eq!(unsafe { ferryman_handshake(&mut out) }, 0);
        assert!(out.ptr == buffer.as_mut_ptr() || out.cap > 0);
        if out.ptr == buffer.as_mut_ptr() {
            assert!(rmpv::decode::read_value(&mut &buffer[..out.len]).is_ok());
        } else {
            take(&mut out);
        }
    }

    #[test]
    fn a_value_that_does_not_fit_spills_into_a_library_box() {
        let mut buffer = [0u8; 4];
        let mut out = FerryBox {
            ptr: buffer.as_mut_ptr(),
            len: 0,
            cap: buffer.len(),
        };
        let args = [0x90];
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: 1,
            cap: 1,
        };
        let id = find("t_io_error").unwrap() as u32;
        // SAFETY: valid boxes; `out` is the host's buffer.
        let status = unsafe { ferryman_call(id, &input, &mut out) };
        assert_eq!(status, Status::Error.code());
        assert_ne!(out.ptr, buffer.as_mut_ptr());
        assert!(out.len > buffer.len() && out.cap >= out.len);
        let value = take(&mut out);
        assert_eq!(get(&value, "message").as_str(), Some("disk on fire"));
        assert_eq!(get(&value, "type").as_str(), Some("Error"));
        assert_eq!(
            get(&value, "rust_type").as_str(),
            Some("std::io::error::Error")
        );
    }

    #[test]
    fn an_unknown_id_is_no_function() {
        let count = exports().len();
        for id in [count as u32, u32::MAX] {
            let (status, value) = call_id(id, &[0x90]);
            assert_eq!(status, Status::NoFunction.code());
            assert_eq!(kind(&value), "no_function");
            let message = get(&value, "message").as_str().unwrap();
            assert!(
                message.contains(&format!("this library has {count}")),
                "{message}"
            );
        }
    }

    #[test]
    fn function_id_refuses_unknown_shared_and_non_utf8_names() {
        let id = |name: &[u8]| {
            let b = FerryBox {
                ptr: name.as_ptr().cast_mut(),
                len: name.len(),
                cap: name.len(),
            };
            // SAFETY: `b` borrows `name` for the call.
            unsafe { ferryman_function_id(&b) }
        };
        assert_eq!(id(b"t_add"), find("t_add").unwrap() as i64);
        assert_eq!(id(b"t_nothing"), -1);
        assert_eq!(id(b"t_twice"), -1);
        assert_eq!(id(b"t_\xffadd"), -1);
        assert_eq!(id(b""), -1);
    }

    #[test]
    fn statuses_of_the_other_outcomes() {
        let (status, value) = call("t_panic", &[0x90]);
        assert_eq!((status, kind(&value)), (Status::Panic.code(), "panic"));
        assert_eq!(get(&value, "message").as_str(), Some("shim panicked"));
        let (status, value) = call("t_add", &[0x91, 0x01]);
        assert_eq!((status, kind(&value)), (Status::BadArgs.code(), "arity"));
        let (status, value) = call("t_add", &[0xc1]);
        assert_eq!(
            (status, kind(&value)),
            (Status::BadArgs.code(), "malformed")
        );
    }

    #[test]
    fn a_result_that_does_not_encode_is_internal() {
        let (status, value) = call("t_unencodable", &[0x90]);
        assert_eq!(
            (status, kind(&value)),
            (Status::Internal.code(), "internal")
        );
        assert_eq!(get(&value, "function").as_str(), Some("t_unencodable"));
        assert!(get(&value, "message")
            .as_str()
            .unwrap()
            .contains("this value does not encode"));
    }

    #[test]
    fn a_panic_in_the_bridge_itself_is_internal_in_a_fresh_library_box() {
        let mut buffer = [0xeeu8; 256];
        let mut out = FerryBox {
            ptr: buffer.as_mut_ptr(),
            len: 0,
            cap: buffer.len(),
        };
        // SAFETY: `out` is the host's buffer, initialised per the spec.
        let status = unsafe {
            guarded(&mut out, |out| {
                out.len = 3; // half-written when the bridge fails
                panic!("a bug in ferryman")
            })
        };
        assert_eq!(status, Status::Internal.code());
        // Even though it would have fit: a library box, so nothing half-written
        // in the host's buffer can be mistaken for the value.
        assert_ne!(out.ptr, buffer.as_mut_ptr());
        let value = take(&mut out);
        assert_eq!(kind(&value), "internal");
        assert_eq!(
            get(&value, "message").as_str(),
            Some("ferryman itself panicked; please report this")
        );
    }

    #[test]
    fn unknown_closures_are_no_function() {
        let handle = u64::MAX - 7;
        assert_eq!(ferryman_closure_release(handle), Status::NoFunction.code());
        let args = [0x90];
        let input = FerryBox {
            ptr: args.as_ptr().cast_mut(),
            len: 1,
            cap: 1,
        };
        let mut out = FerryBox::EMPTY;
        // SAFETY: valid boxes.
        let status = unsafe { ferryman_closure_call(handle, &input, &mut out) };
        assert_eq!(status, Status::NoFunction.code());
        let value = take(&mut out);
        assert_eq!(kind(&value), "no_function");
    }

    /// A host's `invoke` that is never called (its host is refused).
    ///
    /// # Safety
    /// None needed: it reads none of its arguments.
    unsafe extern "C" fn invoke(
        _: *mut std::ffi::c_void,
        _: u64,
        _: *const FerryBox,
        _: *mut FerryBox,
    ) -> i32 {
        0
    }

    #[test]
    fn a_host_of_another_abi_or_without_a_function_is_refused() {
        let whole = FerryHost {
            abi_version: ABI_VERSION + 1,
            context: std::ptr::null_mut(),
            invoke: Some(invoke),
            retain: None,
            release: None,
            free_box: None,
            check_interrupt: None,
        };
        // SAFETY: valid `FerryHost`s; neither is accepted, so nothing is kept.
        unsafe {
            assert_eq!(ferryman_register_host(&whole), -1);
            let missing = FerryHost {
                abi_version: ABI_VERSION,
                ..whole
            };
            assert_eq!(ferryman_register_host(&missing), -1);
        }
    }
}
