//! `AsyncCallback<Args, R>`: a host callable that answers later (a Python
//! `async def`), which Rust awaits (`spec/callbacks.md`, "Async callbacks").
//!
//! It crosses as a host object (extension 1), like a [`crate::Callback`]. A
//! call invokes the host callable at once with the arguments plus a one-shot
//! resolver closure (`resolver`); the host starts its coroutine and returns,
//! and settles the call later through that closure. The [`CallbackFuture`]
//! waits on a oneshot channel, so no executor thread is held meanwhile.

use crate::callback::error::{decode_error, CallbackError};
use crate::callback::host_registry::HostObject;
use crate::callback::resolver::{self, Settled};
use crate::callback::ExtIn;
use crate::callback::{closure_table, host_object, in_process, serialize_host_object, CallArgs};
use ferryman_abi::{EXT_HOST_OBJECT, EXT_LIBRARY_CLOSURE};
use futures_channel::oneshot;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A host function that answers asynchronously — a Python `async def`, or any
/// callable returning an awaitable — taking the tuple `Args` and resolving to `R`.
///
/// [`call`](AsyncCallback::call) starts it and returns a `Send` future of its
/// outcome; its exception comes back as a [`CallbackError`] which `?` hands to
/// the host as the same exception object. Like [`crate::Callback`] it is
/// `Send + Sync + Clone` and may be kept and called after the exported function
/// returned; the host object is released when the last clone is dropped.
///
/// ```ignore
/// use ferryman::{AsyncCallback, CallbackError};
///
/// /// Awaits `f(x)` and adds one.
/// #[ferryman::export]
/// pub async fn apply_async(f: AsyncCallback<(i64,), i64>, x: i64) -> Result<i64, CallbackError> {
///     Ok(f.call((x,)).await? + 1)
/// }
/// ```
pub struct AsyncCallback<Args, R> {
    object: Arc<HostObject>,
    signature: PhantomData<fn(Args) -> R>,
}

impl<Args, R> Clone for AsyncCallback<Args, R> {
    fn clone(&self) -> Self {
        AsyncCallback {
            object: Arc::clone(&self.object),
            signature: PhantomData,
        }
    }
}

impl<Args, R> fmt::Debug for AsyncCallback<Args, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AsyncCallback(host {} object {})",
            self.object.host_id, self.object.handle
        )
    }
}

impl<Args: CallArgs, R: DeserializeOwned + Send + 'static> AsyncCallback<Args, R> {
    /// Starts the host function with `args` and returns its outcome's future.
    ///
    /// The host function starts now, not at the first poll (as a host's own
    /// `create_task` would): the host is invoked once on this thread and
    /// returns at once, without waiting for the function to end. Dropping the
    /// future stops waiting; the host function runs on, and its outcome is
    /// dropped when it comes.
    #[track_caller]
    pub fn call(&self, args: Args) -> CallbackFuture<R> {
        let at = Location::caller();
        let mut bytes = Vec::with_capacity(64);
        let _ = rmp::encode::write_array_len(&mut bytes, Args::ARITY + 1);
        if let Err(e) = args.encode_items(&mut bytes) {
            // What was written before the failure is sent nowhere.
            in_process::release_references(&bytes);
            return CallbackFuture::failed(CallbackError::encode(e));
        }
        let source = (self.object.host_id, self.object.host());
        let (sender, receiver) = oneshot::channel::<Settled<R>>();
        // The host owns the resolver's handle (`spec/callbacks.md`, "Host
        // objects": every callable in `invoke`'s arguments is the host's).
        let handle = closure_table::register(resolver::resolver::<R>(source, sender, at));
        bytes.extend_from_slice(&[0xd7, EXT_LIBRARY_CLOSURE as u8]);
        bytes.extend_from_slice(&handle.to_be_bytes());
        let (status, out) = source.1.invoke(self.object.handle, &bytes);
        if status != 0 {
            // The host could not start the function: that is the outcome.
            // (The receiver goes, so a late resolver call is a no-op.)
            return CallbackFuture::failed(decode_error(status, out.bytes(), Some(source)));
        }
        // Whatever the host returned now (nil) is not the outcome.
        CallbackFuture {
            state: State::Waiting(receiver),
        }
    }
}

