//! **Call Rust from Python and any other language through one generic C entry point.**
//!
//! Mark functions with [`export`] and build the crate as a `cdylib`; nothing else is
//! needed — no build script, no per-library boilerplate:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! # A checkout of the ferryman repository next to your crate (or a git
//! # dependency: `ferryman = { git = "<ferryman's repository>" }`).
//! ferryman = { path = "../ferryman/crates/ferryman" }
//! ```
//!
//! Not `ferryman = "0.1"`: on crates.io `ferryman` is an unrelated crate. This
//! one will be published as **`ferryman-ffi`**; depend on it under the name
//! `ferryman`, which `#[ferryman::export]` expands to:
//! `ferryman = { package = "ferryman-ffi", version = "0.1" }`.
//!
//! ```
//! #[derive(Debug, thiserror::Error)]
//! pub enum MathError {
//!     #[error("division by zero")]
//!     DivisionByZero,
//! }
//!
//! /// Divides `a` by `b`.
//! #[ferryman::export]
//! pub fn divide(a: i64, b: i64) -> Result<i64, MathError> {
//!     if b == 0 {
//!         return Err(MathError::DivisionByZero);
//!     }
//!     Ok(a / b)
//! }
//! ```
//!
//! From Python: `ferryman.load("target/release/libcalc.so").divide(7, 2)`.
//!
//! ## `ferryman` is the only dependency you need
//!
//! Your own structs and enums cross the boundary through serde, which ferryman
//! re-exports: derive [`Serialize`] and [`Deserialize`] from here and tell the
//! derive where serde is with `#[serde(crate = "ferryman::serde")]`. An error
//! type that also derives `Serialize` shows its fields to the host.
//!
//! ```
//! use ferryman::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! #[serde(crate = "ferryman::serde")]
//! pub struct Point {
//!     pub x: f64,
//!     pub y: f64,
//! }
//!
//! #[derive(Debug, Serialize)]
//! #[serde(crate = "ferryman::serde")]
//! pub struct TooFar {
//!     pub distance: f64,
//! }
//!
//! impl std::fmt::Display for TooFar {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         write!(f, "{} is too far", self.distance)
//!     }
//! }
//!
//! impl std::error::Error for TooFar {}
//!
//! /// The point halfway between `a` and `b`, if they are close.
//! #[ferryman::export]
//! pub fn midpoint(a: Point, b: Point) -> Result<Point, TooFar> {
//!     let distance = (a.x - b.x).hypot(a.y - b.y);
//!     if distance > 100.0 {
//!         return Err(TooFar { distance });
//!     }
//!     Ok(Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 })
//! }
//! ```
//!
//! Error types: any `E: std::error::Error` works, as does `Box<dyn Error>`
//! (with or without `+ Send + Sync`). ferryman does not re-export `thiserror`:
//! its derive expands to paths that start with `::thiserror`, which resolve only
//! when `thiserror` is a dependency of your crate, so a re-export would not
//! help. Add `thiserror` yourself if you like it (the first example does), or
//! implement `Display` and `Error` by hand as above.
//!
//! Arguments and results are any serde types and travel as MessagePack; a returned
//! `Err` or a panic reaches the host as an exception carrying the Rust message,
//! `source()` chain, fields and frames. The contract every host relies on is
//! written down in `spec/` of the repository.
//!
//! Host functions come in as [`Callback`]s, which Rust may call, store and call
//! again from any thread; a Rust closure goes out the same way:
//!
//! ```
//! use ferryman::{Callback, CallbackError};
//!
//! /// Applies `f` to every value; an exception `f` raises reaches the caller unchanged.
//! #[ferryman::export]
//! pub fn map_values(values: Vec<i64>, f: Callback<(i64,), i64>) -> Result<Vec<i64>, CallbackError> {
//!     values.into_iter().map(|v| f.call((v,))).collect()
//! }
//!
//! /// A closure that adds `n`, callable from the host.
//! #[ferryman::export]
//! pub fn adder(n: i64) -> Callback<(i64,), i64> {
//!     Callback::new(move |x: i64| x + n)
//! }
//! ```
//!
//! A host function that answers later (a Python `async def`) comes in as an
//! [`AsyncCallback`]; `call` starts it and returns a `Send` future of its
//! result, and its exception comes back as the same object:
//!
//! ```
//! use ferryman::{AsyncCallback, CallbackError};
//!
//! /// Awaits `f(x)` and adds one.
//! #[ferryman::export]
//! pub async fn apply_async(f: AsyncCallback<(i64,), i64>, x: i64) -> Result<i64, CallbackError> {
//!     Ok(f.call((x,)).await? + 1)
//! }
//! ```
//!
//! A closure may fail: its `Err` reaches the host as an exported function's
//! would, and a callback's exception propagated with `?` is the host's own
//! exception again. Wrapped in [`WithFields`], an error also takes its serde
//! fields along:
//!
//! ```
//! use ferryman::{Callback, CallbackError, WithFields};
//!
//! #[derive(Debug, thiserror::Error, serde::Serialize)]
//! pub enum MathError {
//!     #[error("negative input: {0}")]
//!     Negative(i64),
//! }
//!
//! /// A closure taking square roots; Python sees `MathError` with `variant == "Negative"`.
//! #[ferryman::export]
//! pub fn sqrt() -> Callback<(i64,), i64> {
//!     Callback::new(|x: i64| -> Result<i64, WithFields<MathError>> {
//!         if x < 0 {
//!             return Err(WithFields(MathError::Negative(x)));
//!         }
//!         Ok((x as f64).sqrt() as i64)
//!     })
//! }
//!
//! /// A closure calling `f` twice; an exception `f` raises comes out of the closure.
//! #[ferryman::export]
//! pub fn twice(f: Callback<(i64,), i64>) -> Callback<(i64,), i64> {
//!     Callback::new(move |x: i64| -> Result<i64, CallbackError> { f.call((f.call((x,))?,)) })
//! }
//! # fn main() {
//! #     let sqrt = sqrt();
//! #     assert_eq!(sqrt.call((16,)).unwrap(), 4);
//! #     let error = sqrt.call((-1,)).unwrap_err();
//! #     assert_eq!((error.type_name(), error.message()), ("MathError", "negative input: -1"));
//! #     assert_eq!(error.value().variant.as_deref(), Some("Negative"));
//! #     assert_eq!(twice(Callback::new(|x: i64| x * 3)).call((2,)).unwrap(), 18);
//! # }
//! ```
//!
//! Long loops can stop early on Ctrl-C with [`check_interrupt`]`()?`.
//!
//! Large byte strings travel without copies as [`Bytes`]: a host lends its own
//! buffer (a Python `bytes` of a few KiB or more), which `Bytes` keeps as long as
//! it lives — also after the call — and a `Bytes` that is (a slice of) the
//! caller's buffer goes back as a reference the host copies once:
//!
//! ```
//! use ferryman::Bytes;
//! use std::sync::Mutex;
//!
//! static KEPT: Mutex<Vec<Bytes>> = Mutex::new(Vec::new());
//!
//! /// Returns the bytes unchanged: one copy from Python to Python in all.
//! #[ferryman::export]
//! pub fn echo(data: Bytes) -> Bytes {
//!     data
//! }
//!
//! /// The first `n` bytes, without copying them.
//! #[ferryman::export]
//! pub fn head(data: Bytes, n: usize) -> Bytes {
//!     data.slice(..n.min(data.len()))
//! }
//!
//! /// Keeps the bytes after the call (the caller's buffer, not a copy).
//! #[ferryman::export]
//! pub fn keep(data: &Bytes) -> usize {
//!     let mut kept = KEPT.lock().unwrap();
//!     kept.push(data.clone());
//!     kept.len()
//! }
//! # fn main() {
//! #     assert_eq!(&*echo(Bytes::from_static(b"abc")), b"abc");
//! #     assert_eq!(&*head(Bytes::from(vec![1, 2, 3]), 2), [1, 2]);
//! #     assert_eq!(keep(&Bytes::new()), 1);
//! # }
//! ```
//!
//! A type with state is exported as a class: `#[ferryman::export]` on the type,
//! and on its `impl` block, whose `pub fn`s become the constructor (`new`),
//! static methods and methods. Hosts hold objects by handle; `&self` methods
//! run concurrently, `&mut self` ones one at a time. A method may return an
//! iterator, which hosts pull lazily in batches:
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! /// Splits text into words and counts what it has seen.
//! #[ferryman::export(display)]
//! pub struct Tokenizer {
//!     lowercase: bool,
//!     seen: AtomicU64,
//! }
//!
//! impl std::fmt::Display for Tokenizer {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         write!(f, "Tokenizer(lowercase={})", self.lowercase)
//!     }
//! }
//!
//! #[ferryman::export]
//! impl Tokenizer {
//!     /// Python: `lib.Tokenizer(lowercase=True)`.
//!     pub fn new(lowercase: bool) -> Self {
//!         Tokenizer { lowercase, seen: AtomicU64::new(0) }
//!     }
//!
//!     pub fn tokenize(&self, text: &str) -> Vec<String> {
//!         self.tokens(text.to_owned()).collect()
//!     }
//!
//!     /// Lazily, borrowing the tokenizer.
//!     pub fn tokens<'a>(&'a self, text: String) -> impl Iterator<Item = String> + Send + 'a {
//!         let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
//!         words.into_iter().map(move |word| {
//!             self.seen.fetch_add(1, Ordering::Relaxed);
//!             if self.lowercase { word.to_lowercase() } else { word }
//!         })
//!     }
//!
//!     pub fn set_lowercase(&mut self, on: bool) {
//!         self.lowercase = on;
//!     }
//! }
//!
//! /// Objects are values: taken as `&T` or `Arc<T>`, returned as `T` or `Arc<T>`.
//! #[ferryman::export]
//! pub fn seen(tokenizer: &Tokenizer) -> u64 {
//!     tokenizer.seen.load(Ordering::Relaxed)
//! }
//! # fn main() {
//! #     let mut t = Tokenizer::new(true);
//! #     assert_eq!(t.tokenize("A b"), ["a", "b"]);
//! #     t.set_lowercase(false);
//! #     assert_eq!(seen(&t), 2);
//! # }
//! ```
//!
//! ## Async functions and streams
//!
//! An `async fn` exports as written; its future must be `Send`, and owns
//! its parameters: it may borrow them (`&str`, `&[u8]`, `&[T]`, `&Path`) and
//! `&self`, and takes other types by value (an exported class as `Arc<T>`).
//! A call polls it once:
//! ready at once, it answers like a sync function; otherwise the host gets a
//! future and the library runs it on its executor — a tokio runtime of its
//! own (feature `tokio`, on by default; [`set_runtime`] hands it another),
//! whose timers and sockets the future may use. `async fn` methods take
//! `&self`. A function or method returning `impl` [`Stream`]`<Item = T> +
//! Send` gives the host a stream it pulls in batches (a stream owns what it
//! needs: copy out of `&self`, since it is pulled after the call returned); [`stream::channel`] feeds one from
//! a producer that learns when the host stops reading:
//!
//! ```
//! use ferryman::Stream;
//!
//! /// Waits, then greets.
//! #[ferryman::export]
//! pub async fn greet_later(name: String, ms: u64) -> String {
//!     ferryman::tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
//!     format!("hello {name}")
//! }
//!
//! /// 0, 1, … n-1, produced on a thread while the host reads.
//! #[ferryman::export]
//! pub fn ticks(n: u64) -> impl Stream<Item = u64> + Send {
//!     let (mut tx, rx) = ferryman::stream::channel(16);
//!     std::thread::spawn(move || {
//!         for i in 0..n {
//!             if tx.blocking_send(i).is_err() {
//!                 break; // the host released the stream
//!             }
//!         }
//!     });
//!     rx
//! }
//! ```
//!
//! ## Logs
//!
//! `log` and `tracing` records reach the host's logging (in Python, the
//! `logging` module: one logger per Rust target, `mylib::parser` →
//! `mylib.parser`), with nothing to write beyond the macros. Both crates are
//! re-exported ([`log`], [`tracing`]; features `log` and `tracing`, on by
//! default). A level the host has disabled costs one atomic load: no record
//! is built and nothing crosses. A library that installs its own `log` logger
//! (or a `tracing` subscriber) before a host connects keeps it, and the host
//! receives nothing; one that installs its own later must use a fallible
//! `try_init`, since ferryman's logger is then already set.
//!
//! ```
//! /// Counts the words of `text`.
//! #[ferryman::export]
//! pub fn words(text: String) -> usize {
//!     ferryman::log::debug!("counting {} bytes", text.len());
//!     ferryman::tracing::info!(len = text.len(), "counted");
//!     text.split_whitespace().count()
//! }
//! ```
//!
//! Misuse is a compile error that says what to do instead:
//!
//! ```compile_fail
//! #[ferryman::export]
//! pub fn first<T: Clone>(items: Vec<T>) -> T {
//!     items[0].clone()
//! }
//! ```

