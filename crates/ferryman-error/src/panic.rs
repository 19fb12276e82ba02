//! Panics caught at the boundary, with where they happened.
//!
//! A process-wide panic hook (one per library: each `cdylib` has its own copy of
//! std) records the location and an unresolved backtrace of panics raised while a
//! ferryman call runs on the current thread, and stays quiet about them; panics
//! anywhere else go to the hook that was installed before.

use crate::frames::user_frames;
use crate::{ErrorValue, Frame};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// How many ferryman calls are running on this thread (callbacks nest).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// What the hook saw of the last panic on this thread.
    static RECORD: RefCell<Option<Record>> = const { RefCell::new(None) };
}

struct Record {
    file: String,
    line: u32,
    column: u32,
    thread: Option<String>,
    backtrace: Option<backtrace::Backtrace>,
}

/// A caught panic, already turned into an error value of kind `panic`.
#[derive(Debug)]
pub struct Panicked(pub Box<ErrorValue>);

/// Runs `f`; a panic inside it comes back as [`Panicked`] instead of unwinding.
///
/// Set `FERRYMAN_BACKTRACE=0` to skip capturing backtraces (the panic location
/// is always reported). Inlined: it runs around every call.
#[inline(always)]
pub fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    install_hook();
    // One thread-local look-up for both the increment and the decrement: in a
    // shared library each look-up is a call.
    let result = DEPTH.with(|depth| {
        depth.set(depth.get() + 1);
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        depth.set(depth.get() - 1);
        result
    });
    result.map_err(panicked)
}

/// The error value for a caught panic: off the common path, so that
/// [`catch_panic`] inlines into the entry points.
#[cold]
#[inline(never)]
fn panicked(payload: Box<dyn Any + Send>) -> Panicked {
    let message = payload_message(&*payload);
    drop_quietly(payload);
    let record = RECORD.with(|r| r.borrow_mut().take());
    // Building the value resolves symbols; if even that panics, say so plainly.
    let value = panic::catch_unwind(AssertUnwindSafe(|| panic_value(message.clone(), record)))
        .unwrap_or_else(|p| {
            drop_quietly(p);
            ErrorValue {
                kind: "panic".to_owned(),
                type_name: "Panic".to_owned(),
                message,
                ..ErrorValue::default()
            }
        });
    Panicked(Box::new(value))
}

#[inline]
fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let inside_call = DEPTH.try_with(|d| d.get() > 0).unwrap_or(false);
            if inside_call {
                let record = record(info);
                let _ = RECORD.try_with(|r| *r.borrow_mut() = Some(record));
            } else {
                previous(info);
            }
        }));
    });
}

fn record(info: &PanicHookInfo<'_>) -> Record {
    let (file, line, column) = info
        .location()
        .map(|l| (l.file().to_owned(), l.line(), l.column()))
        .unwrap_or_default();
    let wanted = std::env::var_os("FERRYMAN_BACKTRACE").is_none_or(|v| v != "0");
    Record {
        file,
        line,
        column,
        thread: std::thread::current().name().map(str::to_owned),
        backtrace: wanted.then(backtrace::Backtrace::new_unresolved),
    }
}

fn panic_value(message: String, record: Option<Record>) -> ErrorValue {
    let mut frames = Vec::new();
    let mut notes = Vec::new();
    if let Some(record) = record {
        if let Some(backtrace) = record.backtrace.as_ref() {
            frames = user_frames(backtrace);
        }
        let innermost = frames.last();
        let same_place = innermost.is_some_and(|f| {
            f.line == record.line
                && (f.file.ends_with(&record.file) || record.file.ends_with(&f.file))
        });
        if same_place {
            // Keep the backtrace's path (absolute, so tools can open it); take the
            // exact column from the panic location.
            if let Some(last) = frames.last_mut() {
                last.column = record.column;
            }
        } else {
            let function = innermost.map_or_else(|| "<panic>".to_owned(), |f| f.function.clone());
            frames.push(Frame::rust(
                function,
                record.file.clone(),
                record.line,
                record.column,
            ));
        }
        let thread = record.thread.as_deref().unwrap_or("<unnamed>");
        notes.push(format!(
            "Rust panicked in thread '{thread}' at {}:{}:{}",
            record.file, record.line, record.column
        ));
    }
    ErrorValue {
        kind: "panic".to_owned(),
        type_name: "Panic".to_owned(),
        message,
        notes,
        frames,
        ..ErrorValue::default()
    }
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any> (a panic payload that is not a string)".to_owned()
    }
}

/// Drops a panic payload whose own `Drop` might panic, without unwinding further.
fn drop_quietly(payload: Box<dyn Any + Send>) {
    if let Err(nested) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(nested);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_passes_through() {
        assert_eq!(catch_panic(|| 41 + 1).unwrap(), 42);
    }

    #[test]
    fn panic_becomes_a_value_with_its_exact_location() {
        let line = line!() + 1;
        let err = catch_panic(|| panic!("boom {}", 7)).unwrap_err().0;
        assert_eq!(
            (
                err.kind.as_str(),
                err.type_name.as_str(),
                err.message.as_str()
            ),
            ("panic", "Panic", "boom 7")
        );
        let last = err.frames.last().expect("at least the location frame");
        assert!(
            last.file.ends_with(file!()),
            "{} should name {}",
            last.file,
            file!()
        );
        assert_eq!(last.line, line);
        assert!(err.notes[0].contains("Rust panicked"));
    }

    #[test]
    fn non_string_payloads_are_described() {
        let err = catch_panic(|| std::panic::panic_any(5u8)).unwrap_err().0;
        assert!(err.message.contains("not a string"));
    }

    #[test]
    fn nested_catches_each_see_their_own_panic() {
        let outer = catch_panic(|| {
            let inner = catch_panic(|| panic!("inner")).unwrap_err().0;
            assert_eq!(inner.message, "inner");
            panic!("outer")
        });
        assert_eq!(outer.unwrap_err().0.message, "outer");
    }
}
