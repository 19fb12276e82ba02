//! A fixed number of calls through `ferryman_call`, for instruction counts
//! (callgrind), not timing: `add(1, 2)`, `echo(16 bytes)`, `sum(10 ints)`.
//!
//! ```text
//! cargo build --release -p ferryman --example call_cost
//! valgrind --tool=callgrind target/release/examples/call_cost 100000 add
//! ```

use ferryman_abi::FerryBox;
use ferryman_runtime::entry::{ferryman_call, ferryman_function_id};
use std::hint::black_box;

#[ferryman::export]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[ferryman::export]
fn echo(data: &[u8]) -> Vec<u8> {
    data.to_vec()
}

#[ferryman::export]
fn sum(values: Vec<i64>) -> i64 {
    values.iter().sum()
}

fn borrowed(bytes: &[u8]) -> FerryBox {
    FerryBox {
        ptr: bytes.as_ptr().cast_mut(),
        len: bytes.len(),
        cap: bytes.len(),
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().unwrap());
    let which = std::env::args().nth(2).unwrap_or_else(|| "add".into());
    let (name, args): (&str, Vec<u8>) = match which.as_str() {
        "add" => ("add", vec![0x92, 0x01, 0x02]),
        "echo" => ("echo", [&[0x91, 0xc4, 0x10][..], &[7; 16]].concat()),
        _ => (
            "sum",
            [&[0x91, 0x9a][..], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]].concat(),
        ),
    };
    // SAFETY: borrows `name` for the call.
    let id = unsafe { ferryman_function_id(&borrowed(name.as_bytes())) } as u32;
    let mut host = vec![0u8; 4096];
    let input = borrowed(&args);
    let mut total = 0usize;
    for _ in 0..n {
        let mut out = FerryBox {
            ptr: host.as_mut_ptr(),
            len: 0,
            cap: host.len(),
        };
        // SAFETY: `input` borrows `args`; `out` is the host's buffer.
        let status = unsafe { ferryman_call(black_box(id), &input, &mut out) };
        assert_eq!(status, 0);
        total += out.len;
    }
    println!("{total}");
}
