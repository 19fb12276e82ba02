//! A stream with the writer of its items: polled for one batch at a time.

use crate::call::{Call, Reported};
use crate::future::completion::Outcome;
use crate::Export;
use ferryman_abi::Status;
use ferryman_buffer::Sink;
use ferryman_error::catch_panic;
use futures_core::Stream;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

/// MessagePack nil: the batch that says the stream has ended.
const END: u8 = 0xc0;

/// A stream whose type is erased: what a stream handle holds.
pub(crate) trait BatchSource: Send {
    /// Up to `max` items ready now (at least one), the end, or an error item;
    /// `Pending` when none is ready (the waker is woken when one is).
    fn poll_batch(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<Outcome>;
}

/// `stream` and the code that writes one of its items into a call.
pub(crate) struct Pump<S, W> {
    export: &'static Export,
    stream: Pin<Box<S>>,
    write: W,
    /// An error item met after other items, answered by the next batch.
    stash: Option<Outcome>,
    ended: bool,
}

impl<S, W> Pump<S, W> {
    pub(crate) fn new(export: &'static Export, stream: S, write: W) -> Pump<S, W> {
        Pump {
            export,
            stream: Box::pin(stream),
            write,
            stash: None,
            ended: false,
        }
    }
}

fn end() -> Outcome {
    let mut sink = Sink::library();
    let _ = sink.write_all(&[END]);
    Outcome::of(Status::Ok, sink)
}

impl<S, W> BatchSource for Pump<S, W>
where
    S: Stream + Send,
    W: FnMut(S::Item, &mut Call<'_>) -> Result<(), Reported> + Send,
{
    fn poll_batch(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<Outcome> {
        if let Some(stashed) = self.stash.take() {
            return Poll::Ready(stashed);
        }
        if self.ended {
            return Poll::Ready(end());
        }
        let mut items = Vec::new();
        let mut count: u32 = 0;
        let mut item_call = Call::resume(self.export, Sink::library());
        let mut failed = None;
        while (count as usize) < max.max(1) {
            let polled = catch_panic(|| self.stream.as_mut().poll_next(cx));
            let item = match polled {
                Ok(Poll::Pending) => break,
                Ok(Poll::Ready(None)) => {
                    self.ended = true;
                    break;
                }
                Ok(Poll::Ready(Some(item))) => item,
                Err(panicked) => {
                    // A panicking stream is over.
                    self.ended = true;
                    item_call.reset();
                    item_call.panicked(*panicked.0);
                    failed = Some(item_call);
                    break;
                }
            };
            item_call.reset();
            let write = &mut self.write;
            if let Err(panicked) = catch_panic(|| write(item, &mut item_call)) {
                item_call.panicked(*panicked.0);
            }
            if item_call.status() != Status::Ok {
                failed = Some(item_call);
                break;
            }
            items.extend_from_slice(item_call.written());
            count += 1;
        }
        let failed = failed.map(Call::into_outcome);
        if count == 0 {
            return match failed {
                Some(error) => Poll::Ready(error),
                None if self.ended => Poll::Ready(end()),
                None => Poll::Pending,
            };
        }
        self.stash = failed;
        let mut sink = Sink::library();
        let _ = rmp::encode::write_array_len(&mut sink, count);
        let _ = sink.write_all(&items);
        Poll::Ready(Outcome::of(Status::Ok, sink))
    }
}
