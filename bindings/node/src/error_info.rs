//! Failures as the arguments `index.js`'s `raise(...)` turns into the Error
//! to throw: an error value decoded by `ferryman_host` (every key, in order,
//! `hostException` resolved to `[the JS exception]`, boxed since any value,
//! `undefined` too, may be thrown), or the host's own
//! argument and bridge errors in the same shape.

use ferryman_host::{ErrorValue, Status};

use crate::decode;
use crate::handles;
use crate::js::{Js, JsResult, Thrown, Value};
use crate::library::Lib;

/// The arguments of `raise(...)` for `error` (status `status`), in the
/// order index.js names them (`RAISE_ARGS`).
pub(crate) type Info = [Value; 18];

/// Builds the arguments of `raise` for `error`: positional, so that no
/// object is built property by property on this side.
pub(crate) fn info(
    js: Js,
    lib: &'static Lib,
    status: Status,
    error: &ErrorValue,
) -> JsResult<Info> {
    let text = |value: Option<&str>| -> JsResult<Value> {
        match value {
            Some(text) => js.string(text),
            None => js.null(),
        }
    };
    let os_error = |os: &Option<ferryman_host::OsError>| -> JsResult<Value> {
        let Some(os) = os else { return js.null() };
        let object = js.object()?;
        let errno = match os.errno {
            Some(n) => js.int(n)?,
            None => js.null()?,
        };
        js.set_named(object, "errno", errno)?;
        js.set_named(object, "kind", js.string(&os.kind)?)?;
        Ok(object)
    };
    let causes = js.array(error.causes.len())?;
    for (index, cause) in error.causes.iter().enumerate() {
        let object = js.object()?;
        js.set_named(object, "type", text(cause.type_name.as_deref())?)?;
        js.set_named(object, "message", js.string(&cause.message)?)?;
        js.set_named(
            object,
            "hostException",
            exception(js, cause.host_exception)?,
        )?;
        js.set_named(object, "osError", os_error(&cause.os_error)?)?;
        js.set_element(causes, index as u32, object)?;
    }
    let notes = js.array(error.notes.len())?;
    for (index, note) in error.notes.iter().enumerate() {
        js.set_element(notes, index as u32, js.string(note)?)?;
    }
    // Frames as a flat array: function, file, line, column, language, ...
    let frames = js.array(error.frames.len() * 5)?;
    for (index, frame) in error.frames.iter().enumerate() {
        let at = index as u32 * 5;
        js.set_element(frames, at, js.string(&frame.function)?)?;
        js.set_element(frames, at + 1, js.string(&frame.file)?)?;
        js.set_element(frames, at + 2, js.int(i64::from(frame.line.unwrap_or(0)))?)?;
        js.set_element(
            frames,
            at + 3,
            js.int(i64::from(frame.column.unwrap_or(0)))?,
        )?;
        js.set_element(frames, at + 4, js.string(&frame.language)?)?;
    }
    Ok([
        js.int(i64::from(status.code()))?,
        js.string(error.kind.as_str())?,
        js.string(&error.type_name)?,
        text(error.rust_type.as_deref())?,
        js.string(&error.message)?,
        text(error.function.as_deref())?,
        text(error.param.as_deref())?,
        match error.index {
            Some(index) => js.int(index as i64)?,
            None => js.null()?,
        },
        text(error.expected.as_deref())?,
        text(error.found.as_deref())?,
        text(error.variant.as_deref())?,
        match &error.fields {
            Some(fields) => decode::tree(js, lib, fields)?,
            None => js.null()?,
        },
        text(error.base.as_deref())?,
        os_error(&error.os_error)?,
        causes,
        notes,
        frames,
        exception(js, error.host_exception)?,
    ])
}

/// `[the JS exception under handle]` (`undefined` without one), whose
/// reference the reader drops.
fn exception(js: Js, handle: Option<u64>) -> JsResult<Value> {
    let Some(handle) = handle else {
        return js.undefined();
    };
    let value = handles::get(js, handle)?;
    handles::release(handle);
    match value {
        Some(value) => {
            let boxed = js.array(1)?;
            js.set_element(boxed, 0, value)?;
            Ok(boxed)
        }
        None => js.undefined(),
    }
}

