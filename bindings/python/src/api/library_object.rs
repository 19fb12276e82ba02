//! `Library` and `load`: opening a ferryman library from Python.

use std::path::PathBuf;
use std::sync::Arc;

use ferryman_host::{LoadError, LoadErrorKind, LogAnswer, LogLevel, Reply};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::callbacks::{log_records, python_host};
use crate::calls::async_call::Flavor;
use crate::calls::closure_object;
use crate::calls::function::{Function, Param};
use crate::calls::function_object;
use crate::ffi::library_handle::LibraryHandle;
use crate::state::call_scope::with_buffers;
use crate::state::host_objects::{self, Kind};
use crate::state::log_queue;
use crate::state::python_classes::{self, PyName};
use crate::state::sigint;
use crate::values::decode::decode;
use crate::values::encode::encode_with;
use crate::values::ints::Ints;
use crate::values::lent_bytes::Lend;
use crate::values::named_shapes::NamedShapes;
use crate::values::number_items::NumberItems;
use crate::values::object_value;
use crate::values::shape::Shape;

/// A loaded ferryman library.
#[pyclass(frozen, module = "ferryman._native", name = "Library")]
#[derive(Debug)]
pub struct Library {
    handle: Arc<LibraryHandle>,
    path: String,
}

/// Loads the ferryman library at `path`.
///
/// Raises `LibraryLoadError` when the file cannot be loaded, `NotAFerrymanLibrary`
/// when it exports no `ferryman_abi_version`, `AbiMismatch` when it speaks
/// another ABI or wire version.
#[pyfunction]
pub fn load(py: Python<'_>, path: PathBuf) -> PyResult<Library> {
    // Ctrl-C for the library's threads, if the default handler is back.
    sigint::watch(py);
    let shown = path.display().to_string();
    let loaded = match py.detach(|| LibraryHandle::open(&path)) {
        Ok(loaded) => loaded,
        Err(error) => return Err(load_error(py, &shown, error)),
    };
    let library = Library {
        handle: Arc::new(loaded),
        path: shown,
    };
    // Log records from threads without the GIL are queued in the state
    // layer, which hands them to the callbacks layer's emitter call.
    log_queue::set_deliver(log_records::deliver);
    // Callables need this package registered as the library's host; a library
    // that refuses (or predates callbacks) still serves plain calls.
    library.handle.register_host(python_host::for_registration);
    Ok(library)
}

impl Library {
    /// Runs `entry` (handshake or describe) and decodes its map.
    fn read_map<'py>(
        &self,
        py: Python<'py>,
        what: &str,
        entry: impl for<'a> FnOnce(&LibraryHandle, &'a mut Vec<u8>) -> Reply<'a>,
    ) -> PyResult<Bound<'py, PyAny>> {
        with_buffers(|buffers| {
            let reply = entry(&self.handle, &mut buffers.out);
            let problem = if !reply.is_ok() {
                format!("ferryman_{what} returned status {}", reply.code())
            } else {
                match reply.bytes() {
                    Ok(bytes) => match decode(py, bytes, None) {
                        Ok(value) if value.is_instance_of::<PyDict>() => return Ok(value),
                        Ok(_) => format!("ferryman_{what} did not return a map"),
                        Err(error) => format!(
                            "ferryman_{what} returned bytes that do not decode: {}",
                            error.describe(py)
                        ),
                    },
                    Err(problem) => problem.to_string(),
                }
            };
            Err(raise_load(
                py,
                PyName::LibraryLoadError,
                format!("{}: {problem}", self.path),
                &self.path,
            ))
        })
    }
}

#[pymethods]
impl Library {
    /// The path the library was loaded from.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// The ABI version the library reported (always the one this package speaks).
    #[getter]
    fn abi_version(&self) -> u32 {
        self.handle.abi_version()
    }

