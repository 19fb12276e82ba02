//! `Library` and `load`: opening a ferryman library from Python.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::decode::decode;
use crate::function::{Function, Param};
use crate::function_object;
use crate::ints::Ints;
use crate::lend::Lend;
use crate::loaded::{LoadError, Loaded};
use crate::reply::Reply;
use crate::scope::with_buffers;
use crate::shape::Shape;

/// The version of this Python package, for messages.
const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A loaded ferryman library.
#[pyclass(frozen, module = "ferryman._native", name = "Library")]
#[derive(Debug)]
pub struct Library {
    loaded: Arc<Loaded>,
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
    crate::sigint::watch(py);
    let shown = path.display().to_string();
    let loaded = match py.detach(|| Loaded::open(&path)) {
        Ok(loaded) => loaded,
        Err(error) => return Err(load_error(py, &shown, error)),
    };
    let library = Library {
        loaded: Arc::new(loaded),
        path: shown.clone(),
    };
    let handshake = library.handshake(py)?;
    let wire = handshake
        .cast::<PyDict>()
        .ok()
        .and_then(|map| map.get_item("wire").ok().flatten())
        .and_then(|wire| wire.extract::<u32>().ok());
    if wire != Some(ferryman_abi::WIRE_VERSION) {
        let wire = wire.map_or_else(|| "no".to_owned(), |wire| wire.to_string());
        let message = format!(
            "{shown} speaks ferryman wire version {wire}, but this ferryman Python package \
             ({CLIENT_VERSION}) speaks wire version {}: rebuild the library against a ferryman \
             release with the same wire version, or install a ferryman Python package that speaks it",
            ferryman_abi::WIRE_VERSION
        );
        return Err(raise_load(py, "AbiMismatch", message, &shown));
    }
    let lent_bytes = handshake
        .cast::<PyDict>()
        .ok()
        .and_then(|map| map.get_item("lent_bytes").ok().flatten())
        .is_some_and(|flag| flag.is_truthy().unwrap_or(false));
    library.loaded.set_lent_bytes(lent_bytes);
    // Callables need this package registered as the library's host; a library
    // that refuses (or predates callbacks) still serves plain calls.
    library.loaded.register_host();
    Ok(library)
}

impl Library {
    /// Runs `entry` (handshake or describe) and decodes its map.
    fn read_map<'py>(
        &self,
        py: Python<'py>,
        what: &str,
        entry: impl for<'a> FnOnce(&Loaded, &'a mut Vec<u8>) -> Reply<'a>,
    ) -> PyResult<Bound<'py, PyAny>> {
        with_buffers(|buffers| {
            let reply = entry(&self.loaded, &mut buffers.out);
            let problem = if reply.status() != 0 {
                format!("ferryman_{what} returned status {}", reply.status())
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
                    Err(problem) => problem,
                }
            };
            Err(raise_load(
                py,
                "LibraryLoadError",
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
        self.loaded.abi_version()
    }

    /// The handshake map (`spec/wire.md`, "Handshake").
    fn handshake<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read_map(py, "handshake", |loaded, out| loaded.handshake(out))
    }

    /// The describe map (`spec/wire.md`, "Describe").
    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.read_map(py, "describe", |loaded, out| loaded.describe(out))
    }

    /// The id of the function called `name`, or `None`.
    fn function_id(&self, name: &str) -> Option<u32> {
        self.loaded.function_id(name)
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
        if let Some(runtime) = self.loaded.runtime() {
            // Closures raise through the same factory as functions.
            runtime.set_on_error(on_error.clone().unbind());
        }
        let bad = |what: &str| {
            raise_load(
                py,
                "LibraryLoadError",
                format!("{}: describe map {what}", self.path),
                &self.path,
            )
        };
        let entries = describe
            .get_item("functions")
            .map_err(|_| bad("has no `functions`"))?
            .cast_into::<PyList>()
            .map_err(|_| bad("has a `functions` that is not an array"))?;
        let host_id = self.loaded.runtime().and_then(|runtime| runtime.host_id());
        let lent_bytes = self.loaded.lent_bytes();
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
                    params.push(Param {
                        name: field("name").unwrap_or_else(|| format!("arg{position}")),
                        lend: Lend::of_param(descriptor.as_ref(), &rust, lent_bytes, host_id),
                        ints: Ints::of_descriptor(descriptor.as_ref()),
                        rust,
                    });
                }
            }
            let returns = get("returns")
                .and_then(|returns| returns.get_item("type").ok())
                .and_then(|descriptor| Shape::of_descriptor(&descriptor));
            let function = Function::new(self.loaded.clone(), id, name, params, returns);
            functions.push(function_object::new(py, function, on_error.clone())?);
        }
        Ok(functions)
    }

    /// The closures the library handed out that are still alive
    /// (`ferryman_live_closures`): `[{"handle": int, "signature": str}, …]`.
    fn live_closures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match self.loaded.runtime() {
            Some(runtime) => crate::closure::live_closures(py, runtime),
            None => Ok(PyList::empty(py)),
        }
    }

    /// The id the library gave this package as a host, or `None` when the
    /// library takes no callables.
    #[getter]
    fn host_id(&self) -> Option<u32> {
        self.loaded.runtime().and_then(|runtime| runtime.host_id())
    }

    fn __repr__(&self) -> String {
        format!("<ferryman._native.Library {:?}>", self.path)
    }
}

/// The exception for a library that could not be loaded.
fn load_error(py: Python<'_>, path: &str, error: LoadError) -> PyErr {
    let ours = ferryman_abi::ABI_VERSION;
    match error {
        LoadError::Open(reason) => raise_load(py, "LibraryLoadError", format!("cannot load {path}: {reason}"), path),
        LoadError::NotFerryman => raise_load(
            py,
            "NotAFerrymanLibrary",
            format!(
                "{path} is not a ferryman library: it does not export `ferryman_abi_version`; \
                 build a crate with `#[ferryman::export]` functions as a cdylib"
            ),
            path,
        ),
        LoadError::AbiMismatch(theirs) => {
            let fix = if theirs > ours {
                format!("upgrade the ferryman Python package to one that speaks ABI version {theirs}, or rebuild the library against a ferryman release with ABI version {ours}")
            } else {
                format!("rebuild the library against a ferryman release with ABI version {ours}, or use a ferryman Python package that speaks ABI version {theirs}")
            };
            raise_load(
                py,
                "AbiMismatch",
                format!(
                    "{path} speaks ferryman ABI version {theirs}, but this ferryman Python package \
                     ({CLIENT_VERSION}) speaks ABI version {ours}: {fix}"
                ),
                path,
            )
        }
        LoadError::MissingSymbol(symbol, reason) => raise_load(
            py,
            "LibraryLoadError",
            format!("{path} is a broken ferryman library: it exports `ferryman_abi_version` but not `{symbol}` ({reason})"),
            path,
        ),
    }
}

/// An instance of `ferryman._errors.<class_name>(message, path=path)`.
fn raise_load(py: Python<'_>, class_name: &str, message: String, path: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("ferryman._errors")?.getattr(class_name)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("path", path)?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    };
    build().unwrap_or_else(|error| error)
}
