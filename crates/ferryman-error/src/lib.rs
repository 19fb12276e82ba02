//! Layer 3 of ferryman: everything that goes wrong becomes an [`ErrorValue`].
//!
//! - [`ErrorValue::from_error`]: a returned `Err`, with its `source()` chain as
//!   causes and, when the error type implements `Serialize`, its fields
//!   ([`FieldsProbe`]).
//! - [`catch_panic`]: runs a call, turning a panic into an error value whose
//!   frames end at the exact panic location, with the backtrace before it.
//!
//! - [`ErrorView`]: the one encoder of error values, from borrowed parts, so a
//!   returned `Err` is written without first being copied into owned strings.
//! - [`ReturnedError`]: the error types an exported function may return (any
//!   `std::error::Error`, and `Box<dyn Error>`).
//!
//! The shape is `spec/wire.md`, "Error values".

mod debug_variant;
mod fields;
mod frames;
mod os_error;
mod panic;
mod returned;
mod value;
mod write;

pub use debug_variant::{variant_from_debug, Variant};
pub use fields::{ErrorFields, FieldsNone, FieldsProbe, FieldsViaSerialize};
pub use frames::Frame;
pub use os_error::OsError;
pub use panic::{catch_panic, Panicked};
pub use returned::{ReturnedError, ViaBox, ViaError};
pub use value::{short_type_name, Cause, ErrorValue};
pub use write::{write_message, ErrorView, FieldsView, FrameView, Message};