/// The outcome of one [`AsyncCallback::call`]: the host function's result, or
/// its exception (or why it could not run) as a [`CallbackError`].
#[must_use = "the host function runs anyway; await the future for its outcome"]
pub struct CallbackFuture<R> {
    state: State<R>,
}

enum State<R> {
    /// Settled before it was awaited; `None` once taken.
    Failed(Option<CallbackError>),
    Waiting(oneshot::Receiver<Settled<R>>),
}

impl<R> CallbackFuture<R> {
    fn failed(error: CallbackError) -> Self {
        CallbackFuture {
            state: State::Failed(Some(error)),
        }
    }
}

impl<R> fmt::Debug for CallbackFuture<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.state {
            State::Failed(_) => "CallbackFuture(failed)",
            State::Waiting(_) => "CallbackFuture(waiting)",
        })
    }
}

// Neither state is pinned: the receiver is a handle to shared state.
impl<R> Unpin for CallbackFuture<R> {}

impl<R> Future for CallbackFuture<R> {
    type Output = Result<R, CallbackError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Failed(error) => Poll::Ready(Err(error
                .take()
                .expect("a CallbackFuture polled after it completed"))),
            State::Waiting(receiver) => match Pin::new(receiver).poll(cx) {
                Poll::Ready(Ok(settled)) => Poll::Ready(settled),
                // The sender went with a resolver the host released uncalled.
                Poll::Ready(Err(oneshot::Canceled)) => {
                    Poll::Ready(Err(CallbackError::unresolved()))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<Args, R> Serialize for AsyncCallback<Args, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_host_object(&self.object, s)
    }
}

impl<'de, Args, R> Deserialize<'de> for AsyncCallback<Args, R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ExtIn((tag, payload)) = ExtIn::deserialize(d)?;
        match (tag, payload.len()) {
            (EXT_HOST_OBJECT, 12) => Ok(AsyncCallback {
                object: Arc::new(host_object(&payload)?),
                signature: PhantomData,
            }),
            (EXT_LIBRARY_CLOSURE, 8) => Err(D::Error::custom(
                "expected a host callable (MessagePack extension 1), but found a library closure \
                 (extension 2): a Rust closure cannot be awaited as an async callback",
            )),
            (tag, len) => Err(D::Error::custom(format!(
                "expected a host callable (MessagePack extension 1 with 12 bytes), but found extension {tag} with {len} bytes"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}

    #[test]
    fn callbacks_and_their_futures_cross_threads() {
        // An `async fn` export's future must be `Send`: what it awaits is.
        send_sync::<AsyncCallback<(String, i64), Vec<u8>>>();
        send::<CallbackFuture<Vec<u8>>>();
    }

    #[test]
    fn a_failed_call_settles_at_the_first_poll() {
        let mut future = CallbackFuture::<i64>::failed(CallbackError::unresolved());
        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        match Pin::new(&mut future).poll(&mut cx) {
            Poll::Ready(Err(e)) => assert!(e.message().contains("without calling it"), "{e}"),
            other => panic!("expected the error at once, got {other:?}"),
        }
    }

    #[test]
    fn a_released_resolver_settles_the_future_with_an_error() {
        let (sender, receiver) = oneshot::channel::<Settled<i64>>();
        let mut future = CallbackFuture {
            state: State::Waiting(receiver),
        };
        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut future).poll(&mut cx).is_pending());
        drop(sender);
        match Pin::new(&mut future).poll(&mut cx) {
            Poll::Ready(Err(e)) => {
                assert_eq!(e.kind(), "internal");
                assert!(e
                    .message()
                    .contains("released the async callback's resolver"));
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }
}
