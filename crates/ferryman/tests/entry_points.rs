//! The `extern "C"` entry points, driven in-process exactly as a host drives them:
//! MessagePack in a borrowed box, results in a host buffer or a library box.

use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{
    ferryman_abi_version, ferryman_box_free, ferryman_call, ferryman_describe,
    ferryman_function_id, ferryman_handshake,
};
use rmpv::Value;

#[derive(Debug, thiserror::Error, serde::Serialize)]
enum MathError {
    #[error("division by zero")]
    DivisionByZero,
}

/// Adds.
#[ferryman::export]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[ferryman::export]
fn divide(a: i64, b: i64) -> Result<i64, MathError> {
    if b == 0 {
        return Err(MathError::DivisionByZero);
    }
    Ok(a / b)
}

#[ferryman::export]
fn repeat(byte: u8, n: usize) -> Vec<u8> {
    vec![byte; n]
}

/// Neither `Send` nor `Sync`: encoded where it is returned, so that is fine.
#[derive(Debug, thiserror::Error)]
#[error("local: {0}")]
struct Local(std::rc::Rc<str>);

#[derive(Debug, thiserror::Error)]
#[error("outer")]
struct Outer(#[source] Local);

/// `Box<dyn Error>` (not `Send`), plain or with a `source()`.
#[ferryman::export]
fn boxed(with_source: bool) -> Result<u8, Box<dyn std::error::Error>> {
    if with_source {
        return Err(Box::new(Outer(Local("inner".into()))));
    }
    Err("plain box".into())
}

#[ferryman::export]
fn local() -> Result<u8, Local> {
    Err(Local("rc".into()))
}

const PANIC_LINE: u32 = line!() + 3;
#[ferryman::export]
fn explode() {
    panic!("kaboom")
}

/// What one call produced: its status and the decoded output value.
fn call_with(id: u32, args: &[u8], out: &mut FerryBox, host_ptr: *mut u8) -> (Status, Value, bool) {
    let input = FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    // SAFETY: `input` borrows `args` for the call; `out` is initialised per the spec.
    let status = unsafe { ferryman_call(id, &input, out) };
    let status = Status::from_code(status).expect("a known status");
    // SAFETY: after a call, `out` holds `len` initialised bytes.
    let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) };
    let value = rmpv::decode::read_value(&mut &bytes[..]).expect("one MessagePack value");
    let in_host_buffer = out.ptr == host_ptr;
    if !in_host_buffer {
        // SAFETY: the library allocated this box; freed exactly once.
        unsafe { ferryman_box_free(out) };
    }
    (status, value, in_host_buffer)
}

fn call(name: &str, args: &[u8]) -> (Status, Value) {
    let mut out = FerryBox::EMPTY;
    let (status, value, _) = call_with(id(name), args, &mut out, std::ptr::null_mut());
    (status, value)
}

fn id(name: &str) -> u32 {
    let name_box = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: `name_box` borrows `name` for the call.
    let id = unsafe { ferryman_function_id(&name_box) };
    u32::try_from(id).unwrap_or_else(|_| panic!("no function {name}"))
}

fn pack<T: serde::Serialize>(args: &T) -> Vec<u8> {
    rmp_serde::to_vec(args).unwrap()
}

fn get<'v>(map: &'v Value, key: &str) -> &'v Value {
    map.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {key} in {map}"))
}

#[test]
fn abi_version_and_handshake() {
    assert_eq!(ferryman_abi_version(), ferryman::ABI_VERSION);
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_handshake(&mut out) }, 0);
    // SAFETY: a library box with `len` bytes.
    let value =
        rmpv::decode::read_value(&mut unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .unwrap();
    // SAFETY: freed once.
    unsafe { ferryman_box_free(&mut out) };
    assert_eq!(get(&value, "abi").as_u64(), Some(1));
    assert_eq!(get(&value, "library").as_str(), Some("ferryman"));
    assert_eq!(get(&value, "functions").as_u64(), Some(6));
}

#[test]
fn describe_lists_functions_sorted_with_ids_and_types() {
    let mut out = FerryBox::EMPTY;
    // SAFETY: `out` is the empty box.
    assert_eq!(unsafe { ferryman_describe(&mut out) }, 0);
    // SAFETY: a library box with `len` bytes.
    let value =
        rmpv::decode::read_value(&mut unsafe { std::slice::from_raw_parts(out.ptr, out.len) })
            .unwrap();
    // SAFETY: freed once.
    unsafe { ferryman_box_free(&mut out) };
    let functions = get(&value, "functions").as_array().unwrap();
    let names: Vec<_> = functions
        .iter()
        .map(|f| get(f, "name").as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["add", "boxed", "divide", "explode", "local", "repeat"]
    );
    for (i, f) in functions.iter().enumerate() {
        assert_eq!(get(f, "id").as_u64(), Some(i as u64));
    }
    assert_eq!(get(&functions[0], "doc").as_str(), Some("Adds."));
    assert_eq!(
        get(get(&functions[2], "error"), "name").as_str(),
        Some("MathError")
    );
    assert_eq!(
        get(&functions[5], "returns").to_string(),
        r#"{"type": "bytes", "rust": "Vec<u8>"}"#
    );
}

