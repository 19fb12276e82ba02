//! The `extern "C"` entry points driven as a host drives them, against the
//! functions of `tests::exports`: NULL pointers, the `out` rule, unknown ids
//! and closures, bridge failures.

use super::*;
use crate::tests::exports::{call, call_id, get, take};
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
