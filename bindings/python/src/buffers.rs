//! Per-thread buffers reused by every call, so the common path allocates nothing.

use std::cell::Cell;

/// Initial size of the output buffer the host lends to the library.
const INITIAL_OUT: usize = 4 * 1024;

/// Buffers larger than this are not kept once a call is done.
const KEEP_AT_MOST: usize = 8 * 1024 * 1024;

/// The two buffers of one call: the encoded arguments and the host's `out` buffer.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    /// The MessagePack argument array.
    pub(crate) args: Vec<u8>,
    /// Lent to the library as `out`.
    pub(crate) out: Vec<u8>,
}

thread_local! {
    static SPARE: Cell<Option<Buffers>> = const { Cell::new(None) };
}

impl Buffers {
    /// Makes sure the next call can take a result of `len` bytes in `out`.
    pub(crate) fn fit_out(&mut self, len: usize) {
        if len > self.out.capacity() && len <= KEEP_AT_MOST {
            let want = len.next_power_of_two().min(KEEP_AT_MOST);
            self.out = Vec::with_capacity(want);
        }
    }
}

/// Runs `f` with this thread's buffers (fresh ones when `f` re-enters).
pub(crate) fn with_buffers<R>(f: impl FnOnce(&mut Buffers) -> R) -> R {
    let mut buffers = SPARE
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_default();
    if buffers.out.capacity() == 0 {
        buffers.out = Vec::with_capacity(INITIAL_OUT);
    }
    let result = f(&mut buffers);
    buffers.args.clear();
    if buffers.args.capacity() > KEEP_AT_MOST {
        buffers.args = Vec::new();
    }
    // If the thread is being torn down the buffers are simply dropped.
    let _ = SPARE.try_with(|spare| spare.set(Some(buffers)));
    result
}
