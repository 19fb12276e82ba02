//! What an async export's shim calls: the first poll inline, then the
//! executor (ADR 0014).

use super::completion::{self, Outcome};
use super::executor;
use super::table::{self, Handle};
use super::task::{Task, Work};
use crate::call::{Call, Reported};
use crate::Export;
use ferryman_abi::{Status, EXT_FUTURE};
use ferryman_buffer::Sink;
use ferryman_error::catch_panic;
use futures_task::noop_waker_ref;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs an async export's future, which ends with the writer of its result
/// (the code a sync shim runs on the function's return value).
///
/// Polled once here, on the calling thread (inside the runtime's context):
/// ready, the writer answers this call as a sync function would. Pending,
/// the call answers `FERRY_PENDING` with a future handle and the executor
/// takes the future over — or, when no host connected a completion
/// function or the call is `ferryman_call_blocking`'s, this thread runs it
/// to its end and answers with the result.
pub fn run_async<F, W>(call: &mut Call<'_>, future: F) -> Result<(), Reported>
where
    F: Future<Output = W> + Send + 'static,
    W: FnOnce(&mut Call<'_>) -> Result<(), Reported> + Send + 'static,
{
    let mut future = Box::pin(future);
    let first = {
        let _entered = executor::enter();
        future
            .as_mut()
            .poll(&mut Context::from_waker(noop_waker_ref()))
    };
    let write = match first {
        Poll::Ready(write) => return write(call),
        Poll::Pending if !completion::connected() || completion::blocking() => {
            executor::block_on(future)
        }
        Poll::Pending => {
            let export = call.export();
            let task = Task::new(export.name, Box::pin(Finishing { export, future }) as Work);
            let handle = table::insert(Handle::Future(task.clone()), export.name);
            task.on_delivered(move || {
                table::remove(handle);
            });
            task.spawn();
            call.handle_value(Status::Pending, EXT_FUTURE, handle);
            return Ok(());
        }
    };
    write(call)
}

/// The user's future, then its writer into a fresh call: the outcome to
/// deliver. Panics in either become the export's panic error value.
struct Finishing<F> {
    export: &'static Export,
    future: Pin<Box<F>>,
}

impl<F, W> Future for Finishing<F>
where
    F: Future<Output = W>,
    W: FnOnce(&mut Call<'_>) -> Result<(), Reported>,
{
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let export = self.export;
        let mut call = Call::resume(export, Sink::library());
        match catch_panic(|| self.future.as_mut().poll(cx)) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(write)) => {
                if let Err(panicked) = catch_panic(|| write(&mut call)) {
                    call.panicked(*panicked.0);
                }
            }
            Err(panicked) => call.panicked(*panicked.0),
        }
        Poll::Ready(call.into_outcome())
    }
}

/// What an exported `async fn`'s future must be: the executor runs it on
/// its worker threads after the call returned.
#[diagnostic::on_unimplemented(
    message = "the future of an exported `async fn` must be `Send + 'static`",
    label = "this `async fn`'s future is not `Send + 'static`",
    note = "ferryman runs it on its executor's threads after the call returned: take owned \
            parameters, and hold no `Rc`, `RefCell` borrow or `std::sync::MutexGuard` across \
            an `.await` (use `Arc`, or an async mutex such as `tokio::sync::Mutex`)"
)]
pub trait ExportFuture: Future + Send + 'static {}

impl<F: Future + Send + 'static> ExportFuture for F {}

/// `future`, checked to be an [`ExportFuture`] where the user's function is.
#[inline(always)]
pub fn export_future<F: ExportFuture>(future: F) -> F {
    future
}

/// `write`, typed as the writer `run_async` takes (so that the closure's
/// `&mut Call<'_>` is for any lifetime).
#[inline(always)]
pub fn writer<W>(write: W) -> W
where
    W: FnOnce(&mut Call<'_>) -> Result<(), Reported> + Send + 'static,
{
    write
}
