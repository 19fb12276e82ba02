//! `#[ferryman::export]` diagnostics (`ui/`, one per file) and code that must
//! compile and run (`ui-pass/`).
//!
//! After changing a diagnostic on purpose, bless the `.stderr` files with:
//!
//! ```text
//! TRYBUILD=overwrite cargo test -p ferryman --test ui
//! ```

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
