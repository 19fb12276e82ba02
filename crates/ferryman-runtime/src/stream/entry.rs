//! One stream handed to a host: its pump, where its pending nexts report,
//! and the next pending now, if any.

use super::pump::{BatchSource, Pump};
use crate::call::{Call, Reported};
use crate::future::completion::{Outcome, Target};
use crate::future::executor;
use crate::future::table::{self, Handle};
use crate::future::task::{Task, Work};
use ferryman_abi::{Status, EXT_STREAM};
use futures_core::Stream;
use futures_task::noop_waker_ref;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

type Source = Box<dyn BatchSource>;

#[derive(Default)]
struct State {
    /// `None` while a pending next holds it, and after the release.
    source: Option<Source>,
    target: Option<Target>,
    pending: Option<Arc<Task>>,
    released: bool,
}

/// A stream a host holds by handle.
pub(crate) struct StreamEntry {
    function: &'static str,
    state: Mutex<State>,
}

impl std::fmt::Debug for StreamEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamEntry")
            .field("function", &self.function)
            .finish_non_exhaustive()
    }
}

impl StreamEntry {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Answers a call with a new stream handle for `stream`, whose items
/// `write` writes (the code a sync shim runs on a return value).
pub fn ok_stream<S, W>(call: &mut Call<'_>, stream: S, write: W) -> Result<(), Reported>
where
    S: Stream + Send + 'static,
    W: FnMut(S::Item, &mut Call<'_>) -> Result<(), Reported> + Send + 'static,
{
    let export = call.export();
    let entry = Arc::new(StreamEntry {
        function: export.name,
        state: Mutex::new(State {
            source: Some(Box::new(Pump::new(export, stream, write))),
            ..State::default()
        }),
    });
    let handle = table::insert(Handle::Stream(entry), export.name);
    call.handle_value(Status::Ok, EXT_STREAM, handle);
    Ok(())
}

/// What `ferryman_stream_next` answers synchronously.
pub(crate) enum Next {
    /// A batch, the end or an error item.
    Now(Outcome),
    /// Nothing ready: the completion follows.
    Pending,
    /// No live stream has this handle.
    NotLive,
    /// A next of this stream is pending already.
    Busy(&'static str),
}

/// The next batch of stream `handle`, at most `max` items.
pub(crate) fn next(handle: u64, max: usize) -> Next {
    let Some(Handle::Stream(entry)) = table::get(handle) else {
        return Next::NotLive;
    };
    let mut state = entry.state();
    let Some(mut source) = state.source.take() else {
        return Next::Busy(entry.function);
    };
    let first = {
        let _entered = executor::enter();
        source.poll_batch(&mut Context::from_waker(noop_waker_ref()), max)
    };
    if let Poll::Ready(outcome) = first {
        state.source = Some(source);
        return Next::Now(outcome);
    }
    let Some(target) = state.target else {
        // No completion to report to: wait here.
        let outcome = executor::block_on(std::future::poll_fn(|cx| source.poll_batch(cx, max)));
        state.source = Some(source);
        return Next::Now(outcome);
    };
    let work = NextBatch {
        entry: Arc::clone(&entry),
        source: Some(source),
        max,
    };
    let task = Task::new(entry.function, Box::pin(work) as Work);
    task.attach(target);
    state.pending = Some(Arc::clone(&task));
    drop(state);
    task.spawn();
    Next::Pending
}

/// Sets where the pending nexts of stream `handle` report; `false` when it
/// is not live.
pub(crate) fn attach(entry: &StreamEntry, target: Target) {
    entry.state().target = Some(target);
}

/// Drops stream `handle` (its producer sees the end); a pending next
/// completes with `FERRY_CANCELLED`. `false` when it was not live.
pub(crate) fn release(handle: u64) -> bool {
    let Some(Handle::Stream(entry)) = table::remove(handle) else {
        return false;
    };
    let (source, pending) = {
        let mut state = entry.state();
        state.released = true;
        (state.source.take(), state.pending.take())
    };
    drop(source);
    if let Some(task) = pending {
        task.cancel();
    }
    true
}

/// A pending next: polls the stream for one batch, then gives it back.
struct NextBatch {
    entry: Arc<StreamEntry>,
    source: Option<Source>,
    max: usize,
}

impl Future for NextBatch {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let max = self.max;
        let Some(source) = self.source.as_mut() else {
            return Poll::Ready(Outcome::cancelled(self.entry.function, "was released"));
        };
        let outcome = match source.poll_batch(cx, max) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(outcome) => outcome,
        };
        let source = self.source.take();
        let mut state = self.entry.state();
        state.pending = None;
        if !state.released {
            state.source = source;
        }
        Poll::Ready(outcome)
    }
}
