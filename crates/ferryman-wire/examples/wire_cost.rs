//! A fixed amount of reading for instruction counts (not a timing benchmark):
//! `value_len` on three values (`skip`) and `Args` decoding a str, a
//! `Vec<i64>` and a `HashMap<String, i64>` (`args`), 16 bytes and a
//! `Vec<i64>` as `echo` and `sum` take them (`small`), N times over.
//!
//! ```text
//! cargo build --release -p ferryman-wire --example wire_cost
//! valgrind --tool=callgrind target/release/examples/wire_cost 100000 args
//! ```
use ferryman_wire::{value_len, Args};
use std::collections::HashMap;
use std::hint::black_box;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(200_000, |s| s.parse().unwrap());
    let which = std::env::args().nth(2).unwrap_or_else(|| "all".into());
    let record = rmp_serde::to_vec_named(&(
        1i64,
        "name",
        vec![1i64, 2, 3],
        HashMap::from([("k".to_owned(), 2.5f64)]),
    ))
    .unwrap();
    let ints = rmp_serde::to_vec(&(0..10i64).collect::<Vec<_>>()).unwrap();
    let text = rmp_serde::to_vec(&("hello world, sixteen",)).unwrap();
    let sum_args = rmp_serde::to_vec(&((0..10i64).collect::<Vec<_>>(),)).unwrap();
    let map_args =
        rmp_serde::to_vec(&(HashMap::from([("a".to_owned(), 1i64), ("b".to_owned(), 2)]),))
            .unwrap();
    let bytes_args = rmp_serde::to_vec(&(serde_bytes::Bytes::new(&[7u8; 16]),)).unwrap();
    let mut total = 0usize;
    for _ in 0..n {
        if which == "all" || which == "skip" {
            total += value_len(black_box(&record)).unwrap();
            total += value_len(black_box(&ints)).unwrap();
            total += value_len(black_box(&[0x05u8][..])).unwrap();
        }
        if which == "all" || which == "args" {
            let mut a = Args::new(black_box(&text), 1).unwrap();
            let s: &str = a.next(0).unwrap();
            total += s.len();
            let mut a = Args::new(black_box(&sum_args), 1).unwrap();
            let v: Vec<i64> = a.next(0).unwrap();
            total += v.len();
            let mut a = Args::new(black_box(&map_args), 1).unwrap();
            let m: HashMap<String, i64> = a.next(0).unwrap();
            total += m.len();
        }
        if which == "all" || which == "small" {
            let mut a = Args::new(black_box(&bytes_args), 1).unwrap();
            let b: &serde_bytes::Bytes = a.next(0).unwrap();
            total += b.len();
            let mut a = Args::new(black_box(&sum_args), 1).unwrap();
            let v: Vec<i64> = a.next(0).unwrap();
            total += v.len();
        }
    }
    println!("{total}");
}
