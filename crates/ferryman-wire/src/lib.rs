//! Layer 2 of ferryman: values as MessagePack (`spec/wire.md`).
//!
//! - [`Args`] reads the one argument array of a call, parameter by parameter;
//!   every failure is a [`DecodeError`] value, never a panic. Lent host bytes
//!   (extension 3) become slices of the host's memory only under [`Lending`];
//!   a lent slice of numbers is borrowed by a `&[T]` parameter ([`SliceArg`]).
//! - [`Direct`] types (integers, `f64`, `bool`) skip serde on the common path.
//! - [`encode`] writes a result with struct fields by name, sequences of `u8`
//!   as bin at any depth.
//! - [`TypeDesc`] and the [`schema`] types are what `describe` reports.
//! - [`BigInt`]: `i128`/`u128` values beyond 64 bits (extension 4).
//! - [`reader::Reader`]: the one MessagePack cursor, shared with hosts
//!   (`ferryman-host`); [`MAX_DEPTH`] the nesting limit both sides keep.

mod args;
mod big_int;
mod byte_seq;
mod byte_type;
mod decode_args;
mod decode_error;
mod default_value;
mod direct;
mod encode;
mod encode_compound;
mod encode_element;
mod lent;
mod lent_items;
mod limits;
mod number_vec;
mod out;
pub mod reader;
mod rfc3339;
pub mod scalar;
pub mod schema;
pub mod short_copy;
mod skip;
mod slice_arg;
mod time_forms;
mod type_desc;
mod vec_visitor;

pub use args::Args;
pub use big_int::{encode_i128, encode_u128, BigInt, BigIntError, EncodedBig};
pub use decode_error::{DecodeError, DecodeKind};
pub use default_value::DefaultValue;
pub use direct::Direct;
pub use encode::{encode, EncodeError};
pub use lent::{lent_object, Lending, LentObject, LentPayload, LENT_BYTES_NEWTYPE};
pub use lent_items::{ItemType, LentSlice};
pub use limits::MAX_DEPTH;
pub use out::Out;
pub use skip::value_len;
pub use slice_arg::{SliceArg, SliceItem, LENT_SLICE_NEWTYPE};
pub use type_desc::TypeDesc;
