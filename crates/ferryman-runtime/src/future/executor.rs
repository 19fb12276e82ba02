//! Where pending futures run: a multi-thread tokio runtime (feature `tokio`,
//! the default) owned by the library and made on the first async call, or
//! one the library hands over with [`set_runtime`]; without the feature, a
//! small pool of `futures-executor` threads for runtime-agnostic futures.

use std::future::Future;
use std::pin::Pin;

/// A future the executor runs to its end; its output is delivered by itself.
pub(crate) type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// How many worker threads the library's own executor starts:
/// `FERRYMAN_WORKER_THREADS` when set to a positive number, else 2. Read once,
/// when the executor is made.
fn worker_threads() -> usize {
    std::env::var("FERRYMAN_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(2)
}

/// How many times this process is a fork's child: a forked child has none
/// of its parent's threads, so an executor made before the fork would take
/// jobs and never run them (an async call in a `multiprocessing` worker
/// forked after one in its parent hung). Bumped by a `pthread_atfork` child
/// handler (an atomic store: async-signal-safe), registered with the first
/// executor.
mod forks {
    use std::sync::atomic::{AtomicU64, Ordering};

    static FORKS: AtomicU64 = AtomicU64::new(0);

    /// Forks so far (0 in a process that was never forked).
    #[inline]
    pub(crate) fn count() -> u64 {
        FORKS.load(Ordering::Acquire)
    }

    #[cfg(unix)]
    extern "C" fn child() {
        FORKS.fetch_add(1, Ordering::AcqRel);
    }

    /// Registers the child handler, once.
    pub(crate) fn watch() {
        #[cfg(unix)]
        {
            static ONCE: std::sync::Once = std::sync::Once::new();
            // SAFETY: `child` only bumps an atomic, which a forked child
            // may do before anything else runs.
            ONCE.call_once(|| unsafe {
                libc::pthread_atfork(None, None, Some(child));
            });
        }
    }
}

/// An executor made in this process since its last fork, leaked (one made
/// before a fork is never dropped: its threads are not there to join).
struct Current<E: 'static> {
    forks: u64,
    executor: &'static E,
}

/// The executor `make` made for this process, made again after a fork.
fn current<E: Send + Sync + 'static>(
    slot: &std::sync::atomic::AtomicPtr<Current<E>>,
    make: impl FnOnce(u64) -> &'static E,
) -> &'static E {
    use std::sync::atomic::Ordering;
    let now = slot.load(Ordering::Acquire);
    // SAFETY: a non-null `now` is a leaked `Current`, never freed.
    if let Some(now) = unsafe { now.as_ref() } {
        if now.forks == forks::count() {
            return now.executor;
        }
    }
    current_slowly(slot, make)
}

#[cold]
fn current_slowly<E: Send + Sync + 'static>(
    slot: &std::sync::atomic::AtomicPtr<Current<E>>,
    make: impl FnOnce(u64) -> &'static E,
) -> &'static E {
    use std::sync::atomic::Ordering;
    use std::sync::Mutex;
    // One maker at a time (a lock a forked child inherits held only if the
    // fork came while its parent was making an executor).
    static MAKING: Mutex<()> = Mutex::new(());
    let _making = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    forks::watch();
    let forks = forks::count();
    // SAFETY: as in `current`.
    if let Some(now) = unsafe { slot.load(Ordering::Acquire).as_ref() } {
        if now.forks == forks {
            return now.executor;
        }
    }
    let executor = make(forks);
    let made: &'static Current<E> = Box::leak(Box::new(Current { forks, executor }));
    slot.store(std::ptr::from_ref(made).cast_mut(), Ordering::Release);
    executor
}

#[cfg(feature = "tokio")]
mod imp {
    use super::{current, worker_threads, Current, Job};
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
    use std::sync::OnceLock;
    use tokio::runtime::{Builder, Handle, Runtime};

    /// A runtime given to `set_runtime` (used until a fork).
    static GIVEN: OnceLock<Handle> = OnceLock::new();
    static CURRENT: AtomicPtr<Current<Exec>> = AtomicPtr::new(std::ptr::null_mut());

    /// The runtime in use, and the library's own one when it made it (kept
    /// here, reachable from `CURRENT`, for as long as the process lives).
    struct Exec {
        handle: Handle,
        _own: Option<Runtime>,
    }

