//! Completions on their way to an event loop (`spec/abi.md`, "Futures").
//!
//! The library calls the completion function on its own threads (a tokio
//! worker, say), where taking the GIL could wait a whole switch interval
//! while the event loop's thread runs Python. So a completion never touches
//! Python: it is queued here, on the queue of the event loop that awaits it
//! (the token's high 32 bits name the queue), and the first completion into
//! an empty queue writes one byte to that loop's wake-up socket. The loop
//! reads the socket (`loop.add_reader`) and drains the whole queue in one
//! go, with the GIL: one wake-up per batch, however many futures ended.

use std::sync::{Arc, Mutex, RwLock};

/// One outcome: the token the host chose, the status, the library's bytes.
pub(crate) type Completion = (u64, i32, Vec<u8>);

/// The completions of one event loop, and how to wake it.
#[derive(Debug)]
pub(crate) struct Queue {
    items: Mutex<Vec<Completion>>,
    /// The write end of the loop's wake-up socket: this queue's own
    /// duplicate (non-blocking), closed when the last completion thread let
    /// go of the queue, so a byte never lands in a file descriptor reused.
    wake_fd: i64,
}

impl Drop for Queue {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: the duplicate `open` made, closed only here.
        unsafe {
            libc::close(self.wake_fd as libc::c_int);
        }
    }
}

/// Every live queue, by id (index + 1).
static QUEUES: RwLock<Vec<Option<Arc<Queue>>>> = RwLock::new(Vec::new());

/// A new queue waking `wake_fd` (which it duplicates); its id (never 0)
/// goes in the token's high 32 bits. `None` when the descriptor cannot be
/// duplicated.
pub(crate) fn open(wake_fd: i64) -> Option<(u32, Arc<Queue>)> {
    // SAFETY: `dup` of a descriptor the caller holds open; -1 on failure.
    #[cfg(unix)]
    let wake_fd = i64::from(unsafe { libc::dup(wake_fd as libc::c_int) });
    if wake_fd < 0 {
        return None;
    }
    let queue = Arc::new(Queue {
        items: Mutex::new(Vec::new()),
        wake_fd,
    });
    let mut queues = QUEUES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let index = match queues.iter().position(Option::is_none) {
        Some(free) => {
            queues[free] = Some(queue.clone());
            free
        }
        None => {
            queues.push(Some(queue.clone()));
            queues.len() - 1
        }
    };
    Some((index as u32 + 1, queue))
}

/// Forgets queue `id`: later completions for it are dropped (its loop is
/// gone, and so is whatever awaited them).
pub(crate) fn close(id: u32) {
    let mut queues = QUEUES
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(slot) = (id as usize).checked_sub(1).and_then(|i| queues.get_mut(i)) {
        *slot = None;
    }
}

/// Queues a completion for the loop its token names; wakes that loop when
/// its queue was empty. Any thread, no GIL.
pub(crate) fn push(token: u64, code: i32, bytes: Vec<u8>) {
    let id = (token >> 32) as usize;
    let queue = {
        let queues = QUEUES
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match id.checked_sub(1).and_then(|i| queues.get(i)) {
            Some(Some(queue)) => queue.clone(),
            _ => return,
        }
    };
    let was_empty = {
        let mut items = queue
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let was_empty = items.is_empty();
        items.push((token, code, bytes));
        was_empty
    };
    if was_empty {
        wake(queue.wake_fd);
    }
}

impl Queue {
    /// Everything queued so far, in arrival order.
    pub(crate) fn take(&self) -> Vec<Completion> {
        std::mem::take(
            &mut *self
                .items
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

/// One byte to the wake-up socket. A full socket already holds a wake-up,
/// and the loop drains everything queued when it reads: nothing is lost.
fn wake(fd: i64) {
    // (Unix only, as the wheels this package builds.)
    #[cfg(unix)]
    {
        let byte = 1u8;
        // SAFETY: `fd` is the open, non-blocking write end the Python side
        // gave; one byte from a live local is written, nothing is kept.
        let _ = unsafe { libc::write(fd as libc::c_int, (&byte as *const u8).cast(), 1) };
    }
}
