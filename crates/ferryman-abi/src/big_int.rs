/// MessagePack extension type of an integer outside the 64-bit range of
/// MessagePack ints (`spec/wire.md`, "Big integers"): an `i128` or `u128`
/// value. Payload: 1 to 17 bytes, the integer in big-endian two's complement.
/// Writers use 16 bytes for a value that fits `i128` and 17 (a leading `0x00`)
/// for a `u128` above `i128::MAX`; values that fit in 64 bits are plain ints.
///
/// As C: `#define FERRYMAN_EXT_BIG_INT 4`.
pub const EXT_BIG_INT: i8 = 4;

/// The longest payload of [`EXT_BIG_INT`]: `u128::MAX` with its sign byte.
pub const BIG_INT_MAX_PAYLOAD: usize = 17;
