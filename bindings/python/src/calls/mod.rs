//! Layer 4 of the binding: calling into a library from Python. Exported
//! functions (the vectorcall `Function` type and what a call needs), binding
//! keyword arguments to parameters, calling a closure a library returned, and
//! the one crossing both share (GIL, `out` box, result or exception).

pub(crate) mod argument_binding;
pub(crate) mod async_call;
pub(crate) mod closure_object;
pub(crate) mod crossing;
pub(crate) mod function;
pub(crate) mod function_object;
pub(crate) mod iterator_object;
