//! `ferryman::stream::channel`: a bounded channel whose receiver is a
//! stream an export returns, and whose sender learns when the host stops
//! reading (the receiver dropped: the host released the stream).

use futures_channel::mpsc;
use futures_core::Stream;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A bounded channel of `capacity` items: the producer's [`Sender`] waits
/// while that many are buffered and the host has not pulled them.
///
/// ```
/// # use ferryman_runtime::stream::channel::channel;
/// // In a library: `ferryman::stream::channel`.
/// let (mut tx, rx) = channel::<u32>(4);
/// std::thread::spawn(move || {
///     for i in 0.. {
///         if tx.blocking_send(i).is_err() {
///             break; // the host released the stream
///         }
///     }
/// });
/// # drop(rx);
/// ```
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    // futures' channel holds `buffer + senders` items; one sender.
    let (tx, rx) = mpsc::channel(capacity.saturating_sub(1));
    (Sender(tx), Receiver(rx))
}

/// The producing end of [`channel`].
pub struct Sender<T>(mpsc::Sender<T>);

/// The consuming end of [`channel`]: a [`Stream`] to return from an export.
pub struct Receiver<T>(mpsc::Receiver<T>);

/// The stream's consumer is gone: the host released it (or the receiver was
/// dropped). Holds the item that was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the stream's consumer is gone")
    }
}

impl<T: fmt::Debug> std::error::Error for Closed<T> {}

impl<T> Sender<T> {
    /// Sends `item`, waiting while the buffer is full; `Err` once the
    /// consumer is gone.
    pub async fn send(&mut self, item: T) -> Result<(), Closed<T>> {
        if std::future::poll_fn(|cx| self.0.poll_ready(cx))
            .await
            .is_err()
        {
            return Err(Closed(item));
        }
        // Ready: the slot `poll_ready` reserved takes it.
        self.0.try_send(item).map_err(|e| Closed(e.into_inner()))
    }

    /// [`Sender::send`] from a thread that is not running async code.
    pub fn blocking_send(&mut self, item: T) -> Result<(), Closed<T>> {
        futures_executor::block_on(self.send(item))
    }

    /// Whether the consumer is gone.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.0).poll_next(cx)
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
