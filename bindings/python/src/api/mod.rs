//! Layer 6 of the binding: what `ferryman._native` offers the Python layer.
//! `load` and the `Library` class, and the functions for tests and debugging.

pub(crate) mod debugging;
pub(crate) mod library_object;
