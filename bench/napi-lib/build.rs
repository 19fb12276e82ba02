//! napi-build sets the linker flags a Node addon needs (the `napi_*` symbols
//! are resolved from the `node` executable when the addon is loaded).
fn main() {
    napi_build::setup();
}