/// The Error `raise(info)` makes for `info`.
pub(crate) fn error_for(js: Js, lib: &'static Lib, info: Info) -> JsResult<Value> {
    let raise = js.deref(lib.hooks.raise)?;
    js.call(raise, &info)
}

/// Throws the Error for a failed call's error value.
pub(crate) fn raise(js: Js, lib: &'static Lib, status: Status, error: &ErrorValue) -> Thrown {
    match info(js, lib, status, error).and_then(|info| error_for(js, lib, info)) {
        Ok(error) => js.throw(error),
        Err(thrown) => thrown,
    }
}

/// Throws the Error for one of the host's own failures (kind `type`,
/// `overflow`, `closed` or `internal`).
pub(crate) fn throw(js: Js, lib: &'static Lib, error: ErrorValue) -> Thrown {
    let status = match error.kind {
        ferryman_host::ErrorKind::Internal => Status::Internal,
        _ => Status::BadArgs,
    };
    raise(js, lib, status, &error)
}

/// The [`ErrorValue`] of the host's own argument error.
pub(crate) fn argument_value(
    function: &str,
    param: &str,
    index: usize,
    expected: &str,
    found: &str,
) -> ErrorValue {
    ErrorValue {
        kind: ferryman_host::ErrorKind::Type,
        type_name: "ArgumentError".into(),
        message: format!(
            "`{function}()` argument `{param}`: expected {expected}, but found {found}"
        ),
        function: Some(function.into()),
        param: Some(param.into()),
        index: Some(index as u64),
        expected: Some(expected.into()),
        found: Some(found.into()),
        ..ErrorValue::default()
    }
}

/// A method called on (or an argument that is) a closed object: the
/// message names the member as JS calls it (`Counter.hashCode()`, as
/// `Counter.value()`), `function` as the library names it
/// (`Counter.__hash__`, as its other errors do).
pub(crate) fn closed(
    js: Js,
    lib: &'static Lib,
    function: &str,
    param: &str,
    class: &str,
) -> Thrown {
    let shown = js_name(function);
    let error = ErrorValue {
        kind: ferryman_host::ErrorKind::Other("closed".into()),
        type_name: "ClosedObjectError".into(),
        message: format!(
            "`{shown}()` argument `{param}`: this {class} object was closed (close() or Symbol.dispose)"
        ),
        function: Some(function.into()),
        param: Some(param.into()),
        expected: Some(class.into()),
        found: Some(format!("a closed {class}")),
        ..ErrorValue::default()
    };
    throw(js, lib, error)
}

/// A function's name as JS calls it: a class's protocol member by the key
/// index.js gives it (`PROTOCOL_NAMES`: `Counter.__hash__` is
/// `Counter.hashCode`, `Vocabulary.__iter__` `Vocabulary[Symbol.iterator]`),
/// any other name as it is.
fn js_name(function: &str) -> String {
    let Some((class, member)) = function.rsplit_once('.') else {
        return function.to_owned();
    };
    match member {
        "__str__" => format!("{class}.toString"),
        "__repr__" => format!("{class}[util.inspect.custom]"),
        "__eq__" => format!("{class}.equals"),
        "__hash__" => format!("{class}.hashCode"),
        "__cmp__" => format!("{class}.compareTo"),
        "__iter__" => format!("{class}[Symbol.iterator]"),
        _ => function.to_owned(),
    }
}

/// A closure called after `ferryman.release(fn)`: a `ClosedObjectError`,
/// as an object used after `close()`.
pub(crate) fn released_closure(js: Js, lib: &'static Lib) -> Thrown {
    let error = ErrorValue {
        kind: ferryman_host::ErrorKind::Other("closed".into()),
        type_name: "ClosedObjectError".into(),
        message: "this closure was released (ferryman.release); it cannot be called any more"
            .into(),
        found: Some("a released closure".into()),
        ..ErrorValue::default()
    };
    throw(js, lib, error)
}

/// A failure of the bridge itself (kind `internal`).
pub(crate) fn bridge(js: Js, lib: &'static Lib, message: &str) -> Thrown {
    let error = ErrorValue {
        kind: ferryman_host::ErrorKind::Internal,
        type_name: "BridgeError".into(),
        message: message.into(),
        ..ErrorValue::default()
    };
    throw(js, lib, error)
}
