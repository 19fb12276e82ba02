//! Async outcomes settled on the JS thread (`spec/abi.md`, "Futures" and
//! "Streams"). A pending future, or a stream's pending next, is a Promise
//! whose deferred waits here under a token; the library's completion comes
//! on one of its threads (`NodeHost::complete`), is queued with its bytes
//! copied, and a threadsafe function wakes the JS thread once per batch to
//! settle every queued outcome. While any Promise waits, that threadsafe
//! function is ref'd: a pending Rust future keeps the process alive.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use ferryman_host::{BoxError, Completed, Status};
use napi::sys;

use crate::call;
use crate::error_info;
use crate::handles;
use crate::js::{napi_call, Js, JsResult, Value};
use crate::library::Lib;
use crate::wake::{self, Tsfn};

/// What waits for a token's completion (JS thread only).
enum Waiter {
    /// A pending future's Promise.
    Future {
        lib: &'static Lib,
        deferred: sys::napi_deferred,
    },
    /// A stream started with this token: its pending next, if any, and
    /// whether the host released it (the entry goes with the last outcome).
    Stream {
        lib: &'static Lib,
        next: Option<sys::napi_deferred>,
        released: bool,
    },
}

thread_local! {
    static WAITING: RefCell<HashMap<u64, Waiter>> = RefCell::new(HashMap::new());
    static NEXT_TOKEN: Cell<u64> = const { Cell::new(0) };
    /// How many deferreds wait: the threadsafe function is ref'd while > 0.
    static HELD: Cell<usize> = const { Cell::new(0) };
    /// The handle of the last future made pending (for `takePending`).
    static LAST_PENDING: Cell<u64> = const { Cell::new(0) };
}

/// The handle of the future the last call made pending, once (0 when none):
/// what index.js cancels when an `AbortSignal` aborts.
pub(crate) fn take_pending() -> u64 {
    LAST_PENDING.with(|last| last.replace(0))
}

/// An outcome from a library thread, waiting for the JS thread.
struct Outcome {
    token: u64,
    code: i32,
    bytes: Result<Vec<u8>, BoxError>,
}

static COMPLETED: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
/// Whether the JS thread was woken for what is queued (one wake per batch).
static WOKEN: AtomicBool = AtomicBool::new(false);
/// The threadsafe function that wakes the JS thread; `None` before the
/// module loads and after teardown (a late completion is then dropped).
static TSFN: RwLock<Option<Tsfn>> = RwLock::new(None);

fn tsfn() -> Option<Tsfn> {
    *TSFN.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn completed() -> std::sync::MutexGuard<'static, Vec<Outcome>> {
    COMPLETED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Makes the threadsafe function (at module load, on the JS thread).
pub(crate) fn init(js: Js) -> JsResult<()> {
    if tsfn().is_some() {
        return Ok(());
    }
    // Only waiting Promises keep the process alive (`hold`).
    let made = wake::make(js, "ferryman completions", settle_all, finalized, cleanup)?;
    *TSFN.write().unwrap_or_else(|p| p.into_inner()) = Some(made);
    Ok(())
}

/// A completion (any thread): queued, and the JS thread woken if it was not.
pub(crate) fn complete(token: u64, outcome: Completed<'_>) {
    let bytes = outcome.bytes().map(<[u8]>::to_vec);
    completed().push(Outcome {
        token,
        code: outcome.code(),
        bytes,
    });
    if WOKEN.swap(true, Ordering::AcqRel) {
        return;
    }
    let guard = TSFN.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(Tsfn(tsfn)) = *guard {
        // SAFETY: the read lock keeps `cleanup` from ending the function
        // meanwhile; calling it from any thread is what it is for.
        unsafe {
            sys::napi_call_threadsafe_function(
                tsfn,
                ptr::null_mut(),
                sys::ThreadsafeFunctionCallMode::nonblocking,
            )
        };
    }
}

fn token() -> u64 {
    NEXT_TOKEN.with(|next| {
        next.set(next.get() + 1);
        next.get()
    })
}

/// One more deferred waits: the first one refs the threadsafe function.
fn hold(js: Js) {
    let held = HELD.with(|held| {
        held.set(held.get() + 1);
        held.get()
    });
    if let (1, Some(Tsfn(tsfn))) = (held, tsfn()) {
        let _ = napi_call!(js, napi_ref_threadsafe_function(tsfn));
    }
}

/// A deferred was settled: the last one unrefs the threadsafe function.
fn unhold(js: Js) {
    let held = HELD.with(|held| {
        held.set(held.get().saturating_sub(1));
        held.get()
    });
    if let (0, Some(Tsfn(tsfn))) = (held, tsfn()) {
        let _ = napi_call!(js, napi_unref_threadsafe_function(tsfn));
    }
}

fn promise(js: Js) -> JsResult<(Value, sys::napi_deferred)> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    napi_call!(js, napi_create_promise(&mut deferred, &mut promise))?;
    Ok((promise, deferred))
}

/// The pending exception as a rejection of `deferred`.
fn reject_thrown(js: Js, deferred: sys::napi_deferred) -> JsResult<()> {
    let error = js.take_exception()?;
    napi_call!(js, napi_reject_deferred(deferred, error))
}

