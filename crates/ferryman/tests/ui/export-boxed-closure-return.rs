#[ferryman::export]
pub fn adder(n: i64) -> Box<dyn Fn(i64) -> i64 + Send + Sync> {
    Box::new(move |x| x + n)
}

fn main() {}
