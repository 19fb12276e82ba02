//! The async cases (`bench/run_async.py`): a trivial `async fn` (ready at its
//! first poll), one that yields to its executor once (pending: its outcome
//! comes back through the completion), and a stream of ints.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pending once, waking itself: the smallest future that is not ready at its
/// first poll, the same in every column.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// `a + b`, ready at once.
#[ferryman::export]
pub async fn add_async(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `a + b` after yielding once.
#[ferryman::export]
pub async fn add_yield(a: i64, b: i64) -> i64 {
    YieldOnce(false).await;
    a.wrapping_add(b)
}

/// The ints `0..n`.
#[ferryman::export]
pub fn count_stream(n: i64) -> impl ferryman::Stream<Item = i64> + Send {
    ferryman::stream::iter(0..n)
}
