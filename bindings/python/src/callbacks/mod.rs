//! Layer 5 of the binding: the library calling back into Python
//! (`spec/callbacks.md`). The `ferryman_host::Host` this package is, running
//! a Python callable for Rust (an awaited one too), log records, interrupts, and the answers
//! handed back.

pub(crate) mod answer;
pub(crate) mod awaited_invoke;
pub(crate) mod interrupts;
pub(crate) mod invoke;
pub(crate) mod log_records;
pub(crate) mod python_host;
