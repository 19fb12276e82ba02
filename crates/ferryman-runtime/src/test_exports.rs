//! Functions registered in the runtime's unit-test binary, with hand-written
//! shims (the `#[export]` macro lives in a crate that depends on this one).

use crate::{Call, Export, Param, Reported};
use ferryman_wire::TypeDesc;
use serde::{Serialize, Serializer};

const I64: Param = Param {
    name: "a",
    ty: &TypeDesc::I64,
    rust: "i64",
    default: None,
};

pub(crate) const fn export(
    name: &'static str,
    rust_path: &'static str,
    crate_name: &'static str,
    params: &'static [Param],
    shim: crate::Shim,
) -> Export {
    Export {
        name,
        rust_path,
        doc: "",
        params,
        returns: &TypeDesc::I64,
        returns_rust: "i64",
        error: None,
        file: "src/test_exports.rs",
        line: 1,
        crate_name,
        crate_version: "0.1.0",
        shim,
        types: &[],
        member: crate::Member::FUNCTION,
        flavor: crate::Flavor::Sync,
    }
}

/// `t_add(a, b)`: a + b.
fn add(call: &mut Call<'_>) -> Result<(), Reported> {
    let a: i64 = call.arg(0)?;
    let b: i64 = call.arg(1)?;
    call.ok(&(a.wrapping_add(b)))
}

/// `t_io_error()`: a returned `std::io::Error`.
fn io_error(call: &mut Call<'_>) -> Result<(), Reported> {
    call.err(std::io::Error::other("disk on fire"), None)
}

/// `t_panic()`.
fn panics(_: &mut Call<'_>) -> Result<(), Reported> {
    panic!("shim panicked")
}

/// A value whose `Serialize` fails: the bridge cannot encode the result.
struct Unencodable;

impl Serialize for Unencodable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("this value does not encode"))
    }
}

/// `t_unencodable()`: a result that does not encode (status 5, kind `internal`).
fn unencodable(call: &mut Call<'_>) -> Result<(), Reported> {
    call.ok(&Unencodable)
}

fn unit(call: &mut Call<'_>) -> Result<(), Reported> {
    call.ok(&())
}

inventory::submit! { export("t_add", "tests::add", "runtime-tests", &[I64, Param { name: "b", ..I64 }], add) }
inventory::submit! { export("t_io_error", "tests::io_error", "runtime-tests", &[], io_error) }
inventory::submit! { export("t_panic", "tests::panics", "runtime-tests", &[], panics) }
inventory::submit! { export("t_unencodable", "tests::unencodable", "runtime-tests", &[], unencodable) }
// Two functions under one host name (say two crates, or `#[export(name = ...)]`).
inventory::submit! { export("t_twice", "b::twice", "runtime-tests", &[], unit) }
inventory::submit! { export("t_twice", "a::twice", "other-crate", &[], unit) }

/// Every name above, in the order of the registry (sorted, ties by Rust path).
pub(crate) const NAMES: [&str; 6] = [
    "t_add",
    "t_io_error",
    "t_panic",
    "t_twice",
    "t_twice",
    "t_unencodable",
];

/// A call of `name`'s id with `args`, into a fresh library box: (status, value).
pub(crate) fn call(name: &str, args: &[u8]) -> (i32, rmpv::Value) {
    let id = crate::registry::exports()
        .iter()
        .position(|e| e.name == name)
        .expect("a test export");
    call_id(id as u32, args)
}

/// A call of function `id` into a fresh library box: (status, decoded value).
pub(crate) fn call_id(id: u32, args: &[u8]) -> (i32, rmpv::Value) {
    let input = ferryman_abi::FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    let mut out = ferryman_abi::FerryBox::EMPTY;
    // SAFETY: `input` borrows `args` for the call; `out` is the empty box.
    let status = unsafe { crate::entry::ferryman_call(id, &input, &mut out) };
    (status, take(&mut out))
}

/// Decodes the one value in library box `out`, then frees it.
pub(crate) fn take(out: &mut ferryman_abi::FerryBox) -> rmpv::Value {
    // SAFETY: a library box the entry point just wrote: `len` readable bytes.
    let mut bytes = unsafe { ferryman_buffer::borrow(out) };
    let value = rmpv::decode::read_value(&mut bytes).expect("one MessagePack value");
    assert!(bytes.is_empty(), "bytes after the value");
    // SAFETY: a box this library allocated, freed exactly once.
    unsafe { crate::entry::ferryman_box_free(out) };
    assert_eq!(*out, ferryman_abi::FerryBox::EMPTY);
    value
}

/// The value of `key` in map `value`.
pub(crate) fn get<'v>(value: &'v rmpv::Value, key: &str) -> &'v rmpv::Value {
    value
        .as_map()
        .and_then(|map| map.iter().find(|(k, _)| k.as_str() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no key {key} in {value}"))
}
