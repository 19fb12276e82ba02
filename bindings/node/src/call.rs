//! One call across: the JS arguments encoded into the site's buffer,
//! `ferryman_call` (or `ferryman_closure_call`), then the result decoded or
//! the failure thrown. Shared by exported functions and closures.

use std::ffi::c_void;
use std::ptr;

use ferryman_host::{
    future_handle, has_error_value, status, BoxError, ErrorValue, Library, Reply, ReplyError,
    Status,
};
use napi::sys;

use crate::bin_result::{self, Expect};
use crate::completions;
use crate::crossing;
use crate::decode;
use crate::encode::{Encoder, Refusal};
use crate::error_info;
use crate::handles;
use crate::js::{napi_call, Js, JsResult, Kind, Thrown, Value};
use crate::library::Lib;

/// What is called.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Function(u32),
    Closure(u64),
}

impl Target {
    /// # Safety
    ///
    /// `args` lends no host memory (this host never sends extension 3).
    unsafe fn call<'a>(self, library: &Library, args: &[u8], out: &'a mut Vec<u8>) -> Reply<'a> {
        match (self, library.closures()) {
            // SAFETY: no lent bytes, per the caller.
            (Target::Function(id), _) => unsafe { library.call(id, args, out) },
            // SAFETY: as above.
            (Target::Closure(handle), Some(closures)) => unsafe {
                closures.call(handle, args, out)
            },
            // A closure handle from a library without closures cannot be:
            // report "no function" as the library would.
            // SAFETY: as above; id u32::MAX names no function.
            (Target::Closure(_), None) => unsafe { library.call(u32::MAX, args, out) },
        }
    }
}

/// How the callee is named in the host's own argument errors.
#[derive(Debug)]
pub(crate) enum Names<'a> {
    Function {
        name: &'a str,
        /// Each parameter's name and Rust type.
        params: &'a [(String, String)],
        /// Per parameter: whether it takes extension 4 (`Encoder::wide`).
        wide: &'a [bool],
        /// Per parameter: whether it is a `ferryman::Bytes` (`Encoder::keeps`).
        keeps: &'a [bool],
        /// Per parameter: its default, encoded, sent for `undefined` (as
        /// a JS function's default parameters take `undefined` for unsent).
        defaults: &'a [Option<Vec<u8>>],
    },
    Closure,
}

/// A call site's reused buffers, and what it expects of its result.
#[derive(Debug)]
pub(crate) struct Buffers<'b> {
    pub(crate) args: &'b mut Vec<u8>,
    pub(crate) out: &'b mut Vec<u8>,
    /// Function sites only: whether a large bin result is expected.
    pub(crate) expect: Option<&'b Expect>,
}

/// Reads a callback's arguments (at most 8 on the stack) and data, runs
/// `body`, and turns a pending exception into N-API's NULL.
pub(crate) fn with_args(
    js: Js,
    info: sys::napi_callback_info,
    body: impl FnOnce(&[Value], *mut c_void) -> JsResult<Value>,
) -> Value {
    let mut argv = [ptr::null_mut(); 8];
    let mut argc = argv.len();
    let mut data = ptr::null_mut();
    let read = napi_call!(
        js,
        napi_get_cb_info(
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            &mut data
        )
    );
    if read.is_err() {
        return ptr::null_mut();
    }
    let result = if argc <= argv.len() {
        body(&argv[..argc], data)
    } else {
        let mut many = vec![ptr::null_mut(); argc];
        let mut count = argc;
        match napi_call!(
            js,
            napi_get_cb_info(
                info,
                &mut count,
                many.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut()
            )
        ) {
            Ok(()) => body(&many[..count.min(argc)], data),
            Err(thrown) => Err(thrown),
        }
    };
    result.unwrap_or(ptr::null_mut())
}

/// Throws the `TypeError` of `new` on an exported function or a closure
/// (`add is not a constructor`, as JS says of its own non-constructors);
/// nothing is sent to the library.
#[cold]
#[inline(never)]
pub(crate) fn not_a_constructor(js: Js, name: &str) -> Thrown {
    js.throw_type_error(&format!("{name} is not a constructor"))
}

