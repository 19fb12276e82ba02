//! The log record keys `spec/wire.md` lists ("Log records": its example and
//! its table) against what the runtime sends: this test binary registers a
//! host of its own, connects, logs, and reads the record `invoke` received.

use crate::scan::*;
use ferryman_abi::{FerryBox, FerryHost, ABI_VERSION};
use ferryman_runtime::entry::{ferryman_log_connect, ferryman_log_level, ferryman_register_host};
use rmpv::Value;
use std::collections::BTreeSet;
use std::ffi::c_void;
use std::sync::Mutex;

/// The argument arrays `invoke` received.
static RECEIVED: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// The host's `invoke`: keeps a copy of the arguments.
///
/// # Safety
/// `args` points to a box of `len` readable bytes (the library's promise).
unsafe extern "C" fn invoke(
    _: *mut c_void,
    _: u64,
    args: *const FerryBox,
    _: *mut FerryBox,
) -> i32 {
    // SAFETY: the library lends `args` (`len` readable bytes) for this call.
    let bytes = unsafe {
        let args = &*args;
        std::slice::from_raw_parts(args.ptr, args.len).to_vec()
    };
    RECEIVED.lock().unwrap().push(bytes);
    0
}
/// `retain` and `release`: this host counts nothing.
///
/// # Safety
/// None: reads nothing.
unsafe extern "C" fn nothing(_: *mut c_void, _: u64) {}

/// `free_box`: `invoke` answers with the empty box, so there is nothing to free.
///
/// # Safety
/// None: reads nothing.
unsafe extern "C" fn free_box(_: *mut c_void, _: *mut FerryBox) {}

/// `check_interrupt`: never interrupted.
///
/// # Safety
/// None: reads nothing.
unsafe extern "C" fn no_interrupt(_: *mut c_void, _: *mut FerryBox) -> i32 {
    0
}

#[test]
fn log_record_keys_in_wire_md_are_what_the_library_sends() {
    let host = FerryHost {
        abi_version: ABI_VERSION,
        context: std::ptr::null_mut(),
        invoke: Some(invoke),
        retain: Some(nothing),
        release: Some(nothing),
        free_box: Some(free_box),
        check_interrupt: Some(no_interrupt),
    };
    // SAFETY: a valid host whose functions work from any thread, forever.
    let id = unsafe { ferryman_register_host(&host) };
    let id = u32::try_from(id).expect("registered");
    assert_eq!(
        ferryman_log_connect(id, 7, 6),
        -1,
        "a level above 5 is refused"
    );
    assert_eq!(ferryman_log_connect(id, 7, 3), 0);
    ferryman::log::debug!("above the maximum: never sent");
    ferryman::log::info!("drift {}", 1);
    assert_eq!(ferryman_log_level(0), 0);
    ferryman::log::error!("off: never sent");
    assert_eq!(ferryman_log_connect(id, 0, 0), 0, "disconnects");

    let received = std::mem::take(&mut *RECEIVED.lock().unwrap());
    assert_eq!(
        received.len(),
        1,
        "one record: the others were above the maximum"
    );
    let args = rmpv::decode::read_value(&mut &received[0][..]).expect("one value");
    let record = &args.as_array().expect("an argument array")[0];
    let map = record.as_map().expect("a map");
    let sent: BTreeSet<String> = map
        .iter()
        .map(|(k, _)| k.as_str().expect("str key").to_owned())
        .collect();
    let get = |key: &str| &map.iter().find(|(k, _)| k.as_str() == Some(key)).unwrap().1;
    assert_eq!(get("level"), &Value::from(3));
    assert_eq!(get("message").as_str(), Some("drift 1"));
    assert_eq!(get("target").as_str(), Some("spec_drift::logs"));

    let wire = read(WIRE_MD);
    let section = section(&wire, "## Log records", WIRE_MD);
    let table: BTreeSet<String> = table_rows(section)
        .into_iter()
        .filter_map(|row| row.first().cloned())
        .filter(|key| key != "key")
        .collect();
    assert_eq!(sent, table, "{WIRE_MD}: the log record table");
    let example = section.split("```").nth(1).expect("an example");
    let example_keys: BTreeSet<String> = example
        .split('"')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[1].trim_start().starts_with(':'))
        .map(|w| w[0].to_owned())
        .collect();
    assert_eq!(sent, example_keys, "{WIRE_MD}: the log record example");
}
