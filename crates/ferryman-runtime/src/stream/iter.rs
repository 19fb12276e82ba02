//! `ferryman::stream::iter`: an iterator as a stream whose items are always
//! ready.

use futures_core::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A stream of `items`, each ready at once.
pub fn iter<I: IntoIterator>(items: I) -> Iter<I::IntoIter> {
    Iter(items.into_iter())
}

/// The stream [`iter`] makes.
#[derive(Debug)]
pub struct Iter<I>(I);

impl<I: Iterator + Unpin> Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.0.next())
    }
}
