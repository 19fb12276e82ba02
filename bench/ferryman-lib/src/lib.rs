//! The benchmark functions as a ferryman user writes them: plain Rust signatures
//! marked `#[ferryman::export]`, nothing else. `bench/run.py` loads the built
//! library with `ferryman.load` and calls them from Python.
//!
//! Every column of the benchmark implements the same five functions with the
//! same behaviour; keep them in step with the other `bench/*` crates.

use serde::{Deserialize, Serialize};

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
