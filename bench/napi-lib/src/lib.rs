//! The benchmark functions as a hand-written napi-rs addon: the lower bound of
//! the Node table (`bench/node/run.js`), written the way a napi-rs user writes
//! them — plain Rust types that napi-rs converts, `#[napi]` on each function.
//!
//! Every column of the benchmark implements the same five functions with the
//! same behaviour; keep them in step with `bench/ferryman-lib` and the other
//! `bench/*` crates.

use napi::bindgen_prelude::BufferSlice;
use napi::Env;
use napi_derive::napi;

/// The record that `bump` takes and returns (a plain object in JS).
#[napi(object)]
#[derive(Debug)]
pub struct Record {
    pub name: String,
    pub id: i64,
    pub score: f64,
    pub tags: Vec<i64>,
}

/// Adds two numbers.
#[napi]
pub fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Returns a new `Buffer` with the same bytes: the caller's `Buffer` is
/// borrowed (`&[u8]`, no copy in) and copied once into a `Buffer` that V8
/// allocates (`napi_create_buffer_copy`), the one copy every column makes.
///
/// `Buffer::from(data.to_vec())` would be the other natural spelling; it
/// hands the `Vec` to V8 as an external buffer with a finalizer, several
/// hundred ns more per small call (bench/README.md, "Node").
#[napi]
pub fn echo<'env>(env: &'env Env, data: &[u8]) -> napi::Result<BufferSlice<'env>> {
    BufferSlice::copy_from(env, data)
}

/// Sums an array of integers.
#[napi]
pub fn sum(values: Vec<i64>) -> i64 {
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Returns the record with `id + 1`, `score * 2` and `"!"` appended to `name`.
#[napi]
pub fn bump(record: Record) -> Record {
    let mut record = record;
    record.name.push('!');
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    record
}

/// Always throws an `Error` saying `failed with code <code>`.
#[napi]
pub fn fail(code: i64) -> napi::Result<i64> {
    Err(napi::Error::from_reason(format!("failed with code {code}")))
}
