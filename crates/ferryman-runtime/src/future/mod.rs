//! Async exports (`spec/abi.md`, "Futures"; ADR 0014): a future polled once
//! inline by `ferryman_call`, and when it is not ready, held by handle, run
//! by the executor and reported to the host's completion function.

pub(crate) mod completion;
pub(crate) mod executor;
pub(crate) mod run;
pub(crate) mod table;
pub(crate) mod task;
