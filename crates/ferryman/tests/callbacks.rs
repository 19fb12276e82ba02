//! Callbacks through the real ABI: a host registered with `ferryman_register_host`,
//! host callables passed as MessagePack extension 1, Rust closures handed out as
//! extension 2, errors carried back with their host exception handle (a
//! reference each error value hands to its reader).

use ferryman::{Callback, CallbackError};
use ferryman_abi::{FerryBox, FerryHost, Status, ABI_VERSION};
use ferryman_runtime::entry::{
    ferryman_box_free, ferryman_call, ferryman_closure_call, ferryman_closure_release,
    ferryman_function_id, ferryman_live_closures, ferryman_register_host,
};
use rmpv::Value;
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

// ---- the library side -----------------------------------------------------------

#[ferryman::export]
fn apply(f: Callback<(i64,), i64>, x: i64) -> Result<i64, CallbackError> {
    f.call((x,))
}

static STORED: Mutex<Option<Callback<(i64,), i64>>> = Mutex::new(None);

#[ferryman::export]
fn store(f: Callback<(i64,), i64>) {
    *STORED.lock().unwrap() = Some(f);
}

#[ferryman::export]
fn call_stored_on_a_thread(x: i64) -> Result<i64, CallbackError> {
    let f = STORED.lock().unwrap().clone().expect("stored");
    std::thread::spawn(move || f.call((x,))).join().unwrap()
}

#[ferryman::export]
fn forget_stored() {
    *STORED.lock().unwrap() = None;
}

#[ferryman::export]
fn adder(n: i64) -> Callback<(i64,), i64> {
    Callback::new(move |x: i64| x + n)
}

#[derive(Debug, thiserror::Error)]
#[error("the callback failed")]
struct Wrapped(#[from] CallbackError);

#[ferryman::export]
fn apply_wrapped(f: Callback<(i64,), i64>) -> Result<i64, Wrapped> {
    Ok(f.call((1,))?)
}

#[ferryman::export]
fn swallow(f: Callback<(i64,), i64>) -> bool {
    f.call((1,)).is_err()
}

#[ferryman::export]
fn apply_or_panic(f: Callback<(i64,), i64>) -> i64 {
    match f.call((1,)) {
        Ok(v) => v,
        Err(e) => panic!("callback failed: {e}"),
    }
}

#[ferryman::export]
fn count_until_interrupted(limit: u64) -> Result<u64, CallbackError> {
    for i in 0..limit {
        ferryman::check_interrupt()?;
        if i == 10 {
            INTERRUPT.store(true, Ordering::SeqCst);
        }
    }
    Ok(limit)
}

// ---- a minimal host: callables are Rust closures in a refcounted table ------------

type HostFn = fn(i64) -> Result<i64, &'static str>;

/// What a handle names: a callable, or an exception it raised (`None`).
type Entry = (Option<HostFn>, usize);

static INTERRUPT: AtomicBool = AtomicBool::new(false);
/// Calls naming a handle the host does not have.
static VIOLATIONS: AtomicUsize = AtomicUsize::new(0);
static LOCK: Mutex<()> = Mutex::new(());

fn objects() -> MutexGuard<'static, HashMap<u64, Entry>> {
    static OBJECTS: OnceLock<Mutex<HashMap<u64, Entry>>> = OnceLock::new();
    OBJECTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn into_host_box(bytes: Vec<u8>) -> FerryBox {
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    FerryBox {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        cap: bytes.capacity(),
    }
}

/// An error value naming exception `handle`, which it creates with the one
/// reference the value hands to the library.
fn error_value(type_name: &str, message: &str, handle: u64) -> Vec<u8> {
    objects().insert(handle, (None, 1));
    let frame = Value::Map(vec![
        ("function".into(), "callback".into()),
        ("file".into(), "host.py".into()),
        ("line".into(), 7.into()),
        ("column".into(), 0.into()),
        ("language".into(), "python".into()),
    ]);
    let value = Value::Map(vec![
        ("kind".into(), "host".into()),
        ("type".into(), type_name.into()),
        ("message".into(), message.into()),
        ("causes".into(), Value::Array(vec![])),
        ("notes".into(), Value::Array(vec![])),
        ("frames".into(), Value::Array(vec![frame])),
        ("host_exception".into(), handle.into()),
    ]);
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &value).unwrap();
    out
}

