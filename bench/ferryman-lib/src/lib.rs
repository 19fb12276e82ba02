//! The benchmark functions as a ferryman user writes them: plain Rust signatures
//! marked `#[ferryman::export]`, nothing else. `bench/run.py` loads the built
//! library with `ferryman.load` and calls them from Python.
//!
//! Every column of the benchmark implements the same five functions and the
//! same `Counter` class with the same behaviour; keep them in step with the
//! other `bench/*` crates. `sum_f64` and `sum_slice` are the slice forms a
//! typed array is lent to (numpy, a Go `[]int64`).

mod asynchronous;

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicI64, Ordering};

/// The record that `bump` takes and returns (a Python dict on the other side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub name: String,
    pub id: i64,
    pub score: f64,
    pub tags: Vec<i64>,
}

/// The error that `fail` returns.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("failed with code {0}")]
    Failed(i64),
}

/// Adds two numbers.
#[ferryman::export]
pub fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Returns the bytes unchanged.
///
/// `ferryman::Bytes` is the type a ferryman user picks for large bytes: the
/// host lends its `bytes` object (no copy in), and the result goes back as a
/// reference to it that the host copies once into a new `bytes` — the one copy
/// PyO3's `&[u8]` in, `PyBytes::new` out makes too (`bench/README.md`).
#[ferryman::export]
pub fn echo(data: ferryman::Bytes) -> ferryman::Bytes {
    data
}

/// Sums a list of integers.
#[ferryman::export]
pub fn sum(values: Vec<i64>) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Sums a slice of integers: what a caller holding a typed array (a Go
/// `[]int64`, a numpy `int64` array) lends is read in place, with no copy
/// into a `Vec` (the Go table's `&[i64]` row, beside `sum`'s).
#[ferryman::export]
pub fn sum_slice(values: &[i64]) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Sums a slice of floats (sent from a numpy array).
#[ferryman::export]
pub fn sum_f64(values: &[f64]) -> f64 {
    values.iter().sum()
}

/// Returns the record with `id + 1`, `score * 2` and `"!"` appended to `name`.
#[ferryman::export]
pub fn bump(record: Record) -> Record {
    let mut record = record;
    record.name.push('!');
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    record
}

/// Always fails with `BenchError::Failed(code)`.
#[ferryman::export]
pub fn fail(code: i64) -> Result<i64, BenchError> {
    Err(BenchError::Failed(code))
}

/// A counter shared by reference: the object of the object cases.
#[ferryman::export]
#[derive(Debug)]
pub struct Counter {
    value: AtomicI64,
}

#[ferryman::export]
impl Counter {
    /// A counter at `start` (Python: `Counter(start)`).
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

    /// The ints `0..n`, pulled lazily by the host.
    pub fn count(&self, n: i64) -> impl Iterator<Item = i64> + Send {
        0..n
    }
}
