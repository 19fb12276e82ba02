//! What one call costs inside the library: `ferryman_call` from argument bytes to
//! result bytes (dispatch, decoding, the function, encoding), with a reused host
//! buffer as the Python client uses it; for `fail` and `overflow`, the error value
//! of a returned `Err`; `add` with a disabled `log::debug!` against `add`.
//! `cargo bench -p ferryman --bench call_path`.

use criterion::{criterion_group, criterion_main, Criterion};
use ferryman_abi::FerryBox;
use ferryman_runtime::entry::{ferryman_box_free, ferryman_call, ferryman_function_id};
use std::hint::black_box;

#[ferryman::export]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// `add` with a `log::debug!` that is disabled (the maximum is info): what a
/// disabled level costs on the hot path, against `add` (spec/abi.md, "Logs").
#[ferryman::export]
fn add_logged(a: i64, b: i64) -> i64 {
    ferryman::log::debug!("adding {a} and {b}");
    a + b
}

#[ferryman::export]
fn nothing() {}

#[ferryman::export]
fn echo(data: &[u8]) -> Vec<u8> {
    data.to_vec()
}

#[ferryman::export]
fn sum(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

/// As `bench/ferryman-lib`'s error.
#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error("failed with code {0}")]
    Failed(i64),
}

#[ferryman::export]
fn fail(code: i64) -> Result<i64, BenchError> {
    Err(BenchError::Failed(code))
}

/// An error with serde fields.
#[derive(Debug, thiserror::Error, serde::Serialize)]
enum MathError {
    #[error("{left} + {right} overflows i64")]
    Overflow { left: i64, right: i64 },
}

#[ferryman::export]
fn overflow(left: i64, right: i64) -> Result<i64, MathError> {
    Err(MathError::Overflow { left, right })
}

fn id(name: &str) -> u32 {
    let name_box = FerryBox {
        ptr: name.as_ptr().cast_mut(),
        len: name.len(),
        cap: name.len(),
    };
    // SAFETY: borrows `name` for the call.
    u32::try_from(unsafe { ferryman_function_id(&name_box) }).expect("exported")
}

fn bench_call(c: &mut Criterion, label: &str, name: &str, args: &[u8]) {
    bench_status(c, label, name, args, 0);
}

fn bench_status(c: &mut Criterion, label: &str, name: &str, args: &[u8], expected: i32) {
    let id = id(name);
    let mut host = vec![0u8; 1 << 21];
    let input = FerryBox {
        ptr: args.as_ptr().cast_mut(),
        len: args.len(),
        cap: args.len(),
    };
    c.bench_function(label, |b| {
        b.iter(|| {
            let mut out = FerryBox {
                ptr: host.as_mut_ptr(),
                len: 0,
                cap: host.len(),
            };
            // SAFETY: `input` borrows `args`; `out` is our buffer, not overlapping it.
            let status = unsafe { ferryman_call(id, black_box(&input), &mut out) };
            assert_eq!(status, expected);
            if out.ptr != host.as_mut_ptr() {
                // SAFETY: a library box, freed once.
                unsafe { ferryman_box_free(&mut out) };
            }
            black_box(out.len)
        })
    });
}

fn call_path(c: &mut Criterion) {
    bench_call(c, "nothing()", "nothing", &[0x90]);
    bench_call(c, "add(1, 2)", "add", &[0x92, 0x01, 0x02]);
    // As when a host wants info and above: debug records are not built.
    ferryman::log::set_max_level(ferryman::log::LevelFilter::Info);
    bench_call(
        c,
        "add(1, 2) with a disabled log::debug!",
        "add_logged",
        &[0x92, 0x01, 0x02],
    );
    let bytes = |n: usize| rmp_serde::to_vec(&(serde_bytes::ByteBuf::from(vec![7u8; n]),)).unwrap();
    bench_call(c, "echo 16 B", "echo", &bytes(16));
    bench_call(c, "echo 64 KiB", "echo", &bytes(64 << 10));
    bench_call(c, "echo 1 MiB", "echo", &bytes(1 << 20));
    let ints: Vec<i64> = (0..10_000).collect();
    bench_call(
        c,
        "sum 10,000 ints",
        "sum",
        &rmp_serde::to_vec(&(ints,)).unwrap(),
    );
    bench_status(c, "fail(7) -> Err", "fail", &[0x91, 0x07], 1);
    bench_status(
        c,
        "overflow(1, 2) -> Err with fields",
        "overflow",
        &[0x92, 0x01, 0x02],
        1,
    );
}

criterion_group!(benches, call_path);
criterion_main!(benches);
