//! Limits on the values this host sends and accepts: the wire's own
//! (`spec/wire.md`, "Limits"), kept in one place, `ferryman-wire`.

/// How deeply arrays and maps may nest, in arguments and in results. Deeper
/// values (or cyclic ones) are refused instead of overflowing the stack.
pub(crate) use ferryman_host::reader::MAX_DEPTH;
