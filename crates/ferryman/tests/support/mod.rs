//! What the integration tests that call through the entry points share:
//! calling an export by name with a MessagePack argument array, and reading
//! a box the library wrote.

use ferryman_abi::{FerryBox, Status};
use ferryman_runtime::entry::{ferryman_box_free, ferryman_call, ferryman_function_id};
use rmpv::Value;

/// Calls export `name` with the encoded argument array `args`: the status
/// and the value (result or error value) the library wrote.
pub fn call(name: &str, args: &[u8]) -> (Status, Value) {
    let name_box = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: `name_box` borrows `name` for the call.
    let id = unsafe { ferryman_function_id(&name_box) };
    let id = u32::try_from(id).unwrap_or_else(|_| panic!("no function {name}"));
    let input = FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    let mut out = FerryBox::EMPTY;
    // SAFETY: `input` borrows `args` for the call; `out` is the empty box.
    let status = unsafe { ferryman_call(id, &input, &mut out) };
    let value = take(&mut out);
    (Status::from_code(status).expect("a known status"), value)
}

/// The value in a box the library wrote, which it frees.
pub fn take(out: &mut FerryBox) -> Value {
    // SAFETY: a library box with `len` initialised bytes, freed once below.
    let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    // SAFETY: the library allocated this box; freed exactly once.
    unsafe { ferryman_box_free(out) };
    rmpv::decode::read_value(&mut &bytes[..]).expect("one MessagePack value")
}
