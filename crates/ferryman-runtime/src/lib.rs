//! The part of ferryman that runs inside every library: the registry of exported
//! functions, the [`Call`] a generated shim works with, and the `extern "C"` entry
//! points of `spec/abi.md`.

mod call;
mod callback;
mod closures;
pub mod entry;
mod export;
mod host;
mod registry;
mod report;

pub use call::{Call, Reported};
pub use callback::{check_interrupt, CallArgs, Callback, CallbackError, IntoCallback};
pub use export::{Export, Param, Shim};
pub use registry::{exports, library_identity};

/// This crate's version, reported by the handshake as `ferryman`.
pub const FERRYMAN_VERSION: &str = env!("CARGO_PKG_VERSION");
