//! Layer 0 of the binding: the C side of a library, through `ferryman-host`.
//! The loaded library and this package's registration as its host, and the
//! reusable buffers of a call. No Python objects are made here.

pub(crate) mod call_buffers;
pub(crate) mod host_registration;
pub(crate) mod library_handle;
