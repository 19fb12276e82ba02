//! Layer 1 of ferryman: who owns the bytes of a [`FerryBox`].
//!
//! - [`into_box`] / [`free_box`]: a library-allocated box is a `Vec<u8>` taken apart
//!   and put back together, so it is freed by the allocator that made it.
//! - [`borrow`]: an input box, owned by the host, seen as `&[u8]` for one call.
//! - [`Sink`]: writes a result into the host's own buffer and spills into a fresh
//!   library box only when it does not fit (`spec/abi.md`, "Ownership of `out`").

mod owned;
mod sink;

pub use ferryman_abi::FerryBox;
pub use owned::{borrow, free_box, into_box};
pub use sink::Sink;
