//! The native part of the `ferryman` npm package (`ferryman.node`): a
//! Node.js host of ferryman libraries on top of `ferryman-host`, which does
//! the contract (loading, checks, describe, error values, the host vtable).
//! `index.js` builds the package's API on the functions exported here.

mod bin_result;
mod call;
mod closure;
mod completions;
mod crossing;
mod decode;
mod encode;
mod error_info;
mod function;
mod handles;
mod host;
mod js;
mod library;
mod streams;
mod wake;

use std::ptr;

use napi::sys;
use napi_derive::napi;

use crate::js::{napi_call, Js, JsResult, Value};
use crate::library::Lib;

type Native = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> Value;

#[napi(module_exports)]
pub fn exports(exports: napi::bindgen_prelude::Object) -> napi::Result<()> {
    use napi::JsValue;
    let env = exports.value().env;
    // SAFETY: module initialisation runs on the JS thread with its env.
    let js = unsafe { Js::from_raw(env) };
    let exports = exports.raw();
    let made = (|| -> JsResult<()> {
        crossing::init(js)?;
        completions::init(js)?;
        host::init(js);
        let natives: [(&str, Native); 11] = [
            ("open", open),
            ("liveCallbacks", live_callbacks),
            ("liveObjects", live_objects),
            ("liveClosures", live_closures),
            ("releaseClosure", release_closure),
            ("releaseObject", release_object),
            ("liveFutures", live_futures),
            ("streamNext", stream_next),
            ("streamRelease", stream_release),
            ("takePending", take_pending),
            ("cancelFuture", cancel_future),
        ];
        for (name, native) in natives {
            let mut function = ptr::null_mut();
            napi_call!(
                js,
                napi_create_function(
                    name.as_ptr().cast(),
                    name.len() as isize,
                    Some(native),
                    ptr::null_mut(),
                    &mut function
                )
            )?;
            js.set_named(exports, name, function)?;
        }
        Ok(())
    })();
    made.map_err(|_| {
        let reason = js
            .take_exception()
            .map(|error| js.display(error))
            .unwrap_or_else(|_| "ferryman: the addon failed to initialise".into());
        napi::Error::from_reason(reason)
    })
}

/// Runs a native function's body; a pending exception returns NULL.
fn native(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    body: impl FnOnce(Js, &[Value]) -> JsResult<Value>,
) -> Value {
    // SAFETY: N-API calls natives on the JS thread with its env.
    let js = unsafe { Js::from_raw(env) };
    call::with_args(js, info, |argv, _| body(js, argv))
}

fn arg(js: Js, argv: &[Value], index: usize) -> JsResult<Value> {
    match argv.get(index) {
        Some(value) => Ok(*value),
        None => js.undefined(),
    }
}

/// The library behind an `open` result's `lib` external.
fn lib_of(js: Js, value: Value) -> JsResult<&'static Lib> {
    let data = js.get_external(value)?;
    // SAFETY: `open` made the external from a leaked `&'static Lib`, and
    // index.js passes only those.
    Ok(unsafe { &*data.cast::<Lib>() })
}

/// `open(path, hooks)`: `{lib, functions, describe}`; throws the load error.
unsafe extern "C" fn open(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let path = js.get_string(arg(js, argv, 0)?)?;
        let hooks = arg(js, argv, 1)?;
        let lib = match Lib::open(js, &path, hooks)? {
            Ok(lib) => lib,
            Err(message) => return Err(js.throw_error(&message)),
        };
        let result = js.object()?;
        let external = js.external(ptr::from_ref(lib).cast_mut().cast())?;
        js.set_named(result, "lib", external)?;
        let functions = js.array(lib.describe.functions.len())?;
        for (index, function) in lib.describe.functions.iter().enumerate() {
            let made = function::make(js, lib, function)?;
            js.set_element(functions, index as u32, made)?;
        }
        js.set_named(result, "functions", functions)?;
        let mut bytes = Vec::new();
        let reply = lib.library.describe_into(&mut bytes);
        let describe = match reply.bytes() {
            Ok(bytes) => decode::decode(js, None, bytes)?,
            Err(problem) => return Err(js.throw_error(&problem.to_string())),
        };
        js.set_named(result, "describe", describe)?;
        Ok(result)
    })
}