pub use ferryman_abi::{ABI_VERSION, WIRE_VERSION};
/// Makes async exports run on a tokio runtime of the library's choosing
/// instead of ferryman's own (feature `tokio`). Call it before the first
/// async call; `false` (nothing changed) once a runtime is in use.
#[cfg(feature = "tokio")]
pub use ferryman_runtime::set_runtime;
/// What an export returning `impl ferryman::Stream<Item = T> + Send` returns
/// (`futures_core::Stream`; module docs, "Async functions and streams").
pub use futures_core::Stream;
/// `tokio`, whose runtime runs async exports (feature `tokio`, on by default).
#[cfg(feature = "tokio")]
pub use tokio;

/// Streams a producer feeds: [`stream::channel`] makes a bounded channel
/// whose [`stream::Receiver`] an export returns as its stream; the
/// [`stream::Sender`] sees [`stream::Sender::is_closed`] (and `send` fails)
/// once the host released the stream.
pub mod stream {
    pub use ferryman_runtime::stream::channel::{channel, Closed, Receiver, Sender};
    pub use ferryman_runtime::stream::iter::{iter, Iter};
}
pub use ferryman_macros::{error, export};
pub use ferryman_runtime::{
    check_interrupt, AsyncCallback, Bytes, CallArgs, Callback, CallbackError, CallbackFuture,
    ClosureOutput, IntoCallback, WithFields,
};
/// `log`, whose records reach the host (module docs, "Logs").
#[cfg(feature = "log")]
pub use log;
/// serde, for crates whose only dependency is ferryman: derive through the
/// re-exports below with `#[serde(crate = "ferryman::serde")]`.
pub use serde;

