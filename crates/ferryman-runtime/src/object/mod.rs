//! Exported classes and their objects (`spec/wire.md`, "Objects"; ADR 0009).
//!
//! - `class`: [`Class`] (what `#[export]` on a struct implements) and
//!   [`ClassDef`], a class as describe lists it;
//! - `entry`: one object the library keeps for hosts (`Entry`: its class,
//!   its guard and the `Arc` of the value);
//! - `guard`: the per-object guard (`&self` calls share, `&mut self` calls
//!   are exclusive, re-entrance on one thread is a `borrow` error);
//! - `table`: the handles hosts hold, each pointing to an `Entry`;
//! - `registry`: every live `Entry` by the address of its value, so that an
//!   `Arc<T>` Rust hands back finds the object it came from;
//! - `value`: objects in results (extension 5 out) and in arguments
//!   (receivers and parameters in);
//! - `iter`: lazy iterators, handed to hosts as closures that return batches.

pub(crate) mod class;
pub(crate) mod entry;
pub(crate) mod guard;
pub(crate) mod iter;
pub(crate) mod registry;
pub(crate) mod table;
pub(crate) mod value;
