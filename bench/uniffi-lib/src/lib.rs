//! The benchmark functions exported with UniFFI in proc-macro mode, the way a
//! UniFFI user writes them. `bench/build.sh` generates the Python module
//! (`bench_uniffi.py`) from the built library in library mode.
//!
//! Same behaviour as every other column of `bench/`. On the Python side the
//! record is UniFFI's generated `Record` class and the error `BenchError.Failed`.
//!
//! The object cases use a `#[derive(uniffi::Object)]` `Counter` with an
//! `#[uniffi::export]` impl. UniFFI has no iterators: `Counter.count` returns a
//! `CountUp` object whose `next()` returns the next int or `None` (a `Mutex`
//! inside, since UniFFI methods take `&self`); Python iterates it with
//! `iter(it.next, None)`.

mod asynchronous;

use std::ops::Range;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

uniffi::setup_scaffolding!();

/// The record that `bump` takes and returns.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Record {
    pub name: String,
    pub id: i64,
    pub score: f64,
    pub tags: Vec<i64>,
}

/// The error that `fail` returns.
///
/// `flat_error`: the exception carries the `Display` message, as in every other
/// column (without it UniFFI sends the fields only, and Python shows `code=7`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum BenchError {
    #[error("failed with code {code}")]
    Failed { code: i64 },
}

/// Adds two numbers.
#[uniffi::export]
pub fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Returns the bytes unchanged (`Vec<u8>` is UniFFI's `bytes`).
#[uniffi::export]
pub fn echo(data: Vec<u8>) -> Vec<u8> {
    data
}

/// Sums a list of integers.
#[uniffi::export]
pub fn sum(values: Vec<i64>) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Returns the record with `id + 1`, `score * 2` and `"!"` appended to `name`.
#[uniffi::export]
pub fn bump(record: Record) -> Record {
    let mut record = record;
    record.name.push('!');
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    record
}

/// Always fails with `BenchError::Failed { code }`.
#[uniffi::export]
pub fn fail(code: i64) -> Result<i64, BenchError> {
    Err(BenchError::Failed { code })
}

/// A counter shared by reference: the object of the object cases.
#[derive(Debug, uniffi::Object)]
pub struct Counter {
    value: AtomicI64,
}

#[uniffi::export]
impl Counter {
    /// A counter at `start` (Python: `Counter(start)`).
    #[uniffi::constructor]
    pub fn new(start: i64) -> Self {
        Counter {
            value: AtomicI64::new(start),
        }
    }

    /// Adds `n`; returns the new value.
    pub fn add(&self, n: i64) -> i64 {
        self.value.fetch_add(n, Ordering::Relaxed).wrapping_add(n)
    }

    /// A short string: `Counter(<value>)`.
    pub fn label(&self) -> String {
        format!("Counter({})", self.value.load(Ordering::Relaxed))
    }

    /// The ints `0..n`, one per `CountUp.next()` call.
    pub fn count(&self, n: i64) -> Arc<CountUp> {
        Arc::new(CountUp {
            range: Mutex::new(0..n),
        })
    }
}

/// The iterator that `Counter.count` returns: UniFFI has no iterator type.
#[derive(Debug, uniffi::Object)]
pub struct CountUp {
    range: Mutex<Range<i64>>,
}

#[uniffi::export]
impl CountUp {
    /// The next int, or `None` at the end.
    pub fn next(&self) -> Option<i64> {
        self.range.lock().unwrap_or_else(|e| e.into_inner()).next()
    }
}
