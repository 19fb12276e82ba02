//! The fuzz targets export their symbols: `c_entry` dlopens the fixture,
//! whose coverage instrumentation calls libFuzzer's hooks
//! (`__sanitizer_cov_*`, `__sancov_lowest_stack`) in the executable.
fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
}
