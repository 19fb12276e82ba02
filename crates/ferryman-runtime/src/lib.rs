//! The part of ferryman that runs inside every library: the registry of exported
//! functions, the [`Call`] a generated shim works with, and the `extern "C"` entry
//! points of `spec/abi.md`.

mod bytes;
mod bytes_serde;
mod call;
mod callback;
mod callback_error;
mod closure;
mod closures;
pub mod entry;
mod export;
mod host;
mod into_callback;
mod kind;
mod lend;
mod registry;
mod report;
mod scalar_out;
#[cfg(test)]
mod tests;
mod with_fields;

pub use bytes::Bytes;
pub use call::{Call, Reported};
pub use callback::{CallArgs, Callback};
pub use callback_error::{check_interrupt, CallbackError};
pub use export::{Export, Param, Shim};
pub use into_callback::{ClosureOutput, IntoCallback};
pub use kind::{ArgDirect, ArgSerde, DirectOut, Kind, OkDirect, OkSerde};
pub use registry::{exports, library_identity};
pub use with_fields::WithFields;

/// This crate's version, reported by the handshake as `ferryman`.
pub const FERRYMAN_VERSION: &str = env!("CARGO_PKG_VERSION");
