//! Where callbacks run. JS runs on one thread, and a ferryman call blocks
//! it; a Rust thread that calls a JS callable must reach that thread anyway:
//!
//! - A call that may call back (it passes a JS callable, or the library
//!   holds one) runs on a helper thread while the JS thread serves the
//!   callbacks of every thread from a queue until the call returns
//!   ([`serviced`]). So a callback from the call's own thread and one from a
//!   thread the library started both run, and neither deadlocks.
//! - Between calls the JS thread is in its event loop: a threadsafe
//!   function wakes it to serve the queue ([`post`]).
//! - A call JS makes inside a callback runs on the thread that waits for
//!   that callback's answer (it waits for a call to run, too), as it would
//!   in a host without a JS thread: re-entering an object that thread holds
//!   is then the library's `borrow` error, not a wait for itself.
//! - Other calls run on the JS thread itself (the fast path).

use std::collections::VecDeque;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};

use napi::sys;

use crate::host::{self, Answer};
use crate::js::{Js, JsResult};
use crate::library::LibRef;
use crate::wake::{self, Tsfn};

/// A callback waiting for the JS thread.
struct Request {
    lib: LibRef,
    handle: u64,
    args: Vec<u8>,
    slot: Arc<Slot>,
}

/// Where a callback's answer, or a call JS makes inside it, is handed to
/// the thread waiting in [`post`].
#[derive(Default)]
struct Slot {
    state: Mutex<Handed>,
    ready: Condvar,
}

#[derive(Default)]
struct Handed {
    answer: Option<Answer>,
    job: Option<Job>,
}

impl Slot {
    fn handed(&self) -> std::sync::MutexGuard<'_, Handed> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn answer(&self, answer: Answer) {
        self.handed().answer = Some(answer);
        self.ready.notify_all();
    }
}

static QUEUE: Mutex<VecDeque<Request>> = Mutex::new(VecDeque::new());
static WAKE: Condvar = Condvar::new();
/// The threadsafe function that wakes the JS thread; `None` before the
/// module loads and once the environment is torn down (a Rust thread may
/// still call back then: it gets an error, not a freed pointer).
static TSFN: RwLock<Option<Tsfn>> = RwLock::new(None);

fn tsfn() -> std::sync::RwLockReadGuard<'static, Option<Tsfn>> {
    TSFN.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

thread_local! {
    static JS_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// On the JS thread: the slot of the callback being served, whose
    /// thread runs the calls JS makes meanwhile.
    static SERVING: std::cell::Cell<Option<Arc<Slot>>> = const { std::cell::Cell::new(None) };
}

fn queue() -> std::sync::MutexGuard<'static, VecDeque<Request>> {
    QUEUE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Marks this thread as the JS thread and makes the threadsafe function
/// that wakes it (at module load).
pub(crate) fn init(js: Js) -> JsResult<()> {
    if tsfn().is_some() && !on_js_thread() {
        // One queue, one JS thread: a second environment (a worker thread)
        // would have callbacks served in the first one's.
        return Err(js.throw_error(
            "ferryman: the package is used from one JS thread per process (worker_threads are not supported yet)",
        ));
    }
    JS_THREAD.with(|cell| cell.set(true));
    if tsfn().is_some() {
        return Ok(());
    }
    // Waiting callbacks must not keep the process alive by themselves.
    let made = wake::make(js, "ferryman callbacks", drain, finalized, cleanup)?;
    *TSFN.write().unwrap_or_else(|p| p.into_inner()) = Some(made);
    Ok(())
}

/// Whether this is the JS thread.
pub(crate) fn on_js_thread() -> bool {
    JS_THREAD.with(|cell| cell.get())
}

