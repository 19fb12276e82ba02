//! Lazy iterators: an exported function or method returning `impl Iterator`
//! hands the host a closure (extension 2) that, called with `[n]`, returns an
//! array of up to `n` next items, `[]` once exhausted (`spec/wire.md`,
//! "Iterators"). The Rust iterator is dropped at exhaustion, or when the host
//! releases the closure.

use crate::call::{Call, Reported};
use crate::callback::closure::{self, Closure, Site};
use crate::callback::{callback_value, closure_table, mark_callback_causes, ExtOut};
use crate::err_site;
use crate::object::class::Class;
use crate::object::value::ObjectRef;
use crate::report::write_error;
use crate::Export;
use ferryman_abi::{Status, EXT_LIBRARY_CLOSURE};
use ferryman_buffer::Sink;
use ferryman_error::{catch_panic, ErrorFields, ErrorValue, Frame};
use ferryman_wire::{encode, Args, Lending};
use serde::Serialize;
use std::error::Error;
use std::io::Write;
use std::panic::Location;
use std::sync::{Arc, Mutex};

/// `Site::args` of an iterator's closure: its signature reads `iterator of T`.
pub(crate) const ITERATOR_ARGS: &str = "iterator";

/// An item: a value, or an error to raise at its position.
pub trait IterItem: Send {
    /// Writes the item, or returns the error it stands for.
    #[doc(hidden)]
    fn write(self, out: &mut Vec<u8>) -> Result<(), ItemError>;
}

/// An item's error. A returned `Err` becomes its error value only when it
/// is written: a callback's error in it holds the host's exception, which
/// the value retains for the host, and an iterator dropped before it pulls
/// the failed item must not leave that retained.
#[doc(hidden)]
#[derive(Debug)]
pub enum ItemError {
    /// The item has no wire form.
    Value(Box<ErrorValue>),
    /// The `Err` of a `Result` item.
    Returned {
        error: Box<dyn Error + Send + Sync>,
        rust_type: &'static str,
        fields: Option<ErrorFields>,
    },
}

impl ItemError {
    /// The error value, for an item of the iterator `function` returned; a
    /// callback's error comes out as the host's own exception, as from a
    /// function (`Call::err`).
    fn into_value(self, function: &str) -> ErrorValue {
        match self {
            ItemError::Value(value) => *value,
            ItemError::Returned {
                error,
                rust_type,
                fields,
            } => {
                let error: &(dyn Error + 'static) = &*error;
                callback_value(error, || format!("`{function}()`")).unwrap_or_else(|| {
                    let mut value = ErrorValue::from_error(error, rust_type, fields);
                    value.base = crate::error_base::error_base(rust_type).map(str::to_owned);
                    mark_callback_causes(error, &mut value);
                    value
                })
            }
        }
    }
}

/// Items of an iterator of plain values.
#[derive(Debug)]
pub struct Plain<T>(pub T);

/// Items of an iterator of `Result`s: `Ok` yields the value, `Err` raises
/// (with its serde fields, as the second field finds them).
#[derive(Debug)]
pub struct Fallible<T, E>(pub Result<T, E>, pub fn(&E) -> Option<ErrorFields>);

impl<T: Serialize + Send> IterItem for Plain<T> {
    #[inline]
    fn write(self, out: &mut Vec<u8>) -> Result<(), ItemError> {
        encode(&self.0, out)
            .map_err(|e| ItemError::Value(Box::new(ErrorValue::bridge("internal", e.to_string()))))
    }
}

impl<T, E> IterItem for Fallible<T, E>
where
    T: Serialize + Send,
    E: Into<Box<dyn Error + Send + Sync + 'static>> + Send,
{
    #[inline]
    fn write(self, out: &mut Vec<u8>) -> Result<(), ItemError> {
        match self.0 {
            Ok(value) => Plain(value).write(out),
            Err(error) => {
                let fields = (self.1)(&error);
                Err(ItemError::Returned {
                    error: error.into(),
                    rust_type: std::any::type_name::<E>(),
                    fields,
                })
            }
        }
    }
}

/// Where the error values of an iterator's items say they come from.
struct Origin {
    export: &'static Export,
}

impl Origin {
    fn frame(&self) -> Frame {
        Frame::rust(self.export.name, self.export.file, self.export.line, 1)
    }

    /// An `Err` item's frame: where its `map` closure made it (`err_site`),
    /// taken right after the item came out, else the function's line.
    fn item_frame(&self) -> Frame {
        match err_site::take_for(self.export.rust_path) {
            Some(site) => Frame::rust(self.export.name, site.file, site.line, site.column),
            None => self.frame(),
        }
    }

    /// An `Err` item's failure; its frame is taken now.
    fn item_failure(&self, error: ItemError) -> Failure {
        Failure {
            error,
            status: Status::Error,
            frame: Some(self.item_frame()),
        }
    }