/// `FerryHost::invoke`: calls host object `handle` with the one `i64` in `args`.
/// Nothing here panics (a panic cannot unwind out of `extern "C"`): arguments
/// that do not decode and unknown handles come back as error values.
///
/// # Safety
/// `args` points to a box whose `len` bytes are readable for the call, and
/// `out` to a box this host may overwrite (the library passes the empty box).
unsafe extern "C" fn invoke(
    _: *mut c_void,
    handle: u64,
    args: *const FerryBox,
    out: *mut FerryBox,
) -> i32 {
    // SAFETY: the library passes a valid args box borrowed for the call.
    let args = unsafe { std::slice::from_raw_parts((*args).ptr, (*args).len) };
    let argument = rmp_serde::from_slice::<Vec<i64>>(args)
        .ok()
        .and_then(|args| args.first().copied());
    let function = objects().get(&handle).and_then(|entry| entry.0);
    let (status, bytes) = match (function, argument) {
        (Some(f), Some(x)) => match f(x) {
            Ok(v) => (0, rmp_serde::to_vec(&v).unwrap_or_default()),
            Err(message) => (1, error_value("ValueError", message, 1000 + handle)),
        },
        (None, _) => {
            VIOLATIONS.fetch_add(1, Ordering::SeqCst);
            (
                1,
                error_value("LookupError", "no such host object", 2000 + handle),
            )
        }
        (_, None) => (
            1,
            error_value("TypeError", "expected one i64 argument", 3000 + handle),
        ),
    };
    // SAFETY: `out` is the library's empty box, ours to fill.
    unsafe { *out = into_host_box(bytes) };
    status
}