/// `chrono`, with its `serde` feature on (the `chrono` feature of ferryman):
/// `DateTime<Utc>`, `NaiveDate`, `NaiveDateTime` and `TimeDelta` parameters
/// and results become the host's own time types (`spec/wire.md`, "Times").
#[cfg(feature = "chrono")]
pub use chrono;
/// `jiff`, with its `serde` feature on (the `jiff` feature of ferryman):
/// `Timestamp`, `civil::Date`, `civil::DateTime` and `SignedDuration`
/// parameters and results become the host's own time types (`spec/wire.md`,
/// "Times").
#[cfg(feature = "jiff")]
pub use jiff;
/// serde's traits and their derive macros (`#[derive(ferryman::Serialize)]`).
pub use serde::{Deserialize, Serialize};
/// `time`, with its `serde` feature on (the `time` feature of ferryman):
/// `OffsetDateTime`, `PrimitiveDateTime`, `Date` and `Duration` parameters
/// and results become the host's own time types (`spec/wire.md`, "Times").
#[cfg(feature = "time")]
pub use time;
/// `tracing`, whose events and spans reach the host as `log` records while
/// no `tracing` subscriber is set (module docs, "Logs").
#[cfg(feature = "tracing")]
pub use tracing;

/// Not public API: used by code that `#[export]` generates.
#[doc(hidden)]
pub mod __private {
    pub use ::inventory;
    pub use ::serde;
    pub use ::serde_bytes;
    pub use ferryman_error::{ErrorFields, FieldsNone, FieldsProbe, FieldsViaSerialize};
    pub use ferryman_runtime::{
        borrowing, object_mut, object_ref, ok_iter, serialize_object, ArgObject, ArgPlain, Class,
        ClassDef, ClassEntry, Fallible, Member, ObjKind, OkObject, OkPlain, Plain, ThreadSafeClass,
        WireObject, WirePlain,
    };
    pub use ferryman_runtime::{export_future, ok_stream, run_async, writer, Flavor};
    pub use ferryman_runtime::{
        located, ArgDirect, ArgSerde, Call, ErrSite, ErrorBase, ErrorShape, Export, Kind,
        NamedType, OkDirect, OkSerde, Param, Reported, ShapeBody, ShapeField, ShapeVariant,
        TraceDeserialize, TraceNothing, TypeProbe,
    };
    pub use ferryman_wire::{SliceArg, TypeDesc};

