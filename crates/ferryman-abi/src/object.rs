/// MessagePack extension type of a library object (`spec/wire.md`, "Objects").
/// Payload ([`OBJECT_PAYLOAD`] bytes): class id (u32, big-endian: the index of
/// the class in describe's `classes`) then handle (u64, big-endian, never 0).
///
/// As C: `#define FERRYMAN_EXT_OBJECT 5`.
pub const EXT_OBJECT: i8 = 5;

/// The payload length of [`EXT_OBJECT`] (no C name: 12 in `spec/wire.md`).
pub const OBJECT_PAYLOAD: usize = 12;