/// Encodes `argv`, calls `target` and decodes or throws.
pub(crate) fn call(
    js: Js,
    lib: &'static Lib,
    target: Target,
    names: &Names<'_>,
    argv: &[Value],
    site: Buffers<'_>,
) -> JsResult<Value> {
    let Buffers { args, out, expect } = site;
    // Bytes are lent only to a call during which no JS can run.
    let lend = !handles::any_callable();
    let Encoded { made, copies } = encode(js, lib, names, argv, args, lend)?;
    let library = &lib.library;
    let result = if made.is_empty() && !handles::any_callable() {
        let room = expect.and_then(Expect::room);
        match (target, room, expect) {
            (Target::Function(id), Some(room), Some(expect)) => {
                into_buffer(js, lib, id, args, room, expect)
            }
            _ => {
                // SAFETY: bytes lent by the encoder belong to JS values alive
                // for the call (held by its arguments), and no JS runs until
                // it returns.
                let reply = unsafe { target.call(library, args, out) };
                let bytes = reply.bytes().ok();
                // A large bin goes into a Buffer next time, not into `out`.
                let large = bytes.and_then(bin_result::payload).is_some();
                if let Some(expect) = expect {
                    expect.saw(bytes);
                }
                let spilled = (reply.spilled() && !large).then(|| reply.len());
                let result = finish(js, lib, reply);
                keep_room(out, spilled);
                result
            }
        }
    } else {
        let args = &args[..];
        // SAFETY: nothing is lent to a call that may run JS (`encode`).
        let reply = crossing::serviced(js, move || unsafe { target.call(library, args, out) });
        Encoder::finish(made);
        finish(js, lib, reply)
    };
    Encoder::finish_copies(copies);
    handles::sweep(js);
    result
}

/// Calls function `id` with a new `Buffer` of `room` bytes as the result's
/// place (`bin_result.rs`): the result is a view of it when a large bin
/// landed there, and read as usual otherwise.
fn into_buffer(
    js: Js,
    lib: &'static Lib,
    id: u32,
    args: &[u8],
    room: usize,
    expect: &Expect,
) -> JsResult<Value> {
    let (buffer, memory) = bin_result::new_buffer(js, room)?;
    // SAFETY: as for `Target::call` in `call`: lent bytes are held by the
    // arguments and no JS runs until the call returns; `memory` is the new
    // Buffer's, which nothing else reads or writes meanwhile.
    let reply = unsafe { lib.library.call_in(id, args, memory) };
    let bytes = reply.bytes().ok();
    expect.saw(bytes);
    let found = if reply.spilled() {
        None
    } else {
        bytes.and_then(bin_result::payload)
    };
    match bin_result::view(js, lib, buffer, room, found)? {
        Some(view) => Ok(view),
        None => finish(js, lib, reply),
    }
}

/// What encoding the arguments gave.
struct Encoded {
    made: Vec<u64>,
    copies: Vec<u64>,
}

/// The argument array of `argv` into `args`.
fn encode(
    js: Js,
    lib: &'static Lib,
    names: &Names<'_>,
    argv: &[Value],
    args: &mut Vec<u8>,
    lend: bool,
) -> JsResult<Encoded> {
    args.clear();
    let mut encoder = Encoder::new(js, lib, args).lending(lend);
    encoder.array_header(argv.len() as u32);
    let (wide, keeps, defaults, count) = match names {
        Names::Function {
            wide,
            keeps,
            defaults,
            params,
            ..
        } => (*wide, *keeps, *defaults, params.len()),
        Names::Closure => (&[][..], &[][..], &[][..], usize::MAX),
    };
    for (index, value) in argv.iter().enumerate() {
        if index >= count {
            // One argument too many: the library's arity error, whatever it is.
            encoder.out.push(0xc0);
            continue;
        }
        if let Some(Some(default)) = defaults.get(index) {
            if js.kind(*value)? == Kind::Undefined {
                encoder.out.extend_from_slice(default);
                continue;
            }
        }
        encoder.wide = wide.get(index).copied().unwrap_or(false);
        encoder.keeps = keeps.get(index).copied().unwrap_or(false);
        if let Err(refusal) = encoder.value(*value, 1) {
            encoder.abandon();
            return Err(refused(js, lib, names, index, refusal));
        }
    }
    if let Err(thrown) = encoder.settle_lent() {
        encoder.abandon();
        return Err(thrown);
    }
    Ok(Encoded {
        made: std::mem::take(&mut encoder.made),
        copies: std::mem::take(&mut encoder.copies),
    })
}

