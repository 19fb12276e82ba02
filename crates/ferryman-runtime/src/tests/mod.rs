//! Unit tests that need more than one module of the crate: the functions
//! registered in this test binary ([`exports`]) and the closure table.
//! `entry.rs` and `registry.rs` have their own test modules, which use these
//! exports.

mod closures;
pub(crate) mod exports;
