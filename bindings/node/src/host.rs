//! This host as the library sees it (`ferryman_host::Host`): JS callables
//! and exceptions under handles (`handles.rs`), callbacks run on the JS
//! thread (`crossing.rs`), a thrown JS value kept under a handle so that it
//! comes out of the Rust call as the same object.

use std::sync::atomic::{AtomicPtr, Ordering};

use ferryman_host::write::{ErrorView, Message};
use ferryman_host::{Completed, Host, Status};
use napi::sys;

use crate::completions;
use crate::crossing;
use crate::decode;
use crate::encode::{Encoder, Refusal};
use crate::error_info;
use crate::handles;
use crate::js::{napi_call, Js, JsResult, Kind, Value};
use crate::library::{Lib, LibRef};

/// An answer of this host: the handles a result holds are released when the
/// library frees its box.
pub(crate) type Answer = ferryman_host::Answer<Vec<u64>>;

/// The JS thread's env, for callbacks Rust makes on that thread.
static ENV: AtomicPtr<sys::napi_env__> = AtomicPtr::new(std::ptr::null_mut());

/// Remembers the env of the JS thread (at module load).
pub(crate) fn init(js: Js) {
    ENV.store(js.env, Ordering::Release);
}

/// The host of one library.
#[derive(Debug)]
struct NodeHost {
    lib: LibRef,
}

impl Host for NodeHost {
    type Held = Vec<u64>;

    fn invoke(&self, handle: u64, args: &[u8]) -> Answer {
        if crossing::on_js_thread() {
            // SAFETY: this is the JS thread, inside a call from JS (the
            // library calls back only while JS called into it here).
            let js = unsafe { Js::from_raw(ENV.load(Ordering::Acquire)) };
            run(js, self.lib.0, handle, args)
        } else {
            crossing::post(self.lib, handle, args)
        }
    }

    fn retain(&self, handle: u64) {
        handles::retain(handle);
    }

    fn release(&self, handle: u64) {
        handles::release(handle);
    }

    fn release_held(&self, held: Vec<u64>) {
        for handle in held {
            handles::release(handle);
        }
    }

    fn complete(&self, token: u64, outcome: Completed<'_>) {
        completions::complete(token, outcome);
    }
}

/// Registers a host with `lib`; its id, or `None` (no callbacks then).
pub(crate) fn register(lib: &'static Lib) -> Option<u32> {
    let closures = lib.library.closures()?;
    let host: &'static NodeHost = Box::leak(Box::new(NodeHost { lib: LibRef(lib) }));
    let id = closures.register_host(host)?;
    // Async functions then answer FERRY_PENDING, settled as Promises
    // (`completions.rs`); without a completion they would block the JS
    // thread until their future ends.
    if let Some(futures) = lib.library.futures() {
        let _ = futures.connect(closures, host);
    }
    Some(id)
}

/// Calls JS callable `handle` with the MessagePack argument array `args`,
/// on the JS thread, in a handle scope of its own.
pub(crate) fn run(js: Js, lib: &'static Lib, handle: u64, args: &[u8]) -> Answer {
    let mut scope = std::ptr::null_mut();
    if napi_call!(js, napi_open_handle_scope(&mut scope)).is_err() {
        let _ = js.take_exception();
        return Answer::bridge("ferryman: cannot open a JS handle scope");
    }
    let answer = run_in_scope(js, lib, handle, args);
    let _ = napi_call!(js, napi_close_handle_scope(scope));
    answer
}

fn run_in_scope(js: Js, lib: &'static Lib, handle: u64, args: &[u8]) -> Answer {
    let function = match handles::get(js, handle) {
        Ok(Some(function)) => function,
        Ok(None) => {
            return Answer::bridge(&format!("ferryman: no JS callable has handle {handle}"))
        }
        Err(_) => return thrown(js, lib),
    };
    let called = decode::decode(js, Some(lib), args).and_then(|array| {
        let len = js.array_len(array)?;
        let argv = (0..len)
            .map(|index| js.element(array, index))
            .collect::<JsResult<Vec<Value>>>()?;
        js.call(function, &argv)
    });
    let result = match called {
        Ok(result) => result,
        Err(_) => return thrown(js, lib),
    };
    let mut bytes = Vec::with_capacity(64);
    let mut encoder = Encoder::new(js, lib, &mut bytes);
    match encoder.value(result, 1) {
        Ok(()) => {
            let made = std::mem::take(&mut encoder.made);
            let answer = Answer::ok(bytes);
            if made.is_empty() {
                answer
            } else {
                answer.holding(made)
            }
        }
        Err(refusal) => {
            Encoder::finish(std::mem::take(&mut encoder.made));
            if let Refusal::Bad(found) | Refusal::Overflow(found) = refusal {
                let error = error_info::argument_value(
                    "callback",
                    "return value",
                    0,
                    "a value with a wire form",
                    &found,
                );
                let made = error_info::info(js, lib, Status::BadArgs, &error)
                    .and_then(|info| error_info::error_for(js, lib, info));
                if let Ok(error) = made {
                    return exception(js, lib, error);
                }
            }
            thrown(js, lib)
        }
    }
}

/// The pending JS exception as the callback's failure.
fn thrown(js: Js, lib: &'static Lib) -> Answer {
    match js.take_exception() {
        Ok(error) => exception(js, lib, error),
        Err(_) => Answer::bridge("ferryman: a callback failed and its exception was lost"),
    }
}

/// `error` (any thrown JS value) as an error value of kind `host`, kept
/// under a handle whose one reference the library now owns.
fn exception(js: Js, _lib: &'static Lib, error: Value) -> Answer {
    let (type_name, message) = describe_thrown(js, error);
    let handle = handles::insert_any(js, error).ok();
    if handle.is_none() {
        let _ = js.take_exception();
    }
    let view = ErrorView {
        host_exception: handle,
        ..ErrorView::new("host", &type_name, Message::Text(&message))
    };
    Answer::failure(Status::Error, &view)
}

/// A thrown value's class name and message (`String(value)` for non-Errors).
fn describe_thrown(js: Js, error: Value) -> (String, String) {
    let fallback = || ("Error".to_owned(), js.display(error));
    if !matches!(js.kind(error), Ok(Kind::Object) | Ok(Kind::Function)) {
        return fallback();
    }
    let name = js
        .get_named(error, "name")
        .ok()
        .filter(|name| matches!(js.kind(*name), Ok(Kind::String)))
        .and_then(|name| js.get_string(name).ok());
    let message = js
        .get_named(error, "message")
        .ok()
        .filter(|message| matches!(js.kind(*message), Ok(Kind::String)))
        .and_then(|message| js.get_string(message).ok());
    match (name, message) {
        (Some(name), Some(message)) => (name, message),
        _ => {
            let _ = js.take_exception();
            fallback()
        }
    }
}
