//! A library that hands ferryman its own tokio runtime (`ferryman::set_runtime`):
//! async exports run inside it (a task they spawn lands on its worker
//! threads), and a second runtime is refused once one is in use. Its own
//! test binary: the runtime is chosen once per process.

use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{ferryman_box_free, ferryman_call, ferryman_function_id};

/// The name of the thread a task spawned from the export's future ran on.
#[ferryman::export]
async fn spawned_on() -> String {
    ferryman::tokio::spawn(async { std::thread::current().name().map(str::to_owned) })
        .await
        .expect("the task ran")
        .unwrap_or_default()
}

fn call(name: &str) -> (Status, rmpv::Value) {
    let name_box = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: `name_box` borrows `name` for the call.
    let id = u32::try_from(unsafe { ferryman_function_id(&name_box) }).expect("exported");
    let args = [0x90u8];
    let input = FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: `input` borrows `args` for the call; `out` is the empty box.
    let status = unsafe { ferryman_call(id, &input, &mut out) };
    // SAFETY: a library box with `len` initialised bytes, freed once below.
    let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    // SAFETY: as above.
    unsafe { ferryman_box_free(&mut out) };
    let value = rmpv::decode::read_value(&mut &bytes[..]).expect("one value");
    (Status::from_code(status).expect("known"), value)
}

#[test]
fn async_exports_run_on_the_runtime_the_library_gave() {
    let runtime = ferryman::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("library-own")
        .build()
        .unwrap();
    assert!(ferryman::set_runtime(runtime.handle().clone()));
    let (status, value) = call("spawned_on");
    assert_eq!(status, Status::Ok, "{value}");
    assert_eq!(value.as_str(), Some("library-own"));
    // Once in use, the runtime stays.
    let other = ferryman::tokio::runtime::Runtime::new().unwrap();
    assert!(!ferryman::set_runtime(other.handle().clone()));
    assert_eq!(call("spawned_on").1.as_str(), Some("library-own"));
}