/// `liveCallbacks()`: how many JS callables libraries hold.
unsafe extern "C" fn live_callbacks(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, _| {
        handles::sweep(js);
        js.int(handles::live_callables() as i64)
    })
}

/// `liveObjects(lib)`: `[[handle, class], …]` the host still holds.
unsafe extern "C" fn live_objects(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let live = match lib.library.objects() {
            Some(objects) => match objects.live() {
                Ok(live) => live,
                Err(error) => return Err(js.throw_error(&error.to_string())),
            },
            None => Vec::new(),
        };
        let array = js.array(live.len())?;
        for (index, object) in live.iter().enumerate() {
            let pair = js.array(2)?;
            js.set_element(pair, 0, js.number(object.handle as f64)?)?;
            js.set_element(pair, 1, js.string(&object.class)?)?;
            js.set_element(array, index as u32, pair)?;
        }
        Ok(array)
    })
}

/// `liveClosures(lib)`: the signatures of the closures the host holds.
unsafe extern "C" fn live_closures(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let live = match lib.library.closures() {
            Some(closures) => match closures.live() {
                Ok(live) => live,
                Err(error) => return Err(js.throw_error(&error.to_string())),
            },
            None => Vec::new(),
        };
        let array = js.array(live.len())?;
        for (index, closure) in live.iter().enumerate() {
            js.set_element(array, index as u32, js.string(&closure.signature)?)?;
        }
        Ok(array)
    })
}

/// `releaseClosure(fn)`: releases a closure now; false for other values.
unsafe extern "C" fn release_closure(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let released = closure::release(js, arg(js, argv, 0)?)?;
        js.boolean(released)
    })
}

/// `releaseObject(lib, handle)`: the host's reference to an object is gone.
unsafe extern "C" fn release_object(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let handle = js.get_number(arg(js, argv, 1)?)? as u64;
        if let Some(objects) = lib.library.objects() {
            let _ = objects.release(handle);
        }
        handles::sweep(js);
        js.undefined()
    })
}

/// `liveFutures(lib)`: `[[handle, kind, function], …]`, the pending futures
/// and streams the host holds.
unsafe extern "C" fn live_futures(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let live = match lib.library.futures() {
            Some(futures) => match futures.live() {
                Ok(live) => live,
                Err(error) => return Err(js.throw_error(&error.to_string())),
            },
            None => Vec::new(),
        };
        let array = js.array(live.len())?;
        for (index, future) in live.iter().enumerate() {
            let entry = js.array(3)?;
            js.set_element(entry, 0, js.number(future.handle as f64)?)?;
            js.set_element(entry, 1, js.string(&future.kind)?)?;
            js.set_element(entry, 2, js.string(&future.function)?)?;
            js.set_element(array, index as u32, entry)?;
        }
        Ok(array)
    })
}

/// `streamNext(lib, handle, token)`: the next batch (`streams::next`).
unsafe extern "C" fn stream_next(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let handle = js.get_number(arg(js, argv, 1)?)? as u64;
        let token = js.get_number(arg(js, argv, 2)?)? as u64;
        let batch = streams::next(js, lib, handle, token);
        handles::sweep(js);
        batch
    })
}

/// `streamRelease(lib, handle, token)`: drops the stream.
unsafe extern "C" fn stream_release(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let handle = js.get_number(arg(js, argv, 1)?)? as u64;
        let token = js.get_number(arg(js, argv, 2)?)? as u64;
        streams::release(lib, handle, token);
        js.undefined()
    })
}

/// `takePending()`: the handle of the future the last call made pending
/// (0 when it made none), once.
unsafe extern "C" fn take_pending(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, _| {
        js.number(completions::take_pending() as f64)
    })
}

/// `cancelFuture(lib, handle)`: drops a pending future; its Promise rejects
/// with the `cancelled` error (index.js turns it into the signal's reason).
unsafe extern "C" fn cancel_future(env: sys::napi_env, info: sys::napi_callback_info) -> Value {
    native(env, info, |js, argv| {
        let lib = lib_of(js, arg(js, argv, 0)?)?;
        let handle = js.get_number(arg(js, argv, 1)?)? as u64;
        let cancelled = match lib.library.futures() {
            Some(futures) => futures.cancel(handle) == Ok(ferryman_host::Status::Ok),
            None => false,
        };
        js.boolean(cancelled)
    })
}