#[test]
fn results_land_in_the_host_buffer_when_they_fit() {
    let mut storage = [0u8; 32];
    let host = storage.as_mut_ptr();
    let mut out = FerryBox {
        ptr: host,
        len: 0,
        cap: storage.len(),
    };
    let (status, value, in_host) = call_with(id("add"), &pack(&(2, 3)), &mut out, host);
    assert_eq!(
        (status, value.as_i64(), in_host),
        (Status::Ok, Some(5), true)
    );
}

#[test]
fn results_that_outgrow_the_host_buffer_come_back_in_a_library_box() {
    let mut storage = [0u8; 8];
    let host = storage.as_mut_ptr();
    let mut out = FerryBox {
        ptr: host,
        len: 0,
        cap: storage.len(),
    };
    let (status, value, in_host) =
        call_with(id("repeat"), &pack(&(7u8, 1000usize)), &mut out, host);
    assert_eq!((status, in_host), (Status::Ok, false));
    assert_eq!(value.as_slice().map(<[u8]>::len), Some(1000));
}

#[test]
fn returned_errors_are_values_with_variant_and_frames() {
    let (status, value) = call("divide", &pack(&(1, 0)));
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "kind").as_str(), Some("error"));
    assert_eq!(get(&value, "type").as_str(), Some("MathError"));
    assert_eq!(get(&value, "message").as_str(), Some("division by zero"));
    assert_eq!(get(&value, "variant").as_str(), Some("DivisionByZero"));
    let frames = get(&value, "frames").as_array().unwrap();
    assert_eq!(get(&frames[0], "function").as_str(), Some("divide"));
}

#[test]
fn errors_that_are_not_send_and_boxed_errors_are_values() {
    let (status, value) = call("boxed", &pack(&(false,)));
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "type").as_str(), Some("Error"));
    assert_eq!(
        get(&value, "rust_type").as_str(),
        Some(std::any::type_name::<Box<dyn std::error::Error>>())
    );
    assert_eq!(get(&value, "message").as_str(), Some("plain box"));

    let (status, value) = call("boxed", &pack(&(true,)));
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "message").as_str(), Some("outer"));
    let causes = get(&value, "causes").as_array().unwrap();
    assert_eq!(get(&causes[0], "message").as_str(), Some("local: inner"));
    assert_eq!(
        get(&get(&value, "frames").as_array().unwrap()[0], "function").as_str(),
        Some("boxed")
    );

    let (status, value) = call("local", &[0x90]);
    assert_eq!(status, Status::Error);
    assert_eq!(get(&value, "type").as_str(), Some("Local"));
    assert_eq!(get(&value, "message").as_str(), Some("local: rc"));
}

#[test]
fn panics_are_caught_at_their_exact_line() {
    let (status, value) = call("explode", &[0x90]);
    assert_eq!(status, Status::Panic);
    assert_eq!(get(&value, "message").as_str(), Some("kaboom"));
    let frames = get(&value, "frames").as_array().unwrap();
    let last = frames.last().unwrap();
    assert!(get(last, "file")
        .as_str()
        .unwrap()
        .ends_with("entry_points.rs"));
    assert_eq!(get(last, "line").as_u64(), Some(u64::from(PANIC_LINE)));
}

#[test]
fn bad_input_is_reported_not_crashed() {
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("add", pack(&(1,)), "arity"),
        ("add", pack(&(1, "x")), "type"),
        ("repeat", pack(&(300, 1)), "overflow"),
        ("add", vec![0xc1], "malformed"),
        ("add", vec![0x92, 0x01, 0x02, 0x03], "malformed"),
    ];
    for (name, args, kind) in cases {
        let (status, value) = call(name, &args);
        assert_eq!(status, Status::BadArgs, "{name} {args:?}");
        assert_eq!(get(&value, "kind").as_str(), Some(kind), "{value}");
        assert_eq!(get(&value, "function").as_str(), Some(name));
    }
    let (_, value) = call("add", &pack(&(1, "x")));
    assert_eq!(get(&value, "param").as_str(), Some("b"));
    assert_eq!(
        get(&value, "message").as_str(),
        Some("`add()` argument `b`: expected i64, but found string \"x\"")
    );
}

#[test]
fn unknown_ids_and_null_pointers() {
    let mut out = FerryBox::EMPTY;
    let (status, value, _) = call_with(999, &[0x90], &mut out, std::ptr::null_mut());
    assert_eq!(status, Status::NoFunction);
    assert_eq!(get(&value, "kind").as_str(), Some("no_function"));
    let args = pack(&(1, 2));
    let input = FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    // SAFETY: NULL pointers are part of the contract and must be refused.
    unsafe {
        assert_eq!(ferryman_call(0, std::ptr::null(), &mut out), -1);
        assert_eq!(ferryman_call(0, &input, std::ptr::null_mut()), -1);
        assert_eq!(ferryman_function_id(std::ptr::null()), -1);
        ferryman_box_free(std::ptr::null_mut());
    }
    assert_eq!(out, FerryBox::EMPTY);
}

#[test]
fn many_threads_call_at_once() {
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..500i64 {
                    let (status, value) = call("add", &pack(&(t, i)));
                    assert_eq!((status, value.as_i64()), (Status::Ok, Some(t + i)));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
