//! The host side of ferryman in plain Rust: what a host language's binding
//! (Python today, Node tomorrow) needs from the contract in `spec/`, with no
//! language in it.
//!
//! - [`Library`]: loading a library by path, the ABI and wire version checks
//!   (with the messages every host gives), its entry points as typed calls
//!   whose output boxes are freed by whoever allocated them ([`Reply`]).
//! - [`Handshake`] and [`Describe`]: the handshake and describe maps as Rust
//!   values, type descriptors ([`Type`]) and named types ([`NamedType`]) included.
//! - [`ErrorValue`]: the one decoder of error values on the host side, also
//!   in place without copying ([`ErrorValueRef`]); [`Value`] is any
//!   MessagePack value, for `fields` and unknown keys.
//! - [`Status`]: a call's outcome (`ferryman_abi::Status`), never a bare integer.
//! - [`Host`]: what a host language implements so that Rust can call its
//!   objects back; [`Closures::register_host`] makes the `FerryHost` vtable.
//! - [`Futures`] and [`Streams`]: awaiting async functions and pulling
//!   streams; [`Futures::connect`] makes [`Host::complete`] the library's
//!   completion function.
//! - [`reader`]: the one MessagePack cursor, shared with the library side
//!   (`ferryman_wire::reader`).
//!
//! # Examples
//!
//! ```no_run
//! use ferryman_host::{Library, Status};
//!
//! let library = Library::open("target/debug/libferryman_fixture.so")?;
//! println!("{} {}", library.handshake().identity.library, library.handshake().functions);
//! let describe = library.describe()?;
//! let add = describe.function("add").expect("the fixture has add");
//!
//! let mut out = Vec::with_capacity(64);
//! // SAFETY: the arguments lend no host memory (no extension 3).
//! let reply = unsafe { library.call(add.id, &[0x92, 0x02, 0x03], &mut out) };
//! assert_eq!(reply.status()?, Status::Ok);
//! assert_eq!(reply.bytes()?, &[0x05]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A failed call's error value, decoded:
//!
//! ```no_run
//! # use ferryman_host::{ErrorKind, Library, Status};
//! # let library = Library::open("target/debug/libferryman_fixture.so")?;
//! let divide = library.function_id("divide").unwrap();
//! let mut out = Vec::new();
//! // SAFETY: no lent bytes in the arguments.
//! let reply = unsafe { library.call(divide, &[0x92, 0x01, 0x00], &mut out) };
//! assert_eq!(reply.status()?, Status::Error);
//! let error = reply.error_value()?;
//! assert_eq!((error.kind, error.type_name.as_str()), (ErrorKind::Error, "MathError"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod closures;
mod completion;
mod describe;
mod error_value;
mod futures;
mod handshake;
mod host;
mod keyed;
mod library;
mod load_error;
mod logs;
mod named_type;
mod objects;
mod reply;
mod shape_error;
mod status;
mod streams;
mod type_desc;
mod value;

pub use closures::{Closures, LiveClosure};
pub use completion::Completed;
pub use describe::{Class, Describe, ErrorType, Function, FunctionKind, Param, Typed};
pub use error_value::{
    Cause, CauseRef, ErrorKind, ErrorValue, ErrorValueRef, Frame, FrameRef, OsError, OsErrorRef,
};
pub use futures::{future_handle, stream_handle, ConnectError, Futures, LiveFuture};
pub use handshake::{Handshake, Identity};
pub use host::{Answer, Host};
pub use library::Library;
pub use load_error::{EntryError, HostName, LoadError, LoadErrorKind};
pub use logs::{LogAnswer, LogLevel, Logs};
pub use named_type::{Field, NamedType, Shape, Variant};
pub use objects::{LiveObject, Objects};
pub use reply::{BoxError, Reply, ReplyError};
pub use shape_error::ShapeError;
pub use status::{has_error_value, status, Status, UnknownStatus};
pub use streams::Streams;
pub use type_desc::Type;
pub use value::Value;

/// The one MessagePack cursor (`ferryman_wire::reader`), and the nesting
/// limit both sides keep.
pub mod reader {
    pub use ferryman_wire::reader::*;
    pub use ferryman_wire::{BigInt, BigIntError, MAX_DEPTH};
}

/// The one encoder of error values, for the failures a host reports from
/// `invoke` ([`Answer::failure`]).
pub mod write {
    pub use ferryman_error::{Cause, ErrorView, FieldsView, Frame, FrameView, Message};
}