    /// Names the `Ok` and `Err` types of a `Result`, also through an alias.
    pub trait ResultParts {
        type Ok;
        type Err;
    }

    impl<T, E> ResultParts for ::core::result::Result<T, E> {
        type Ok = T;
        type Err = E;
    }

    /// How a `&Bytes` parameter is decoded: the macro cannot tell
    /// `serde_bytes::Bytes` (borrowed from the arguments) from
    /// [`crate::Bytes`] (decoded, then passed by reference).
    pub trait BytesParam<'de> {
        /// What the argument decodes as.
        type Decoded: ::serde::Deserialize<'de>;
        /// The reference the function takes.
        fn by_ref(decoded: &Self::Decoded) -> &Self;
    }

    impl<'de> BytesParam<'de> for ::serde_bytes::Bytes {
        type Decoded = &'de ::serde_bytes::Bytes;
        fn by_ref<'s>(decoded: &'s &'de ::serde_bytes::Bytes) -> &'s ::serde_bytes::Bytes {
            decoded
        }
    }

    impl BytesParam<'_> for crate::Bytes {
        type Decoded = crate::Bytes;
        fn by_ref(decoded: &crate::Bytes) -> &crate::Bytes {
            decoded
        }
    }

    /// `core::any::type_name`, as a plain `fn` pointer for the registry.
    pub fn type_name_of<T: ?Sized>() -> &'static str {
        ::core::any::type_name::<T>()
    }
}
