//! Error values into a call's output: every one is encoded by
//! [`ErrorView::write`] (or from a template, `error_template`) into a
//! per-thread scratch buffer, then copied into the sink in one piece (no
//! allocation once the thread has made a call).

use ferryman_buffer::Sink;
use ferryman_error::{ErrorValue, ErrorView};
use std::cell::RefCell;
use std::io::Write;

/// A scratch buffer that grew beyond this is not kept.
const KEEP_AT_MOST: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Appends the error value `view` to `sink`.
pub(crate) fn write_view(sink: &mut Sink<'_>, view: &ErrorView<'_>) {
    write_with(sink, |out| view.write(out));
}

/// Appends to `sink` what `write` appends to a `Vec`: the thread's scratch
/// buffer, or a fresh one if a `Display` impl re-entered the library on this
/// thread while the scratch buffer was in use.
pub(crate) fn write_with(sink: &mut Sink<'_>, write: impl FnOnce(&mut Vec<u8>)) {
    let mut write = Some(write);
    let _ = SCRATCH.try_with(|scratch| {
        let Ok(mut scratch) = scratch.try_borrow_mut() else {
            return;
        };
        let Some(write) = write.take() else {
            return;
        };
        scratch.clear();
        write(&mut scratch);
        // Writing into a sink cannot fail short of running out of memory.
        let _ = sink.write_all(&scratch);
        if scratch.capacity() > KEEP_AT_MOST {
            *scratch = Vec::new();
        }
    });
    // The scratch buffer was busy (or its thread is being torn down).
    let Some(write) = write.take() else {
        return;
    };
    let mut fresh = Vec::new();
    write(&mut fresh);
    let _ = sink.write_all(&fresh);
}

/// Appends the error value `value` to `sink`.
pub(crate) fn write_error(sink: &mut Sink<'_>, value: &ErrorValue) {
    write_view(sink, &value.view());
}
