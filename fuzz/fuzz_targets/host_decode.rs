//! The host core's decoders (`crates/ferryman-host`): error values (borrowed
//! and owned, with their fields), handshakes, describe and plain values, on
//! any bytes. Nothing may panic; the borrowed and the owned error-value
//! decoders agree where both succeed (the owned one also keeps unknown keys,
//! in `extra`), and the borrowed one accepts whatever the owned one does.
#![no_main]

use ferryman_host::{Describe, ErrorValue, ErrorValueRef, Handshake, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let borrowed = ErrorValueRef::decode(data);
    let owned = ErrorValue::decode(data);
    // The borrowed decoder checks the structure of `fields` and of unknown
    // keys only (their strs' UTF-8 when they are read): it accepts at least
    // what the owned one does.
    if owned.is_ok() {
        assert!(borrowed.is_ok(), "{borrowed:?} vs {owned:?}");
    }
    match borrowed {
        Ok(view) if owned.is_err() => {
            let _ = view.fields_value();
        }
        Ok(view) => {
            let _ = view.kind();
            let _ = view.fields_value();
            for frame in view.frames() {
                let _ = frame.to_owned_frame();
            }
            for cause in view.causes() {
                let _ = cause.to_owned_cause();
            }
            let _ = view.notes().count();
            let mut owned = owned.unwrap();
            assert_eq!(view.has_unknown_keys, !owned.extra.is_empty());
            owned.extra.clear();
            let from_view = view.to_owned_value();
            // A NaN (a float key in `fields`, say) is unequal to itself even
            // when both decoders read the same value: compare what they print.
            if from_view != owned {
                assert_eq!(format!("{from_view:?}"), format!("{owned:?}"));
            }
        }
        Err(error) => drop(error.to_string()),
    }
    let _ = Handshake::decode(data).map_err(|error| error.to_string());
    if let Ok(describe) = Describe::decode(data) {
        let _ = describe.duplicate_names();
    }
    let _ = Value::decode(data).map_err(|error| error.to_string());
});
