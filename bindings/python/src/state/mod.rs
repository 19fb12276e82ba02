//! Layer 1 of the binding: process and thread state. The per-thread scope of
//! the calls running on a thread, the host object table, when a call may keep
//! the GIL, log records that must not wait for it, Python's main thread, Ctrl-C as other threads see it, the stack
//! left, the interpreter shutting down, and the cached Python classes.

pub(crate) mod call_scope;
pub(crate) mod completions;
pub(crate) mod gil_policy;
pub(crate) mod host_objects;
pub(crate) mod log_queue;
pub(crate) mod main_thread;
pub(crate) mod python_classes;
pub(crate) mod shutdown;
pub(crate) mod sigint;
pub(crate) mod stack;