/// Results up to this size land in the site's own buffer next time.
const KEEP_ROOM_UP_TO: usize = 4 << 20;

/// After a result that did not fit `out`, makes room for one as large (up
/// to `KEEP_ROOM_UP_TO`): the next such result is written in place.
fn keep_room(out: &mut Vec<u8>, spilled: Option<usize>) {
    if let Some(len) = spilled {
        if len <= KEEP_ROOM_UP_TO {
            out.clear();
            out.reserve(len);
        }
    }
}

/// The value of a reply, or its failure thrown.
fn finish(js: Js, lib: &'static Lib, reply: Reply<'_>) -> JsResult<Value> {
    if reply.code() == Status::Pending.code() {
        // An async function's future, not ready at its first poll: a Promise.
        return match reply.bytes().ok().and_then(future_handle) {
            Some(handle) => completions::await_future(js, lib, handle),
            None => Err(error_info::bridge(
                js,
                lib,
                "the library answered FERRY_PENDING without a future handle",
            )),
        };
    }
    outcome(js, lib, reply.code(), reply.bytes())
}

/// The value of a call's (or a completion's) status and bytes, or its
/// failure thrown.
pub(crate) fn outcome(
    js: Js,
    lib: &'static Lib,
    code: i32,
    bytes: Result<&[u8], BoxError>,
) -> JsResult<Value> {
    let status = match status(code) {
        Ok(status) => status,
        Err(unknown) => return Err(error_info::bridge(js, lib, &unknown.to_string())),
    };
    if status == Status::Ok {
        return match bytes {
            Ok(bytes) => decode::decode(js, Some(lib), bytes),
            Err(problem) => Err(error_info::bridge(js, lib, &problem.to_string())),
        };
    }
    if !has_error_value(status) {
        return Err(error_info::bridge(
            js,
            lib,
            &match status {
                Status::NullPointer => "the library reported a NULL pointer (status -1)".into(),
                other => format!("the library answered {} here", other.c_name()),
            },
        ));
    }
    let error = bytes
        .map_err(ReplyError::from)
        .and_then(|bytes| Ok(ErrorValue::decode(bytes)?));
    match error {
        Ok(error) => Err(error_info::raise(js, lib, status, &error)),
        Err(problem) => Err(error_info::bridge(
            js,
            lib,
            &format!("the library's error value cannot be read: {problem}"),
        )),
    }
}

/// The host's own argument error for a value it could not encode.
fn refused(js: Js, lib: &'static Lib, names: &Names<'_>, index: usize, refusal: Refusal) -> Thrown {
    let (name, param, expected) = match names {
        Names::Function { name, params, .. } => {
            let (param, rust) = params
                .get(index)
                .map(|(p, r)| (p.as_str(), r.as_str()))
                .unwrap_or(("?", "?"));
            (*name, param.to_owned(), rust.to_owned())
        }
        Names::Closure => ("closure", index.to_string(), "a value".to_owned()),
    };
    match refusal {
        Refusal::Thrown => Thrown,
        Refusal::Bad(found) => {
            let error = error_info::argument_value(name, &param, index, &expected, &found);
            error_info::throw(js, lib, error)
        }
        Refusal::Overflow(found) => {
            let mut error = error_info::argument_value(name, &param, index, &expected, &found);
            error.kind = ferryman_host::ErrorKind::Overflow;
            error_info::throw(js, lib, error)
        }
        Refusal::Closed(class) => error_info::closed(js, lib, name, &param, &class),
    }
}
