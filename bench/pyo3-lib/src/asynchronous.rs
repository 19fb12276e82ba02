//! The async cases (`bench/run_async.py`), as a PyO3 user writes them with
//! `pyo3-async-runtimes`: the future runs on its tokio runtime and
//! `future_into_py` hands Python an asyncio future that the runtime resolves
//! with `call_soon_threadsafe`.

use pyo3::prelude::*;
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
#[pyfunction]
pub fn add_async(py: Python<'_>, a: i64, b: i64) -> PyResult<Bound<'_, PyAny>> {
    pyo3_async_runtimes::tokio::future_into_py(py, async move { Ok(a.wrapping_add(b)) })
}

/// `a + b` after yielding once.
#[pyfunction]
pub fn add_yield(py: Python<'_>, a: i64, b: i64) -> PyResult<Bound<'_, PyAny>> {
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        YieldOnce(false).await;
        Ok(a.wrapping_add(b))
    })
}
