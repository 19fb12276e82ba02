//! The benchmark functions as a plain C ABI, the way one writes it by hand to
//! call Rust through `ctypes` (`bench/run.py` sets `argtypes` and `restype`).
//!
//! Minimal and fair: no allocation crosses the boundary. The caller owns every
//! buffer — it passes input by pointer and length and provides the output
//! buffers — so there is nothing to free and no second call.
//!
//! As C:
//!
//! ```c
//! int64_t bench_add(int64_t a, int64_t b);
//! void    bench_echo(const uint8_t *data, size_t len, uint8_t *out); /* out: len bytes */
//! int64_t bench_sum(const int64_t *values, size_t len);
//! int32_t bench_bump(BenchRecord *record);   /* in place; 0 ok, 1 name_cap too small */
//! int32_t bench_fail(int64_t code, int64_t *out); /* always 1: error `code` */
//! ```

use std::slice;

/// The record `bench_bump` modifies in place. As C:
///
/// ```c
/// typedef struct BenchRecord {
///     uint8_t *name;      /* UTF-8, not terminated; caller-owned, name_cap bytes */
///     size_t   name_len;  /* bytes used */
///     size_t   name_cap;  /* bytes allocated at name (>= name_len + 1 for bump) */
///     int64_t  id;
///     double   score;
///     const int64_t *tags;  /* caller-owned, tags_len values, read only */
///     size_t   tags_len;
/// } BenchRecord;
/// ```
#[repr(C)]
#[derive(Debug)]
pub struct BenchRecord {
    pub name: *mut u8,
    pub name_len: usize,
    pub name_cap: usize,
    pub id: i64,
    pub score: f64,
    pub tags: *const i64,
    pub tags_len: usize,
}

/// Status: success.
pub const BENCH_OK: i32 = 0;
/// Status: the function failed; the error code is in its `out` parameter.
pub const BENCH_ERROR: i32 = 1;

/// Adds two numbers.
#[no_mangle]
pub extern "C" fn bench_add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Copies `len` bytes from `data` to `out`.
///
/// # Safety
///
/// `data` must be readable and `out` writable for `len` bytes (either may be
/// dangling when `len` is 0); they must not overlap.
#[no_mangle]
pub unsafe extern "C" fn bench_echo(data: *const u8, len: usize, out: *mut u8) {
    if len == 0 {
        return;
    }
    // SAFETY: the caller guarantees both ranges are valid and disjoint.
    unsafe { std::ptr::copy_nonoverlapping(data, out, len) };
}

/// Sums `len` integers at `values`.
///
/// # Safety
///
/// `values` must point to `len` readable `i64`s (or be anything when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn bench_sum(values: *const i64, len: usize) -> i64 {
    if len == 0 {
        return 0;
    }
    // SAFETY: the caller guarantees `len` readable, aligned values.
    let values = unsafe { slice::from_raw_parts(values, len) };
    values.iter().fold(0i64, |acc, v| acc.wrapping_add(*v))
}

/// Bumps the record in place: `id + 1`, `score * 2`, `"!"` appended to `name`.
/// Returns [`BENCH_ERROR`] (record untouched) when `name_cap` leaves no room.
///
/// # Safety
///
/// `record` must point to a valid [`BenchRecord`] whose `name` is writable for
/// `name_cap` bytes.
#[no_mangle]
pub unsafe extern "C" fn bench_bump(record: *mut BenchRecord) -> i32 {
    // SAFETY: the caller guarantees `record` is valid and exclusively ours.
    let record = unsafe { &mut *record };
    if record.name_len >= record.name_cap {
        return BENCH_ERROR;
    }
    // SAFETY: `name_len < name_cap`, and `name` is writable for `name_cap` bytes.
    unsafe { record.name.add(record.name_len).write(b'!') };
    record.name_len += 1;
    record.id = record.id.wrapping_add(1);
    record.score *= 2.0;
    BENCH_OK
}

/// Always fails: writes `code` to `out` and returns [`BENCH_ERROR`].
///
/// # Safety
///
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn bench_fail(code: i64, out: *mut i64) -> i32 {
    // SAFETY: the caller guarantees `out` is writable.
    unsafe { out.write(code) };
    BENCH_ERROR
}
