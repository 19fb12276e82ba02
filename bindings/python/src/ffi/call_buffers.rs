//! The reusable buffers of a call, so the common path allocates nothing. Each
//! thread keeps one pair between calls (`scope`).

/// Initial size of the output buffer the host lends to the library.
const INITIAL_OUT: usize = 4 * 1024;

/// Buffers larger than this are not kept once a call is done.
const KEEP_AT_MOST: usize = 8 * 1024 * 1024;

/// The two buffers of one call: the encoded arguments and the host's `out` buffer.
#[derive(Debug)]
pub(crate) struct Buffers {
    /// The MessagePack argument array.
    pub(crate) args: Vec<u8>,
    /// Lent to the library as `out`.
    pub(crate) out: Vec<u8>,
    /// Calls made with these buffers since one looked for signals
    /// (`calls::crossing`): a count per thread, as each thread keeps its own.
    pub(crate) calls_unchecked: u8,
}

impl Default for Buffers {
    /// Fresh buffers, with room for a typical result.
    fn default() -> Buffers {
        Buffers {
            args: Vec::new(),
            out: Vec::with_capacity(INITIAL_OUT),
            calls_unchecked: 0,
        }
    }
}

impl Buffers {
    /// Makes sure the next call can take a result of `len` bytes in `out`.
    pub(crate) fn fit_out(&mut self, len: usize) {
        if len > self.out.capacity() && len <= KEEP_AT_MOST {
            let want = len.next_power_of_two().min(KEEP_AT_MOST);
            self.out = Vec::with_capacity(want);
        }
    }

    /// The buffers to keep for the next call: emptied, and without an argument
    /// buffer that grew past what is worth keeping.
    pub(crate) fn keep(mut self: Box<Self>) -> Option<Box<Buffers>> {
        self.args.clear();
        if self.args.capacity() > KEEP_AT_MOST {
            self.args = Vec::new();
        }
        Some(self)
    }
}
