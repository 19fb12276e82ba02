//! The benchmark functions as a hand-written PyO3 extension module: the lower
//! bound of what calling Rust from Python costs.
//!
//! Written the way a PyO3 user naturally writes them, with the same behaviour
//! as every other column of `bench/`:
//!
//! - bytes arrive borrowed (`&[u8]`) and leave as a new `bytes` object: one copy,
//!   as in every other column that returns new bytes;
//! - the record is a Rust struct converted from and to a Python `dict` with
//!   PyO3's derives (`FromPyObject` with `from_item_all`, `IntoPyObject`), the
//!   exact equivalent of ferryman, which passes serde structs as dicts;
//! - the error is a custom Python exception class raised from Rust;
//! - the object cases use a `#[pyclass]` `Counter` (`frozen`: its state is an
//!   atomic, so its methods take `&self` with no borrow flag to check, as
//!   ferryman's `&self` methods do) and a `#[pyclass]` iterator `CountUp` whose
//!   `__next__` yields one int per call.

mod asynchronous;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::atomic::{AtomicI64, Ordering};

create_exception!(
    bench_pyo3,
    BenchError,
    PyException,
    "The error that `fail` raises."
);

/// The record that `bump` takes and returns, a `dict` on the Python side.
#[derive(Debug, Clone, PartialEq, FromPyObject, IntoPyObject)]
#[pyo3(from_item_all)]
pub struct Record {
    pub name: String,
    pub id: i64,
    pub score: f64,
    pub tags: Vec<i64>,
}

/// Adds two numbers.
#[pyfunction]
fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Returns the bytes unchanged (a new `bytes` object).
#[pyfunction]
fn echo<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}

/// Sums a list of integers.
#[pyfunction]
fn sum(values: Vec<i64>) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Sums a list of floats (given a numpy array: PyO3 reads it as a sequence).
#[pyfunction]
fn sum_f64(values: Vec<f64>) -> f64 {
    values.iter().sum()
}

/// Returns the record with `id + 1`, `score * 2` and `"!"` appended to `name`.
#[pyfunction]
fn bump(record: Record) -> Record {
    let mut record = record;
    record.name.push('!');
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    record
}

/// Always raises `BenchError("failed with code {code}")`.
#[pyfunction]
fn fail(code: i64) -> PyResult<i64> {
    Err(BenchError::new_err(format!("failed with code {code}")))
}

/// A counter shared by reference: the object of the object cases.
#[pyclass(frozen)]
#[derive(Debug)]
pub struct Counter {
    value: AtomicI64,
}

#[pymethods]
impl Counter {
    /// A counter at `start`.
    #[new]
    fn new(start: i64) -> Self {
        Counter {
            value: AtomicI64::new(start),
        }
    }

    /// Adds `n`; returns the new value.
    fn add(&self, n: i64) -> i64 {
        self.value.fetch_add(n, Ordering::Relaxed).wrapping_add(n)
    }

    /// A short string: `Counter(<value>)`.
    fn label(&self) -> String {
        format!("Counter({})", self.value.load(Ordering::Relaxed))
    }

    /// The ints `0..n`, one per `__next__`.
    fn count(&self, n: i64) -> CountUp {
        CountUp { next: 0, end: n }
    }
}

/// The iterator that `Counter.count` returns.
#[pyclass]
#[derive(Debug)]
pub struct CountUp {
    next: i64,
    end: i64,
}

#[pymethods]
impl CountUp {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<i64> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

/// The module `bench_pyo3`.
#[pymodule]
fn bench_pyo3(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(echo, m)?)?;
    m.add_function(wrap_pyfunction!(sum, m)?)?;
    m.add_function(wrap_pyfunction!(sum_f64, m)?)?;
    m.add_function(wrap_pyfunction!(bump, m)?)?;
    m.add_function(wrap_pyfunction!(fail, m)?)?;
    m.add_function(wrap_pyfunction!(asynchronous::add_async, m)?)?;
    m.add_function(wrap_pyfunction!(asynchronous::add_yield, m)?)?;
    m.add_class::<Counter>()?;
    m.add_class::<CountUp>()?;
    m.add("BenchError", m.py().get_type::<BenchError>())?;
    Ok(())
}