/// `FerryHost::retain`: one more reference to `handle` (an unknown handle is a violation).
///
/// # Safety
/// None: it reads only its integer argument.
unsafe extern "C" fn retain(_: *mut c_void, handle: u64) {
    match objects().get_mut(&handle) {
        Some(entry) => entry.1 += 1,
        None => {
            // Never unwind out of a host function: note it, a test fails.
            VIOLATIONS.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// `FerryHost::release`: one reference fewer; the object goes with the last.
///
/// # Safety
/// None: it reads only its integer argument.
unsafe extern "C" fn release(_: *mut c_void, handle: u64) {
    let mut objects = objects();
    let Some(entry) = objects.get_mut(&handle) else {
        // Never unwind out of a host function: note it, a test fails.
        VIOLATIONS.fetch_add(1, Ordering::SeqCst);
        return;
    };
    entry.1 = entry.1.saturating_sub(1);
    if entry.1 == 0 {
        objects.remove(&handle);
    }
}

/// `FerryHost::free_box`: frees a box `invoke` or `check_interrupt` filled.
///
/// # Safety
/// `boxed` points to the empty box or to a box this host filled through
/// `into_host_box` and has not been freed yet.
unsafe extern "C" fn free_box(_: *mut c_void, boxed: *mut FerryBox) {
    // SAFETY: the library hands back only boxes we filled, each once.
    if unsafe { (*boxed).ptr.is_null() } {
        return;
    }
    // SAFETY: boxes we gave out came from `into_host_box`.
    unsafe {
        drop(Vec::from_raw_parts(
            (*boxed).ptr,
            (*boxed).len,
            (*boxed).cap,
        ))
    };
}

/// `FerryHost::check_interrupt`: 1 with a `KeyboardInterrupt` value in `out`
/// once `INTERRUPT` was set, 0 otherwise.
///
/// # Safety
/// `out` points to a box this host may overwrite (the library passes the empty box).
unsafe extern "C" fn check_interrupt(_: *mut c_void, out: *mut FerryBox) -> i32 {
    if !INTERRUPT.swap(false, Ordering::SeqCst) {
        return 0;
    }
    // SAFETY: `out` is the library's empty box, ours to fill.
    unsafe { *out = into_host_box(error_value("KeyboardInterrupt", "", 99)) };
    1
}

fn host_id() -> u32 {
    static ID: OnceLock<u32> = OnceLock::new();
    *ID.get_or_init(|| {
        let host = FerryHost {
            abi_version: ABI_VERSION,
            context: std::ptr::null_mut(),
            invoke: Some(invoke),
            retain: Some(retain),
            release: Some(release),
            free_box: Some(free_box),
            check_interrupt: Some(check_interrupt),
        };
        // SAFETY: a complete host whose functions are thread-safe statics.
        let id = unsafe { ferryman_register_host(&host) };
        u32::try_from(id).expect("registered")
    })
}

/// Puts a host function in the table with the host's own reference (count 1), as
/// a host does while a call that passes it is running.
fn host_object(handle: u64, f: HostFn) -> Value {
    objects().insert(handle, (Some(f), 1));
    let mut payload = host_id().to_be_bytes().to_vec();
    payload.extend_from_slice(&handle.to_be_bytes());
    Value::Ext(1, payload)
}

fn drop_host_reference(handle: u64) {
    // SAFETY: the host's own reference, taken in `host_object`.
    unsafe { release(std::ptr::null_mut(), handle) };
}

fn is_live(handle: u64) -> bool {
    objects().contains_key(&handle)
}

/// The references the library handed over or still holds.
fn references(handle: u64) -> usize {
    objects().get(&handle).map_or(0, |entry| entry.1)
}

fn assert_no_violations() {
    assert_eq!(
        VIOLATIONS.load(Ordering::SeqCst),
        0,
        "handles the host never gave"
    );
}

fn call(name: &str, args: Vec<Value>) -> (Status, Value) {
    let name_box = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: borrows `name` for the call.
    let id = unsafe { ferryman_function_id(&name_box) };
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &Value::Array(args)).unwrap();
    let input = FerryBox {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        cap: bytes.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: `input` borrows `bytes`; `out` is the empty box.
    let status = unsafe { ferryman_call(id as u32, &input, &mut out) };
    read_out(status, &mut out)
}

fn read_out(status: i32, out: &mut FerryBox) -> (Status, Value) {
    // SAFETY: a library box holding `len` bytes.
    let value =
        rmpv::decode::read_value(&mut unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .unwrap();
    // SAFETY: freed once.
    unsafe { ferryman_box_free(out) };
    (Status::from_code(status).unwrap(), value)
}

fn get<'v>(map: &'v Value, key: &str) -> &'v Value {
    map.as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
        .unwrap()
}

// ---- the tests ------------------------------------------------------------------

#[test]
fn a_host_callable_is_called_and_released_after_the_call() {
    let _serial = LOCK.lock();
    let f = host_object(1, |x| Ok(x * 2));
    let (status, value) = call("apply", vec![f, 21.into()]);
    assert_eq!((status, value.as_i64()), (Status::Ok, Some(42)));
    drop_host_reference(1);
    assert!(!is_live(1), "the library kept no reference");
}

#[test]
fn a_stored_callable_outlives_the_call_works_from_another_thread_and_is_released_on_drop() {
    let _serial = LOCK.lock();
    let f = host_object(2, |x| Ok(x + 100));
    assert_eq!(call("store", vec![f]).0, Status::Ok);
    drop_host_reference(2);
    assert!(is_live(2), "the stored callback keeps its reference");
    let (status, value) = call("call_stored_on_a_thread", vec![5.into()]);
    assert_eq!((status, value.as_i64()), (Status::Ok, Some(105)));
    call("forget_stored", vec![]);
    assert!(!is_live(2), "dropping the last clone released it");
}

#[test]
fn a_host_exception_propagates_unchanged_with_rust_frames_in_front() {
    let _serial = LOCK.lock();
    let f = host_object(3, |_| Err("bad value"));
    let (status, value) = call("apply", vec![f, 1.into()]);
    drop_host_reference(3);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "kind").as_str(), Some("host"));
    assert_eq!(get(&value, "type").as_str(), Some("ValueError"));
    assert_eq!(get(&value, "host_exception").as_u64(), Some(1003));
    assert_eq!(
        references(1003),
        1,
        "the library released its own reference and handed one to the host"
    );
    drop_host_reference(1003);
    assert!(!is_live(1003));
    assert_no_violations();
    let frames = get(&value, "frames").as_array().unwrap();
    let langs: Vec<_> = frames
        .iter()
        .map(|f| get(f, "language").as_str().unwrap())
        .collect();
    assert_eq!(
        langs,
        ["rust", "python"],
        "the Rust function, then the callback"
    );
    assert_eq!(get(&frames[0], "function").as_str(), Some("apply"));
}

#[test]
fn a_wrapped_host_exception_is_a_cause_carrying_its_handle() {
    let _serial = LOCK.lock();
    let f = host_object(4, |_| Err("inner"));
    let (status, value) = call("apply_wrapped", vec![f]);
    drop_host_reference(4);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "type").as_str(), Some("Wrapped"));
    let cause = &get(&value, "causes").as_array().unwrap()[0];
    assert_eq!(get(cause, "type").as_str(), Some("ValueError"));
    assert_eq!(get(cause, "host_exception").as_u64(), Some(1004));
    assert_eq!(references(1004), 1, "one reference, the host's");
    drop_host_reference(1004);
    assert_no_violations();
}