/// A Promise of pending future `handle`, started with a token of its own.
pub(crate) fn await_future(js: Js, lib: &'static Lib, handle: u64) -> JsResult<Value> {
    let (Some(futures), Some(host_id)) = (lib.library.futures(), lib.host_id()) else {
        return Err(error_info::bridge(
            js,
            lib,
            "the library answered FERRY_PENDING, but this host has no completion connected",
        ));
    };
    let (promise, deferred) = promise(js)?;
    let token = token();
    WAITING.with(|waiting| {
        waiting
            .borrow_mut()
            .insert(token, Waiter::Future { lib, deferred })
    });
    hold(js);
    LAST_PENDING.with(|last| last.set(handle));
    // The completion may come before this returns (queued all the same).
    let started = futures.start(handle, host_id, token);
    if started != Ok(Status::Ok) {
        WAITING.with(|waiting| waiting.borrow_mut().remove(&token));
        unhold(js);
        let _ = futures.cancel(handle);
        let message = format!("the library did not start the future ({started:?})");
        let _ = error_info::bridge(js, lib, &message);
        reject_thrown(js, deferred)?;
    }
    Ok(promise)
}

/// Starts stream `handle`: its pending nexts complete under the token
/// returned.
pub(crate) fn start_stream(js: Js, lib: &'static Lib, handle: u64) -> JsResult<u64> {
    let (Some(futures), Some(host_id)) = (lib.library.futures(), lib.host_id()) else {
        return Err(error_info::bridge(
            js,
            lib,
            "the library returned a stream, but this host has no completion connected",
        ));
    };
    let token = token();
    let started = futures.streams().start(handle, host_id, token);
    if started != Ok(Status::Ok) {
        let _ = futures.streams().release(handle);
        let message = format!("the library did not start the stream ({started:?})");
        return Err(error_info::bridge(js, lib, &message));
    }
    WAITING.with(|waiting| {
        waiting.borrow_mut().insert(
            token,
            Waiter::Stream {
                lib,
                next: None,
                released: false,
            },
        )
    });
    Ok(token)
}

/// A Promise of the batch of the stream under `token`, whose next is
/// pending.
pub(crate) fn await_next(js: Js, lib: &'static Lib, token: u64) -> JsResult<Value> {
    let (promise, deferred) = promise(js)?;
    let waits = WAITING.with(|waiting| match waiting.borrow_mut().get_mut(&token) {
        Some(Waiter::Stream { next, .. }) if next.is_none() => {
            *next = Some(deferred);
            true
        }
        _ => false,
    });
    if !waits {
        let _ = error_info::bridge(
            js,
            lib,
            "a pending next of a stream this host does not hold",
        );
        reject_thrown(js, deferred)?;
        return Ok(promise);
    }
    hold(js);
    Ok(promise)
}

/// The host released the stream under `token`: its entry goes now, or
/// with the outcome of the next still pending.
pub(crate) fn released(token: u64) {
    WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        match waiting.get_mut(&token) {
            Some(Waiter::Stream { next: None, .. }) => {
                waiting.remove(&token);
            }
            Some(Waiter::Stream { released, .. }) => *released = true,
            _ => {}
        }
    });
}

/// The threadsafe function's body, on the JS thread: settles every queued
/// outcome.
unsafe extern "C" fn settle_all(
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
    // Cleared before taking: a completion queued after the take wakes again.
    WOKEN.store(false, Ordering::Release);
    let outcomes = std::mem::take(&mut *completed());
    for outcome in outcomes {
        let mut scope = ptr::null_mut();
        if napi_call!(js, napi_open_handle_scope(&mut scope)).is_err() {
            let _ = js.take_exception();
            continue;
        }
        settle(js, outcome);
        let _ = napi_call!(js, napi_close_handle_scope(scope));
    }
    handles::sweep(js);
}

/// Settles the Promise waiting for `outcome`'s token, if one does.
fn settle(js: Js, outcome: Outcome) {
    let token = outcome.token;
    let taken = WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        let (taken, done) = match waiting.get_mut(&token) {
            Some(Waiter::Future { lib, deferred }) => (Some((*lib, *deferred, false)), true),
            Some(Waiter::Stream {
                lib,
                next,
                released,
            }) => (
                next.take().map(|deferred| (*lib, deferred, true)),
                *released,
            ),
            None => (None, false),
        };
        if done {
            waiting.remove(&token);
        }
        taken
    });
    let Some((lib, deferred, stream)) = taken else {
        return;
    };
    unhold(js);
    let bytes = outcome.bytes.as_deref().map_err(|problem| *problem);
    // A stream's pending next cancelled by its release: the end.
    let value = if stream && outcome.code == Status::Cancelled.code() {
        js.null()
    } else {
        call::outcome(js, lib, outcome.code, bytes)
    };
    let settled = match value {
        Ok(value) => napi_call!(js, napi_resolve_deferred(deferred, value)),
        Err(_) => reject_thrown(js, deferred),
    };
    if settled.is_err() {
        let _ = js.take_exception();
    }
}

/// The environment is being torn down: no more waking it.
unsafe extern "C" fn cleanup(_arg: *mut c_void) {
    *TSFN.write().unwrap_or_else(|p| p.into_inner()) = None;
}

/// N-API ends the threadsafe function (at teardown).
unsafe extern "C" fn finalized(_env: sys::napi_env, _data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: no pointer is read.
    unsafe { cleanup(ptr::null_mut()) };
}
