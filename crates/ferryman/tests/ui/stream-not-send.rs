// A stream is pulled from any thread: it must be Send, and not `async fn`.
use ferryman::Stream;

#[ferryman::export]
pub fn numbers(n: u64) -> impl Stream<Item = u64> {
    ferryman::stream::iter(0..n)
}

fn main() {}