    /// Writes `failure` as the answer to a pull.
    fn write(&self, failure: Failure, sink: &mut Sink<'_>) -> Status {
        let mut value = failure.error.into_value(self.export.name);
        value.function = Some(self.export.name.to_owned());
        match failure.frame {
            Some(frame) => value.frames.insert(0, frame),
            // A panic: the function's line unless its frames say where.
            None if !value.frames.iter().any(|f| f.function != "<panic>") => {
                value.frames.insert(0, self.frame());
            }
            None => {}
        }
        write_error(sink, &value);
        failure.status
    }
}

/// An item's error, or a panic, as it happened.
struct Failure {
    error: ItemError,
    status: Status,
    /// Where an `Err` item was made; `None` for a panic.
    frame: Option<Frame>,
}

struct State<I> {
    /// `None` once exhausted (or after a panic).
    iter: Option<I>,
    /// An item's error, raised on the next call (the items before it went first).
    pending: Option<Failure>,
}

/// Writes `iter` as the result of `call`: a new closure handle (extension 2)
/// the host pulls batches from. `item` is the item type as written (for
/// `ferryman_live_closures`: `iterator of String`).
#[track_caller]
pub fn ok_iter<I>(call: &mut Call<'_>, iter: I, item: &'static str) -> Result<(), Reported>
where
    I: Iterator + Send + 'static,
    I::Item: IterItem,
{
    let origin = Origin {
        export: call.export(),
    };
    let site = Site {
        closure: origin.export.name,
        location: Location::caller(),
        args: ITERATOR_ARGS,
        arity: 1,
        returns: item,
    };
    let state = Mutex::new(State {
        iter: Some(iter),
        pending: None,
    });
    let function = move |bytes: &[u8], lending: Lending, sink: &mut Sink<'_>, site: &Site| {
        let wanted = match Args::with_lending(bytes, 1, lending).and_then(|mut args| {
            let n = args.next::<u32>(0)?;
            args.finish()?;
            Ok(n)
        }) {
            Ok(n) => n.max(1),
            Err(e) => return closure::write_bad_args(sink, site, &e, Some("u32")),
        };
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        next_batch(&mut state, wanted, sink, &origin)
    };
    let closure: Arc<Closure> = Arc::new(Closure { site, function });
    let handle = closure_table::register(closure);
    call.ok(&ExtOut((
        EXT_LIBRARY_CLOSURE,
        serde_bytes::Bytes::new(&handle.to_be_bytes()),
    )))
}

fn next_batch<I>(state: &mut State<I>, wanted: u32, sink: &mut Sink<'_>, origin: &Origin) -> Status
where
    I: Iterator,
    I::Item: IterItem,
{
    if let Some(failure) = state.pending.take() {
        return origin.write(failure, sink);
    }
    let mut items = Vec::new();
    let mut count = 0u32;
    if let Some(iter) = state.iter.as_mut() {
        // A place this function recorded outside this pull (its iterator used
        // as plain Rust) is no `Err` item's of this batch.
        err_site::discard_for(origin.export.rust_path);
        let outcome = catch_panic(std::panic::AssertUnwindSafe(|| {
            while count < wanted {
                match iter.next() {
                    Some(item) => {
                        if let Err(error) = item.write(&mut items) {
                            return Some(Err(origin.item_failure(error)));
                        }
                        count += 1;
                    }
                    None => return None,
                }
            }
            Some(Ok(()))
        }));
        match outcome {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(failure))) => state.pending = Some(failure),
            Ok(None) => state.iter = None,
            Err(panicked) => {
                state.iter = None;
                state.pending = Some(Failure {
                    error: ItemError::Value(panicked.0),
                    status: Status::Panic,
                    frame: None,
                });
            }
        }
    }
    if count == 0 {
        if let Some(failure) = state.pending.take() {
            return origin.write(failure, sink);
        }
    }
    let _ = rmp::encode::write_array_len(&mut *sink, count);
    let _ = sink.write_all(&items);
    Status::Ok
}

/// An iterator that borrows an object, with an `Arc` of the object keeping it
/// alive (and keeping `&mut self` calls out) for as long as the iterator lives.
pub struct Borrowing<I, T> {
    // Declared first: dropped before `_object`.
    iter: I,
    _object: Arc<T>,
}

impl<I, T> std::fmt::Debug for Borrowing<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Borrowing")
    }
}

impl<I: Iterator, T> Iterator for Borrowing<I, T> {
    type Item = I::Item;
    #[inline]
    fn next(&mut self) -> Option<I::Item> {
        self.iter.next()
    }
}

/// Runs `make` with a reference to the object that lives as long as the
/// iterator it makes.
///
/// # Safety
/// `make` must not keep the reference anywhere but in the iterator it
/// returns: generated code passes a method generic over the lifetime of
/// `&self` (`fn tokens<'a>(&'a self) -> impl Iterator + 'a`), which cannot.
pub unsafe fn borrowing<T: Class, I>(
    object: &ObjectRef<T>,
    make: impl FnOnce(&'static T) -> I,
) -> Borrowing<I, T> {
    let arc = object.arc();
    // SAFETY: the value lives in `arc`'s allocation, which `Borrowing` keeps
    // until after the iterator is dropped; the caller keeps the reference
    // inside the iterator (contract above); `&mut self` calls are refused
    // while `arc` exists (`Arc::get_mut` fails), so the value is not changed
    // under the reference.
    let value: &'static T = unsafe { &*Arc::as_ptr(&arc) };
    Borrowing {
        iter: make(value),
        _object: arc,
    }
}