/// Runs callback `handle` on the JS thread from another thread and waits
/// for its answer.
pub(crate) fn post(lib: LibRef, handle: u64, args: &[u8]) -> Answer {
    let slot = Arc::new(Slot::default());
    queue().push_back(Request {
        lib,
        handle,
        args: args.to_vec(),
        slot: Arc::clone(&slot),
    });
    WAKE.notify_all();
    {
        let tsfn = tsfn();
        let status = match *tsfn {
            // SAFETY: the read lock keeps `cleanup` from ending the function
            // meanwhile; calling it from any thread is what it is for.
            Some(Tsfn(tsfn)) => unsafe {
                sys::napi_call_threadsafe_function(
                    tsfn,
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            },
            None => sys::Status::napi_closing,
        };
        if status != sys::Status::napi_ok {
            drop(tsfn);
            abandon_queue();
        }
    }
    let mut handed = slot.handed();
    loop {
        if let Some(answer) = handed.answer.take() {
            return answer;
        }
        if let Some(job) = handed.job.take() {
            // A call the callback makes: run here, where the library sees
            // the thread that called back.
            drop(handed);
            job();
            handed = slot.handed();
            continue;
        }
        handed = slot.ready.wait(handed).unwrap_or_else(|p| p.into_inner());
    }
}

fn serve(js: Js, request: Request) {
    let outer = SERVING.with(|serving| serving.replace(Some(Arc::clone(&request.slot))));
    let answer = host::run(js, request.lib.0, request.handle, &request.args);
    SERVING.with(|serving| serving.set(outer));
    request.slot.answer(answer);
}

/// The slot of the callback being served on this (the JS) thread, if any.
fn serving() -> Option<Arc<Slot>> {
    SERVING.with(|serving| {
        let slot = serving.take();
        serving.set(slot.clone());
        slot
    })
}

/// Runs `work` (a call) on a helper thread, or inside a callback on the
/// thread waiting for it, while this, the JS thread, serves callbacks, until
/// it returns.
pub(crate) fn serviced<R: Send>(js: Js, work: impl FnOnce() -> R + Send) -> R {
    let done = AtomicBool::new(false);
    let mut result: Option<std::thread::Result<R>> = None;
    {
        let result = &mut result;
        let done = &done;
        let job: Box<dyn FnOnce() + Send + '_> = Box::new(move || {
            *result = Some(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
            done.store(true, Ordering::Release);
            drop(queue());
            WAKE.notify_all();
        });
        // SAFETY: the job borrows `work`, `result` and `done` from this
        // frame, which does not return before the job has set `done` (the
        // loop below), and the job touches none of them after that.
        let job: Job = unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + '_>, Job>(job) };
        match serving() {
            // Inside a callback: its thread waits in `post` and runs it.
            Some(slot) => {
                slot.handed().job = Some(job);
                slot.ready.notify_all();
            }
            None => helpers::run(job),
        }
    }
    loop {
        let next = {
            let mut waiting = queue();
            loop {
                if let Some(request) = waiting.pop_front() {
                    break Some(request);
                }
                if done.load(Ordering::Acquire) {
                    break None;
                }
                waiting = WAKE.wait(waiting).unwrap_or_else(|p| p.into_inner());
            }
        };
        match next {
            Some(request) => serve(js, request),
            None => break,
        }
    }
    match result.take() {
        Some(Ok(value)) => value,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => unreachable!("`done` is set after `result`"),
    }
}

/// A call to run on a helper thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// Helper threads for calls that may call back: kept once started (a call
/// waits for one to be handed its job, not for a thread to start); a call
/// made while every helper is busy starts another.
mod helpers {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::Mutex;

    use super::Job;

    static IDLE: Mutex<Vec<Sender<Job>>> = Mutex::new(Vec::new());

    /// Helpers get the main thread's usual stack, not Rust's 2 MiB.
    const STACK: usize = 8 << 20;

    fn idle() -> std::sync::MutexGuard<'static, Vec<Sender<Job>>> {
        IDLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn run(job: Job) {
        let mut job = job;
        loop {
            let helper = idle().pop();
            match helper {
                Some(helper) => match helper.send(job) {
                    Ok(()) => return,
                    Err(returned) => job = returned.0,
                },
                None => return start(job),
            }
        }
    }

    /// Starts a helper and hands it `job`; without a thread, runs `job`
    /// here (callbacks from other threads then wait until it returns).
    fn start(job: Job) {
        let (sender, jobs) = channel::<Job>();
        let me = sender.clone();
        let spawned = std::thread::Builder::new()
            .name("ferryman-call".into())
            .stack_size(STACK)
            .spawn(move || {
                while let Ok(job) = jobs.recv() {
                    job();
                    idle().push(me.clone());
                }
            });
        match spawned {
            Ok(_) => {
                if let Err(returned) = sender.send(job) {
                    (returned.0)();
                }
            }
            Err(_) => job(),
        }
    }
}

/// Answers every queued callback with an error: the JS thread is gone.
fn abandon_queue() {
    let waiting: Vec<Request> = queue().drain(..).collect();
    for request in waiting {
        let answer = Answer::bridge("the Node.js environment is shutting down");
        request.slot.answer(answer);
    }
}

/// The environment is being torn down: no more waking it.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    *TSFN.write().unwrap_or_else(|p| p.into_inner()) = None;
    abandon_queue();
}

/// N-API ends the threadsafe function (at teardown).
unsafe extern "C" fn finalized(_env: sys::napi_env, _data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: same as `cleanup`: no pointer is read.
    unsafe { cleanup(ptr::null_mut()) };
}

/// The threadsafe function's body: serve what is queued.
unsafe extern "C" fn drain(
    env: sys::napi_env,
    _callback: sys::napi_value,
    _context: *mut c_void,
    _data: *mut c_void,
) {
    if env.is_null() {
        return;
    }
    // SAFETY: N-API runs this on the JS thread with its env.
    let js = unsafe { Js::from_raw(env) };
    loop {
        let next = queue().pop_front();
        match next {
            Some(request) => serve(js, request),
            None => break,
        }
    }
    crate::handles::sweep(js);
}
