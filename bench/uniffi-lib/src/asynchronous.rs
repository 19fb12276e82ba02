//! The async cases (`bench/run_async.py`), as a UniFFI user writes them:
//! `#[uniffi::export] async fn`, which UniFFI's Python bindings await by
//! polling the Rust future from the event loop. UniFFI has no streams.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pending once, waking itself: the same future as in every column.
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
#[uniffi::export]
pub async fn add_async(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// `a + b` after yielding once.
#[uniffi::export]
pub async fn add_yield(a: i64, b: i64) -> i64 {
    YieldOnce(false).await;
    a.wrapping_add(b)
}
