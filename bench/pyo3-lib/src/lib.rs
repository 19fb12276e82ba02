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
//! - the error is a custom Python exception class raised from Rust.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

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

/// The module `bench_pyo3`.
#[pymodule]
fn bench_pyo3(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(echo, m)?)?;
    m.add_function(wrap_pyfunction!(sum, m)?)?;
    m.add_function(wrap_pyfunction!(bump, m)?)?;
    m.add_function(wrap_pyfunction!(fail, m)?)?;
    m.add("BenchError", m.py().get_type::<BenchError>())?;
    Ok(())
}