#[test]
fn a_swallowed_host_exception_is_released_before_the_call_returns() {
    let _serial = LOCK.lock();
    let f = host_object(5, |_| Err("ignored"));
    let (status, value) = call("swallow", vec![f]);
    drop_host_reference(5);
    assert_eq!((status, value.as_bool()), (Status::Ok, Some(true)));
    assert!(
        !is_live(1005),
        "the exception was released when Rust dropped the error"
    );
    assert_no_violations();
}

#[test]
fn an_exception_raised_on_a_rust_thread_still_names_its_object() {
    let _serial = LOCK.lock();
    let f = host_object(6, |_| Err("on a thread"));
    assert_eq!(call("store", vec![f]).0, Status::Ok);
    drop_host_reference(6);
    let (status, value) = call("call_stored_on_a_thread", vec![1.into()]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "host_exception").as_u64(), Some(1006));
    assert_eq!(references(1006), 1, "one reference, the host's");
    drop_host_reference(1006);
    call("forget_stored", vec![]);
    assert!(!is_live(6) && !is_live(1006));
    assert_no_violations();
}

#[test]
fn a_panic_about_a_callback_error_names_its_exception_as_context() {
    let _serial = LOCK.lock();
    let f = host_object(7, |_| Err("the context"));
    let (status, value) = call("apply_or_panic", vec![f]);
    drop_host_reference(7);
    assert_eq!(status, Status::Panic);
    assert_eq!(get(&value, "kind").as_str(), Some("panic"));
    assert_eq!(get(&value, "host_exception").as_u64(), Some(1007));
    assert_eq!(references(1007), 1, "one reference, the host's");
    drop_host_reference(1007);
    assert_no_violations();
}

#[test]
fn a_returned_closure_is_callable_listed_and_released() {
    let _serial = LOCK.lock();
    let (status, value) = call("adder", vec![10.into()]);
    assert_eq!(status, Status::Ok);
    let Value::Ext(2, payload) = value else {
        panic!("expected extension 2, got {value}")
    };
    let handle = u64::from_be_bytes(payload.try_into().unwrap());

    let mut args = Vec::new();
    rmpv::encode::write_value(&mut args, &Value::Array(vec![5.into()])).unwrap();
    let input = FerryBox {
        ptr: args.as_mut_ptr(),
        len: args.len(),
        cap: args.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: `input` borrows `args`; `out` is the empty box.
    let status = unsafe { ferryman_closure_call(handle, &input, &mut out) };
    assert_eq!(read_out(status, &mut out).1.as_i64(), Some(15));

    // Passed back in, it is an ordinary Callback again.
    let (status, value) = call(
        "apply",
        vec![Value::Ext(2, handle.to_be_bytes().to_vec()), 1.into()],
    );
    assert_eq!((status, value.as_i64()), (Status::Ok, Some(11)));

    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    let (_, live) = read_out(unsafe { ferryman_live_closures(&mut out) }, &mut out);
    assert!(live
        .as_array()
        .unwrap()
        .iter()
        .any(|e| get(e, "handle").as_u64() == Some(handle)));
    assert_eq!(ferryman_closure_release(handle), 0);
    assert_eq!(ferryman_closure_release(handle), Status::NoFunction.code());
    let (status, value) = call(
        "apply",
        vec![Value::Ext(2, handle.to_be_bytes().to_vec()), 1.into()],
    );
    assert_eq!(status, Status::BadArgs);
    assert!(get(&value, "message")
        .as_str()
        .unwrap()
        .contains("released"));
}

#[test]
fn check_interrupt_hands_the_host_interrupt_back() {
    let _serial = LOCK.lock();
    host_id();
    let (status, value) = call("count_until_interrupted", vec![1_000_000.into()]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "type").as_str(), Some("KeyboardInterrupt"));
    assert_eq!(get(&value, "host_exception").as_u64(), Some(99));
    assert_eq!(references(99), 1, "one reference, the host's");
    drop_host_reference(99);
    assert_no_violations();
}

#[test]
fn an_unregistered_host_id_is_a_clear_argument_error() {
    let payload = [0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1].to_vec();
    let (status, value) = call("apply", vec![Value::Ext(1, payload), 1.into()]);
    assert_eq!(status, Status::BadArgs);
    assert!(
        get(&value, "message")
            .as_str()
            .unwrap()
            .contains("not registered"),
        "{value}"
    );
}
