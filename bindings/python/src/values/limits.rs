//! Limits on the values this host sends and accepts.

/// How deeply lists, tuples and dicts may nest, in arguments and in results.
/// Deeper values (or cyclic ones) are refused instead of overflowing the stack.
pub(crate) const MAX_DEPTH: usize = 256;
