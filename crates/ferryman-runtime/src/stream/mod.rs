//! Streams (`spec/abi.md`, "Streams"; ADR 0014): an export's
//! `impl Stream<Item = T>` held by handle, pulled by the host in batches.

pub mod channel;
pub(crate) mod entry;
pub mod iter;
pub(crate) mod pump;