    /// The handshake map (`spec/wire.md`, "Handshake").
    fn handshake<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read_map(py, "handshake", |handle, out| handle.handshake(out))
    }

    /// The describe map (`spec/wire.md`, "Describe").
    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read_map(py, "describe", |handle, out| handle.describe(out))
    }

    /// The id of the function called `name`, or `None`.
    fn function_id(&self, name: &str) -> Option<u32> {
        self.handle.function_id(name)
    }

    /// One `Function` per entry of `describe`'s `functions` (or of the given
    /// describe map), in id order. `on_error(value: dict) -> BaseException` builds
    /// the exception for every failed call.
    #[pyo3(signature = (on_error, describe = None))]
    fn functions<'py>(
        &self,
        py: Python<'py>,
        on_error: Bound<'py, PyAny>,
        describe: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let describe = match describe {
            Some(describe) => describe,
            None => self.describe(py)?,
        };
        if let Some(registration) = self.handle.registration() {
            // Closures raise through the same factory as functions.
            registration.set_on_error(&on_error)?;
        }
        let bad = |what: &str| {
            raise_load(
                py,
                PyName::LibraryLoadError,
                format!("{}: describe map {what}", self.path),
                &self.path,
            )
        };
        let entries = describe
            .get_item("functions")
            .map_err(|_| bad("has no `functions`"))?
            .cast_into::<PyList>()
            .map_err(|_| bad("has a `functions` that is not an array"))?;
        let host_id = self
            .handle
            .registration()
            .and_then(|registration| registration.host_id());
        let lent = (self.handle.lent_bytes(), self.handle.lent_slices());
        let class_names: Vec<String> = describe
            .get_item("classes")
            .ok()
            .and_then(|classes| classes.cast_into::<PyList>().ok())
            .map(|classes| {
                classes
                    .iter()
                    .map(|class| {
                        class
                            .get_item("name")
                            .and_then(|name| name.extract())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let types = describe.get_item("types").ok();
        let mut named = NamedShapes::new(types.as_ref());
        let mut functions = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let get = |key: &str| entry.get_item(key).ok();
            let name: String = get("name")
                .and_then(|name| name.extract().ok())
                .ok_or_else(|| bad(&format!("function {index} has no name")))?;
            let id = get("id")
                .and_then(|id| id.extract::<u32>().ok())
                .or_else(|| u32::try_from(index).ok())
                .ok_or_else(|| bad(&format!("function {name} has no id")))?;
            let mut params = Vec::new();
            if let Some(list) = get("params").and_then(|params| params.cast_into::<PyList>().ok()) {
                for (position, param) in list.iter().enumerate() {
                    let field = |key: &str| {
                        param
                            .get_item(key)
                            .ok()
                            .and_then(|value| value.extract::<String>().ok())
                    };
                    let rust = field("rust")
                        .or_else(|| param.get_item("type").ok().map(|desc| desc.to_string()))
                        .unwrap_or_else(|| "any value".to_owned());
                    let descriptor = param.get_item("type").ok();
                    let default = match param.cast::<PyDict>() {
                        Ok(map) => map.get_item("default")?,
                        Err(_) => None,
                    };
                    let default = default
                        .map(|value| {
                            let mut bytes = Vec::new();
                            encode_with(&mut bytes, &value, Ints::Bits128)
                                .map(|()| bytes)
                                .map_err(|_| {
                                    bad(&format!(
                                        "function {name} param {position} has a default that does not encode"
                                    ))
                                })
                        })
                        .transpose()?;
                    params.push(Param {
                        default,
                        name: field("name").unwrap_or_else(|| format!("arg{position}")),
                        lend: Lend::of_param(descriptor.as_ref(), &rust, lent, host_id),
                        ints: Ints::of_descriptor(descriptor.as_ref()),
                        items: NumberItems::of_descriptor(descriptor.as_ref()),
                        awaited: descriptor
                            .as_ref()
                            .and_then(|descriptor| descriptor.cast::<PyDict>().ok())
                            .is_some_and(|map| map.contains("async_callback").unwrap_or(false)),
                        rust,
                    });
                }
            }
            let returns = get("returns")
                .and_then(|returns| returns.get_item("type").ok())
                .and_then(|descriptor| Shape::of_descriptor(&descriptor, &mut named));
            let method = get("kind")
                .and_then(|kind| kind.extract::<String>().ok())
                .is_some_and(|kind| kind == "method");
            // A method's class id: its class's index in describe's `classes`.
            let receiver = method
                .then(|| get("class").and_then(|class| class.extract::<String>().ok()))
                .flatten()
                .and_then(|class| class_names.iter().position(|name| *name == class))
                .and_then(|position| u32::try_from(position).ok());
            let flag = |key: &str| {
                get(key)
                    .and_then(|value| value.extract::<bool>().ok())
                    .unwrap_or(false)
            };
            // A stream's items: `{"stream": T}`'s `T`.
            let flavor = if flag("stream") {
                let item = get("returns")
                    .and_then(|returns| returns.get_item("type").ok())
                    .and_then(|descriptor| descriptor.get_item("stream").ok())
                    .and_then(|descriptor| Shape::of_descriptor(&descriptor, &mut named));
                Flavor::Stream(Arc::new(item.unwrap_or(Shape::Any)))
            } else if flag("async") {
                Flavor::Async
            } else {
                Flavor::Sync
            };
            let function =
                Function::new(py, self.handle.clone(), id, name, params, returns, receiver)
                    .with_flavor(flavor);
            functions.push(if method {
                function_object::new_method(py, function, on_error.clone())?
            } else {
                function_object::new(py, function, on_error.clone())?
            });
        }
        Ok(functions)
    }

    /// The closures the library handed out that are still alive
    /// (`ferryman_live_closures`): `[{"handle": int, "signature": str}, …]`.
    fn live_closures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match self.handle.registration() {
            Some(registration) => closure_object::live_closures(py, registration),
            None => Ok(PyList::empty(py)),
        }
    }

    /// The pending futures and streams hosts hold (`ferryman_live_futures`):
    /// `[{"handle": int, "kind": "future" | "stream", "function": str}, …]`.
    fn live_futures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        let Some(registration) = self.handle.registration() else {
            return Ok(list);
        };
        let live = registration.live_futures().map_err(|problem| {
            pyo3::exceptions::PyRuntimeError::new_err(format!(
                "ferryman_live_futures failed: {problem}"
            ))
        })?;
        for future in live {
            let entry = PyDict::new(py);
            entry.set_item("handle", future.handle)?;
            entry.set_item("kind", future.kind)?;
            entry.set_item("function", future.function)?;
            list.append(entry)?;
        }
        Ok(list)
    }

    /// Gives the library its Python classes, one per entry of describe's
    /// `classes` in id order (subclasses of `ferryman.RustObject`), so that
    /// its objects (extension 5) decode as instances of them. Once per load.
    fn set_classes(&self, classes: Vec<Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(registration) = self.handle.registration() else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "this library did not register this package as its host, so it cannot \
                 hand out objects",
            ));
        };
        if let Some(bad) = classes
            .iter()
            .position(|class| !object_value::is_object_class(class))
        {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "set_classes: item {bad} is not a subclass of ferryman.RustObject"
            )));
        }
        let hashed = classes.iter().map(object_value::is_hashed_class).collect();
        registration.set_classes(&classes, hashed)
    }

    /// The objects hosts still hold (`ferryman_live_objects`), counted by
    /// class name: `{"Counter": 2}` (classes with none left out).
    fn live_objects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = PyDict::new(py);
        let Some(registration) = self.handle.registration() else {
            return Ok(counts);
        };
        let live = registration.live_objects().map_err(|problem| {
            pyo3::exceptions::PyRuntimeError::new_err(format!(
                "ferryman_live_objects failed: {problem}"
            ))
        })?;
        for object in live {
            let count = match counts.get_item(&object.class)? {
                Some(count) => count.extract::<u64>()? + 1,
                None => 1,
            };
            counts.set_item(&object.class, count)?;
        }
        Ok(counts)
    }

    /// Whether the library exports objects (it has the object entry points).
    #[getter]
    fn has_objects(&self) -> bool {
        self.handle
            .registration()
            .is_some_and(|registration| registration.has_objects())
    }

    /// The id the library gave this package as a host, or `None` when the
    /// library takes no callables.
    #[getter]
    fn host_id(&self) -> Option<u32> {
        self.handle
            .registration()
            .and_then(|registration| registration.host_id())
    }

    /// Sends the library's Rust log records at levels up to `max_level` (0 off,
    /// 1 error … 5 trace) to `emit`, called with one record dict each, from
    /// any thread (`spec/abi.md`, "Logs"); `emit=None` disconnects. Returns
    /// `"sending"`, `"not offered"` (the library sends no records: too old,
    /// built without ferryman's `log` feature, or it has its own logger) or
    /// `"refused"`.
    #[pyo3(signature = (emit, max_level))]
    fn connect_logs(
        &self,
        emit: Option<Bound<'_, PyAny>>,
        max_level: u32,
    ) -> PyResult<&'static str> {
        let level = log_level(max_level)?;
        let (Some(logs), Some(host_id)) = (
            self.handle.logs(),
            self.handle
                .registration()
                .and_then(|registration| registration.host_id()),
        ) else {
            return Ok(log_answer(LogAnswer::NotOffered));
        };
        let Some(emit) = emit else {
            // Releasing the old emitter may take the GIL on this thread: fine.
            return Ok(log_answer(logs.connect(host_id, 0, LogLevel::Off)));
        };
        // One reference of our own while the library retains its one.
        let handle = host_objects::insert(emit.unbind(), Kind::LogEmitter);
        let answer = logs.connect(host_id, handle, level);
        // With the GIL held: dropping the emitter (when refused) is safe here.
        drop(host_objects::release(handle));
        Ok(log_answer(answer))
    }

    /// The most verbose level the host wants now (0 off … 5 trace): the
    /// library's cached maximum, checked before any record is built.
    fn set_log_level(&self, max_level: u32) -> PyResult<&'static str> {
        let level = log_level(max_level)?;
        Ok(match self.handle.logs() {
            Some(logs) => log_answer(logs.set_level(level)),
            None => log_answer(LogAnswer::NotOffered),
        })
    }

    fn __repr__(&self) -> String {
        format!("<ferryman._native.Library {:?}>", self.path)
    }
}

