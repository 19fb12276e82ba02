//! Ctrl-C, as threads other than Python's main thread can see it.
//!
//! CPython's C-level SIGINT handler only takes a note; Python's main thread
//! raises `KeyboardInterrupt` when it next runs bytecode or checks signals.
//! While the main thread waits inside a ferryman call — for the library's
//! worker threads, say — nothing looks at that note, and the workers cannot
//! read it. So this module puts a handler of its own in front of CPython's:
//! it sets a flag any thread can read ([`seen`]) and forwards the signal.
//!
//! It does that only while SIGINT's Python-level handler is
//! `signal.default_int_handler`, so the flag means "Python is going to raise
//! `KeyboardInterrupt`". Any `signal.signal(SIGINT, …)` replaces the C-level
//! handler, ours with it: a program's own handler turns the flag off. When a
//! worker finds ours gone while the main thread is in a call, it asks for
//! [`watch`] to run again at the main thread's next call (the default handler
//! may be back, as after `asyncio.run`); loading a library runs it too.

use std::sync::atomic::{AtomicU8, Ordering};

use pyo3::prelude::*;

/// A SIGINT arrived since the main thread's current outermost call began.
const SEEN: u8 = 1;
/// A worker found the handler missing: run [`watch`] at the next call.
const REWATCH: u8 = 2;

static FLAGS: AtomicU8 = AtomicU8::new(0);

/// Whether Ctrl-C was pressed since the main thread's outermost call began.
#[inline]
pub(crate) fn seen() -> bool {
    FLAGS.load(Ordering::Relaxed) & SEEN != 0
}

/// The main thread starts an outermost call, with the GIL: a signal seen
/// before it was Python's to handle, and is forgotten here.
#[inline]
pub(crate) fn main_call_starts(py: Python<'_>) {
    if FLAGS.load(Ordering::Relaxed) != 0 {
        main_call_starts_slowly(py);
    }
}

#[cold]
fn main_call_starts_slowly(py: Python<'_>) {
    let flags = FLAGS.swap(0, Ordering::Relaxed);
    if flags & REWATCH != 0 {
        watch(py);
    }
}

/// Installs the handler, when SIGINT's Python-level handler is the default and
/// CPython's C-level handler is in place. Cheap when it is installed already.
pub(crate) fn watch(py: Python<'_>) {
    let default = || -> PyResult<bool> {
        let signal = py.import("signal")?;
        let handler = signal.getattr("getsignal")?.call1((libc_sigint(),))?;
        Ok(handler.is(&signal.getattr("default_int_handler")?))
    };
    if default().unwrap_or(false) {
        platform::install();
    }
}

/// A worker saw no Ctrl-C while the main thread is in a call: if that is
/// because the handler is gone, ask for [`watch`] (at most every 100 ms per
/// thread, the check being a system call).
pub(crate) fn notice_if_unwatched() {
    if platform::due_for_a_look() && !platform::installed() {
        FLAGS.fetch_or(REWATCH, Ordering::Relaxed);
    }
}

fn libc_sigint() -> i32 {
    #[cfg(unix)]
    {
        libc::SIGINT
    }
    #[cfg(not(unix))]
    {
        2
    }
}

#[cfg(unix)]
mod platform {
    use super::{FLAGS, SEEN};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// The handler ours forwards to (CPython's), and whether it takes siginfo.
    static PREVIOUS: AtomicUsize = AtomicUsize::new(0);
    static PREVIOUS_SIGINFO: AtomicBool = AtomicBool::new(false);

    const LOOK_EVERY: Duration = Duration::from_millis(100);

    thread_local! {
        static LAST_LOOK: Cell<Option<Instant>> = const { Cell::new(None) };
    }

    extern "C" fn on_sigint(
        signal: libc::c_int,
        info: *mut libc::siginfo_t,
        context: *mut libc::c_void,
    ) {
        // Async-signal-safe: lock-free atomics only, then the previous handler.
        FLAGS.fetch_or(SEEN, Ordering::Relaxed);
        let previous = PREVIOUS.load(Ordering::Relaxed);
        if previous == libc::SIG_DFL || previous == libc::SIG_IGN {
            return;
        }
        if PREVIOUS_SIGINFO.load(Ordering::Relaxed) {
            // SAFETY: `install` stored this pointer from a `sigaction` whose
            // flags had SA_SIGINFO: a three-argument handler.
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(previous) };
            handler(signal, info, context);
        } else {
            // SAFETY: as above, without SA_SIGINFO: a one-argument handler.
            let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(previous) };
            handler(signal);
        }
    }

    fn ours() -> libc::sighandler_t {
        on_sigint as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
            as libc::sighandler_t
    }

    /// The SIGINT disposition in force.
    fn current() -> Option<libc::sigaction> {
        // SAFETY: queries the disposition into a zeroed struct; changes nothing.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current) == 0).then_some(current)
        }
    }

    pub(super) fn installed() -> bool {
        current().is_some_and(|current| current.sa_sigaction == ours())
    }

    pub(super) fn install() {
        let Some(current) = current() else {
            return;
        };
        let handler = current.sa_sigaction;
        if handler == ours() || handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            return;
        }
        PREVIOUS_SIGINFO.store(current.sa_flags & libc::SA_SIGINFO != 0, Ordering::Relaxed);
        PREVIOUS.store(handler, Ordering::Relaxed);
        let mut mine = current;
        mine.sa_sigaction = ours();
        mine.sa_flags |= libc::SA_SIGINFO;
        // SAFETY: installs a handler that only touches atomics and forwards to
        // the one it replaces, with that one's mask and flags.
        unsafe { libc::sigaction(libc::SIGINT, &mine, std::ptr::null_mut()) };
    }

    pub(super) fn due_for_a_look() -> bool {
        let now = Instant::now();
        LAST_LOOK
            .try_with(|last| {
                let due = last
                    .get()
                    .is_none_or(|then| now.duration_since(then) >= LOOK_EVERY);
                if due {
                    last.set(Some(now));
                }
                due
            })
            .unwrap_or(false)
    }
}

#[cfg(not(unix))]
mod platform {
    pub(super) fn installed() -> bool {
        true
    }

    pub(super) fn install() {}

    pub(super) fn due_for_a_look() -> bool {
        false
    }
}
