//! One loaded library as the addon keeps it: the `ferryman_host::Library`,
//! the host registered with it, and the JS hooks `index.js` gave for it.
//! Libraries are never unloaded (`ferryman_host::Library`), so this lives
//! for the process (`&'static`).

use std::sync::OnceLock;

use ferryman_host::{Describe, HostName, Library};
use napi::sys::napi_ref;

use crate::js::{Js, JsResult, Value};

/// The JS side's helpers for this library (index.js `load`).
#[derive(Debug)]
pub(crate) struct Hooks {
    /// `raise(...)`: the Error to throw for a failure (`error_info.rs`).
    pub(crate) raise: napi_ref,
    /// `makeObject(classId, handle)`: the JS object for an object handle.
    pub(crate) make_object: napi_ref,
    /// `makeMap(entries)`: a `Map` of `[key, value]` pairs.
    pub(crate) make_map: napi_ref,
    /// `mapEntries(map)`: a `Map`'s `[key, value]` pairs as an array.
    pub(crate) map_entries: napi_ref,
    /// `bufferView(buffer, start, end)`: a `Buffer` over part of `buffer`.
    pub(crate) buffer_view: napi_ref,
    /// `makeStream(handle, token)`: the async iterator of a stream.
    pub(crate) make_stream: napi_ref,
    /// The `Map` constructor.
    pub(crate) map: napi_ref,
    /// The base class of objects of exported classes.
    pub(crate) rust_object: napi_ref,
    /// The symbol under which such an object keeps its handle (0 once closed).
    pub(crate) handle_key: napi_ref,
    /// The symbol under which its class keeps the class id.
    pub(crate) class_key: napi_ref,
    /// The symbol under which its class keeps the library it belongs to...
    pub(crate) library_key: napi_ref,
    /// ...which for this library's classes is this value.
    pub(crate) library: napi_ref,
    /// `Object.prototype`: an object with it (or none) is a plain object.
    pub(crate) object_prototype: napi_ref,
    /// `wireForm(object)`, for any other object: `undefined` to send its own
    /// keys as a map, `[value]` to send `value` instead (a `Date`'s ISO
    /// string), or what was found (`'a Set'`) when it has no wire form.
    pub(crate) wire_form: napi_ref,
}

/// A loaded library.
#[derive(Debug)]
pub(crate) struct Lib {
    pub(crate) library: Library,
    pub(crate) describe: Describe,
    /// What `ferryman_register_host` returned: needed to pass callables.
    pub(crate) host_id: OnceLock<Option<u32>>,
    pub(crate) hooks: Hooks,
}

/// A `&'static Lib` that may sit inside the host (which must be `Sync`):
/// its JS parts are only touched on the JS thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LibRef(pub(crate) &'static Lib);
// SAFETY: `Library` is plain data and function pointers; the `napi_ref`s in
// `Hooks` are only used on the JS thread (`Js` exists only there).
unsafe impl Send for LibRef {}
// SAFETY: as above.
unsafe impl Sync for LibRef {}

/// What the npm package calls itself in load errors.
pub(crate) const HOST: HostName = HostName {
    name: "ferryman npm package",
    version: env!("CARGO_PKG_VERSION"),
};

impl Lib {
    /// Loads and checks the library at `path`; the error is the message to
    /// throw.
    pub(crate) fn open(js: Js, path: &str, hooks: Value) -> JsResult<Result<&'static Lib, String>> {
        let library = match Library::open_as(path, HOST) {
            Ok(library) => library,
            Err(error) => return Ok(Err(error.to_string())),
        };
        let describe = match library.describe() {
            Ok(describe) => describe,
            Err(error) => return Ok(Err(format!("cannot load {path}: {error}"))),
        };
        let duplicates = describe.duplicate_names();
        if let Some((name, functions)) = duplicates.first() {
            let places: Vec<String> = functions
                .iter()
                .map(|f| {
                    format!(
                        "{}:{}",
                        f.file.as_deref().unwrap_or("?"),
                        f.line.unwrap_or(0)
                    )
                })
                .collect();
            return Ok(Err(format!(
                "cannot load {path}: it exports two functions named `{name}` ({}); \
                 rename one with #[ferryman::export(name = ...)]",
                places.join(" and ")
            )));
        }
        let hook = |name: &str| -> JsResult<napi_ref> {
            let value = js.get_named(hooks, name)?;
            js.reference(value)
        };
        let hooks = Hooks {
            raise: hook("raise")?,
            make_object: hook("makeObject")?,
            make_map: hook("makeMap")?,
            map_entries: hook("mapEntries")?,
            buffer_view: hook("bufferView")?,
            make_stream: hook("makeStream")?,
            map: hook("Map")?,
            rust_object: hook("RustObject")?,
            handle_key: hook("handleKey")?,
            class_key: hook("classKey")?,
            library_key: hook("libraryKey")?,
            library: hook("library")?,
            object_prototype: hook("objectPrototype")?,
            wire_form: hook("wireForm")?,
        };
        let lib: &'static Lib = Box::leak(Box::new(Lib {
            library,
            describe,
            host_id: OnceLock::new(),
            hooks,
        }));
        let _ = lib.host_id.set(crate::host::register(lib));
        Ok(Ok(lib))
    }

    /// The host id to put in host objects, when a host is registered.
    pub(crate) fn host_id(&self) -> Option<u32> {
        self.host_id.get().copied().flatten()
    }
}