/// A wire log level (0 off … 5 trace), or a `ValueError`.
fn log_level(level: u32) -> PyResult<LogLevel> {
    Ok(match level {
        0 => LogLevel::Off,
        1 => LogLevel::Error,
        2 => LogLevel::Warn,
        3 => LogLevel::Info,
        4 => LogLevel::Debug,
        5 => LogLevel::Trace,
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "log level {level} is not 0 (off) to 5 (trace)"
            )))
        }
    })
}

fn log_answer(answer: LogAnswer) -> &'static str {
    match answer {
        LogAnswer::Sending => "sending",
        LogAnswer::NotOffered => "not offered",
        LogAnswer::Refused => "refused",
    }
}

/// The exception for a library that could not be loaded, with
/// `ferryman-host`'s message.
fn load_error(py: Python<'_>, path: &str, error: LoadError) -> PyErr {
    let class = match error.kind {
        LoadErrorKind::NotFerryman => PyName::NotAFerrymanLibrary,
        LoadErrorKind::AbiMismatch(_) | LoadErrorKind::WireMismatch(_) => PyName::AbiMismatch,
        LoadErrorKind::Open(_)
        | LoadErrorKind::MissingSymbol { .. }
        | LoadErrorKind::Handshake(_) => PyName::LibraryLoadError,
    };
    raise_load(py, class, error.to_string(), path)
}

/// An instance of `class(message, path=path)`.
fn raise_load(py: Python<'_>, class: PyName, message: String, path: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = python_classes::get(py, class)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("path", path)?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|error| error)
}
