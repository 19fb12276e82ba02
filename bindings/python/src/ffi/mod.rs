//! Layer 0 of the binding: the C side of a library, through `ferryman-host`.
//! The loaded library and this package's registration as its host, and the
//! reusable buffers of a call. No Python objects are made here (but for the
//! weak references a registration names a load's objects by).

pub(crate) mod call_buffers;
pub(crate) mod host_registration;
pub(crate) mod library_handle;
pub(crate) mod weak_reference;
