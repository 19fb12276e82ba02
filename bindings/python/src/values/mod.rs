//! Layer 2 of the binding: Python values ↔ MessagePack (`spec/wire.md`).
//! Encoding arguments and decoding results, how wide an int a parameter
//! takes, the shapes that guide decoding, cached map keys, lent bytes and
//! slices, and
//! the wire's extensions (callables, closures, host objects, Rust objects,
//! iterators).

pub(crate) mod awaited_callable;
pub(crate) mod callables;
pub(crate) mod closure_value;
pub(crate) mod decode;
pub(crate) mod encode;
pub(crate) mod encode_error;
pub(crate) mod extensions;
pub(crate) mod heap_type;
pub(crate) mod ints;
pub(crate) mod iterator_value;
pub(crate) mod lent_bytes;
pub(crate) mod lent_slices;
pub(crate) mod limits;
pub(crate) mod map_keys;
pub(crate) mod named_shapes;
pub(crate) mod native_values;
pub(crate) mod number_items;
pub(crate) mod object_value;
pub(crate) mod shape;
