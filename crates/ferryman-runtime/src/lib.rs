//! The part of ferryman that runs inside every library: the registry of exported
//! functions, the [`Call`] a generated shim works with, and the `extern "C"` entry
//! points of `spec/abi.md`.

mod bytes;
mod bytes_serde;
mod call;
mod callback;
pub mod entry;
mod entry_async;
mod err_site;
mod error_base;
mod error_memo;
mod error_shape;
mod error_template;
mod export;
mod future;
mod kind;
mod lend;
mod logs;
mod named_types;
mod native_marks;
mod object;
mod optional_fields;
mod registry;
mod report;
mod scalar_out;
pub mod stream;
#[cfg(test)]
mod test_exports;

pub use bytes::Bytes;
pub use call::{Call, Reported};
pub use callback::error::{check_interrupt, CallbackError};
pub use callback::into_callback::{ClosureOutput, IntoCallback};
pub use callback::with_fields::WithFields;
pub use callback::{AsyncCallback, CallArgs, Callback, CallbackFuture};
pub use err_site::{located, ErrSite};
pub use error_base::{error_base, error_variants, ErrorBase};
pub use error_shape::{ErrorShape, ShapeBody, ShapeField, ShapeVariant};
pub use export::{Export, Flavor, Member, Param, Shim};
#[cfg(feature = "tokio")]
pub use future::executor::set_runtime;
pub use future::run::{export_future, run_async, writer, ExportFuture};
pub use kind::{ArgDirect, ArgSerde, DirectOut, Kind, OkDirect, OkSerde};
pub use named_types::{NamedType, TraceDeserialize, TraceNothing, Traced, TypeProbe};
pub use object::class::{classes, Class, ClassDef, ClassEntry, ThreadSafeClass};
pub use object::iter::{borrowing, ok_iter, Borrowing, Fallible, ItemError, IterItem, Plain};
pub use object::value::{
    object_mut, object_ref, serialize_object, ArgObject, ArgPlain, Guards, Held, IntoObjects,
    ObjKind, ObjectHandle, ObjectMut, ObjectRef, OkObject, OkPlain, RawObject, WireObject,
    WirePlain,
};
pub use registry::{exports, library_identity};
pub use stream::entry::ok_stream;

/// This crate's version, reported by the handshake as `ferryman`.
pub const FERRYMAN_VERSION: &str = env!("CARGO_PKG_VERSION");
