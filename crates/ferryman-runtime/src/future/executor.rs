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

#[cfg(feature = "tokio")]
mod imp {
    use super::{worker_threads, Job};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;
    use tokio::runtime::{Builder, Handle, Runtime};

    static OWN: OnceLock<Runtime> = OnceLock::new();
    static HANDLE: OnceLock<Handle> = OnceLock::new();

    /// The runtime async exports run on: the one given to `set_runtime`, else
    /// the library's own, made now if this is the first async call.
    pub(crate) fn handle() -> &'static Handle {
        HANDLE.get_or_init(|| {
            let runtime = OWN.get_or_init(|| {
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                Builder::new_multi_thread()
                    .worker_threads(worker_threads())
                    .thread_name_fn(|| {
                        format!("ferryman-tokio-{}", NEXT.fetch_add(1, Ordering::Relaxed))
                    })
                    .enable_all()
                    .build()
                    .expect("ferryman could not start its tokio runtime")
            });
            runtime.handle().clone()
        })
    }

    /// Makes async exports run on `handle` instead of a runtime of the
    /// library's own. Only before the first async call: returns `false` (and
    /// changes nothing) when a runtime is already in use.
    pub fn set_runtime(handle: Handle) -> bool {
        HANDLE.set(handle).is_ok()
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
    use super::{worker_threads, Job};
    use futures_executor::ThreadPool;
    use std::sync::OnceLock;

    fn pool() -> &'static ThreadPool {
        static POOL: OnceLock<ThreadPool> = OnceLock::new();
        POOL.get_or_init(|| {
            ThreadPool::builder()
                .pool_size(worker_threads())
                .name_prefix("ferryman-async-")
                .create()
                .expect("ferryman could not start its executor threads")
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
