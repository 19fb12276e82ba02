//! The part of ferryman that runs inside every library: the registry of exported
//! functions, the [`Call`] a generated shim works with, and the `extern "C"` entry
//! points of `spec/abi.md`.

mod bytes;
mod bytes_serde;
mod call;
mod callback;
mod callback_error;
mod closures;
pub mod entry;
mod export;
mod host;
mod kind;
mod lend;
mod registry;
mod report;

pub use bytes::Bytes;
pub use call::{Call, Reported};
pub use callback::{CallArgs, Callback, IntoCallback};
pub use callback_error::{check_interrupt, CallbackError};
pub use export::{Export, Param, Shim};
pub use kind::{ArgDirect, ArgSerde, DirectOut, Kind, OkDirect, OkSerde};
pub use registry::{exports, library_identity};

/// This crate's version, reported by the handshake as `ferryman`.
pub const FERRYMAN_VERSION: &str = env!("CARGO_PKG_VERSION");
