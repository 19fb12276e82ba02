//! Layer 0 of the binding: the C side of a library. The `dlopen` handle and
//! its entry points, the closure entry points and host registration, the
//! `out` box a call fills, and the reusable buffers of a call. No Python
//! objects are made here.

pub(crate) mod call_buffers;
pub(crate) mod host_registration;
pub(crate) mod library_handle;
pub(crate) mod out_box;
pub(crate) mod symbols;