    /// The runtime async exports run on: the one given to `set_runtime`, else
    /// the library's own, made now if this is the first async call (or the
    /// first since this process was forked).
    pub(crate) fn handle() -> &'static Handle {
        &current(&CURRENT, |forks| {
            if forks == 0 {
                if let Some(given) = GIVEN.get() {
                    return Box::leak(Box::new(Exec {
                        handle: given.clone(),
                        _own: None,
                    }));
                }
            }
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let runtime = Builder::new_multi_thread()
                .worker_threads(worker_threads())
                .thread_name_fn(|| {
                    format!("ferryman-tokio-{}", NEXT.fetch_add(1, Ordering::Relaxed))
                })
                .enable_all()
                .build()
                .expect("ferryman could not start its tokio runtime");
            Box::leak(Box::new(Exec {
                handle: runtime.handle().clone(),
                _own: Some(runtime),
            }))
        })
        .handle
    }

    /// Makes async exports run on `handle` instead of a runtime of the
    /// library's own. Only before the first async call: returns `false` (and
    /// changes nothing) when a runtime is already in use.
    pub fn set_runtime(handle: Handle) -> bool {
        CURRENT.load(Ordering::Acquire).is_null() && GIVEN.set(handle).is_ok()
    }

    pub(crate) struct Entered(#[allow(dead_code)] tokio::runtime::EnterGuard<'static>);

    /// Inside the runtime's context: timers and sockets a first poll creates
    /// register with it.
    pub(crate) fn enter() -> Entered {
        Entered(handle().enter())
    }

    pub(crate) fn spawn(job: Job) {
        drop(handle().spawn(job));
    }
}

#[cfg(not(feature = "tokio"))]
mod imp {
    use super::{current, worker_threads, Current, Job};
    use futures_executor::ThreadPool;
    use std::sync::atomic::AtomicPtr;

    fn pool() -> &'static ThreadPool {
        static CURRENT: AtomicPtr<Current<ThreadPool>> = AtomicPtr::new(std::ptr::null_mut());
        current(&CURRENT, |_| {
            let pool = ThreadPool::builder()
                .pool_size(worker_threads())
                .name_prefix("ferryman-async-")
                .create()
                .expect("ferryman could not start its executor threads");
            Box::leak(Box::new(pool))
        })
    }

    pub(crate) struct Entered;

    /// No runtime context without tokio.
    pub(crate) fn enter() -> Entered {
        Entered
    }

    pub(crate) fn spawn(job: Job) {
        pool().spawn_ok(job);
    }
}

#[cfg(feature = "tokio")]
pub use imp::set_runtime;
pub(crate) use imp::{enter, spawn};

/// Runs `future` to its end on this thread (a host that connected no
/// completion function, `spec/abi.md`, "Futures"), inside the runtime's
/// context so that its timers and sockets work.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let _entered = enter();
    futures_executor::block_on(future)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A job spawned by a pending call runs on the executor's threads:
    /// tokio's when the feature is on, the built-in pool's otherwise (run
    /// `cargo test -p ferryman-runtime --lib` alone to see the latter: a
    /// workspace-wide `cargo test` turns the feature on).
    #[test]
    fn a_spawned_job_runs_on_the_executor() {
        let (tx, rx) = mpsc::channel();
        spawn(Box::pin(async move {
            // A runtime-agnostic wait: a futures channel fed by a plain thread.
            let (ready, wait) = futures_channel::oneshot::channel();
            std::thread::spawn(move || ready.send(()).unwrap());
            wait.await.unwrap();
            tx.send(std::thread::current().name().map(str::to_owned))
                .unwrap();
        }));
        let name = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap()
            .unwrap_or_default();
        let expected = if cfg!(feature = "tokio") {
            "ferryman-tokio-"
        } else {
            "ferryman-async-"
        };
        assert!(name.starts_with(expected), "{name}");
    }

    #[test]
    fn block_on_runs_a_runtime_agnostic_future_here() {
        let (ready, wait) = futures_channel::oneshot::channel();
        std::thread::spawn(move || ready.send(7).unwrap());
        assert_eq!(block_on(wait), Ok(7));
    }
}
