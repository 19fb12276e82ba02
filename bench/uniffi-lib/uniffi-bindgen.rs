//! UniFFI's bindings generator (`uniffi-bindgen`), built from the same crate so
//! that its version always matches the library's.

fn main() {
    uniffi::uniffi_bindgen_main();
}
