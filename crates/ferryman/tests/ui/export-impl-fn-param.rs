#[ferryman::export]
pub fn apply(f: impl Fn(i64) -> i64, x: i64) -> i64 {
    f(x)
}

fn main() {}
