//! Layer 5 of the binding: the library calling back into Python
//! (`spec/callbacks.md`). The `FerryHost` vtable, running a Python callable
//! for Rust, interrupts, and the answers handed back in host boxes.

pub(crate) mod answer;
pub(crate) mod host_vtable;
pub(crate) mod interrupts;
pub(crate) mod invoke;
